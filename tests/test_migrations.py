"""Migrations from empty to head on both databases; an out-of-date schema is refused."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import SQLModel

from tests.conftest import POSTGRES_URL, configured_url, is_postgres
from webapp import create_app, db
from webapp.models import Event


def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'fresh.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    db.upgrade(POSTGRES_URL)
    command.downgrade(db.alembic_config(POSTGRES_URL), "base")
    yield POSTGRES_URL
    # Leave the shared PostgreSQL database at head for the rest of the suite.
    db.upgrade(POSTGRES_URL)


def test_upgrade_from_empty_to_head_creates_every_table(empty_url):
    db.upgrade(empty_url)
    engine = db.make_engine(empty_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        assert db.current_revision(engine) == db.head_revision()
        db.check_schema(engine)
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(empty_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    db.upgrade(empty_url)
    engine = db.make_engine(empty_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_app_refuses_to_start_on_an_empty_database_and_names_the_command(tmp_path):
    with pytest.raises(db.SchemaOutOfDate, match="jelajah db upgrade"):
        create_app(
            {
                "app": {"secret_key": "x", "instance_path": str(tmp_path)},
                "database": {"url": sqlite_url(tmp_path)},
            }
        )


def test_app_refuses_to_start_on_an_older_schema(tmp_path):
    url = sqlite_url(tmp_path)
    db.upgrade(url)
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("update alembic_version set version_num = 'older'"))
    engine.dispose()
    with pytest.raises(db.SchemaOutOfDate, match="older"):
        create_app(
            {"app": {"secret_key": "x", "instance_path": str(tmp_path)}, "database": {"url": url}}
        )


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    url = sqlite_url(tmp_path)
    db.upgrade(url)
    engine = db.make_engine(url, busy_timeout_ms=4321)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 4321
    engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_times_come_back_timezone_aware_in_utc(database, tmp_path):
    url = sqlite_url(tmp_path) if database == "sqlite" else POSTGRES_URL
    db.upgrade(url)
    engine = db.make_engine(url)
    wita = timezone(timedelta(hours=8))
    start = datetime(2026, 11, 25, 7, 0, tzinfo=wita)
    try:
        with db.new_session(engine) as session:
            event = Event(
                title="tz", starts_at=start, ends_at=start + timedelta(hours=10), created_at=start
            )
            session.add(event)
            session.commit()
            event_id = event.id
        with db.new_session(engine) as session:
            loaded = session.get(Event, event_id)
            assert loaded.starts_at == start
            assert loaded.starts_at.tzinfo is not None
            assert loaded.starts_at.utcoffset() == timedelta(0)
            assert loaded.starts_at == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
            # Ordering and comparison happen in UTC on both databases.
            found = session.exec(
                sa.select(Event.id).where(
                    Event.starts_at < datetime(2026, 11, 24, 23, 1, tzinfo=UTC)
                )
            ).all()
            assert (event_id,) in [tuple(r) for r in found]
            session.delete(loaded)
            session.commit()
    finally:
        engine.dispose()


def test_naive_datetimes_are_refused_on_write(tmp_path):
    url = sqlite_url(tmp_path)
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.new_session(engine) as session:
        session.add(
            Event(
                title="naive",
                starts_at=datetime(2026, 1, 1),
                ends_at=datetime(2026, 1, 2),
                created_at=datetime(2026, 1, 1),
            )
        )
        with pytest.raises(sa.exc.StatementError, match="naive"):
            session.commit()
    engine.dispose()


def test_suite_database_is_the_configured_one(database_url):
    """The same setting the app uses (database.url) chooses the database of the whole suite."""
    assert is_postgres(database_url) == is_postgres(configured_url())


def test_submissions_made_before_their_worth_was_stored_get_it_on_upgrade(empty_url):
    """0002 stores each submission's worth; rows already there get it by the same rules."""
    db.upgrade(empty_url, "0001")
    engine = db.make_engine(empty_url)
    old = sa.MetaData()
    old.reflect(engine)  # the tables as 0001 made them, not as the models are now
    now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    task = {"event_id": 1, "instructions": "", "points": 40, "window": {}, "check": {}}
    task |= {"hints": [], "first_bonus": [], "fresh_photo": False}
    sent = {"event_id": 1, "group_id": 1, "answer": "", "received_at": now, "flags": []}
    sent |= {"late_flag": False, "auto_decided": False}
    rows = {
        "event": [
            {
                "id": 1, "title": "Lama", "description": "", "language": "id",
                "timezone": "Asia/Jakarta", "starts_at": now, "ends_at": now + timedelta(hours=8),
                "revision": 1, "board_token": "t" * 20, "queued_late_policy": "accept",
                "counts": "best", "review_conflict": "average", "tie_break": "points",
                "blind_judging": False, "reveal_step": -1, "board_view": "rotate",
                "board_rotation_seconds": 30, "created_at": now,
            }
        ],
        "task": [
            task | {"id": 1, "key": "foto", "title": "Foto", "kind": "photo", "position": 1,
                    "late": {}, "rubric": [{"name": "a", "max": 10}]},
            task | {"id": 2, "key": "kuis", "title": "Kuis", "kind": "text", "position": 2,
                    "late": {"policy": "penalty_points", "value": 5}, "rubric": []},
        ],
        "event_group": [
            {"id": 1, "event_id": 1, "name": "Elang", "colour": "#123456",
             "join_code": "ABCDEF", "position": 1, "start_offset_min": 0, "extra_min": 0}
        ],
        "submission": [
            sent | {"id": 1, "task_id": 1, "idempotency_key": "a", "status": "accepted",
                    "late_minutes": 0},
            sent | {"id": 2, "task_id": 2, "idempotency_key": "b", "status": "accepted",
                    "late_minutes": 12},
            sent | {"id": 3, "task_id": 2, "idempotency_key": "c", "status": "pending",
                    "late_minutes": 0},
        ],
        "review": [
            {"id": n, "submission_id": 1, "decision": "accept", "points": None,
             "rubric": {"a": score}, "comment": "", "created_at": now + timedelta(minutes=n)}
            for n, score in ((1, 6), (2, 8))
        ],
    }  # fmt: skip
    try:
        with engine.begin() as conn:
            for name, values in rows.items():
                conn.execute(old.tables[name].insert(), values)
        engine.dispose()
        db.upgrade(empty_url)
        with engine.connect() as conn:
            worth = conn.execute(
                sa.text("SELECT id, earned_cents, late_cents FROM submission ORDER BY id")
            ).all()
        # The same judge's later 8/10 of 40 replaces the 6/10; the quiz's 40 less 5 for being
        # late; the pending one is worth nothing yet.
        assert [tuple(row) for row in worth] == [(1, 3200, 0), (2, 4000, 500), (3, None, 0)]
    finally:
        engine.dispose()


