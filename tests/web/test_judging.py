"""Judging, adjustments and standings through the app; concurrent judges on both databases."""

import re

import pytest
from sqlmodel import select

from webapp.models import Adjustment, AuditEntry, Event, Review, Submission
from webapp.services import judging, standings


def setup_event(make, session, clock, **event_fields):
    owner = make.account("ani@example.org")
    event = make.event(owner, **event_fields)
    judge = make.judge(event, make.account("juri@example.org", name="Juri"))
    group = make.group(event, "Elang")
    other = make.group(event, "Rajawali")
    task = make.task(
        event,
        "photo",
        title="Foto kreatif",
        points=40,
        rubric=[{"name": "Kreativitas", "max": 6}, {"name": "Kerja sama", "max": 4}],
    )
    return event, judge, group, other, task


def pending(make, event, group, task, clock, minutes=0, key=None):
    return make.submission(
        event,
        group,
        task,
        idempotency_key=key or f"k{minutes}-{group.id}",
        status="pending",
        answer="foto",
        received_at=clock.value.replace(minute=minutes),
    )


def test_the_queue_gives_the_oldest_first_and_one_key_press_decides(web, make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    older = pending(make, event, other, task, clock, minutes=1)
    pending(make, event, group, task, clock, minutes=5)
    web.login("juri@example.org")
    page = web.get(f"/review/events/{event.id}/").get_data(as_text=True)
    assert f"/submissions/{older.id}" in page and "Rajawali" in page
    assert 'accesskey="a"' in page and "review.js" in page
    web.submit(
        f"/review/events/{event.id}/submissions/{older.id}",
        {"decision": "accept", "rubric:Kreativitas": "6", "rubric:Kerja sama": "2"},
        action=f"/review/events/{event.id}/submissions/{older.id}",
    )
    session.rollback()
    session.expire_all()
    assert session.get(Submission, older.id).status == "accepted"
    rows = standings.compute(session, session.get(Event, event.id))
    assert {r.name: float(r.total) for r in rows} == {"Rajawali": 32.0, "Elang": 0.0}


def test_the_judge_sees_how_many_wait_gets_the_next_photo_early_and_can_undo_a_slip(
    web, make, session, clock
):
    event, judge, group, other, task = setup_event(make, session, clock)
    first = pending(make, event, other, task, clock, minutes=1)
    second = make.submission(
        event,
        group,
        task,
        status="pending",
        photo_key="b" * 32,
        received_at=first.received_at.replace(minute=5),
    )
    web.login("juri@example.org")
    web.get("/lang/en")
    queue = f"/review/events/{event.id}/"
    page = web.get(queue).get_data(as_text=True)
    assert "2 waiting" in page
    # While the judge looks at the first, the browser fetches the photo that comes next.
    assert f'rel="prefetch" as="image" href="/photos/{"b" * 32}/display.jpg"' in page
    assert "Open at full size" not in page  # the first has no photo: an answer only
    decided = web.submit(
        queue,
        {"decision": "reject", "comment": "Tidak sesuai"},
        action=f"/review/events/{event.id}/submissions/{first.id}",
    )
    assert decided.headers["Location"].endswith(f"?last={first.id}")
    page = web.get(decided.headers["Location"]).get_data(as_text=True)
    assert "1 waiting" in page and f"/submissions/{second.id}" in page
    display = f"/photos/{'b' * 32}/display.jpg"
    assert f'<a href="{display}" target="_blank" rel="noopener" title="Open at full size">' in page
    assert "Just decided: Foto kreatif" in page
    assert f'href="/review/events/{event.id}/submissions/{first.id}">Change</a>' in page
    again = web.get(f"/review/events/{event.id}/submissions/{first.id}").get_data(as_text=True)
    assert "Tidak sesuai" in again and 'value="accept"' in again  # judged again from here


def test_a_rejection_carries_a_comment_the_group_sees(web, another_web, make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    sub = pending(make, event, group, task, clock)
    make.participant(group, "Siti")
    judging.decide(
        session,
        event=event,
        judge=judge,
        submission_id=sub.id,
        decision="reject",
        comment="Tidak semua anggota tampak",
        now=clock(),
    )
    session.commit()
    another_web.join(group.join_code, "Siti")
    assert "Tidak semua anggota tampak" in another_web.get("/play/").get_data(as_text=True)


def test_blind_judging_hides_group_names(web, make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock, blind_judging=True)
    pending(make, event, group, task, clock)
    web.login("juri@example.org")
    page = web.get(f"/review/events/{event.id}/").get_data(as_text=True)
    assert "Elang" not in page and "Rajawali" not in page


def test_blind_judging_gives_no_group_filter_and_no_group_in_a_duplicate_flag(
    web, make, session, clock
):
    event, judge, group, other, task = setup_event(make, session, clock, blind_judging=True)
    older = pending(make, event, group, task, clock, minutes=1)
    newer = pending(make, event, other, task, clock, minutes=2)
    newer.flags = [
        {
            "code": "duplicate",
            "template": "The same or nearly the same photo was sent as %(other)s.",
            "params": {"other": "Elang: Foto kreatif", "task": "Foto kreatif", "submission": 1},
        }
    ]
    session.add(newer)
    session.commit()
    web.login("juri@example.org")
    web.get("/lang/en")
    # Asking for Rajawali's photos would tell whose the photo is: the filter is ignored.
    page = web.get(f"/review/events/{event.id}/?group={other.id}").get_data(as_text=True)
    assert f"/submissions/{older.id}" in page
    flagged = web.get(f"/review/events/{event.id}/submissions/{newer.id}").get_data(as_text=True)
    assert "sent before, for Foto kreatif" in flagged
    assert "Elang" not in flagged and "Rajawali" not in flagged


def test_a_skipped_submission_is_let_go_and_not_offered_again(make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    second = make.judge(event, make.account("juri2@example.org"))
    hard = pending(make, event, group, task, clock, minutes=1)
    easy = pending(make, event, other, task, clock, minutes=2)
    assert judging.claim_next(session, event=event, judge=judge, now=clock()).id == hard.id
    skipped = judging.claim_next(session, event=event, judge=judge, now=clock(), skip=[hard.id])
    assert skipped.id == easy.id
    assert judging.claim_next(session, event=event, judge=second, now=clock()).id == hard.id


def test_the_queue_filters_by_task_and_group(make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    text = make.task(event, "text", title="Refleksi")
    pending(make, event, group, task, clock, minutes=1)
    wanted = pending(make, event, other, text, clock, minutes=2)
    found = judging.claim_next(session, event=event, judge=judge, now=clock(), task_id=text.id)
    assert found.id == wanted.id
    assert (
        judging.claim_next(session, event=event, judge=judge, now=clock(), group_id=other.id).id
        == wanted.id
    )


def test_two_judges_asking_at_once_get_different_items(make, session, clock, app):
    from webapp.db import new_session

    event, first, group, other, task = setup_event(make, session, clock)
    second = make.judge(event, make.account("juri2@example.org"))
    for minutes in range(4):
        pending(make, event, group, task, clock, minutes=minutes)
    engine = app.extensions["engine"]
    with new_session(engine) as one, new_session(engine) as two:
        a = judging.claim_next(one, event=event, judge=first, now=clock())
        one.commit()
        b = judging.claim_next(two, event=event, judge=second, now=clock())
        two.commit()
        again = judging.claim_next(one, event=event, judge=first, now=clock())
        one.commit()
    assert a.id != b.id
    assert again.id == a.id  # a judge who reloads keeps the item they hold


def test_concurrent_claims_from_many_threads_never_share_an_item(make, session, clock, app):
    import threading

    from webapp.db import new_session

    event, judge, group, other, task = setup_event(make, session, clock)
    judges = [make.judge(event, make.account(f"j{n}@example.org")) for n in range(6)]
    for minutes in range(10):
        pending(make, event, group, task, clock, minutes=minutes)
    got, errors = [], []

    def claim(judge):
        try:
            with new_session(app.extensions["engine"]) as own:
                sub = judging.claim_next(own, event=event, judge=judge, now=clock())
                own.commit()
                got.append(sub.id)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    from webapp import db

    def claim_writing(judge):
        db.writing.set(True)  # as the queue view, marked as writing, does
        claim(judge)

    threads = [threading.Thread(target=claim_writing, args=(j,)) for j in judges]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(got) == 6 and len(set(got)) == 6


def test_judges_opening_the_queue_at_once_each_get_a_page_and_a_different_item(
    app, make, session, clock
):
    """Through the app: the queue is a GET that claims, so it must take the write lock."""
    import threading

    from tests.conftest import Web

    event, _judge, group, _other, task = setup_event(make, session, clock)
    clients = []
    for n in range(6):
        make.judge(event, make.account(f"q{n}@example.org"))
        client = Web(app.test_client())
        client.login(f"q{n}@example.org")
        clients.append(client)
    for minutes in range(10):
        pending(make, event, group, task, clock, minutes=minutes)
    pages, start = [], threading.Barrier(len(clients))

    def open_queue(client):
        start.wait()
        response = client.get(f"/review/events/{event.id}/")
        pages.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=open_queue, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _page in pages] == [200] * 6
    shown = {re.search(r'/submissions/(\d+)"', page).group(1) for _status, page in pages}
    assert len(shown) == 6


def test_conflicting_decisions_are_all_kept_and_resolved_by_the_rule(make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock, review_conflict="average")
    second = make.judge(event, make.account("juri2@example.org"))
    sub = pending(make, event, group, task, clock)
    judging.decide(
        session,
        event=event,
        judge=judge,
        submission_id=sub.id,
        decision="accept",
        points=40,
        now=clock(),
    )
    judging.decide(
        session,
        event=event,
        judge=second,
        submission_id=sub.id,
        decision="reject",
        now=clock.advance(minutes=1),
    )
    session.commit()
    assert len(session.exec(select(Review)).all()) == 2
    rows = standings.compute(session, event)
    assert {r.name: float(r.total) for r in rows}["Elang"] == 20.0


def test_rejudging_is_possible_and_logged(make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    sub = pending(make, event, group, task, clock)
    judging.decide(
        session, event=event, judge=judge, submission_id=sub.id, decision="reject", now=clock()
    )
    judging.decide(
        session,
        event=event,
        judge=judge,
        submission_id=sub.id,
        decision="accept",
        now=clock.advance(minutes=2),
    )
    session.commit()
    actions = [
        e.action
        for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))
        if e.action.startswith("review")
    ]
    assert actions == ["review.decide", "review.rejudge"]
    assert session.get(Submission, sub.id).status == "accepted"


def test_scores_out_of_range_are_refused(make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    sub = pending(make, event, group, task, clock)
    for kwargs in ({"points": 41}, {"rubric": {"Kreativitas": 7}}, {"rubric": {"Lain": 1}}):
        try:
            judging.decide(
                session,
                event=event,
                judge=judge,
                submission_id=sub.id,
                decision="accept",
                now=clock(),
                **kwargs,
            )
        except judging.ServiceError:
            continue
        raise AssertionError(f"accepted {kwargs}")


def test_every_score_change_writes_an_audit_entry_and_bumps_the_revision(make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    sub = pending(make, event, group, task, clock)
    before = standings.revision(session, event.id)
    judging.decide(
        session, event=event, judge=judge, submission_id=sub.id, decision="accept", now=clock()
    )
    judging.add_adjustment(
        session,
        event=event,
        group_id=other.id,
        points=-5,
        reason="Terlambat di titik kumpul",
        actor=judge,
        now=clock(),
    )
    session.commit()
    assert standings.revision(session, event.id) == before + 2
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "adjustment.add")).one()
    assert entry.after == {"points": -5, "reason": "Terlambat di titik kumpul"}
    assert entry.actor.startswith("Juri")
    decided = session.exec(select(AuditEntry).where(AuditEntry.action == "review.decide")).one()
    assert decided.before == {"status": "pending", "worth": None}
    assert decided.after["status"] == "accepted" and decided.after["worth"] == 40
    judging.decide(
        session, event=event, judge=judge, submission_id=sub.id, decision="reject", now=clock()
    )
    session.commit()
    again = session.exec(select(AuditEntry).where(AuditEntry.action == "review.rejudge")).one()
    assert again.before == {"status": "accepted", "worth": 40}
    assert again.after["worth"] is None and again.after["status"] == "rejected"


def test_opening_a_hint_is_logged_and_bumps_the_revision(make, session, clock):
    from webapp.services import hints

    event, judge, group, other, task = setup_event(make, session, clock)
    task.hints = [{"text": "Dekat pasar", "cost": 3}]
    session.add(task)
    session.commit()
    before = standings.revision(session, event.id)
    hints.open_next(
        session, participant=make.participant(group, "Siti"), task=task, index=0, now=clock()
    )
    session.commit()
    assert standings.revision(session, event.id) == before + 1
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "hint.open")).one()
    assert entry.after == {"hint": 0, "cost": 3} and "Siti" in entry.actor


