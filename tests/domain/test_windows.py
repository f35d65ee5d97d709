"""Task windows per group (start offsets, extra time, windows after another task, grace), the
lateness of a submission against them, and its properties (hypothesis)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.domain.windows import (
    TaskLocked,
    Timing,
    Window,
    WindowClosed,
    lateness,
    parse_local,
    state,
    task_window,
    timing,
)

START = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # 07:00 WITA on 25 November
END = START + timedelta(hours=10)
ZONE = "Asia/Makassar"


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def window(spec, **group):
    return task_window(spec, event_start=START, event_end=END, tz=ZONE, **group)


def arrival(span, received, pressed=None, late=None, queued="accept"):
    return timing(
        span,
        late=late or {},
        queued_policy=queued,
        pressed_at=pressed,
        received_at=received,
    )


def test_a_task_without_a_window_is_open_for_the_whole_event():
    assert window({}) == Window(START, END)


def test_an_absolute_window_is_read_in_the_events_zone():
    assert window({"opens": "07:30", "closes": "09:30"}) == Window(at(30), at(150))
    dated = {"opens": "2026-11-25T08:00", "closes": "2026-11-25T08:45"}
    assert window(dated) == Window(at(60), at(105))
    assert parse_local("07:00", START, "Asia/Jayapura") == START - timedelta(hours=1)


def test_a_window_after_the_start_opens_after_its_offset_and_lasts_its_duration():
    assert window({"after": "start", "offset": 30, "duration": 60}) == Window(at(30), at(90))
    assert window({"after": "start", "offset": 30}) == Window(at(30), END)


def test_a_start_offset_moves_the_whole_window():
    late_start = {"start_offset_min": 20}
    assert window({"opens": "07:30", "closes": "09:30"}, **late_start) == Window(at(50), at(170))
    assert window({"after": "start", "duration": 30}, **late_start) == Window(at(20), at(50))
    assert window({}, **late_start) == Window(at(20), END + timedelta(minutes=20))


def test_extra_time_moves_only_the_closing_time():
    assert window({"opens": "07:30", "closes": "09:30"}, extra_min=15) == Window(at(30), at(165))
    assert window({"after": "start", "duration": 30}, extra_min=15) == Window(START, at(45))


def test_a_window_after_another_task_waits_for_it_and_then_counts_from_when_it_was_done():
    spec = {"after": "benteng", "offset": 5, "duration": 60}
    assert window(spec) is None
    assert window(spec, done_at={"benteng": at(100)}) == Window(at(105), at(165))
    # Extra time still moves its close; the start offset is already in the time it was done.
    assert window(spec, done_at={"benteng": at(100)}, extra_min=10, start_offset_min=30) == (
        Window(at(105), at(175))
    )


def test_the_state_of_a_task_follows_the_clock():
    span = Window(at(30), at(60))
    assert [state(span, at(m)) for m in (29, 30, 60, 61)] == ["locked", "open", "open", "closed"]
    assert state(None, at(40)) == "locked"
    assert state(span, at(40), unlocked=False) == "locked"


def test_grace_minutes_count_as_on_time_and_lateness_counts_from_the_end_of_grace():
    span = Window(START, at(30))
    late = {"policy": "per_minute", "value": 1, "grace": 2}
    assert arrival(span, at(32), late=late) == Timing()
    assert arrival(span, at(39), late=late) == Timing(late_minutes=7)


def test_a_late_submission_is_refused_unless_the_task_takes_late_ones():
    span = Window(START, at(30))
    with pytest.raises(WindowClosed):
        arrival(span, at(31))
    assert arrival(span, at(31), late={"policy": "review"}) == Timing(1, flagged=True)
    with pytest.raises(TaskLocked):
        arrival(Window(at(10), at(30)), at(5))


@pytest.mark.parametrize(
    ("queued", "expected"),
    [("accept", Timing()), ("flag", Timing(flagged=True)), ("refuse", Timing(late_minutes=20))],
)
def test_sent_before_the_deadline_and_received_after_follows_the_events_policy(queued, expected):
    span = Window(START, at(30))
    late = {"policy": "penalty_points", "value": 5}
    assert arrival(span, at(50), pressed=at(29), late=late, queued=queued) == expected


def test_a_phone_that_claims_to_have_sent_before_the_opening_is_believed_only_from_it():
    span = Window(at(10), at(30))
    found = arrival(span, at(40), pressed=at(0), late={"policy": "zero"}, queued="refuse")
    assert found == Timing(late_minutes=10)


def test_lateness_measures_a_stored_submission_without_refusing_it():
    span = Window(at(10), at(30))
    assert lateness(span, late={}, queued_policy="accept", pressed_at=None, received_at=at(40)) == (
        Timing(late_minutes=10, refused=True)
    )
    # Received before the window (as it now stands) opened: it was sent while the task was
    # open for the group, so it is on time.
    assert lateness(span, late={}, queued_policy="accept", pressed_at=None, received_at=at(5)) == (
        Timing()
    )


def test_a_fraction_of_a_second_late_is_late():
    found = lateness(
        Window(START, at(30)),
        late={"policy": "per_minute", "value": 1},
        queued_policy="accept",
        pressed_at=None,
        received_at=at(30) + timedelta(milliseconds=100),
    )
    assert found.late_minutes > 0


# Properties over generated windows and arrivals.
minutes_st = st.integers(0, 600)
late_st = st.fixed_dictionaries(
    {"policy": st.sampled_from(["refuse", "penalty_points", "per_minute", "zero", "review"])},
    optional={"grace": st.integers(0, 10)},
)
queued_st = st.sampled_from(["accept", "flag", "refuse"])
spec_st = st.one_of(
    st.fixed_dictionaries(
        {"opens": st.just("07:30"), "closes": st.sampled_from(["08:00", "10:00"])}
    ),
    st.fixed_dictionaries(
        {"after": st.just("start"), "offset": st.integers(0, 60), "duration": st.integers(1, 240)}
    ),
    st.just({}),
)


@given(
    spec_st, late_st, queued_st, minutes_st, minutes_st, st.integers(-60, 60), st.integers(0, 90)
)
def test_lateness_is_what_timing_would_have_said_had_the_window_been_there_on_arrival(
    spec, late, queued, received, pressed_before, offset, extra
):
    span = window(spec, start_offset_min=offset, extra_min=extra)
    arrived, pressed = at(received), at(received - pressed_before)
    found = lateness(span, late=late, queued_policy=queued, pressed_at=pressed, received_at=arrived)
    if arrived < span.opens_at:
        with pytest.raises(TaskLocked):
            arrival(span, arrived, pressed, late, queued)
        assert found == Timing()
    elif found.refused:
        with pytest.raises(WindowClosed):
            arrival(span, arrived, pressed, late, queued)
    else:
        assert arrival(span, arrived, pressed, late, queued) == found


@given(spec_st, late_st, queued_st, minutes_st, minutes_st, st.integers(0, 90), st.integers(0, 90))
def test_more_extra_time_never_makes_a_submission_later(
    spec, late, queued, received, pressed_before, extra, more
):
    def measured(minutes):
        return lateness(
            window(spec, extra_min=minutes),
            late=late,
            queued_policy=queued,
            pressed_at=at(received - pressed_before),
            received_at=at(received),
        )

    less, most = measured(extra), measured(extra + more)
    assert most.late_minutes <= less.late_minutes
    assert most.refused <= less.refused


@given(spec_st, st.integers(-120, 120), st.integers(0, 120))
def test_an_offset_moves_both_ends_and_extra_time_only_the_close(spec, offset, extra):
    plain = window(spec)
    moved = window(spec, start_offset_min=offset, extra_min=extra)
    assert moved.opens_at - plain.opens_at == timedelta(minutes=offset)
    assert moved.closes_at - plain.closes_at == timedelta(minutes=offset + extra)


@given(spec_st, late_st, minutes_st)
def test_a_late_submission_is_late_by_the_minutes_past_the_deadline_and_its_grace(
    spec, late, received
):
    span = window(spec)
    deadline = span.closes_at + timedelta(minutes=late.get("grace", 0))
    found = lateness(
        span, late=late, queued_policy="refuse", pressed_at=None, received_at=at(received)
    )
    if at(received) <= deadline:
        assert found == Timing()
    else:
        assert found.late_minutes == round((at(received) - deadline).total_seconds() / 60, 2)
        assert found.refused == (late["policy"] == "refuse")
        assert found.flagged == (late["policy"] == "review")
