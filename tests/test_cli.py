"""The `jelajah` command: each command through click's runner or as a real process."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from tests.conftest import REPO
from webapp import db
from webapp.cli import DEMO_EMAIL, DEMO_PASSWORD, cli
from webapp.models import Event, Group, Task, User


def run(*args, input=None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result


def open_session(url):
    engine = db.make_engine(url)
    return engine, db.new_session(engine)


def test_help_lists_every_command():
    out = run("--help").output
    commands = ("serve", "demo", "db", "create-organiser", "import-tasks", "export-tasks")
    for command in commands + ("export-photos", "photo-check", "storage", "rescore"):
        assert command in out


def test_db_upgrade_brings_an_empty_database_to_head(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JELAJAH_APP__SECRET_KEY", "x")
    monkeypatch.setenv("JELAJAH_DATABASE__URL", f"sqlite:///{tmp_path / 'new.sqlite'}")
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    engine = db.make_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_create_organiser_makes_an_account_that_can_log_in(cli_env):
    result = run(
        "create-organiser",
        "Ani@Example.org",
        "--name",
        "Ani",
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    engine, session = open_session(cli_env)
    user = session.exec(select(User)).one()
    assert user.email == "ani@example.org" and user.password_hash.startswith("scrypt:")
    session.close()
    engine.dispose()


def test_create_organiser_refuses_a_short_password_and_creates_nothing(cli_env):
    result = run("create-organiser", "ani@example.org", input="short\nshort\n")
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output
    engine, session = open_session(cli_env)
    assert session.exec(select(User)).all() == []
    session.close()
    engine.dispose()


def test_import_then_export_tasks_round_trips_the_demo_set(cli_env, tmp_path):
    run("create-organiser", "ani@example.org", input="a long password\na long password\n")
    result = run("import-tasks", str(REPO / "tasks" / "demo.toml"), "--groups", "3")
    assert result.exit_code == 0, result.output
    engine, session = open_session(cli_env)
    event = session.exec(select(Event)).one()
    assert len(session.exec(select(Group).where(Group.event_id == event.id)).all()) == 3
    tasks = session.exec(select(Task).where(Task.event_id == event.id)).all()
    session.close()
    engine.dispose()
    out = tmp_path / "out.toml"
    result = run("export-tasks", str(event.id), "-o", str(out))
    assert result.exit_code == 0, result.output
    from webapp.domain.taskset import load_taskset_file

    exported = load_taskset_file(out)
    assert [t.id for t in exported.tasks] == [
        t.key for t in sorted(tasks, key=lambda t: t.position)
    ]


def test_import_tasks_refuses_a_broken_file_and_writes_nothing(cli_env, tmp_path):
    run("create-organiser", "ani@example.org", input="a long password\na long password\n")
    broken = tmp_path / "broken.toml"
    broken.write_text(
        '[set]\ntitle = "x"\nlanguage = "id"\n\n[[tasks]]\nid = "a"\n'
        'title = "A"\nkind = "dance"\npoints = -1\n'
    )
    result = CliRunner().invoke(cli, ["import-tasks", str(broken)])
    assert result.exit_code != 0
    assert "nothing was imported" in result.stderr
    assert "broken.toml:8" in result.stderr
    engine, session = open_session(cli_env)
    assert session.exec(select(Event)).all() == []
    session.close()
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def start(args, env, cwd):
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "jelajah"), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop(process) -> str:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
    return out


def test_serve_upgrades_once_and_answers_with_threaded_workers(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "JELAJAH_APP__SECRET_KEY": "serve-secret",
        "JELAJAH_DATABASE__URL": f"sqlite:///{tmp_path / 'serve.sqlite'}",
    }
    process = start(["serve", "--port", str(port), "--workers", "2"], env, tmp_path)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/join") == 200
    finally:
        out = stop(process)
    assert "gthread" in out
    assert "Booting worker" in out


def test_demo_prints_three_addresses_that_answer_and_a_participant_can_play(tmp_path):
    """`jelajah demo` on a fresh folder: organiser login, join with a printed code, board."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JELAJAH_")}
    process = start(["demo", "--port", str(port), "--workers", "1"], env, tmp_path)
    lines: list[str] = []
    try:
        while not any("Board:" in line for line in lines):
            line = process.stdout.readline()
            assert line, "demo ended early:\n" + "".join(lines)
            lines.append(line)
        text = "".join(lines)
        login = re.search(r"(http://\S+/login)", text).group(1)
        join = re.search(r"(http://\S+/join)", text).group(1)
        board = re.search(r"(http://\S+/board/\S+)", text).group(1)
        codes = re.findall(r"\b([A-Z0-9]{3,4}-[A-Z0-9]{3,4})\b", text)
        assert DEMO_EMAIL in text and DEMO_PASSWORD in text and len(codes) == 3
        for url in (login, join, board):
            assert wait_for(url.replace("localhost", "127.0.0.1")) == 200
    finally:
        stop(process)
    # The same demo database, served again: join with a printed code, answer, organiser sees it.
    process = start(["demo", "--port", str(port), "--workers", "1"], env, tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/join")
        participant, organiser = Browser(base), Browser(base)
        assert participant.form("/join", {"code": codes[0], "name": "Demo Peserta"}).endswith(
            "/play/"
        )
        tasks = participant.get("/play/")
        task_id = re.search(
            r'href="/play/tasks/(\d+)" class="task-open">\s*<span class="task-title">'
            r"Nama gedung",
            tasks,
        ).group(1)
        page = f"/play/tasks/{task_id}"
        participant.form(page, {"answer": "Grha Sabha Pramana"}, action=f"{page}/send")
        organiser.form("/login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        event_page = re.search(
            r'href="(/organiser/events/\d+)"', organiser.get("/organiser/")
        ).group(1)
        assert "Grha Sabha Pramana" in organiser.get(event_page)
    finally:
        stop(process)


class Browser:
    """Just enough of a browser over real HTTP: cookies, CSRF tokens, forms, redirects."""

    def __init__(self, base: str):
        import http.cookiejar

        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def form(self, page: str, data: dict, action: str | None = None) -> str:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', self.get(page)).group(
            1
        )
        fields = {"csrf_token": token, **data}
        if 'name="key"' in self.get(page):
            fields.setdefault("key", "demo-key-1")
        body = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + (action or page), data=body, timeout=10) as response:
            return response.geturl()


