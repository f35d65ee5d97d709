"""Uploads under load: photos and answers at once against `jelajah serve --workers 2` on SQLite.

Run: python bench/uploads.py [phone|png|png24] [photos] [answers]   (default: phone 12 20)
  phone: each photo a ~400 KB JPEG of 2048 px, made from a real phone photo the way the
         phone's page downscales it before sending;
  png:   each photo a 160 KB PNG of 49 megapixels (7000 x 7000, one colour), the costliest
         picture the pixel limit used to let in (now refused: PNGs decode at full size);
  png24: the same at 24 megapixels (4900 x 4900), the largest PNG still accepted.
Starts the server on a fresh event (traffic goes to 127.0.0.1 only), joins one phone per
group, then sends every photo (one group each, to the photo task) and every answer (other
groups, to the text task) at the same moment, and reports throughput, the 95th percentile
of the time to an answer, the statuses, and the peak memory (VmHWM) of each worker.
With JELAJAH_BENCH_DATABASE_URL set to a PostgreSQL database that may be emptied, it runs
there instead of on a fresh SQLite file.
A 503 (the worker's photo decoders stayed busy; the phone's queue retries it after the
Retry-After it names) is counted apart from the other 5xx, which are failures.
Last line: uploads_per_s=U upload_p95_s=P answer_p95_s=A errors_5xx=E busy_503=B
peak_worker_rss_mb=R
"""

from __future__ import annotations

import http.client
import io
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webapp import db  # noqa: E402
from webapp.domain.taskset import load_taskset_file  # noqa: E402
from webapp.services import accounts, groups, tasksets  # noqa: E402
from webapp.services.authoring import tasks_of  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PHONE_PHOTO = REPO.parent / "shared" / "fixtures" / "photos" / "mobile" / "jolla.jpg"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def phone_photo(n: int) -> bytes:
    """The phone's downscale (about 2048 px, JPEG): a different crop for each upload, so
    that no two are the same picture."""
    with Image.open(PHONE_PHOTO) as image:
        image = image.convert("RGB").crop((n * 8, n * 6, image.width, image.height))
    image.thumbnail((2048, 2048))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def one_colour_png(side: int):
    def make(_n: int) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (side, side), (90, 140, 60)).save(out, "PNG")
        return out.getvalue()

    return make


class Phone:
    """One participant's browser: its cookies and CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, text

    def join(self, code: str, name: str) -> None:
        for _ in range(200):
            try:
                _status, page = self.request("GET", "/join")
                break
            except OSError:
                time.sleep(0.1)
        self.csrf = CSRF.search(page).group(1)
        form = f"csrf_token={self.csrf}&code={code}&name={name.replace(' ', '+')}"
        status, _ = self.request(
            "POST", "/join", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 302, status

    def send(self, task_id: int, fields: dict[str, str], photo: bytes | None = None):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {"csrf_token": self.csrf, "key": uuid.uuid4().hex, **fields}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        if photo is not None:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
                f'filename="foto.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                + photo
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Accept": "application/json",
        }
        return self.request("POST", f"/play/api/tasks/{task_id}/submissions", body, headers)


def empty_database(folder: str) -> str:
    url = os.environ.get("JELAJAH_BENCH_DATABASE_URL") or f"sqlite:///{folder}/uploads.sqlite"
    db.upgrade(url)
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            tables = conn.execute(
                sa.text(
                    "select tablename from pg_tables where schemaname = current_schema() "
                    "and tablename <> 'alembic_version'"
                )
            ).scalars()
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        engine.dispose()
    return url


def prepare(folder: str, count: int) -> tuple[str, list[str], int, int]:
    url = empty_database(folder)
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
            session, event=event, count=count, prefix="Kelompok", actor=owner, now=now
        )
        session.commit()
        by_key = {task.key: task.id for task in tasks_of(session, event.id)}
        codes = [group.join_code for group in made]
    engine.dispose()
    return url, codes, by_key["pelayanan"], by_key["nama-gedung"]


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "phone"
    photos = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    answers = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    make = {"phone": phone_photo, "png": one_colour_png(7000), "png24": one_colour_png(4900)}[kind]
    with tempfile.TemporaryDirectory() as folder:
        url, codes, photo_task, text_task = prepare(folder, photos + answers)
        port = free_port()
        env = {
            **os.environ,
            "JELAJAH_APP__SECRET_KEY": "uploads",
            "JELAJAH_DATABASE__URL": url,
            "JELAJAH_APP__INSTANCE_PATH": folder,
            "JELAJAH_STORAGE__UPLOADS_DIR": f"{folder}/uploads",
        }
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "jelajah"), "serve", "--port", str(port)]
            + ["--workers", "2", "--threads", "8"],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            phones = [Phone(port) for _ in codes]
            for n, (phone, code) in enumerate(zip(phones, codes, strict=True)):
                phone.join(code, f"Peserta {n}")
            bodies = [make(n) for n in range(min(photos, 1 if kind != "phone" else photos))]
            bodies *= photos // len(bodies) if bodies else 0
            jobs = [(phones[n], photo_task, {}, bodies[n]) for n in range(photos)] + [
                (phones[photos + n], text_task, {"answer": "Grha Sabha Pramana"}, None)
                for n in range(answers)
            ]
            run(kind, jobs, photos, server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def run(kind: str, jobs: list, photos: int, pid: int) -> None:
    results: list[tuple[bool, int, float]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(jobs))

    def one(phone: Phone, task_id: int, fields: dict, photo: bytes | None) -> None:
        start.wait()
        began = time.perf_counter()
        try:
            status, _text = phone.send(task_id, fields, photo)
        except OSError:
            status = 0
        with lock:
            results.append((photo is not None, status, time.perf_counter() - began))

    threads = [threading.Thread(target=one, args=job) for job in jobs]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    workers = {worker: peak_rss_mb(worker) for worker in children(pid)}
    uploads = [seconds for is_photo, status, seconds in results if is_photo and status < 300]
    statuses: dict[str, int] = {}
    for is_photo, status, _seconds in results:
        name = f"{'photo' if is_photo else 'answer'} {status}"
        statuses[name] = statuses.get(name, 0) + 1
    errors = sum(1 for _p, status, _s in results if status >= 500 and status != 503)
    errors += sum(1 for _p, status, _s in results if status == 0)  # the connection failed
    busy = sum(1 for _p, status, _s in results if status == 503)
    upload_p95 = p95([s for is_photo, _st, s in results if is_photo])
    answer_p95 = p95([s for is_photo, _st, s in results if not is_photo])
    print(f"{photos} {kind} photos and {len(jobs) - photos} answers at once, {wall:.1f} s")
    print("statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print("peak RSS per worker (MB): " + ", ".join(f"{v:.0f}" for v in workers.values()))
    print(
        f"uploads_per_s={len(uploads) / wall:.2f} upload_p95_s={upload_p95:.2f} "
        f"answer_p95_s={answer_p95:.2f} errors_5xx={errors} busy_503={busy} "
        f"peak_worker_rss_mb={max(workers.values(), default=0):.0f}"
    )


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20)[-1]


if __name__ == "__main__":
    main()
