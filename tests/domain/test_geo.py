"""Check-ins: inside, outside and at the edge of a radius, allowing for accuracy."""

from webapp.domain.geo import MAX_ACCURACY_ALLOWANCE_M, check_in, distance_m

FORT = (-5.13396, 119.40545)


def north_of(place, metres):
    return (place[0] + metres / 110_574, place[1])  # a degree of latitude near the equator


def test_inside_the_radius_checks_in():
    result = check_in(FORT, 50, north_of(FORT, 30), accuracy_m=5)
    assert result.inside and 29 < result.distance_m < 31


def test_outside_the_radius_says_how_far():
    result = check_in(FORT, 50, north_of(FORT, 400), accuracy_m=10)
    assert not result.inside
    assert 335 < result.outside_by_m < 345


def test_accuracy_lets_a_group_at_the_edge_in():
    just_out = north_of(FORT, 70)
    assert not check_in(FORT, 50, just_out, accuracy_m=5).inside
    assert check_in(FORT, 50, just_out, accuracy_m=25).inside


def test_a_huge_accuracy_is_not_believed():
    far = north_of(FORT, 1000)
    assert not check_in(FORT, 200, far, accuracy_m=5000).inside
    assert check_in(FORT, 200, far, accuracy_m=5000).allowance_m == 200 + MAX_ACCURACY_ALLOWANCE_M


def test_distance_is_geodesic():
    losari = (-5.14357, 119.40768)
    assert 1050 < distance_m(FORT, losari) < 1150
