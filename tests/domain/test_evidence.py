"""Evidence flags for judges, each way."""

from datetime import UTC, datetime, timedelta

from webapp.domain.evidence import Place, SeenPhoto, described, evidence_flags, hamming

OPENS = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
SENT = OPENS + timedelta(minutes=90)
FORT = Place("Fort Rotterdam", -5.13396, 119.40545, 60)


def flags(**overrides):
    values = dict(
        captured_at=OPENS + timedelta(minutes=80),
        gps=(-5.13400, 119.40550),
        sent_at=SENT,
        opens_at=OPENS,
        place=FORT,
        fresh_required=True,
        phash="ffff0000ffff0000",
        others=[],
    )
    values.update(overrides)
    return evidence_flags(**values)


def codes(**overrides):
    return [flag.code for flag in flags(**overrides)]


ONLY_THE_PHOTO = {"captured_at": None, "gps": None, "place": None, "fresh_required": False}


def test_a_fresh_photo_at_the_place_raises_no_flag():
    assert codes() == []


def test_taken_before_the_task_opened_is_flagged():
    assert codes(captured_at=OPENS - timedelta(days=3)) == ["before_open"]


def test_taken_long_before_it_was_sent_is_flagged():
    assert codes(captured_at=OPENS + timedelta(minutes=5)) == ["long_before_sent"]


def test_taken_far_from_the_place_is_flagged_with_the_distance():
    found = flags(captured_at=None, gps=(-5.14357, 119.40768), fresh_required=False, phash=None)
    assert [f.code for f in found] == ["far_from_place"]
    assert 1050 < found[0].params["distance"] < 1150
    assert "Fort Rotterdam" in found[0].message


def test_missing_time_and_position_are_flagged_only_when_a_fresh_photo_is_asked():
    assert codes(captured_at=None, gps=None) == ["no_capture_time", "no_gps"]
    assert codes(captured_at=None, gps=None, fresh_required=False) == []


def test_a_near_duplicate_of_another_groups_photo_is_flagged():
    near = "ffff0000ffff0003"  # two bits apart
    found = flags(
        **ONLY_THE_PHOTO,
        others=[
            SeenPhoto("0000ffff0000ffff", "A", "x", 1),
            SeenPhoto(near, "Kelompok 2", "Foto", 2),
        ],
    )
    assert [f.code for f in found] == ["duplicate"]
    assert found[0].params == {"other": "Kelompok 2: Foto", "task": "Foto", "submission": 2}
    assert codes(others=[SeenPhoto("0000ffff0000ffff", "B", "far apart", 3)]) == []


def test_hamming_distance_counts_differing_bits():
    assert hamming("ff", "fe") == 1 and hamming("00", "ff") == 8


def test_times_in_flags_are_told_in_the_unit_a_person_reads():
    def told(minutes, code="before_open"):
        return described({"code": code, "template": "stored", "params": {"minutes": minutes}})

    assert told(45) == ("Taken %(n)s minutes before the task opened.", {"n": 45})
    assert told(150) == ("Taken %(n)s hours before the task opened.", {"n": 2})
    assert told(6_413_710) == ("Taken %(n)s days before the task opened.", {"n": 4454})
    assert told(3000, "long_before_sent") == ("Taken %(n)s days before it was sent.", {"n": 2})


def test_a_duplicate_shown_to_a_blind_judge_names_the_task_but_not_the_group():
    flag = flags(
        **ONLY_THE_PHOTO, others=[SeenPhoto("ffff0000ffff0000", "Kelompok 2", "Foto pasar", 9)]
    )[0].as_dict()
    template, params = described(flag, blind=True)
    assert "Kelompok 2" not in template % params and "Foto pasar" in template % params
    assert "Kelompok 2" in described(flag)[0] % described(flag)[1]
    old_style = {"code": "duplicate", "template": "t", "params": {"other": "Kelompok 2: x"}}
    assert described(old_style, blind=True) == (
        "The same or nearly the same photo was sent before.",
        {},
    )


def test_taken_after_it_was_sent_is_flagged_as_a_time_yet_to_come():
    found = flags(captured_at=SENT + timedelta(hours=3))
    assert [f.code for f in found] == ["after_sent"]
    assert described(found[0].as_dict()) == (
        "Taken %(n)s hours after it was sent: a time yet to come.",
        {"n": 3},
    )
    assert codes(captured_at=SENT + timedelta(minutes=4)) == []  # clocks differ a little
    assert codes(captured_at=datetime(2099, 1, 1, tzinfo=UTC)) == ["after_sent"]
