"""Joining on a small phone without JavaScript, and the rate limit shared by gunicorn's workers."""

from __future__ import annotations

import http.client
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from limits import parse_many
from playwright.sync_api import expect

from tests.browser.conftest import real_now
from tests.web.test_joining import roster_csv
from webapp import limits
from webapp.domain import joincodes
from webapp.services import groups, roster

TITLE = "Jelajah Lapangan PKA Malang–Batu 2026"


@pytest.fixture
def kelompok_2(make, session, clock):
    """A group whose names came from the roster; one of them already joined on a phone."""
    clock.value = real_now()
    event = make.event(title=TITLE, timezone="Asia/Jakarta", hours=8)
    names = ["Dr. Siti Rahayu, S.E., M.M.", "Budi Santoso", "Ani Wulandari, S.Sos."]
    table = [["nama", "kelompok"], *[[name, "Kelompok 2"] for name in names]]
    read = roster.read_roster(session, event, roster_csv(table), "roster.csv")
    roster.apply(session, event=event, rows=list(read.rows), actor=None, now=clock())
    session.commit()
    group = groups.groups_of(session, event.id)[0]
    make.participant(group, "Dr. Siti Rahayu, S.E., M.M.")
    return group


@pytest.mark.browser
def test_the_two_join_steps_on_a_360_px_phone_without_javascript(
    chromium, live_server, kelompok_2, shots
):
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
        base_url=live_server.url,
        java_script_enabled=False,
    )
    page = context.new_page()
    try:
        page.goto("/join")
        expect(page.locator("input[name=code]")).to_be_visible()
        expect(page.locator("input[name=name]")).to_have_count(0)
        page.screenshot(path=shots / "join-step-1-360.png", full_page=True)
        page.fill("input[name=code]", kelompok_2.join_code.lower())
        page.click("button.primary")
        expect(page.locator("p.joining")).to_have_text(
            f"You are joining «Kelompok 2» of «{TITLE}»."
        )
        expect(page.get_by_text(joincodes.display(kelompok_2.join_code))).to_be_visible()
        siti = page.locator("label.choice", has_text="Dr. Siti Rahayu, S.E., M.M.")
        expect(siti).to_contain_text("joined")
        expect(page.locator("label.choice")).to_have_count(3)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=shots / "join-step-2-360.png", full_page=True)
        page.check("input[name=member] >> nth=1")  # Budi Santoso, by name order
        page.click("button.primary")
        expect(page.locator("h1")).to_have_text("Kelompok 2")
        page.goto(f"/j/{kelompok_2.join_code}")  # the card's QR code, on another phone
        expect(page.locator("p.joining")).to_contain_text("«Kelompok 2»")
    finally:
        context.close()


def gunicorn_workers(port: int) -> list[int]:
    """The worker processes of the `jelajah serve` listening on `port` (children of its master)."""
    parents = {}
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            stat = (proc / "stat").read_text()
        except (OSError, ValueError):
            continue
        if b"serve" in argv and str(port).encode() in argv:
            parents[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return [pid for pid, parent in parents.items() if parent in parents]


def worker_of(connection: http.client.HTTPConnection, port: int, workers: list[int]) -> int:
    """Which worker holds this kept-alive connection: its socket's inode among their files."""
    client_port = connection.sock.getsockname()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == port and int(remote.split(":")[1], 16) == client_port:
            inode = fields[9]
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no worker holds the connection")


def status_of(connection: http.client.HTTPConnection, path: str) -> int:
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response.status


def test_wrong_codes_are_counted_together_by_two_gunicorn_workers(live_server, kelompok_2):
    port = urlsplit(live_server.url).port
    workers = gunicorn_workers(port)
    assert len(workers) == 2
    opened: list[http.client.HTTPConnection] = []
    by_worker: dict[int, http.client.HTTPConnection] = {}
    try:
        while len(by_worker) < 2 and len(opened) < 40:  # until each worker holds one
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            opened.append(connection)
            assert status_of(connection, "/join") == 200
            by_worker.setdefault(worker_of(connection, port, workers), connection)
        first, second = by_worker.values()
        allowed = min(item.amount for item in parse_many(limits.WRONG_CODES_PER_ADDRESS))
        for n in range(allowed):  # half to each worker: alone, neither would refuse
            wrong = joincodes.ALPHABET[n] * 8
            assert status_of((first, second)[n % 2], f"/j/{wrong}") == 404
        assert status_of(first, "/j/YYYYYYYY") == 429
        assert status_of(second, f"/j/{kelompok_2.join_code}") == 429
        assert {worker_of(c, port, workers) for c in (first, second)} == set(workers)
    finally:
        for connection in opened:
            connection.close()
