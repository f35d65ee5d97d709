"""Fixtures: a real database per test (SQLite file, or PostgreSQL when the setting says so),
the app with a fixed clock, a test client that carries CSRF tokens, and factories."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

# The hooks say what system part is missing instead of failing (see the module).
from tests.system_parts import (  # noqa: F401
    postgres_url,
    pytest_collection_modifyitems,
    pytest_terminal_summary,
)
from webapp import create_app, db
from webapp.models import (
    Event,
    EventStaff,
    Group,
    Location,
    Participant,
    Submission,
    Task,
    User,
)
from webapp.services import accounts
from webapp.services import events as event_service
from webapp.services import groups as group_service

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PHOTOS = SHARED / "fixtures" / "photos"
POSTGRES_URL = postgres_url()
START = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # 07:00 WITA on 25 November
PASSWORD = "correct horse battery"


def configured_url() -> str:
    """The suite runs on PostgreSQL when JELAJAH_DATABASE__URL says so, as the app does."""
    return os.environ.get("JELAJAH_DATABASE__URL", "")


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path | None:
    """SQLite: the schema is migrated once and copied for each test, which takes milliseconds."""
    if is_postgres(configured_url()):
        db.upgrade(configured_url())
        return None
    path = tmp_path_factory.mktemp("template") / "jelajah.sqlite"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    db.make_engine(url).dispose()
    return path


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                sa.text(
                    "select tablename from pg_tables where schemaname = current_schema() "
                    "and tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            conn.execute(
                sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")  # noqa: S608
            )
    engine.dispose()


@pytest.fixture
def database_url(template_db, tmp_path) -> str:
    url = configured_url()
    if is_postgres(url):
        db.upgrade(url)
        reset_postgres(url)
        return url
    path = tmp_path / "instance" / "jelajah.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


@dataclass
class Clock:
    """The app's clock in tests: fixed, moved on explicitly."""

    value: datetime = START

    def __call__(self) -> datetime:
        return self.value

    def advance(self, **delta: float) -> datetime:
        self.value += timedelta(**delta)
        return self.value


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(database_url, tmp_path, clock):
    app = create_app(
        {
            "app": {"secret_key": "test-secret", "instance_path": str(tmp_path / "instance")},
            "database": {"url": database_url},
            "storage": {"uploads_dir": str(tmp_path / "uploads")},
            "clock": clock,
        }
    )
    app.testing = True  # errors reach the test with their traceback
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def session(app):
    """A session of the test's own, outside any app context, so that requests made by the
    test client get a fresh `g` (and so a fresh login) each time, as in production."""
    with db.new_session(app.extensions["engine"]) as session:
        yield session


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Web:
    """A test client that fills in the CSRF token of the page a form is on, like a browser."""

    def __init__(self, client):
        self.client = client

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def token(self, page_url: str) -> str:
        page = self.client.get(page_url)
        match = CSRF_RE.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {page_url} ({page.status_code})"
        return match.group(1)

    def submit(self, page_url: str, data: dict, action: str | None = None, **kwargs):
        data = {"csrf_token": self.token(page_url), **data}
        return self.client.post(action or page_url, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        return self.submit("/login", {"email": email, "password": password})

    def join(self, code: str, name: str):
        return self.submit("/join", {"code": code, "name": name})


@pytest.fixture
def web(app) -> Web:
    return Web(app.test_client())


@pytest.fixture
def another_web(app) -> Web:
    return Web(app.test_client())


@pytest.fixture
def phone(web, make):
    """A joined participant of 'Kelompok Biru', and the event to add tasks to."""
    event = make.event()
    group = make.group(event, "Kelompok Biru")
    web.join(group.join_code, "Siti")
    web.get("/lang/en")
    web.event, web.group = event, group
    return web


class Factory:
    """Makes accounts, events, tasks and groups in one call each; commits so views see them."""

    def __init__(self, session, clock):
        self.session = session
        self.clock = clock
        self.count = 0

    def _n(self) -> int:
        self.count += 1
        return self.count

    def account(
        self, email: str | None = None, name: str = "Organiser", can_create_events: bool = False
    ) -> User:
        user = accounts.create_account(
            self.session,
            email=email or f"org{self._n()}@example.org",
            name=name,
            password=PASSWORD,
            now=self.clock(),
            can_create_events=can_create_events,
        )
        self.session.commit()
        return user

    def event(
        self, owner: User | None = None, *, hours: float = 10, timezone="Asia/Makassar", **fields
    ) -> Event:
        owner = owner or self.account()
        owner.can_create_events = True  # the owner of an event is an organiser
        event = Event(
            title=fields.pop("title", f"Event {self._n()}"),
            timezone=timezone,
            starts_at=self.clock(),
            ends_at=self.clock() + timedelta(hours=hours),
            created_at=self.clock(),
            **fields,
        )
        self.session.add(event)
        self.session.flush()
        self.session.add(EventStaff(event_id=event.id, user_id=owner.id, role="organiser"))
        self.session.commit()
        return event

    def judge(self, event: Event, user: User | None = None) -> User:
        user = user or self.account(name="Judge")
        event_service.appoint(self.session, event=event, user=user, role="judge")
        self.session.commit()
        return user

    def location(self, event: Event, **fields) -> Location:
        n = self._n()
        location = Location(
            event_id=event.id,
            key=fields.pop("key", f"loc{n}"),
            name=fields.pop("name", f"Place {n}"),
            lat=fields.pop("lat", -5.1343),
            lon=fields.pop("lon", 119.4055),
            radius_m=fields.pop("radius_m", 50),
            **fields,
        )
        self.session.add(location)
        self.session.commit()
        return location

    def task(self, event: Event, kind: str = "text", **fields) -> Task:
        n = self._n()
        task = Task(
            event_id=event.id,
            key=fields.pop("key", f"task{n}"),
            title=fields.pop("title", f"Task {n}"),
            kind=kind,
            points=fields.pop("points", 10),
            position=fields.pop("position", n),
            **fields,
        )
        self.session.add(task)
        self.session.commit()
        return task

    def group(self, event: Event, name: str | None = None) -> Group:
        group = group_service.add_groups(
            self.session,
            event=event,
            names=[name or f"Group {self._n()}"],
            actor=None,
            now=self.clock(),
        )[0]
        self.session.commit()
        return group

    def submission(self, event: Event, group: Group, task: Task, **fields) -> Submission:
        """A row as the submissions service leaves it, without a phone: its worth is stored
        (the live standings read it), as for every submission the app receives."""
        from webapp.services import worth

        fields.setdefault("idempotency_key", f"k{self._n()}")
        fields.setdefault("received_at", self.clock.value)
        submission = Submission(event_id=event.id, task_id=task.id, group_id=group.id, **fields)
        worth.value_submission(submission, task, [], event.review_conflict)
        self.session.add(submission)
        self.session.commit()
        return submission

    def participant(self, group: Group, name: str = "Budi") -> Participant:
        from webapp.services import joining

        participant = joining.join_group(
            self.session, code=group.join_code, name=name, now=self.clock()
        )
        self.session.commit()
        return participant


@pytest.fixture
def cli_env(tmp_path, database_url, monkeypatch):
    """The CLI reads settings like the app (the same database and folders as the `app`
    fixture): here through the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JELAJAH_APP__SECRET_KEY", "cli-secret")
    monkeypatch.setenv("JELAJAH_APP__INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("JELAJAH_DATABASE__URL", database_url)
    monkeypatch.setenv("JELAJAH_STORAGE__UPLOADS_DIR", str(tmp_path / "uploads"))
    return database_url


@pytest.fixture
def make(session, clock) -> Factory:
    return Factory(session, clock)
