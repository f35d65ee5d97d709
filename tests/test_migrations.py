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
