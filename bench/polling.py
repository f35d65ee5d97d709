"""Polling cost: 300 phones and 5 boards polling every 3 seconds against gunicorn on 127.0.0.1.

Run: python bench/polling.py [seconds]   (default 30; traffic goes to 127.0.0.1 only)
Starts `jelajah serve` on a fresh SQLite demo-like event, joins 300 participants, then for a
bounded time plays the polling (each phone asks for its state with If-None-Match, each board
for its data) while a few answers arrive, and reports the server's CPU time (all gunicorn
processes, from /proc) per wall-clock second. Target: under 10% of one core.
Last line: polling_cpu_pct=P
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webapp import db  # noqa: E402
from webapp.domain.taskset import load_taskset_file  # noqa: E402
from webapp.services import accounts, groups, tasksets  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PHONES, BOARDS, GROUPS, PERIOD = 300, 5, 30, 3.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(root_pid: int) -> float:
    """User and system time of the gunicorn master and its workers."""
    total = 0.0
    for pid in [root_pid, *children(root_pid)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


class Client:
    """One keep-alive connection with its cookies, as a phone's browser would have."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookies: dict[str, str] = {}
        self.etag: str | None = None

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, str, dict]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode(errors="replace")
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, dict(response.headers)

    def poll(self, path: str) -> int:
        status, _text, headers = self.request(
            "GET", path, headers={"If-None-Match": self.etag} if self.etag else {}
        )
        if status == 200:
            self.etag = headers.get("ETag")
        return status


def prepare(folder: str) -> tuple[str, str, list[str]]:
    url = f"sqlite:///{folder}/poll.sqlite"
    db.upgrade(url)
    engine = db.make_engine(url)
    now = datetime.now(UTC)
    with db.new_session(engine) as session:
        owner = accounts.create_account(
            session, email="bench@example.org", name="Bench", password="benchmark", now=now
        )
        event = tasksets.create_event(
            session,
            taskset=load_taskset_file(REPO / "tasks" / "demo.toml"),
            owner=owner,
            now=now,
            local_start=(now - timedelta(minutes=5))
            .astimezone(ZoneInfo("Asia/Jakarta"))
            .strftime("%Y-%m-%dT%H:%M"),
        )
        made = groups.add_numbered_groups(
            session, event=event, count=GROUPS, prefix="Kelompok", actor=owner, now=now
        )
        session.commit()
        codes, token = [g.join_code for g in made], event.board_token
    engine.dispose()
    return url, token, codes


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    with tempfile.TemporaryDirectory() as folder:
        url, token, codes = prepare(folder)
        port = free_port()
        env = {
            **os.environ,
            "JELAJAH_APP__SECRET_KEY": "poll",
            "JELAJAH_DATABASE__URL": url,
            "JELAJAH_APP__INSTANCE_PATH": folder,
            # 300 phones join from this one address, faster than the join limit allows.
            "JELAJAH_LIMITS__ENABLED": "false",
        }
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "jelajah"),
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--threads",
                "8",
            ],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            run(port, token, codes, seconds, server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)


def join(port: int, code: str, name: str) -> Client:
    client = Client(port)
    for _ in range(100):
        try:
            _status, page, _headers = client.request("GET", "/join")
            break
        except OSError:
            time.sleep(0.1)
            client = Client(port)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    status, _text, _headers = client.request(
        "POST", "/join", {"csrf_token": csrf, "code": code, "name": name}
    )
    assert status == 302, status
    client.csrf = csrf
    return client


def run(port: int, token: str, codes: list[str], seconds: float, pid: int) -> None:
    phones = [join(port, codes[n % GROUPS], f"Peserta {n}") for n in range(PHONES)]
    boards = [Client(port) for _ in range(BOARDS)]
    stop = time.monotonic() + seconds
    counts = {"200": 0, "304": 0, "other": 0}
    lock = threading.Lock()

    def play(clients: list[Client], path: str, offset: float) -> None:
        time.sleep(offset)
        while time.monotonic() < stop:
            started = time.monotonic()
            for client in clients:
                status = client.poll(path)
                with lock:
                    counts[str(status) if status in (200, 304) else "other"] += 1
            time.sleep(max(0.0, PERIOD - (time.monotonic() - started)))

    def submit() -> None:
        n = 0
        while time.monotonic() < stop:
            polling = phones[n % PHONES]
            phone = Client(port)  # its own connection: the polling one is busy
            phone.cookies, phone.csrf = dict(polling.cookies), polling.csrf
            _status, page, _headers = phone.request("GET", "/play/")
            task = re.findall(r'/play/tasks/(\d+)"', page)
            if task:
                phone.request(
                    "POST",
                    f"/play/api/tasks/{task[1]}/submissions",
                    {"csrf_token": phone.csrf, "key": f"bench-{n}", "answer": "Grha Sabha Pramana"},
                    {"X-CSRFToken": phone.csrf, "Accept": "application/json"},
                )
            n += 1
            time.sleep(5)

    shards = [phones[i::10] for i in range(10)]
    threads = [
        threading.Thread(target=play, args=(shard, "/play/api/state", i * PERIOD / 10))
        for i, shard in enumerate(shards)
    ]
    threads.append(threading.Thread(target=play, args=(boards, f"/board/{token}/data.json", 0)))
    threads.append(threading.Thread(target=submit))
    cpu_before, wall_before = cpu_seconds(pid), time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = cpu_seconds(pid) - cpu_before
    wall = time.monotonic() - wall_before
    total = sum(counts.values())
    print(
        f"{PHONES} phones and {BOARDS} boards every {PERIOD:.0f} s for {wall:.0f} s: "
        f"{total} requests ({counts['304']} answered 304, {counts['200']} 200, "
        f"{counts['other']} other), {total / wall:.0f} per second"
    )
    print(f"server CPU {cpu:.2f} s in {wall:.1f} s of wall-clock time")
    print(f"polling_cpu_pct={100 * cpu / wall:.1f}")


if __name__ == "__main__":
    main()
