"""The board: its data answered 304 while unchanged, the freeze and the reveal, and what its
token may and may not open."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from webapp.models import AuditEntry, Event, Submission
from webapp.services import board, judging


def board_event(make, session, clock):
    owner = make.account("ani@example.org")
    event = make.event(owner, title="Jelajah Kota")
    judge = make.judge(event, make.account("juri@example.org"))
    elang, rajawali = make.group(event, "Elang"), make.group(event, "Rajawali")
    task = make.task(event, "photo", title="Foto", points=40)
    return event, judge, elang, rajawali, task


def photo(make, event, group, task, clock, key, status="pending", minutes=0):
    return make.submission(
        event,
        group,
        task,
        idempotency_key=key,
        status=status,
        received_at=clock.value + timedelta(minutes=minutes),
        photo_key=f"{key:0>32}"[-32:],
        lat=-5.134,
        lon=119.405,
    )


def data(client, event, tag=None):
    headers = {"If-None-Match": tag} if tag else {}
    return client.get(f"/board/{event.board_token}/data.json", headers=headers)


def test_the_board_answers_304_while_nothing_changed(app, make, session, clock, monkeypatch):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    client = app.test_client()
    assert client.get(f"/board/{event.board_token}").status_code == 200
    first = data(client, event)
    assert first.status_code == 200 and {g["name"] for g in first.json["groups"]} == {
        "Elang",
        "Rajawali",
    }

    def boom(*_a, **_k):
        raise AssertionError("computed although nothing changed")

    monkeypatch.setattr(board, "board_rows", boom)
    assert data(client, event, first.headers["ETag"]).status_code == 304


def test_a_judges_decision_reaches_the_board_and_only_accepted_photos_show(
    app, make, session, clock
):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    accepted = photo(make, event, elang, task, clock, "a1")
    photo(make, event, rajawali, task, clock, "b1")
    client = app.test_client()
    tag = data(client, event).headers["ETag"]
    judging.decide(
        session, event=event, judge=judge, submission_id=accepted.id, decision="accept", now=clock()
    )
    session.commit()
    fresh = data(client, event, tag)
    assert fresh.status_code == 200
    assert fresh.json["groups"][0] == {
        **fresh.json["groups"][0],
        "name": "Elang",
        "points": 40.0,
        "rank": 1,
    }
    assert [p["group"] for p in fresh.json["photos"]] == ["Elang"]


def test_after_the_freeze_the_board_hides_changes_until_the_reveal(app, make, session, clock):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    early = photo(make, event, elang, task, clock, "a1")
    judging.decide(
        session, event=event, judge=judge, submission_id=early.id, decision="accept", now=clock()
    )
    late = photo(make, event, rajawali, task, clock, "b1", minutes=40)
    board.update(
        session,
        event=event,
        actor=judge,
        now=clock(),
        freeze_at=clock.value + timedelta(minutes=30),
    )
    session.commit()
    clock.advance(minutes=45)
    judging.decide(
        session,
        event=event,
        judge=judge,
        submission_id=late.id,
        decision="accept",
        points=40,
        now=clock(),
    )
    judging.add_adjustment(
        session,
        event=event,
        group_id=rajawali.id,
        points=10,
        reason="Rapi",
        actor=judge,
        now=clock(),
    )
    session.commit()
    client = app.test_client()
    frozen = data(client, event).json
    assert frozen["phase"] == "frozen"
    assert {g["name"]: g["points"] for g in frozen["groups"]} == {"Elang": 40, "Rajawali": 0}
    assert frozen["positions"] == []  # no hints of where groups went after the freeze
    # The organisers still see the truth.
    organiser = make  # noqa: F841 - the standings service is not frozen
    from webapp.services import standings

    assert {r.name: float(r.total) for r in standings.compute(session, event)} == {
        "Elang": 40.0,
        "Rajawali": 50.0,
    }
    for step, expected in ((1, ["Elang"]), (2, ["Rajawali", "Elang"])):
        board.update(session, event=event, actor=judge, now=clock(), reveal_step=step)
        session.commit()
        shown = data(client, event).json
        assert shown["phase"] == "reveal" and [g["name"] for g in shown["groups"]] == expected


def test_the_board_token_opens_the_board_and_nothing_else(app, make, session, clock):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    other = make.event(title="Lain")
    sub = photo(make, event, elang, task, clock, "a1")
    token = event.board_token
    client = app.test_client()
    assert client.get(f"/board/{token}").status_code == 200
    assert client.get(f"/board/{token}x").status_code == 404
    assert client.get(f"/board/{token}/data.json").status_code == 200
    for path in (
        f"/organiser/events/{event.id}",
        f"/api/events/{event.id}/standings",
        f"/review/events/{event.id}/",
        f"/organiser/events/{other.id}",
        "/play/",
    ):
        response = client.get(f"{path}?board={token}")
        assert response.status_code in (302, 401, 403, 404), path
    # A pending photo is not the board's to show, even with the token.
    assert client.get(f"/photos/{sub.photo_key}/thumb.jpg?board={token}").status_code == 404
    body = client.get(f"/board/{token}/data.json").get_data(as_text=True)
    assert "a1" not in body and "idempotency" not in body


def test_the_board_speaks_the_events_language_whatever_the_projectors_browser_asks(
    app, make, session, clock
):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    client = app.test_client()
    english = {"Accept-Language": "en-GB,en;q=0.9"}
    page = client.get(f"/board/{event.board_token}", headers=english).get_data(as_text=True)
    assert '<html lang="id">' in page and "Selesai" in page
    event.language = "en"
    session.add(event)
    session.commit()
    page = client.get(f"/board/{event.board_token}").get_data(as_text=True)
    assert '<html lang="en">' in page and "Finished" in page


def test_the_organiser_controls_view_freeze_reveal_and_announcements(web, make, session, clock):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    web.login("ani@example.org")
    page = f"/organiser/events/{event.id}/board"
    assert event.board_token in web.get(page).get_data(as_text=True)
    web.submit(page, {"command": "view", "view": "photos", "rotation": "20"})
    web.submit(page, {"command": "freeze", "at": "16:30"})
    web.submit(
        page, {"command": "announce", "text": "Kumpul di Losari pukul 17.00", "on_board": "1"}
    )
    session.rollback()
    session.expire_all()
    event = session.get(Event, event.id)
    assert (event.board_view, event.board_rotation_seconds) == ("photos", 20)
    assert event.freeze_at.isoformat() == "2026-11-25T08:30:00+00:00"  # 16:30 WITA
    assert board.announcements(session, event) == ["Kumpul di Losari pukul 17.00"]
    web.submit(page, {"command": "freeze", "at": ""})  # now
    web.submit(page, {"command": "reveal", "confirm": "yes"})
    web.submit(page, {"command": "reveal"})  # once started, the next group needs no yes
    assert reveal_step(session, event) == 2
    bad = web.submit(
        page, {"command": "view", "view": "disco", "rotation": "20"}, follow_redirects=True
    )
    assert "not possible" in bad.get_data(as_text=True) or "tidak mungkin" in bad.get_data(
        as_text=True
    )


def fresh(session, event) -> Event:
    """The event as the app left it: a new snapshot, nothing kept from before."""
    session.rollback()
    session.expire_all()
    return session.get(Event, event.id)


def reveal_step(session, event) -> int:
    return fresh(session, event).reveal_step


def test_the_reveal_starts_only_after_the_freeze_and_a_yes(web, make, session, clock):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    web.login("ani@example.org")
    web.get("/lang/en")
    page = f"/organiser/events/{event.id}/board"
    control = web.get(page).get_data(as_text=True)
    assert 'id="reveal-start"' not in control and "Freeze the standings first" in control
    refused = web.submit(page, {"command": "reveal", "confirm": "yes"}, follow_redirects=True)
    assert "Freeze the board first" in refused.get_data(as_text=True)
    web.submit(page, {"command": "freeze", "at": "16:30"})  # later today: not frozen yet
    web.submit(page, {"command": "reveal", "confirm": "yes"})
    assert reveal_step(session, event) == -1
    web.submit(page, {"command": "freeze", "at": ""})
    control = web.get(page).get_data(as_text=True)
    assert 'name="confirm" value="yes" required' in control and 'id="reveal-start"' in control
    unconfirmed = web.submit(page, {"command": "reveal"}, follow_redirects=True)
    assert "Yes, start the reveal now" in unconfirmed.get_data(as_text=True)
    assert reveal_step(session, event) == -1
    web.submit(page, {"command": "reveal", "confirm": "yes"})
    assert reveal_step(session, event) == 1
    assert 'id="reveal-next"' in web.get(page).get_data(as_text=True)


def test_the_service_refuses_a_reveal_before_the_freeze(make, session, clock):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    with pytest.raises(board.RevealNeedsFreeze):
        board.reveal_next(session, event=event, actor=judge, now=clock(), confirmed=True)
    with pytest.raises(board.RevealNeedsFreeze):
        board.update(session, event=event, actor=judge, now=clock(), reveal_step=3)
    assert event.reveal_step == -1


@pytest.mark.parametrize("language", ["id", "en"])
def test_reveal_and_announcement_have_different_words_far_apart(
    web, make, session, clock, language
):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    board.update(session, event=event, actor=judge, now=clock(), freeze_at=clock())
    session.commit()
    web.login("ani@example.org")
    web.get(f"/lang/{language}")
    control = web.get(f"/organiser/events/{event.id}/board").get_data(as_text=True)
    buttons = dict(
        re.findall(r'value="(announce|reveal)">.*?<button[^>]*>([^<]+)</button>', control, re.S)
    )
    assert set(buttons) == {"announce", "reveal"}
    announce, reveal = buttons["announce"], buttons["reveal"]
    assert not set(announce.lower().split()) & set(reveal.lower().split())  # no shared word
    between = control[control.index(announce) : control.index(reveal)]
    assert 'id="freeze"' in between  # the freeze card sits between them
    if language == "id":
        assert announce == "Kirim pengumuman" and "Umumkan" not in reveal


def test_a_new_board_link_stops_the_old_one_at_once(web, make, session, clock, app):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    sub = photo(make, event, elang, task, clock, "a1", status="accepted")
    old = event.board_token
    anonymous = app.test_client()
    tag = data(anonymous, event).headers["ETag"]
    web.login("ani@example.org")
    web.get("/lang/en")
    done = web.submit(
        f"/organiser/events/{event.id}/board", {"command": "new_link"}, follow_redirects=True
    )
    new = fresh(session, event).board_token
    assert (
        new != old and new in done.get_data(as_text=True) and old not in done.get_data(as_text=True)
    )
    assert "old one stopped working" in done.get_data(as_text=True)
    for path in ("", "/data.json", "/chart.svg"):
        assert anonymous.get(f"/board/{old}{path}").status_code == 404
        assert anonymous.get(f"/board/{new}{path}").status_code == 200
    stale = anonymous.get(f"/board/{old}/data.json", headers={"If-None-Match": tag})
    assert stale.status_code == 404  # not even a 304 from the fast path
    assert anonymous.get(f"/photos/{sub.photo_key}/thumb.jpg?board={old}").status_code == 404
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "board.new_link")).one()
    assert entry.actor.startswith("Organiser") and old not in str(entry.after) + str(entry.before)


def test_the_chart_shows_points_through_the_day(app, make, session, clock):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    judging.add_adjustment(
        session,
        event=event,
        group_id=elang.id,
        points=5,
        reason="x",
        actor=judge,
        now=clock.value + timedelta(hours=1),
    )
    session.commit()
    clock.advance(hours=2)
    svg = app.test_client().get(f"/board/{event.board_token}/chart.svg")
    text = svg.get_data(as_text=True)
    assert svg.mimetype == "image/svg+xml" and "<path" in text
    assert 'text-anchor="end">5</text>' in text and ">Elang</text>" in text
    assert "08:00" in text  # hours in the event's zone (07:00 WITA start)


def test_a_phone_polling_its_state_gets_304_while_nothing_changed(web, make, session, clock):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    web.join(elang.join_code, "Siti")
    first = web.get("/play/api/state")
    assert first.status_code == 200 and first.json["tasks"][0]["state"] == "open"
    assert (
        web.get("/play/api/state", headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )
    assert session.exec(select(Submission)).all() == []


def test_unchanged_polls_are_answered_before_the_app_and_changes_go_through(
    web, make, session, clock, app
):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    web.join(elang.join_code, "Siti")
    phone_tag = web.get("/play/api/state").headers["ETag"]
    board_tag = data(app.test_client(), event).headers["ETag"]
    calls = []
    inner = app.wsgi_app.app

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app.app = counting
    anonymous = app.test_client()
    assert web.get("/play/api/state", headers={"If-None-Match": phone_tag}).status_code == 304
    assert data(anonymous, event, board_tag).status_code == 304
    assert calls == []  # neither reached Flask
    wrong = anonymous.get(
        f"/board/{event.board_token}x/data.json", headers={"If-None-Match": board_tag}
    )
    assert wrong.status_code == 404 and len(calls) == 1  # a wrong token is the app's to refuse
    judging.add_adjustment(
        session, event=event, group_id=elang.id, points=1, reason="x", actor=judge, now=clock()
    )
    session.commit()
    fresh = web.get("/play/api/state", headers={"If-None-Match": phone_tag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != phone_tag


def test_during_the_reveal_the_bars_do_not_give_the_leaders_total_away(app, make, session, clock):
    event, judge, elang, rajawali, task = board_event(make, session, clock)
    for group, points in ((elang, 5), (rajawali, 90)):
        judging.add_adjustment(
            session,
            event=event,
            group_id=group.id,
            points=points,
            reason="x",
            actor=judge,
            now=clock(),
        )
    board.update(session, event=event, actor=judge, now=clock(), freeze_at=clock())
    board.update(session, event=event, actor=judge, now=clock(), reveal_step=1)
    session.commit()
    (shown,) = data(app.test_client(), event).json["groups"]
    assert (shown["name"], shown["points"], shown["bar"]) == ("Elang", 5.0, 1.0)


def test_the_final_screen_states_the_tie_break_in_the_rooms_language(web, make, session, clock):
    """The tie-break rule was stated only in the settings form; the room must read it too."""
    from webapp.services import board as board_service

    owner = make.account()
    event = make.event(owner, language="en")
    make.group(event, "Kelompok A")
    assert web.get(f"/board/{event.board_token}/data.json").json["tie_break"] is None
    board_service.update(session, event=event, actor=owner, now=clock(), freeze_at=clock.value)
    board_service.update(session, event=event, actor=owner, now=clock(), reveal_step=1)
    session.commit()
    data = web.get(f"/board/{event.board_token}/data.json").json
    assert data["phase"] == "reveal"
    assert data["tie_break"].startswith("Groups with equal points are ranked by")
