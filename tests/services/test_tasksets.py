"""Task sets into the database and back out: every example imports, and comes back the same."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from webapp.domain.taskset import load_taskset, load_taskset_file
from webapp.models import Event, Group, Location, Task
from webapp.services import tasksets

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "tasks").glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_imports_into_a_fresh_database_and_exports_the_same(
    path, make, session, clock
):
    owner = make.account()
    taskset = load_taskset_file(path)
    event = tasksets.create_event(session, taskset=taskset, owner=owner, now=clock(), group_count=3)
    session.commit()
    tasks = session.exec(select(Task).where(Task.event_id == event.id)).all()
    assert len(tasks) == len(taskset.tasks)
    assert len(session.exec(select(Location).where(Location.event_id == event.id)).all()) == len(
        taskset.locations
    )
    assert len(session.exec(select(Group).where(Group.event_id == event.id)).all()) == 3
    back = load_taskset(tasksets.export_event(session, event.id))
    assert back.tasks == taskset.tasks
    assert back.locations == taskset.locations
    assert (back.title, back.timezone, back.start, back.end) == (
        taskset.title,
        taskset.timezone,
        taskset.start,
        taskset.end,
    )


def test_event_is_scheduled_in_the_sets_time_zone(make, session, clock):
    taskset = load_taskset_file(EXAMPLES[[p.stem for p in EXAMPLES].index("field-day")])
    event = tasksets.create_event(
        session, taskset=taskset, owner=make.account(), now=clock(), local_start="2026-11-25T07:00"
    )
    session.commit()
    loaded = session.get(Event, event.id)
    assert loaded.starts_at.isoformat() == "2026-11-24T23:00:00+00:00"  # 07:00 WITA
    assert loaded.ends_at.isoformat() == "2026-11-25T09:00:00+00:00"  # 17:00 WITA


def test_an_event_started_at_another_hour_lasts_as_long_as_the_sets_day(make, session, clock):
    """The demo set runs 08:00-08:30; started at 15:08 it ends at 15:38, not tomorrow 08:30."""
    taskset = load_taskset_file(EXAMPLES[[p.stem for p in EXAMPLES].index("demo")])
    event = tasksets.create_event(
        session, taskset=taskset, owner=make.account(), now=clock(), local_start="2026-12-01T15:08"
    )
    assert event.starts_at.isoformat() == "2026-12-01T08:08:00+00:00"  # 15:08 WIB
    assert event.ends_at.isoformat() == "2026-12-01T08:38:00+00:00"  # 15:38 WIB


def test_a_set_whose_day_ends_after_midnight_ends_the_next_day(make, session, clock):
    taskset = replace(
        load_taskset_file(EXAMPLES[[p.stem for p in EXAMPLES].index("demo")]),
        start="20:00",
        end="02:00",
    )
    event = tasksets.create_event(session, taskset=taskset, owner=make.account(), now=clock())
    assert event.ends_at - event.starts_at == timedelta(hours=6)