def test_an_adjustment_needs_a_reason_and_shows_in_the_groups_breakdown(
    web, another_web, make, session, clock
):
    event, judge, group, other, task = setup_event(make, session, clock)
    make.participant(group, "Siti")
    web.login("ani@example.org")
    page = f"/organiser/events/{event.id}/adjustments"
    web.get("/lang/en")
    refused = web.submit(
        page, {"group": str(group.id), "points": "-5", "reason": " "}, follow_redirects=True
    )
    assert "give the reason" in refused.get_data(as_text=True)
    web.submit(
        page, {"group": str(group.id), "points": "-5", "reason": "Terlambat di titik kumpul"}
    )
    another_web.join(group.join_code, "Siti")
    another_web.get("/lang/en")
    score = another_web.get("/play/score").get_data(as_text=True)
    assert "Terlambat di titik kumpul" in score and ">-5<" in score
    assert "rank 2 of 2" in score


@pytest.mark.parametrize("typed", ["inf", "-inf", "nan", "0", "1e9", "lima"])
def test_an_adjustment_that_is_not_a_sensible_number_is_refused_and_changes_nothing(
    web, make, session, clock, typed
):
    event, judge, group, other, task = setup_event(make, session, clock)
    web.login("ani@example.org")
    web.get("/lang/en")
    page = f"/organiser/events/{event.id}/adjustments"
    refused = web.submit(
        page, {"group": str(group.id), "points": typed, "reason": "Coba"}, follow_redirects=True
    )
    assert refused.status_code == 200
    text = refused.get_data(as_text=True)
    assert "between -10000 and 10000" in text or "must be a number" in text
    session.expire_all()
    assert session.exec(select(Adjustment)).all() == []
    assert web.get(f"/organiser/events/{event.id}/standings").status_code == 200


