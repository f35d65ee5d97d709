"""Standings speed: 200 groups, 60 tasks, 20,000 submissions with reviews, on the database.

Run: python bench/standings.py   [JELAJAH_DATABASE__URL=postgresql+psycopg://... to use it]
Prints the median time of a cold computation through the service the board uses, and of an
unchanged-revision answer (304) through the Flask test client. Targets: under 50 ms and
under 2 ms. Last line: standings_ms=T1 not_modified_ms=T2

The rows are written in bulk and then valued once by `worth.revalue`, which leaves them
as the services leave each submission they write (its worth stored on the row).
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webapp import create_app, db  # noqa: E402
from webapp.models import (
    Adjustment,
    Event,
    EventStaff,
    Group,
    HintUse,
    Review,  # noqa: E402
    Submission,
    Task,
)
from webapp.services import accounts, standings, worth  # noqa: E402

GROUPS, TASKS, SUBMISSIONS, RUNS = 200, 60, 20_000, 15


def fill(session, now: datetime) -> Event:
    rng = random.Random(3)
    owner = accounts.create_account(
        session, email="bench@example.org", name="Bench", password="benchmark", now=now
    )
    event = Event(
        title="Bench",
        starts_at=now,
        ends_at=now + timedelta(hours=10),
        created_at=now,
        review_conflict="average",
    )
    session.add(event)
    session.flush()
    session.add(EventStaff(event_id=event.id, user_id=owner.id, role="organiser"))
    judges = [
        accounts.create_account(
            session, email=f"j{n}@example.org", name=f"J{n}", password="benchmark", now=now
        )
        for n in range(3)
    ]
    session.execute(
        sa.insert(Group),
        [
            {
                "event_id": event.id,
                "name": f"Kelompok {n}",
                "colour": "#123456",
                "join_code": f"B{n:05d}",
                "position": n,
                "start_offset_min": 0,
                "extra_min": 0,
            }
            for n in range(GROUPS)
        ],
    )
    session.execute(
        sa.insert(Task),
        [
            {
                "event_id": event.id,
                "key": f"t{n}",
                "title": f"Tugas {n}",
                "instructions": "",
                "kind": "photo",
                "points": 10 + n % 30,
                "position": n,
                "window": {},
                "check": {},
                "late": {"policy": "per_minute", "value": 1, "cap": 10},
                "rubric": [{"name": "a", "max": 5}, {"name": "b", "max": 5}] if n % 3 == 0 else [],
                "hints": [{"text": "h", "cost": 2}],
                "first_bonus": [5, 3, 1] if n % 5 == 0 else [],
                "fresh_photo": False,
            }
            for n in range(TASKS)
        ],
    )
    session.flush()
    group_ids = [
        g for (g,) in session.execute(sa.select(Group.id).where(Group.event_id == event.id))
    ]
    task_ids = [t for (t,) in session.execute(sa.select(Task.id).where(Task.event_id == event.id))]
    rows = []
    for n in range(SUBMISSIONS):
        rows.append(
            {
                "event_id": event.id,
                "task_id": rng.choice(task_ids),
                "group_id": rng.choice(group_ids),
                "idempotency_key": f"k{n}",
                "status": rng.choice(["accepted", "accepted", "pending", "rejected"]),
                "answer": "",
                "received_at": now + timedelta(seconds=rng.randint(0, 36000)),
                "late_minutes": rng.choice([0, 0, 0, 4, 25]),
                "late_flag": False,
                "auto_decided": False,
                "flags": [],
            }
        )
    session.execute(sa.insert(Submission), rows)
    sub_ids = [
        s
        for (s,) in session.execute(sa.select(Submission.id).where(Submission.event_id == event.id))
    ]
    session.execute(
        sa.insert(Review),
        [
            {
                "submission_id": sub_id,
                "judge_id": rng.choice(judges).id,
                "decision": rng.choice(["accept", "accept", "reject"]),
                "points": None,
                "rubric": {"a": rng.randint(0, 5), "b": rng.randint(0, 5)},
                "comment": "",
                "created_at": now + timedelta(hours=1),
            }
            for sub_id in sub_ids[: SUBMISSIONS // 2]
        ],
    )
    session.execute(
        sa.insert(HintUse),
        [
            {
                "event_id": event.id,
                "group_id": group_ids[n % GROUPS],
                "task_id": task_ids[n % TASKS],
                "hint_index": 0,
                "cost": 2,
                "created_at": now,
            }
            for n in range(600)
        ],
    )
    session.execute(
        sa.insert(Adjustment),
        [
            {
                "event_id": event.id,
                "group_id": rng.choice(group_ids),
                "points": rng.choice([-5, 3]),
                "reason": "disiplin",
                "created_by_id": owner.id,
                "created_at": now,
            }
            for _ in range(300)
        ],
    )
    worth.revalue(session, event)
    session.commit()
    return event


def median_ms(work) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("JELAJAH_DATABASE__URL") or f"sqlite:///{folder}/bench.sqlite"
        if url.startswith("postgresql"):
            from alembic import command

            command.downgrade(db.alembic_config(url), "base")
        db.upgrade(url)
        now = datetime.now(UTC)
        app = create_app(
            {"app": {"secret_key": "bench", "instance_path": folder}, "database": {"url": url}}
        )
        engine = app.extensions["engine"]
        with db.new_session(engine) as session:
            event = fill(session, now)
            event_id = event.id
        with db.new_session(engine) as session:
            event = session.get(Event, event_id)
            rows = standings.compute(session, event)
            assert len(rows) == GROUPS
            cold = median_ms(lambda: standings.compute(session, event))
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post(
            "/login",
            data={"csrf_token": token, "email": "bench@example.org", "password": "benchmark"},
        )
        endpoint = f"/api/events/{event_id}/standings"
        first = client.get(endpoint)
        assert first.status_code == 200
        tag = first.headers["ETag"]

        def unchanged() -> None:
            assert client.get(endpoint, headers={"If-None-Match": tag}).status_code == 304

        not_modified = median_ms(unchanged)
        engine.dispose()
        print(
            f"{GROUPS} groups, {TASKS} tasks, {SUBMISSIONS} submissions "
            f"({SUBMISSIONS // 2} reviewed) on {url.split(':')[0]}"
        )
        print(f"cold standings: {cold:.1f} ms   unchanged revision (304): {not_modified:.2f} ms")
        print(f"standings_ms={cold:.1f} not_modified_ms={not_modified:.2f}")


if __name__ == "__main__":
    main()
