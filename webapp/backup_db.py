"""The database in a backup: one consistent copy taken while the app runs, and putting it back.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page in one step,
inside one read transaction, so the copy is the database as it stood at one moment; in WAL
mode the app's writers do not wait for it.

PostgreSQL: `pg_dump` (found on PATH; custom format, which `pg_restore` reads back in one
transaction) runs inside a snapshot exported by our own transaction, which also counts the
rows and reads the schema revision: the manifest describes exactly the data that was dumped.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.pool import NullPool

from webapp import db
from webapp.files import create_private

KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
NOT_COUNTED = {"alembic_version"}


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Snapshot:
    kind: str  # a key of KINDS
    path: Path
    revision: str | None
    rows: dict[str, int]  # table name -> rows, as in the copy


def kind_of(url: str) -> str:
    if db.sqlite_file(url) is not None:
        return "sqlite"
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        return "postgresql"
    raise BackupError(f"Backups know SQLite files and PostgreSQL, not {where(url)}.")


def where(url: str) -> str:
    """The database for messages: a SQLite file's path, or an address without its password."""
    path = db.sqlite_file(url)
    return str(path) if path else sa.engine.make_url(url).render_as_string(hide_password=True)


def take_snapshot(url: str, folder: Path) -> Snapshot:
    """A consistent copy of the database in `folder`, with its revision and row counts."""
    if kind_of(url) == "sqlite":
        return sqlite_snapshot(db.sqlite_file(url), folder / "jelajah.sqlite")
    return postgres_snapshot(url, folder / "jelajah.pgdump")


def sqlite_snapshot(source: Path, copy: Path) -> Snapshot:
    if not source.is_file():
        raise BackupError(f"There is no database at {source}: nothing to back up.")
    create_private(copy).close()
    with closing(sqlite3.connect(source, timeout=30)) as live:
        with closing(sqlite3.connect(copy)) as target:
            live.backup(target)  # every page in one step: one moment, however busy the app
    revision, rows = describe(f"sqlite:///{copy}")
    return Snapshot("sqlite", copy, revision, rows)


def postgres_snapshot(url: str, dump: Path) -> Snapshot:
    pg_dump = tool("pg_dump")
    uri, env = libpq(url)
    with connected(url) as engine, engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        revision, rows = current_revision(conn), count_rows(conn)
        create_private(dump).close()
        # The exported snapshot lives as long as this transaction: pg_dump runs inside it.
        run(
            [pg_dump, "--format=custom", "--compress=0", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot}", f"--file={dump}", f"--dbname={uri}"],
            env,
        )  # fmt: skip
        conn.rollback()
    return Snapshot("postgresql", dump, revision, rows)


def describe(url: str) -> tuple[str | None, dict[str, int]]:
    """The schema revision and the rows of every table of the database at `url`."""
    with connected(url) as engine, engine.connect() as conn:
        return current_revision(conn), count_rows(conn)


@contextmanager
def connected(url: str) -> Iterator[sa.Engine]:
    """An engine of its own (no pool kept), and a plain message when the server is not there."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        yield engine
    except sa.exc.OperationalError as exc:
        raise BackupError(f"Could not use the database {where(url)}: {first_line(exc)}") from exc
    finally:
        engine.dispose()


def current_revision(conn: sa.Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def count_rows(conn: sa.Connection) -> dict[str, int]:
    names = sorted(set(sa.inspect(conn).get_table_names()) - NOT_COUNTED)
    count = sa.select(sa.func.count())
    return {name: conn.execute(count.select_from(sa.table(name))).scalar_one() for name in names}


def rows_in(url: str) -> int:
    """How many rows the app's tables hold; 0 for a database not created yet."""
    path = db.sqlite_file(url)
    if path is not None and not path.exists():
        return 0
    try:
        return sum(describe(url)[1].values())
    except sa.exc.DatabaseError as exc:  # a file that is not a SQLite database, say
        raise BackupError(
            f"{where(url)} cannot be read ({first_line(exc)}); add --force to replace it."
        ) from exc


def known_revisions() -> set[str]:
    scripts = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    return {script.revision for script in scripts.walk_revisions()}


def put_back(kind: str, copy: Path, url: str) -> None:
    """Replaces the database at `url` with the copy (a file beside a SQLite target)."""
    if kind == "sqlite":
        target = db.sqlite_file(url)
        # A journal of the old database must not be played onto the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(copy, target)
        return
    pg_restore = tool("pg_restore")
    uri, env = libpq(url)
    drop_tables(url)
    run(
        [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         f"--dbname={uri}", str(copy)],
        env,
    )  # fmt: skip


def drop_tables(url: str) -> None:
    """Empties the schema (tables left by `jelajah db upgrade`, or data replaced with --force)."""
    with connected(url) as engine, engine.begin() as conn:
        quote = conn.dialect.identifier_preparer.quote
        names = [quote(name) for name in sa.inspect(conn).get_table_names()]
        if names:
            # Names come from the database's catalogue and are quoted by the dialect.
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {', '.join(names)} CASCADE")


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: install PostgreSQL's client programs, in the "
            "server's version or newer (Debian, Ubuntu: apt install postgresql-client)."
        )
    return found


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """The address for pg_dump and pg_restore; the password goes in the environment, where
    other users cannot read it as they can a command line."""
    parsed = sa.engine.make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    address = sa.engine.URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return address.render_as_string(hide_password=False), env


def run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        said = [line for line in done.stderr.splitlines() if line.strip()]
        errors = [line for line in said if "error" in line.lower()] or said
        raise BackupError(
            f"{Path(args[0]).name} failed: {errors[0] if errors else done.returncode}"
        )


def first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
