"""A 500 or 503 page renders without the database: the failure may be the database's."""

import sqlite3

import pytest
from sqlalchemy import event as sa_event

from tests.conftest import Factory, Web
from webapp import create_app, db
from webapp.db import request_session
from webapp.models import Event


@pytest.fixture
def sqlite_app(tmp_path, clock):
    """SQLite whatever the suite runs on: "database is locked" is SQLite's."""
    path = tmp_path / "instance" / "jelajah.sqlite"
    db.upgrade(f"sqlite:///{path}")
    app = create_app(
        {
            "app": {"secret_key": "test-secret", "instance_path": str(tmp_path / "instance")},
            "database": {"url": f"sqlite:///{path}", "busy_timeout_ms": 200},
            "storage": {"uploads_dir": str(tmp_path / "uploads")},
            "clock": clock,
        }
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error pages answer
    yield app, path
    app.extensions["engine"].dispose()


def test_a_write_lock_held_too_long_gets_a_503_that_needs_no_database(sqlite_app, clock):
    """Before, the 500 page looked up the login and language, waited for the same lock
    again and failed inside the error handler: gunicorn then sent its bare HTML 500."""
    app, path = sqlite_app
    with db.new_session(app.extensions["engine"]) as session:
        make = Factory(session, clock)
        event = make.event()
        task = make.task(event, "text")
        code = make.group(event, "Kelompok Biru").join_code
    web = Web(app.test_client())
    web.join(code, "Siti")
    web.get("/lang/id")
    token = web.token("/play/")
    other_worker = sqlite3.connect(path, isolation_level=None)
    other_worker.execute("BEGIN IMMEDIATE")
    try:
        api = web.client.post(
            f"/play/api/tasks/{task.id}/submissions",
            data={"csrf_token": token, "key": "k1", "answer": "Benteng"},
            headers={"Accept": "application/json"},
        )
        form = web.client.post(
            f"/play/tasks/{task.id}/send",
            data={"csrf_token": token, "key": "k2", "answer": "Benteng"},
        )
    finally:
        other_worker.execute("ROLLBACK")
        other_worker.close()
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.json["error"] == "busy" and "Server sedang sibuk" in api.json["message"]
    page = form.get_data(as_text=True)
    assert form.status_code == 503 and form.headers["Retry-After"] == "5"
    assert "<h1>Sibuk</h1>" in page and 'lang="id"' in page
    # Once the lock is free, the phone's retry goes through.
    retry = web.client.post(
        f"/play/api/tasks/{task.id}/submissions",
        data={"csrf_token": token, "key": "k1", "answer": "Benteng"},
        headers={"Accept": "application/json"},
    )
    assert retry.status_code == 201


def test_a_500_page_runs_no_statement(app, make, web):
    failed, statements = [], []
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        request_session().get(Event, 1)
        failed.append(True)
        raise RuntimeError("a bug")

    app.add_url_rule("/broken", "broken", broken, methods=["POST"])
    sa_event.listen(
        app.extensions["engine"],
        "before_cursor_execute",
        lambda _conn, _cursor, sql, *_rest: failed and statements.append(sql),
    )
    event = make.event()
    web.join(make.group(event, "Kelompok Biru").join_code, "Siti")
    web.get("/lang/en")
    response = web.client.post("/broken", data={"csrf_token": web.token("/play/")})
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "<h1>Something went wrong</h1>" in page
    assert failed == [True] and statements == []
