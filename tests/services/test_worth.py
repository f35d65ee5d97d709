"""The live standings read each submission's stored worth; it must always equal what the
scoring rules give from the reviews themselves, whatever path changed it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from webapp.models import Submission, Task
from webapp.services import authoring, judging, standings, submissions, worth
from webapp.services.submissions import Sent

FAR = timedelta(days=365)


def agree(session, event) -> dict[int, Decimal]:
    """The live standings, checked against the full computation from every review."""
    session.flush()
    live = standings.compute(session, event)
    full = standings.compute(session, event, until=event.ends_at + FAR)
    assert live == full
    return {row.group_id: row.total for row in live}


@pytest.fixture
def day(make, session, clock):
    owner = make.account("ani@example.org")
    event = make.event(owner, review_conflict="last")
    judges = [make.judge(event, make.account(f"juri{n}@example.org")) for n in (1, 2)]
    elang, rajawali = make.group(event, "Elang"), make.group(event, "Rajawali")
    quiz = make.task(
        event,
        "text",
        title="Tahun berdiri",
        points=10,
        check={"answers": ["1949"]},
        window={"after": "start", "offset": 0, "duration": 30},
        late={"policy": "per_minute", "value": 1, "cap": 4},
    )
    photo = make.task(
        event,
        "text",
        title="Refleksi",
        points=40,
        check={},
        rubric=[{"name": "Isi", "max": 6}, {"name": "Kerja sama", "max": 4}],
        window={"after": "start", "offset": 0},
    )
    return owner, event, judges, (elang, rajawali), quiz, photo


def send(session, make, group, task, clock, answer, key):
    participant = make.participant(group, name=f"Peserta {key}")
    received = submissions.submit(
        session,
        participant=participant,
        task_id=task.id,
        sent=Sent(key=key, answer=answer),
        now=clock(),
    )
    session.commit()
    return received.submission


def test_every_path_that_changes_a_worth_keeps_the_live_standings_right(day, make, session, clock):
    owner, event, (first_judge, second_judge), (elang, rajawali), quiz, photo = day
    clock.advance(minutes=5)
    send(session, make, elang, quiz, clock, "1949", "q1")  # checked at once: 10
    clock.advance(minutes=32)  # 7 minutes after the quiz closed
    late = send(session, make, rajawali, quiz, clock, "1949", "q2")
    assert (late.earned_cents, late.late_cents) == (1000, 400)  # 1 a minute, capped at 4
    essay = send(session, make, elang, photo, clock, "Pelayanan cepat", "p1")
    assert essay.earned_cents is None  # waits for a judge
    assert agree(session, event) == {elang.id: Decimal("10.00"), rajawali.id: Decimal("6.00")}

    def decide(judge, decision, **scores):
        clock.advance(minutes=1)
        judging.decide(
            session,
            event=event,
            judge=judge,
            submission_id=essay.id,
            decision=decision,
            now=clock(),
            **scores,
        )
        session.commit()

    decide(first_judge, "accept", rubric={"Isi": 5, "Kerja sama": 4})  # 9/10 of 40
    assert agree(session, event)[elang.id] == Decimal("46.00")
    decide(second_judge, "accept", rubric={"Isi": 3, "Kerja sama": 4})  # 7/10: average 32
    assert agree(session, event)[elang.id] == Decimal("42.00")
    decide(second_judge, "reject")  # the latest decision wins under "last"
    assert agree(session, event)[elang.id] == Decimal("10.00")
    assert essay.status == "rejected"

    # "average": the accepting judge's 36 and the rejection's 0; the essay counts again.
    authoring.update_event(
        session,
        event=event,
        fields={"review_conflict": "average"},
        actor=owner,
        now=clock(),
    )
    session.commit()
    assert agree(session, event)[elang.id] == Decimal("28.00")
    session.refresh(essay)
    assert essay.status == "accepted"  # what the group sees follows the rule too

    quiz.points = 20  # a task's points change after it was answered
    quiz.late = {"policy": "penalty_percent", "value": 50}
    authoring.save_task(session, event=event, task=quiz, actor=owner, now=clock(), is_new=False)
    session.commit()
    assert agree(session, event) == {elang.id: Decimal("38.00"), rajawali.id: Decimal("10.00")}
    session.refresh(late)
    assert (late.earned_cents, late.late_cents) == (2000, 1000)


def test_revalue_changes_only_what_moved_and_loaded_rows_see_it(day, make, session, clock):
    owner, event, _judges, (elang, rajawali), quiz, _photo = day
    clock.advance(minutes=5)
    mine = send(session, make, elang, quiz, clock, "1949", "q1")
    send(session, make, rajawali, quiz, clock, "1948", "q2")  # wrong: worth nothing
    assert worth.revalue(session, event) == 0
    session.execute(
        Submission.__table__.update()
        .values(earned_cents=None)
        .where(Submission.__table__.c.id == mine.id)
    )
    assert mine.earned_cents == 1000  # the loaded row still holds what it read
    assert worth.revalue(session, event) == 1
    assert mine.earned_cents == 1000  # read again from the row the service put right
    assert agree(session, event)[elang.id] == Decimal("10.00")


def test_a_task_whose_rules_did_not_change_leaves_its_rows_alone(day, make, session, clock):
    owner, event, _judges, (elang, _rajawali), quiz, _photo = day
    clock.advance(minutes=5)
    send(session, make, elang, quiz, clock, "1949", "q1")
    quiz.title = "Tahun berdirinya kantor"
    authoring.save_task(session, event=event, task=quiz, actor=owner, now=clock(), is_new=False)
    assert worth.revalue(session, event, [quiz.id]) == 0
    stored = session.exec(select(Task).where(Task.id == quiz.id)).one()
    assert stored.title == "Tahun berdirinya kantor"
    assert agree(session, event)[elang.id] == Decimal("10.00")


def test_rescore_puts_a_hand_edited_database_right_and_logs_it(day, make, session, clock, cli_env):
    from click.testing import CliRunner

    from webapp.cli import cli
    from webapp.models import AuditEntry, Event

    _owner, event, _judges, (elang, _rajawali), quiz, _photo = day
    clock.advance(minutes=5)
    sent = send(session, make, elang, quiz, clock, "1949", "q1")
    session.execute(  # someone "fixed" a row by hand, forgetting what it is worth
        Submission.__table__.update()
        .values(status="rejected")
        .where(Submission.__table__.c.id == sent.id)
    )
    session.commit()
    revision = session.get(Event, event.id).revision
    result = CliRunner().invoke(cli, ["rescore", str(event.id)])
    assert result.exit_code == 0 and "Submissions changed: 1" in result.output
    session.expire_all()
    assert agree(session, event)[elang.id] == Decimal("0.00")
    assert session.get(Event, event.id).revision == revision + 1  # boards follow
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "scores.recompute")).one()
    again = CliRunner().invoke(cli, ["rescore", str(event.id)])
    assert "Every score was right." in again.output
