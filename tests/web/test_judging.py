"""Judging, adjustments and standings through the app; concurrent judges on both databases."""

import io
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.photos.made import made_jpeg
from tests.web.test_play import WINDOW, api
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


FULL = {"Kreativitas": 6, "Kerja sama": 4}  # every criterion of the photo task, at its maximum


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
        rubric=FULL,
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
        session,
        event=event,
        judge=judge,
        submission_id=sub.id,
        decision="accept",
        rubric=FULL,
        now=clock(),
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


# A rubric is scored in full; an empty one earns full points only where the task says so.
def decide_page(web, event, sub, data, lang="en"):
    web.get(f"/lang/{lang}")
    url = f"/review/events/{event.id}/submissions/{sub.id}"
    return web.submit(url, data, action=url)


def label_of(page: str, criterion: str) -> str:
    return re.search(rf'<label class="field rubric"><span>{criterion} .*?</label>', page, re.S)[0]


def test_an_accept_without_every_criterion_is_refused_at_the_field_in_the_judges_language(
    web, make, session, clock
):
    event, judge, group, other, task = setup_event(make, session, clock)
    sub = pending(make, event, group, task, clock)
    web.login("juri@example.org")
    refused = decide_page(
        web, event, sub, {"decision": "accept", "rubric:Kreativitas": "4", "comment": "Rapi"}, "id"
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Beri nilai dari 0 sampai 4." in label_of(page, "Kerja sama")
    assert 'value="4"' in label_of(page, "Kreativitas") and "error" not in label_of(
        page, "Kreativitas"
    )
    assert ">Rapi</textarea>" in page and "review.js" in page  # the keys still work
    session.expire_all()
    assert session.exec(select(Review)).all() == []
    assert session.get(Submission, sub.id).status == "pending"
    decide_page(
        web, event, sub, {"decision": "accept", "rubric:Kreativitas": "4", "rubric:Kerja sama": "4"}
    )
    web.login("ani@example.org")
    standings_page = web.get(f"/organiser/events/{event.id}/standings").get_data(as_text=True)
    assert re.search(r"Elang\s*<span class=\"points\">32.00</span>", standings_page)


def test_a_task_may_say_that_an_empty_rubric_means_full_points(web, make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    task.rubric_optional = True
    session.add(task)
    session.commit()
    empty, partial = (
        pending(make, event, group, task, clock),
        pending(make, event, other, task, clock),
    )
    web.login("juri@example.org")
    web.get("/lang/en")
    page = web.get(f"/review/events/{event.id}/submissions/{empty.id}").get_data(as_text=True)
    assert "Leave the rubric empty to give all 40 points" in page
    assert decide_page(web, event, empty, {"decision": "accept"}).status_code == 302
    assert (
        decide_page(
            web, event, partial, {"decision": "accept", "rubric:Kreativitas": "3"}
        ).status_code
        == 422
    )  # some criteria scored and some not is never full marks
    rows = standings.compute(session, session.get(Event, event.id))
    assert {row.name: float(row.total) for row in rows} == {"Elang": 40.0, "Rajawali": 0.0}


def test_the_empty_rubric_setting_goes_through_the_editor_and_the_task_set_file(
    web, make, session, clock, cli_env
):
    from click.testing import CliRunner

    from webapp.cli import cli
    from webapp.domain.taskset import load_taskset
    from webapp.models import Task

    event, judge, group, other, task = setup_event(make, session, clock)
    web.login("ani@example.org")
    web.get("/lang/en")
    url = f"/organiser/events/{event.id}/tasks/{task.id}/edit"
    form = web.get(url).get_data(as_text=True)
    assert "Judges may leave the rubric empty" in form
    assert '<input id="rubric_optional" name="rubric_optional"' in form  # off by default
    fields = {"title": "Foto kreatif", "kind": "photo", "points": "40", "window_mode": "none"}
    fields |= {"late_policy": "refuse", "location": "0", "unlocks_after": "0", "after": "start"}
    fields |= {"rubric": "Kreativitas: 6\nKerja sama: 4", "rubric_optional": "y"}
    web.submit(url, fields)
    session.expire_all()
    assert session.get(Task, task.id).rubric_optional is True
    assert '<input checked id="rubric_optional"' in web.get(url).get_data(as_text=True)
    exported = CliRunner().invoke(cli, ["export-tasks", str(event.id)]).output
    assert "rubric_optional = true" in exported
    assert load_taskset(exported).tasks[0].rubric_optional is True
    fields.pop("rubric")  # a task without a rubric cannot say what an empty one means
    problem = web.submit(url, fields).get_data(as_text=True)
    assert "rubric_optional needs a rubric." in problem


# Flagged submissions reach the judges, who settle them.
def test_a_submission_queued_before_the_deadline_reaches_the_judges_with_its_flag_explained(
    phone, another_web, make, session, clock
):
    event = phone.event
    event.queued_late_policy = "flag"
    session.add(event)
    session.commit()
    make.judge(event, make.account("juri@example.org", name="Juri"))
    task = make.task(
        event, "photo", title="Foto gerbang", points=20, window={"after": "start", "duration": 30}
    )
    pressed = clock.value + timedelta(minutes=29)
    clock.advance(minutes=50)
    data = {"csrf_token": phone.token("/play/"), "key": "k1", "pressed_at": pressed.isoformat()}
    data["photo"] = (io.BytesIO(made_jpeg((64, 48))), "foto.jpg")
    sent = phone.client.post(
        f"/play/api/tasks/{task.id}/submissions",
        data=data,
        headers={"Accept": "application/json"},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.get_data(as_text=True)
    another_web.login("juri@example.org")
    another_web.get("/lang/en")
    page = another_web.get(f"/review/events/{event.id}/").get_data(as_text=True)
    assert "Foto gerbang" in page
    assert "Sent at 07:29 WITA by the phone's clock, before the deadline" in page
    assert "received at 07:50 WITA, after it" in page
    sub_id = re.search(r'/submissions/(\d+)"', page)[1]
    url = f"/review/events/{event.id}/submissions/{sub_id}"
    another_web.submit(url, {"decision": "accept"}, action=url)
    score = phone.get("/play/score").get_data(as_text=True)
    assert "Foto gerbang" in score and "<strong>20</strong>" in score
    another_web.submit(url, {"decision": "reject", "comment": "Dikirim terlambat"}, action=url)
    assert "<strong>0</strong>" in phone.get("/play/score").get_data(as_text=True)


def test_a_late_submission_the_task_sends_to_the_judges_says_so(web, make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    sub = pending(make, event, group, task, clock)
    sub.late_minutes, sub.late_flag = 12, True
    session.add(sub)
    session.commit()
    web.login("juri@example.org")
    web.get("/lang/en")
    page = web.get(f"/review/events/{event.id}/submissions/{sub.id}").get_data(as_text=True)
    assert "Received 12 minutes after the deadline. This task sends late submissions" in page


# Judges do not anchor each other.
def test_a_judge_sees_other_judges_points_and_names_only_after_deciding(
    web, another_web, make, session, clock
):
    event, judge, group, other, task = setup_event(make, session, clock, review_conflict="average")
    make.judge(event, make.account("juri2@example.org", name="Juri Kedua"))
    sub = pending(make, event, group, task, clock)
    judging.decide(
        session,
        event=event,
        judge=judge,
        submission_id=sub.id,
        decision="accept",
        rubric={"Kreativitas": 5, "Kerja sama": 3},
        comment="Cukup baik",
        now=clock(),
    )
    session.commit()
    url = f"/review/events/{event.id}/submissions/{sub.id}"
    web.login("juri2@example.org")
    web.get("/lang/en")
    before = web.get(url).get_data(as_text=True)
    assert "Juri:" not in before and "Kreativitas 5" not in before and "Cukup baik" not in before
    assert "Another judge has decided on this already" in before
    decide_page(
        web, event, sub, {"decision": "accept", "rubric:Kreativitas": "3", "rubric:Kerja sama": "1"}
    )
    after = web.get(url).get_data(as_text=True)
    assert "Juri:" in after and "Kreativitas 5" in after and "Juri Kedua:" in after
    assert "Another judge" not in after
    another_web.login("ani@example.org")  # the organiser sees every decision at once
    another_web.get("/lang/en")
    assert "Kreativitas 5" in another_web.get(url).get_data(as_text=True)


# Adjustments are withdrawn, not edited.
def test_an_adjustment_is_withdrawn_with_a_reason_and_stays_visible_struck_through(
    web, another_web, make, session, clock
):
    from webapp.services import board

    event, judge, group, other, task = setup_event(make, session, clock)
    make.participant(group, "Siti")
    another_web.join(group.join_code, "Siti")
    another_web.get("/lang/en")
    web.login("ani@example.org")
    web.get("/lang/en")
    page = f"/organiser/events/{event.id}/adjustments"
    web.submit(page, {"group": str(group.id), "points": "-5", "reason": "Terlambat apel"})
    assert ">-5<" in another_web.get("/play/score").get_data(as_text=True)
    adjustment = session.exec(select(Adjustment)).one()
    withdraw = f"/organiser/events/{event.id}/adjustments/{adjustment.id}/withdraw"
    board.update(session, event=event, actor=judge, now=clock(), freeze_at=clock())
    session.commit()
    clock.advance(minutes=12)
    refused = web.submit(page, {"reason": "  "}, action=withdraw, follow_redirects=True)
    assert "say why the adjustment is withdrawn" in refused.get_data(as_text=True)
    done = web.submit(page, {"reason": "Salah kelompok"}, action=withdraw, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Adjustment withdrawn; it no longer counts." in text
    assert "<del>Terlambat apel</del>" in text and "<del>-5.00</del>" in text
    assert "Withdrawn by Organiser at 07:12 WITA: Salah kelompok" in text
    score = another_web.get("/play/score").get_data(as_text=True)
    assert "Terlambat apel" not in score and "<strong>0</strong>" in score
    session.expire_all()
    event = session.get(Event, event.id)
    frozen = standings.compute(session, event, until=event.freeze_at)  # as the room saw it
    assert {row.name: float(row.total) for row in frozen}["Elang"] == -5.0
    again = web.submit(page, {"reason": "Lagi"}, action=withdraw, follow_redirects=True)
    assert "was withdrawn already" in again.get_data(as_text=True)
    log = web.get(f"/organiser/events/{event.id}/log?kind=adjustment").get_data(as_text=True)
    assert log.index("Adjustment withdrawn") < log.index("Adjustment added")
    assert "Salah kelompok" in log and "points given: -5 → –" in log


# The log of changes, for organisers.
def test_the_log_shows_who_changed_what_when_before_and_after_newest_first(
    web, make, session, clock
):
    event, judge, group, other, task = setup_event(make, session, clock)
    sub = pending(make, event, group, task, clock)
    judging.decide(
        session,
        event=event,
        judge=judge,
        submission_id=sub.id,
        decision="accept",
        rubric=FULL,
        comment="Kompak",
        now=clock.advance(minutes=3),
    )
    judging.add_adjustment(
        session,
        event=event,
        group_id=other.id,
        points=2,
        reason="Membantu warga",
        actor=make.account("lain@example.org", name="Panitia"),
        now=clock.advance(minutes=1),
    )
    session.commit()
    web.login("ani@example.org")
    web.get("/lang/en")
    url = f"/organiser/events/{event.id}/log"
    page = web.get(url).get_data(as_text=True)
    decided = page[page.index("A judge decided") - 600 : page.index("A judge decided") + 900]
    assert "2026-11-25 07:03:00 WITA" in decided and "Juri &lt;juri@example.org&gt;" in decided
    assert "Elang · Foto kreatif" in decided
    assert "status: waiting for a judge → approved" in decided and "points: – → 40" in decided
    assert "Kompak" in decided
    assert page.index("Adjustment added") < page.index("A judge decided")  # newest first
    only_elang = web.get(f"{url}?group={group.id}").get_data(as_text=True)
    assert "A judge decided" in only_elang and "Membantu warga" not in only_elang
    by_judge = web.get(f"{url}?judge={judge.id}").get_data(as_text=True)
    assert "A judge decided" in by_judge and "Adjustment added" not in by_judge
    adjustments = web.get(f"{url}?kind=adjustment").get_data(as_text=True)
    assert "Membantu warga" in adjustments and "A judge decided" not in adjustments
    web.login("juri@example.org")
    assert web.get(url).status_code == 404  # judges do not read the log


def test_the_log_comes_in_pages(web, make, session, clock):
    from webapp.services import audit_log

    event, judge, group, other, task = setup_event(make, session, clock)
    for n in range(audit_log.PER_PAGE + 1):
        judging.add_adjustment(
            session,
            event=event,
            group_id=group.id,
            points=1,
            reason=f"Poin ke-{n}",
            actor=judge,
            now=clock.advance(seconds=1),
        )
    session.commit()
    web.login("ani@example.org")
    url = f"/organiser/events/{event.id}/log?kind=adjustment"
    first = web.get(url).get_data(as_text=True)
    assert f"Poin ke-{audit_log.PER_PAGE}<" in first and "Poin ke-0<" not in first
    second = web.get(f"{url}&page=2").get_data(as_text=True)
    assert "Poin ke-0<" in second and f"Poin ke-{audit_log.PER_PAGE}<" not in second
    last = web.get(f"{url}&page=99").get_data(as_text=True)  # out of range: the last page
    assert "Poin ke-0<" in last and '<strong aria-current="page">2</strong>' in last


def test_a_line_of_the_breakdown_links_to_the_log_entries_behind_it(web, make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    for sent in (
        pending(make, event, group, task, clock),
        pending(make, event, other, task, clock),
    ):
        judging.decide(
            session,
            event=event,
            judge=judge,
            submission_id=sent.id,
            decision="accept",
            rubric={"Kreativitas": 3, "Kerja sama": 2} if sent.group_id == group.id else FULL,
            now=clock(),
        )
    judging.add_adjustment(
        session, event=event, group_id=group.id, points=2, reason="Rapi", actor=judge, now=clock()
    )
    session.commit()
    web.login("ani@example.org")
    web.get("/lang/en")
    page = web.get(f"/organiser/events/{event.id}/standings").get_data(as_text=True)

    def behind(label: str) -> str:
        links = re.findall(
            rf'<a href="(/organiser/events/{event.id}/log\?[^"]+)"[^>]*>{label}<', page
        )
        mine = next(link for link in links if f"group={group.id}" in link)
        return web.get(mine.replace("&amp;", "&")).get_data(as_text=True)

    task_line = behind("Foto kreatif")
    assert "A judge decided" in task_line and "points: – → 20" in task_line
    assert "points: – → 40" not in task_line  # Rajawali's decision is not behind Elang's line
    assert "Adjustment added" not in task_line
    adjustment_line = behind("Rapi")
    assert "Adjustment added" in adjustment_line and "A judge decided" not in adjustment_line


# The tie-break in plain words.
def test_the_tie_break_is_stated_on_the_standings_page_in_both_languages(web, make, session, clock):
    event, judge, group, other, task = setup_event(
        make, session, clock, tie_break="points,earliest_final,tasks_completed"
    )
    web.login("ani@example.org")
    url = f"/organiser/events/{event.id}/standings"
    web.get("/lang/en")
    assert (
        "Groups with equal points are ranked by who reached their final score first, then more "
        "tasks completed; groups equal on that too share a place."
    ) in web.get(url).get_data(as_text=True)
    web.get("/lang/id")
    assert "Kelompok dengan poin sama diurutkan menurut" in web.get(url).get_data(as_text=True)


# Creating events is an organiser's right.
def test_a_judge_cannot_create_events_until_an_organiser_makes_them_one(web, make, session, clock):
    event, judge, group, other, task = setup_event(make, session, clock)
    web.login("juri@example.org")
    web.get("/lang/en")
    assert "New event" not in web.get("/organiser/").get_data(as_text=True)
    assert web.get("/organiser/events/new").status_code == 403
    web.login("ani@example.org")
    judges = f"/organiser/events/{event.id}/judges"
    page = web.get(judges).get_data(as_text=True)
    assert "Make organiser" in page
    done = web.submit(
        judges, {}, action=f"{judges}/{judge.id}/organiser", follow_redirects=True
    ).get_data(as_text=True)
    assert "Juri may now create events." in done and "may create events" in done
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "account.allow_events")
    ).one()
    assert entry.subject == "juri@example.org"
    session.rollback()  # ends the test's read, which logins written since would make stale
    web.login("juri@example.org")
    assert "New event" in web.get("/organiser/").get_data(as_text=True)
    assert web.get("/organiser/events/new").status_code == 200
    stranger = make.account("luar@example.org")
    web.login("ani@example.org")
    refused = web.submit(judges, {}, action=f"{judges}/{stranger.id}/organiser")
    session.expire_all()
    assert (
        refused.status_code == 302
        and not session.get(type(stranger), stranger.id).can_create_events
    )


def test_create_organiser_gives_the_right_to_create_events(web, cli_env):
    from click.testing import CliRunner

    from webapp.cli import cli

    CliRunner().invoke(
        cli, ["create-organiser", "ani@example.org"], input="a long password\na long password\n"
    )
    web.login("ani@example.org", "a long password")
    assert web.get("/organiser/events/new").status_code == 200


def test_editing_a_window_says_how_many_submissions_it_rescored_and_logs_each(
    web, another_web, make, session, clock
):
    event, judge, group, other, task = setup_event(make, session, clock)
    quiz = make.task(
        event,
        "number",
        title="Tahun berdiri",
        points=10,
        check={"answer": 1949},
        window={"opens": "07:00", "closes": "07:30"},
        late={"policy": "penalty_points", "value": 4},
    )
    another_web.join(group.join_code, "Siti")
    another_web.get("/lang/en")
    clock.advance(minutes=40)
    another_web.submit(
        "/play/",
        {"key": "k1", "answer": "1949"},
        action=f"/play/api/tasks/{quiz.id}/submissions",
        headers={"Accept": "application/json"},
    )
    assert "<strong>6</strong>" in another_web.get("/play/score").get_data(as_text=True)
    web.login("ani@example.org")
    web.get("/lang/en")
    url = f"/organiser/events/{event.id}/tasks/{quiz.id}/edit"
    fields = {"title": "Tahun berdiri", "kind": "number", "points": "10", "answer": "1949"}
    fields |= {"window_mode": "absolute", "opens": "07:00", "closes": "08:00"}
    fields |= {"late_policy": "penalty_points", "late_value": "4"}
    fields |= {"location": "0", "unlocks_after": "0", "after": "start"}
    saved = web.submit(url, fields, follow_redirects=True).get_data(as_text=True)
    assert "Task saved." in saved
    assert "1 submission was scored again by the new times and rules." in saved
    assert "<strong>10</strong>" in another_web.get("/play/score").get_data(as_text=True)
    log = web.get(f"/organiser/events/{event.id}/log?kind=submission").get_data(as_text=True)
    rescored = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Submission scored again.*?</tr>", log, re.S)[0]
    assert "Organiser &lt;ani@example.org&gt;" in rescored and "Elang · Tahun berdiri" in rescored
    assert "minutes late: 10 → 0" in rescored and "points: 6 → 10" in rescored


def test_an_automatically_right_answer_queued_before_the_deadline_waits_for_a_judge(
    phone, another_web, make, session, clock
):
    """ "Counts as on time, flagged for the judges" was a stub: a right answer counted at once
    and no judge saw it. Now it waits for the judge, who settles it."""
    phone.event.queued_late_policy = "flag"
    session.add(phone.event)
    session.commit()
    make.judge(phone.event, make.account("juri@example.org", name="Juri"))
    task = make.task(
        phone.event, "number", title="Tahun berdiri", check={"answer": 1949}, window=WINDOW
    )
    pressed = clock.value + timedelta(minutes=29)
    clock.advance(minutes=50)
    assert api(phone, task, answer="1949", pressed_at=pressed.isoformat()).status_code == 201
    assert "<strong>0</strong>" in phone.get("/play/score").get_data(as_text=True)
    another_web.login("juri@example.org")
    another_web.get("/lang/en")
    queue = another_web.get(f"/review/events/{phone.event.id}/").get_data(as_text=True)
    assert "by the phone's clock, before the deadline" in queue
    item = re.search(r'/submissions/(\d+)"', queue)[1]
    url = f"/review/events/{phone.event.id}/submissions/{item}"
    another_web.submit(url, {"decision": "accept"}, action=url)
    assert "<strong>10</strong>" in phone.get("/play/score").get_data(as_text=True)


def test_judges_of_a_blind_event_get_standings_without_names(
    web, another_web, make, session, clock
):
    event, judge, group, other, task = setup_event(make, session, clock, blind_judging=True)
    make.submission(event, group, task, status="accepted", earned_cents=4000)
    web.login("juri@example.org")
    another_web.login("ani@example.org")
    url = f"/api/events/{event.id}/standings"
    as_judge, as_organiser = web.get(url), another_web.get(url)
    body = as_judge.get_data(as_text=True)
    assert as_judge.status_code == 200 and "Elang" not in body and "Rajawali" not in body
    assert [(g["rank"], g["points"]) for g in as_judge.json["groups"]] == [(1, 40.0), (2, 0.0)]
    assert not any({"id", "name", "colour"} & set(g) for g in as_judge.json["groups"])
    assert [g["name"] for g in as_organiser.json["groups"]] == ["Elang", "Rajawali"]
    assert as_judge.headers["ETag"] != as_organiser.headers["ETag"]
    etag = as_organiser.headers["ETag"]  # an organiser's copy is not "unchanged" for a judge
    assert web.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_photo_taken_after_it_was_sent_is_flagged_for_the_judge_in_both_languages(
    web, make, session, clock, app
):
    import io

    from PIL import ExifTags, Image

    from webapp.services import submissions
    from webapp.storage import LocalPhotoStore

    event, judge, group, other, task = setup_event(make, session, clock)
    exif = Image.Exif()  # the camera's clock says the photo is from next year
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2027:11:25 09:00:00"
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(photo, "JPEG", exif=exif)
    submissions.submit(
        session,
        participant=make.participant(group),
        task_id=task.id,
        sent=submissions.Sent(key="future", photo=photo.getvalue()),
        now=clock(),
        store=LocalPhotoStore(app.config["SETTINGS"]["storage"]["uploads_dir"]),
    )
    session.commit()
    web.login("juri@example.org")
    web.get("/lang/en")
    page = web.get(f"/review/events/{event.id}/").get_data(as_text=True)
    assert "Taken 365 days after it was sent: a time yet to come." in page
    web.get("/lang/id")
    page = web.get(f"/review/events/{event.id}/").get_data(as_text=True)
    assert "Diambil 365 hari setelah dikirim: waktu yang belum tiba." in page
