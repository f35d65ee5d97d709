"""What a phone or a form sends that no person types: refused in words, or left out."""

import math
from datetime import UTC, datetime

import pytest

from webapp.domain import geo, inputs


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e999", "91", "abc"])
def test_a_latitude_not_on_earth_is_refused_with_a_message(value):
    with pytest.raises(inputs.Refused, match="not on Earth"):
        inputs.position(value, "119.4")


def test_a_position_is_both_coordinates_or_none():
    assert inputs.position("-5.1343", "119.4055") == (-5.1343, 119.4055)
    assert inputs.position("", " ") is None
    with pytest.raises(inputs.Refused):
        inputs.position("-5.1343", "")


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "1e9"])
def test_an_accuracy_that_cannot_be_right_is_refused(value):
    with pytest.raises(inputs.Refused, match="cannot be right"):
        inputs.accuracy(value)


def test_a_plain_accuracy_is_taken():
    assert inputs.accuracy("12.5") == 12.5 and inputs.accuracy(None) is None


def test_geo_knows_no_place_that_is_not_a_number():
    assert geo.valid_position(-5.1, 119.4)
    assert not geo.valid_position(math.nan, 0) and not geo.valid_position(0, math.inf)
    assert not geo.valid_position(True, 0) and not geo.valid_position(10**400, 0)


def test_ids_past_the_integer_range_are_no_ids():
    assert inputs.database_id("42") == 42 and inputs.database_id(str(2**31 - 1)) == 2**31 - 1
    for text in (str(2**31), "9" * 5000, "-1", "4 2", "٤٢", "", None):
        assert inputs.database_id(text) is None


def test_phone_times_outside_the_calendar_are_left_out():
    assert inputs.client_time("2026-11-25T07:00:00+08:00") == datetime(
        2026, 11, 24, 23, 0, tzinfo=UTC
    )
    for text in ("0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59-12:00", "2026-11-25T07:00"):
        assert inputs.client_time(text) is None


def test_evidence_keeps_only_what_can_be_used():
    sent = (
        '{"captured_at": "2026:11:25 07:00", "gps": [-5.13, 119.4], '
        '"device": "Pixel\\u0000 8\\n", "other": 1}'
    )
    assert inputs.evidence(sent) == {"gps": [-5.13, 119.4], "device": "Pixel 8"}
    assert inputs.evidence('{"captured_at": "0001-01-01T00:00:00"}') == {}
    assert inputs.evidence('{"captured_at": "2026-11-25T07:00:00"}') == {
        "captured_at": "2026-11-25T07:00:00"
    }
    assert inputs.evidence('{"gps": [NaN, Infinity]}') == {}
    assert inputs.evidence("[" * 100_000 + "]" * 100_000) == {}
    assert inputs.evidence('{"a": ' * 10 + "1" + "}" * 10) == {}