def test_the_standings_endpoint_answers_304_without_computing(
    web, make, session, clock, monkeypatch
):
    event, judge, group, other, task = setup_event(make, session, clock)
    web.login("juri@example.org")
    url = f"/api/events/{event.id}/standings"
    first = web.get(url)
    assert first.status_code == 200 and [g["name"] for g in first.json["groups"]] == [
        "Elang",
        "Rajawali",
    ]
    tag = first.headers["ETag"]

    def boom(*_args, **_kwargs):
        raise AssertionError("computed although nothing changed")

    monkeypatch.setattr(standings, "compute", boom)
    again = web.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["ETag"] == tag
    weakened = web.get(url, headers={"If-None-Match": f"W/{tag}"})  # as some proxies send it
    assert weakened.status_code == 304
    monkeypatch.undo()
    # The organisers' page starts polling from the revision it shows, so no change between
    # rendering it and its first poll is missed.
    web.login("ani@example.org")
    page = web.get(f"/organiser/events/{event.id}/standings").get_data(as_text=True)
    escaped = tag.replace('"', "&#34;")
    assert f'data-etag="{escaped}"' in page
    judging.add_adjustment(
        session, event=event, group_id=other.id, points=3, reason="Rapi", actor=judge, now=clock()
    )
    session.commit()
    changed = web.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert changed.json["groups"][0]["name"] == "Rajawali"


def test_the_standings_page_shows_every_line(web, make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    judging.add_adjustment(
        session,
        event=event,
        group_id=group.id,
        points=2,
        reason="Membantu warga",
        actor=judge,
        now=clock(),
    )
    make.submission(event, other, task, status="accepted")
    web.login("ani@example.org")
    page = web.get(f"/organiser/events/{event.id}/standings").get_data(as_text=True)
    assert "Membantu warga" in page and re.search(r"1\.</strong>.*Rajawali", page, re.S)
    assert "1 tugas<" in page and "0 tugas<" in page
    web.get("/lang/en")
    page = web.get(f"/organiser/events/{event.id}/standings").get_data(as_text=True)
    assert "1 task<" in page and "0 tasks<" in page  # one task, not "1 tasks"


def test_participants_and_other_accounts_cannot_judge(web, make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    make.account("luar@example.org")
    web.login("luar@example.org")
    assert web.get(f"/review/events/{event.id}/").status_code == 404
    assert web.get(f"/api/events/{event.id}/standings").status_code == 404