def test_organisers_keep_the_right_to_create_events_and_old_log_entries_learn_their_group(
    empty_url,
):
    """0005: accounts that organise an event may create events, judges may not; the log's
    entries get their group and task from their subject, for the log page's filters."""
    db.upgrade(empty_url, "0003")
    engine = db.make_engine(empty_url)
    old = sa.MetaData()
    old.reflect(engine)
    now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    account = {"password_hash": "x", "active": True, "created_at": now}
    rows = {
        "user_account": [
            account | {"id": 1, "email": "ani@example.org", "name": "Ani"},
            account | {"id": 2, "email": "juri@example.org", "name": "Juri"},
        ],
        "event": [
            {
                "id": 1, "title": "Lama", "description": "", "language": "id",
                "timezone": "Asia/Jakarta", "starts_at": now, "ends_at": now + timedelta(hours=8),
                "revision": 1, "board_token": "t" * 20, "queued_late_policy": "accept",
                "counts": "best", "review_conflict": "last", "tie_break": "points",
                "blind_judging": False, "reveal_step": -1, "board_view": "rotate",
                "board_rotation_seconds": 30, "created_at": now,
            }
        ],
        "event_staff": [
            {"event_id": 1, "user_id": 1, "role": "organiser"},
            {"event_id": 1, "user_id": 2, "role": "judge"},
        ],
        "event_group": [
            {"id": 7, "event_id": 1, "name": "Elang", "colour": "#123456",
             "join_code": "ABCDEF", "position": 1, "start_offset_min": 0, "extra_min": 0}
        ],
        "audit_entry": [
            {"id": n, "event_id": 1, "actor": "system", "at": now, "action": action,
             "subject": subject}
            for n, action, subject in (
                (1, "group.update", "group 7"), (2, "task.update", "task 3"),
                (3, "event.update", ""),
            )
        ],
    }  # fmt: skip
    try:
        with engine.begin() as conn:
            for name, values in rows.items():
                conn.execute(old.tables[name].insert(), values)
        engine.dispose()
        db.upgrade(empty_url)
        with engine.connect() as conn:
            rights = conn.execute(
                sa.text("SELECT id, can_create_events FROM user_account ORDER BY id")
            ).all()
            concerns = conn.execute(
                sa.text("SELECT id, group_id, task_id FROM audit_entry ORDER BY id")
            ).all()
        assert [tuple(row) for row in rights] == [(1, True), (2, False)]
        assert [tuple(row) for row in concerns] == [(1, 7, None), (2, None, 3), (3, None, None)]
    finally:
        engine.dispose()
