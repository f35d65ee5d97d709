"""Distances in messages read as people write them: metres below a kilometre, then km, with
the reader's decimal sign ("72292 m" and "11484211 m" were shown before)."""

import pytest
from flask_babel import force_locale

from webapp.domain.evidence import described
from webapp.domain.geo import Metres
from webapp.i18n import distance, flag_message


@pytest.mark.parametrize(
    ("metres", "en", "id_"),
    [
        (227.4, "227 m", "227 m"),
        (999.4, "999 m", "999 m"),
        (5_340, "5.3 km", "5,3 km"),
        (72_292, "72 km", "72 km"),
        (11_484_211, "11,484 km", "11.484 km"),
    ],
)
def test_a_distance_is_written_in_the_readers_way(app, metres, en, id_):
    with app.test_request_context():
        with force_locale("en"):
            assert distance(metres) == en
        with force_locale("id"):
            assert distance(metres) == id_


def test_a_far_photo_flag_stored_with_plain_numbers_reads_in_km(app):
    flag = {"code": "far_from_place", "params": {"distance": 72292, "place": "Balai", "radius": 50}}
    template, params = described(flag)
    assert isinstance(params["distance"], Metres)
    with app.test_request_context(), force_locale("id"):
        assert flag_message(flag) == "Diambil 72 km dari Balai (radiusnya 50 m)."


def test_a_check_in_far_away_is_refused_in_km(phone, make):
    place = make.location(phone.event, lat=-5.1343, lon=119.4055, radius_m=50)
    task = make.task(phone.event, "checkin", location_id=place.id)
    phone.get("/lang/id")
    refused = phone.client.post(
        f"/play/api/tasks/{task.id}/submissions",
        data={
            "csrf_token": phone.token("/play/"),
            "key": "jauh",
            "lat": "-5.8",
            "lon": "119.4055",
            "accuracy": "10",
        },
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 409
    assert refused.json["message"].startswith(f"Anda berada 74 km dari {place.name}, sekitar 74 km")
