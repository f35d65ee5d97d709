"""Task sets into the database and back out: every example imports, and comes back the same."""

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
