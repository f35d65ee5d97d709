"""Evidence flags for judges, each way."""

from datetime import UTC, datetime, timedelta

from webapp.domain.evidence import Place, evidence_flags, hamming

OPENS = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
SENT = OPENS + timedelta(minutes=90)
FORT = Place("Fort Rotterdam", -5.13396, 119.40545, 60)


def codes(**overrides):
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
    return [flag.code for flag in evidence_flags(**values)]


def test_a_fresh_photo_at_the_place_raises_no_flag():
    assert codes() == []


def test_taken_before_the_task_opened_is_flagged():
    assert codes(captured_at=OPENS - timedelta(days=3)) == ["before_open"]


def test_taken_long_before_it_was_sent_is_flagged():
    assert codes(captured_at=OPENS + timedelta(minutes=5)) == ["long_before_sent"]


def test_taken_far_from_the_place_is_flagged_with_the_distance():
    flags = evidence_flags(
        captured_at=None,
        gps=(-5.14357, 119.40768),
        sent_at=SENT,
        opens_at=OPENS,
        place=FORT,
        fresh_required=False,
        phash=None,
    )
    assert [f.code for f in flags] == ["far_from_place"]
    assert 1050 < flags[0].params["distance"] < 1150
    assert "Fort Rotterdam" in flags[0].message


def test_missing_time_and_position_are_flagged_only_when_a_fresh_photo_is_asked():
    assert codes(captured_at=None, gps=None) == ["no_capture_time", "no_gps"]
    assert codes(captured_at=None, gps=None, fresh_required=False) == []


def test_a_near_duplicate_of_another_groups_photo_is_flagged():
    near = "ffff0000ffff0003"  # two bits apart
    flags = evidence_flags(
        captured_at=None,
        gps=None,
        sent_at=SENT,
        opens_at=OPENS,
        place=None,
        fresh_required=False,
        phash="ffff0000ffff0000",
        others=[("0000ffff0000ffff", "A: x"), (near, "Kelompok 2: Foto")],
    )
    assert [f.code for f in flags] == ["duplicate"]
    assert flags[0].params == {"other": "Kelompok 2: Foto"}
    assert codes(others=[("0000ffff0000ffff", "far apart")]) == []


def test_hamming_distance_counts_differing_bits():
    assert hamming("ff", "fe") == 1 and hamming("00", "ff") == 8
