"""Database engine, one session per request, SQLite pragmas, the UTC column type, schema check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from webapp.files import private_dir, touch_private

MIGRATIONS = Path(__file__).parent / "migrations"
writing: ContextVar[bool] = ContextVar("writing", default=False)


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on every database: naive values are refused on write."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone")
        value = value.astimezone(UTC)
        # SQLite stores text; keep it naive-UTC there so comparisons sort correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def fast_time(column: Any, dialect_name: str) -> Any:
    """A UTC column for bulk reads: the driver's value (SQLite's text, PostgreSQL's aware
    time in the session's zone) comes back as it is, for `utc_from_raw`.

    SQLAlchemy's SQLite datetime parser costs microseconds a value; the standings read tens of
    thousands of times, and `datetime.fromisoformat` is several times faster.
    """
    if dialect_name == "sqlite":
        return sa.type_coerce(column, sa.String)
    return sa.type_coerce(column, sa.DateTime(timezone=True))  # the driver's own, unconverted


def utc_from_raw(value: Any) -> datetime:
    """A `fast_time` value as an aware UTC time. SQLite's text is naive UTC; parsing it with
    the offset attached is several times faster than parsing and then `replace(tzinfo=)`,
    and gives the `UTC` singleton, which makes comparisons between the times cheap too."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    return value.astimezone(UTC)


class SchemaOutOfDate(Exception):
    """The database schema is older than the code; `jelajah db upgrade` fixes it."""


def database_url(settings: dict[str, dict[str, Any]], instance_path: Path) -> str:
    url = settings["database"]["url"]
    if url:
        return url
    return f"sqlite:///{instance_path / 'jelajah.sqlite'}"


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL and in-memory databases."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def prepare_sqlite_file(url: str) -> None:
    """The database file and its folder are made private before SQLite creates the file;
    SQLite gives its -wal and -shm files the database file's mode."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        touch_private(private_dir(path.parent) / path.name)


def make_engine(url: str, *, busy_timeout_ms: int = 5000, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        prepare_sqlite_file(url)
        engine = sa.create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        sa_event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        # SQLAlchemy issues BEGIN itself so that transactions behave as on PostgreSQL; a
        # request that writes takes the write lock at once (BEGIN IMMEDIATE), because WAL
        # refuses, without waiting, a reader that later wants to write after another writer.
        sa_event.listen(
            engine,
            "begin",
            lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE" if writing.get() else "BEGIN"),
        )
        return engine
    return sa.create_engine(url, echo=echo, pool_pre_ping=True)


def _sqlite_pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    prepare_sqlite_file(url)
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_schema(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"The database schema is at {current or 'nothing'} but this version of Jelajah "
            f"needs {head}. Run `jelajah db upgrade` (back up the database first)."
        )


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """The block's statements in one transaction that writes, committed at the end of the
    block (rolled back on an exception). On SQLite it takes the write lock with its first
    statement (BEGIN IMMEDIATE) and so holds off every other writer until the commit: keep
    slow work out of the block. The session must not be in a transaction when it starts."""
    if session.in_transaction():
        raise RuntimeError("end the read transaction before starting a write transaction")
    token = writing.set(True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        writing.reset(token)


def new_session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def request_session() -> Session:
    """The session of the current request (or CLI app context), closed at teardown."""
    from flask import current_app, g

    if "db" not in g:
        g.db = new_session(current_app.extensions["engine"])
    return g.db
