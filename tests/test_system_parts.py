"""A fresh machine without Chromium, Caddy or PostgreSQL: one line says what is missing, the
rest of the suite runs; with JELAJAH_TESTS_REQUIRE_ALL (as in CI) a missing part stops it."""

import os
import subprocess
import sys

from tests.conftest import REPO

SOME_TESTS = ["tests/domain/test_geo.py", "tests/browser/test_board.py", "tests/test_migrations.py"]


def run_without_parts(**extra: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "JELAJAH_TEST_CHROMIUM": "/nonexistent/chromium",
        "JELAJAH_TEST_POSTGRES_URL": "postgresql+psycopg://postgres@127.0.0.1:9/none",
        "PATH": os.pathsep.join(
            p
            for p in os.environ["PATH"].split(os.pathsep)
            if not (p and os.path.exists(os.path.join(p, "caddy")))
        ),
        **extra,
    }
    if not extra:
        env.pop("JELAJAH_TESTS_REQUIRE_ALL", None)
    env.pop("JELAJAH_DATABASE__URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SOME_TESTS],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_parts_are_named_once_and_the_rest_runs():
    result = run_without_parts()
    out = result.stdout
    assert result.returncode == 0, out[-2000:]
    assert out.count("NOT RUN: tests that need Chromium") == 1
    assert out.count("NOT RUN: tests that need Caddy") == 1
    assert "sudo apt-get install chromium" in out
    assert "passed" in out and "skipped" in out
    assert "failed" not in out and "error" not in out.lower().replace("errors", "")


def test_ci_stops_when_a_part_is_missing():
    result = run_without_parts(JELAJAH_TESTS_REQUIRE_ALL="1")
    assert result.returncode == 3
    assert "Chromium is missing" in result.stdout + result.stderr
