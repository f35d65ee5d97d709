"""The system parts some tests need (Chromium, Caddy, the PostgreSQL server), checked once.

On a fresh machine without one of them, the README's test command says in one line what is
missing and how to install it, and runs every other test. CI sets JELAJAH_TESTS_REQUIRE_ALL=1
(`.ci/run` installs the parts), so there a missing part stops the run instead.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

CHROMIUM = os.environ.get("JELAJAH_TEST_CHROMIUM", "/usr/bin/chromium")


@dataclass(frozen=True)
class Part:
    name: str
    install: str


PARTS = {
    "chromium": Part("Chromium", "sudo apt-get install chromium fonts-dejavu-core"),
    "caddy": Part("Caddy", "sudo apt-get install caddy"),
    "postgres": Part(
        "the PostgreSQL server at 127.0.0.1:5432 (user postgres, database test)",
        "sudo apt-get install postgresql, then allow the user postgres without a password",
    ),
}


def postgres_url() -> str:
    return os.environ.get(
        "JELAJAH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


@cache
def present(part: str) -> bool:
    if part == "chromium":
        return Path(CHROMIUM).exists()
    if part == "caddy":
        return shutil.which("caddy") is not None
    engine = sa.create_engine(postgres_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def needs(item: pytest.Item) -> set[str]:
    """What a test needs, from its fixtures and markers."""
    wanted = set()
    names = set(getattr(item, "fixturenames", ()))
    if "chromium" in names or item.get_closest_marker("browser"):
        wanted.add("chromium")
    if "caddy" in names or item.get_closest_marker("caddy"):
        wanted.add("caddy")
    if item.get_closest_marker("postgres") or "postgresql" in item.nodeid:
        wanted.add("postgres")
    return wanted


def missing_parts() -> list[str]:
    return [part for part in PARTS if not present(part)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = missing_parts()
    if not missing:
        return
    if os.environ.get("JELAJAH_TESTS_REQUIRE_ALL"):
        lines = [f"{PARTS[p].name} is missing: {PARTS[p].install}" for p in missing]
        pytest.exit("; ".join(lines), returncode=3)
    for item in items:
        for part in needs(item) & set(missing):
            item.add_marker(
                pytest.mark.skip(reason=f"{PARTS[part].name} is missing ({PARTS[part].install})")
            )


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    for part in missing_parts():
        terminalreporter.write_line(
            f"NOT RUN: tests that need {PARTS[part].name}; to run them: {PARTS[part].install}",
            yellow=True,
            bold=True,
        )
