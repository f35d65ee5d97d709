"""A real server (gunicorn, as `jelajah serve` runs it) and Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.system_parts import CHROMIUM
from tests.test_cli import free_port

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class LiveServer:
    url: str
    uploads: Path


@pytest.fixture
def live_server(database_url, tmp_path):
    """gunicorn with threaded workers on 127.0.0.1, on the test's own database."""
    port = free_port()
    env = {
        **os.environ,
        "JELAJAH_APP__SECRET_KEY": "browser-secret",
        "JELAJAH_DATABASE__URL": database_url,
        "JELAJAH_APP__INSTANCE_PATH": str(tmp_path / "instance"),
        "JELAJAH_STORAGE__UPLOADS_DIR": str(tmp_path / "uploads"),
        "JELAJAH_APP__DEFAULT_LANGUAGE": "en",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jelajah"),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/join", timeout=2).close()  # noqa: S310
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                os.killpg(process.pid, signal.SIGKILL)
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)
    yield LiveServer(url, tmp_path / "uploads")
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_context(chromium, live_server):
    """A phone-sized touch screen that may tell its position."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
        base_url=live_server.url,
        permissions=["geolocation"],
        geolocation={"latitude": -5.13396, "longitude": 119.40545, "accuracy": 10},
    )
    yield context
    context.close()


@pytest.fixture
def small_phone(chromium, live_server):
    """Opens cheap Android phones: 360 px wide, in English unless a test says otherwise."""
    contexts = []

    def open_phone(**options):
        context = chromium.new_context(
            **{
                "viewport": {"width": 360, "height": 740},
                "device_scale_factor": 2,
                "is_mobile": True,
                "has_touch": True,
                "locale": "en-US",
                "base_url": live_server.url,
                "permissions": ["geolocation"],
                "geolocation": {"latitude": -5.13396, "longitude": 119.40545, "accuracy": 10},
                **options,
            }
        )
        contexts.append(context)
        return context

    yield open_phone
    for context in contexts:
        context.close()


def real_now() -> datetime:
    """The live server runs on the real clock, so its events are set around now."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: a temporary folder, or docs/ with JELAJAH_SCREENSHOTS=docs."""
    folder = Path(os.environ.get("JELAJAH_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