@pytest.mark.parametrize("example", sorted((REPO / "tasks").glob("*.toml")), ids=lambda p: p.name)
def test_import_tasks_succeeds_for_every_example(cli_env, example):
    run("create-organiser", "ani@example.org", input="a long password\na long password\n")
    result = run("import-tasks", str(example), "--groups", "3")
    assert result.exit_code == 0, result.output
    assert "Imported" in result.output


def demo_lines(process) -> str:
    """The demo's output up to the blank line after its addresses."""
    lines: list[str] = []
    while not any("Board:" in line for line in lines) or lines[-1].strip():
        line = process.stdout.readline()
        assert line, "demo ended early:\n" + "".join(lines)
        lines.append(line)
    return "".join(lines)


def test_every_command_works_on_the_demo_right_after_it_ran(tmp_path):
    """The demo keeps its secret key in instance/; the other commands use the same one."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JELAJAH_")}
    process = start(["demo", "--port", str(port), "--workers", "1"], env, tmp_path)
    try:
        demo_lines(process)
    finally:
        stop(process)
    key = (tmp_path / "instance" / "secret_key").read_text()
    jelajah = str(Path(sys.executable).parent / "jelajah")
    for args in (["export-tasks", "1"], ["rescore", "1"], ["storage", "check", "--dry-run"]):
        done = subprocess.run(
            [jelajah, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert "secret key" not in done.stderr
    exported = subprocess.run(
        [jelajah, "export-tasks", "1"], env=env, cwd=tmp_path, capture_output=True, text=True
    ).stdout
    assert exported.startswith("[set]") and "Demo Jelajah: Kampus UGM" in exported
    assert (tmp_path / "instance" / "secret_key").read_text() == key


def test_serve_in_production_still_refuses_to_start_without_a_key(tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("a-demo-key")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JELAJAH_")}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "jelajah"), "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "No secret key is set" in done.stderr


def is_this_machine(address: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            return False
    return True


def test_demo_for_phones_prints_the_lan_address_and_the_cards_carry_it(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JELAJAH_")}
    process = start(["demo", "--host", "0.0.0.0", "--port", str(port)], env, tmp_path)  # noqa: S104
    try:
        text = demo_lines(process)
        join = re.search(r"Participants: (http://([\d.]+):(\d+))/join", text)
        assert join, text
        base, host = join.group(1), join.group(2)
        assert not host.startswith("127.") and host != "0.0.0.0" and is_this_machine(host)  # noqa: S104
        assert "localhost" not in text
        assert re.search(r"plain http .*join.*photos and answers.*position.*offline.*https", text)
        assert wait_for(f"{base}/join") == 200
        organiser = Browser(base)
        organiser.form("/login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        event = re.search(r'href="/organiser/events/(\d+)"', organiser.get("/organiser/")).group(1)
        cards = organiser.get(f"/organiser/events/{event}/cards")
        assert len(re.findall(f'data-address="{re.escape(base)}/j/', cards)) == 3
        assert 'role="alert"' not in cards
    finally:
        stop(process)


def test_import_tasks_reads_no_reference_photo_outside_the_set_folder(cli_env, tmp_path):
    run("create-organiser", "ani@example.org", input="a long password\na long password\n")
    taskset = tmp_path / "set.toml"
    taskset.write_text(
        '[set]\ntitle = "x"\n\n[[tasks]]\nid = "a"\ntitle = "A"\nkind = "photo"\n'
        'reference_photo = "/dev/zero"\n'
    )
    result = CliRunner().invoke(cli, ["import-tasks", str(taskset)])
    assert result.exit_code != 0
    assert "/dev/zero is outside the task set's folder" in result.stderr
    assert "Nothing was imported" in result.stderr


def test_import_tasks_refuses_a_file_nested_without_end(cli_env, tmp_path):
    taskset = tmp_path / "deep.toml"
    taskset.write_text('[set]\ntitle = "x"\nk = ' + "[" * 5000 + "]" * 5000 + "\n")
    result = CliRunner().invoke(cli, ["import-tasks", str(taskset)])
    assert result.exit_code != 0
    assert "deep.toml:3: Lists and tables are nested more than 16 deep." in result.stderr
