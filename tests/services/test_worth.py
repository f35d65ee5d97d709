"""The live standings read each submission's stored worth; it must always equal what the
scoring rules give from the reviews themselves, whatever path changed it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tests.conftest import PASSWORD, START
from webapp.models import AuditEntry, Submission, Task
from webapp.services import authoring, groups, judging, standings, submissions, worth
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


# Lateness measured again when windows, a group's times or the late rules change.
def late_for(session, sub) -> tuple:
    session.refresh(sub)
    return sub.late_minutes, sub.earned_cents, sub.late_cents


def test_extra_time_given_after_a_late_submission_takes_its_lateness_away(
    day, make, session, clock
):
    owner, event, _judges, (elang, rajawali), quiz, _photo = day
    clock.advance(minutes=40)  # 10 minutes after the quiz closed: 4 taken (the cap)
    late = send(session, make, elang, quiz, clock, "1949", "q1")
    other = send(session, make, rajawali, quiz, clock, "1949", "q2")
    assert late_for(session, late) == (10, 1000, 400)
    _group, rescored = groups.update_group(
        session, event=event, group_id=elang.id, actor=owner, now=clock(), extra_min=30
    )
    session.commit()
    assert rescored == 1
    assert late_for(session, late) == (0, 1000, 0)
    assert late_for(session, other) == (10, 1000, 400)  # another group keeps its deadline
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "submission.rescore")).one()
    assert (entry.group_id, entry.task_id, entry.actor_id) == (elang.id, quiz.id, owner.id)
    assert entry.before == {"late_minutes": 10, "worth": 6} and entry.after == {
        "late_minutes": 0,
        "worth": 10,
    }
    assert agree(session, event)[elang.id] == Decimal("10.00")


def test_a_window_closed_earlier_afterwards_makes_a_submission_late_or_not_count(
    day, make, session, clock
):
    owner, event, _judges, (elang, _rajawali), quiz, _photo = day
    clock.advance(minutes=25)
    sent = send(session, make, elang, quiz, clock, "1949", "q1")
    quiz.window = {"after": "start", "offset": 0, "duration": 20}
    _task, rescored = authoring.save_task(
        session, event=event, task=quiz, actor=owner, now=clock(), is_new=False
    )
    session.commit()
    assert rescored == 1 and late_for(session, sent) == (5, 1000, 400)
    quiz.late = {"policy": "refuse"}  # had it refused late answers, this one would not count
    authoring.save_task(session, event=event, task=quiz, actor=owner, now=clock(), is_new=False)
    session.commit()
    assert late_for(session, sent)[1] is None
    assert agree(session, event)[elang.id] == Decimal("0.00")


def test_moving_the_events_start_moves_the_deadlines_of_windows_counted_from_it(
    day, make, session, clock
):
    owner, event, _judges, (elang, _rajawali), quiz, _photo = day
    clock.advance(minutes=37)
    sent = send(session, make, elang, quiz, clock, "1949", "q1")
    assert late_for(session, sent) == (7, 1000, 400)
    _event, rescored = authoring.update_event(
        session,
        event=event,
        fields={"starts_at": event.starts_at + timedelta(minutes=5)},
        actor=owner,
        now=clock(),
    )
    session.commit()
    assert rescored == 1 and late_for(session, sent) == (2, 1000, 200)


TIMES_ST = st.fixed_dictionaries(
    {"start_offset_min": st.integers(-30, 30), "extra_min": st.integers(0, 40)}
)
LATE_ST = st.sampled_from(
    [
        {"policy": "per_minute", "value": 1, "cap": 10},
        {"policy": "penalty_points", "value": 3, "grace": 2},
        {"policy": "zero"},
        {"policy": "refuse"},
        {"policy": "review"},
    ]
)


def window_st(first_key: str | None):
    specs = [
        st.fixed_dictionaries(
            {
                "after": st.just("start"),
                "offset": st.integers(0, 20),
                "duration": st.integers(5, 60),
            }
        ),
        st.fixed_dictionaries(
            {
                "opens": st.sampled_from(["07:00", "07:10"]),
                "closes": st.sampled_from(["07:30", "08:00"]),
            }
        ),
    ]
    if first_key:
        specs.append(
            st.fixed_dictionaries(
                {
                    "after": st.just(first_key),
                    "offset": st.integers(0, 10),
                    "duration": st.integers(5, 40),
                }
            )
        )
    return st.one_of(specs)


def world(make, session, clock, owner, rules, arrivals) -> dict[int, Submission | None]:
    """An event with these windows, times and late rules, and what arrives when: the
    submission each arrival made, or the refusal it got."""
    clock.value = START
    event = make.event(owner, queued_late_policy=rules["queued"])
    group = make.group(event, "Elang")
    group.start_offset_min = rules["times"]["start_offset_min"]
    group.extra_min = rules["times"]["extra_min"]
    tasks = [
        make.task(event, "text", key=f"t{n}", points=10, check={"answers": ["ya"]}, window={})
        for n in range(2)
    ]
    for task, spec, late in zip(tasks, rules["windows"], rules["late"], strict=True):
        task.window, task.late = spec, late
    session.commit()
    participant = make.participant(group)
    stored = {}
    for n, (task_index, received, pressed_before) in enumerate(arrivals):
        try:
            stored[n] = submissions.submit(
                session,
                participant=participant,
                task_id=tasks[task_index].id,
                sent=Sent(
                    key=f"a{n}",
                    answer="ya",
                    pressed_at=START + timedelta(minutes=received - pressed_before),
                ),
                now=START + timedelta(minutes=received),
            ).submission
        except (
            submissions.DeadlinePassed,
            submissions.TaskNotOpen,
            submissions.AlreadySent,
        ) as exc:
            stored[n] = type(exc)
        session.commit()
    return {"event": event, "group": group, "tasks": tasks, "stored": stored}


def accept_waiting(session, event, judge, now) -> None:
    waiting = session.exec(
        select(Submission.id).where(Submission.event_id == event.id, Submission.status == "pending")
    ).all()
    for ident in waiting:
        judging.decide(
            session, event=event, judge=judge, submission_id=ident, decision="accept", now=now
        )
    session.commit()


@st.composite
def rules_st(draw):
    first = draw(window_st(None))
    return {
        "queued": draw(st.sampled_from(["accept", "flag", "refuse"])),
        "times": draw(TIMES_ST),
        "windows": [first, draw(window_st("t0"))],
        "late": [draw(LATE_ST), draw(LATE_ST)],
    }


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # Each example builds two events through the services; shrinking a failure would take
    # many minutes, and the example as found says enough.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(
    start=rules_st(),
    steps=st.lists(rules_st(), max_size=2),
    final=rules_st(),
    arrivals=st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 90), st.integers(0, 30)), max_size=4
    ).map(lambda found: sorted(found, key=lambda a: a[1])),
)
def test_lateness_after_any_changes_is_as_if_the_final_windows_had_been_there_from_the_start(
    make, session, clock, start, steps, final, arrivals
):
    owner = make.account()
    changed = world(make, session, clock, owner, start, arrivals)
    event, group, tasks = changed["event"], changed["group"], changed["tasks"]
    clock.value = START + timedelta(minutes=120)
    for rules in [*steps, final]:  # through the organiser's services, one change at a time
        groups.update_group(
            session, event=event, group_id=group.id, actor=owner, now=clock(), **rules["times"]
        )
        authoring.update_event(
            session,
            event=event,
            fields={"queued_late_policy": rules["queued"]},
            actor=owner,
            now=clock(),
        )
        for task, spec, late in zip(tasks, rules["windows"], rules["late"], strict=True):
            task.window, task.late = spec, late
            authoring.save_task(
                session, event=event, task=task, actor=owner, now=clock(), is_new=False
            )
        session.commit()
    fresh = world(make, session, clock, owner, final, arrivals)
    for made in (changed, fresh):  # a rule may have sent some to the judges: they accept
        accept_waiting(session, made["event"], make.judge(made["event"]), clock())
    session.expire_all()
    # A window that counts from the first task counts from when that was done: compare the
    # second task only where both worlds did the first at the same moment.
    first_done = [
        [minute for (task, minute, _), sub in zip(arrivals, made["stored"].values(), strict=True)
         if task == 0 and not isinstance(sub, type)]
        for made in (changed, fresh)
    ]  # fmt: skip
    for n, sub in changed["stored"].items():
        theirs = fresh["stored"][n]
        if isinstance(sub, type) or theirs is submissions.AlreadySent:
            continue  # refused on arrival, or another arrival was taken instead
        if arrivals[n][0] == 1 and first_done[0] != first_done[1]:
            continue
        if theirs is submissions.DeadlinePassed:  # late where late ones are now refused
            assert sub.earned_cents is None
        elif theirs is submissions.TaskNotOpen:  # sent while the task was open for it
            assert (sub.late_minutes, sub.earned_cents, sub.late_cents) == (0, 1000, 0)
        else:
            assert (sub.late_minutes, sub.late_flag, sub.earned_cents, sub.late_cents) == (
                theirs.late_minutes,
                theirs.late_flag,
                theirs.earned_cents,
                theirs.late_cents,
            )
    agree(session, event)


def answer_for(task, location) -> Sent:
    """What a group sends for a task of any kind: a right answer where there is one."""
    from tests.photos.made import made_jpeg

    check = task.check or {}
    fields = {"answer": "Pelayanan yang cepat dan ramah"}
    if task.kind == "number":
        fields["answer"] = str(check.get("answer", 1))
    elif task.kind == "choice":
        fields["answer"] = check.get("answer") or check["choices"][0]
    elif task.kind == "text" and check.get("answers"):
        fields["answer"] = check["answers"][0]
    if location is not None:
        fields |= {"lat": location.lat, "lon": location.lon, "accuracy_m": 5}
    if task.kind in ("photo", "photo_at_location"):
        fields["photo"] = made_jpeg((64, 48))
    return fields


def a_day_of_sending(session, make, event, store, late_by: int) -> None:
    """Each group sends every task once, one on time and the next late, in task order; a
    judge accepts what waits, scoring every criterion."""
    from webapp.models import Group, Location
    from webapp.services.play import task_cards

    judge = make.judge(event)
    locations = {loc.id: loc for loc in session.exec(select(Location))}
    for n, group in enumerate(session.exec(select(Group).where(Group.event_id == event.id))):
        participant = make.participant(group, name=f"Peserta {n}")
        for index, card in enumerate(task_cards(session, group=group, now=event.starts_at)):
            task = card.task
            window = next(
                c.window
                for c in task_cards(session, group=group, now=event.ends_at)
                if c.task.id == task.id
            )
            if window is None:
                continue
            when = window.closes_at + timedelta(minutes=late_by if (n + index) % 2 else -3)
            try:
                submissions.submit(
                    session,
                    participant=participant,
                    task_id=task.id,
                    sent=Sent(
                        key=f"{group.id}-{task.id}",
                        **answer_for(task, locations.get(task.location_id)),
                    ),
                    now=when,
                    store=store,
                )
            except submissions.ServiceError:
                session.rollback()
                continue
            session.commit()
    for ident, task_id in session.exec(
        select(Submission.id, Submission.task_id).where(
            Submission.event_id == event.id, Submission.status == "pending"
        )
    ).all():
        task = session.get(Task, task_id)
        judging.decide(
            session,
            event=event,
            judge=judge,
            submission_id=ident,
            decision="accept",
            rubric={c["name"]: c["max"] for c in task.rubric} or None,
            now=event.ends_at,
        )
    session.commit()


EXAMPLES = ("demo", "demo.toml", "field-day.toml", "observation-visit.toml")


@pytest.mark.parametrize("example", EXAMPLES)
def test_rescore_agrees_with_the_recomputation_after_window_changes(
    example, make, session, clock, cli_env, tmp_path
):
    from click.testing import CliRunner

    from tests.conftest import REPO
    from webapp.cli import cli
    from webapp.domain.taskset import load_taskset_file
    from webapp.models import Event, Group
    from webapp.services import demo, tasksets
    from webapp.storage import LocalPhotoStore

    owner = make.account()
    store = LocalPhotoStore(tmp_path / "uploads")
    if example == "demo":
        event, _groups = demo.ensure_demo(
            session,
            email="demo@jelajah.test",
            password=PASSWORD,
            taskset_path=demo.DEMO_TASKSET,
            now=clock(),
        )
    else:
        event = tasksets.create_event(
            session,
            taskset=load_taskset_file(REPO / "tasks" / example),
            owner=owner,
            now=clock(),
            local_start="2026-11-25T07:00",
            group_count=3,
        )
    session.commit()
    a_day_of_sending(session, make, event, store, late_by=7)
    late = select(Submission.id).where(Submission.event_id == event.id, Submission.late_minutes > 0)
    assert session.exec(late).all(), "some arrived late, so the changes below can move them"
    later = event.ends_at + timedelta(hours=1)
    if example == "demo":  # the demo, run again after it ended, starts anew: windows move
        demo.ensure_demo(
            session,
            email="demo@jelajah.test",
            password=PASSWORD,
            taskset_path=demo.DEMO_TASKSET,
            now=later,
        )
    first, second, _third = session.exec(
        select(Group).where(Group.event_id == event.id).order_by(Group.position)
    ).all()
    groups.update_group(
        session, event=event, group_id=first.id, actor=owner, now=later, extra_min=5
    )
    groups.update_group(
        session, event=event, group_id=second.id, actor=owner, now=later, start_offset_min=-4
    )
    task = next(t for t in session.exec(select(Task).where(Task.event_id == event.id)) if t.window)
    task.late = {"policy": "per_minute", "value": 1, "cap": 10}
    authoring.save_task(session, event=event, task=task, actor=owner, now=later, is_new=False)
    authoring.update_event(
        session,
        event=event,
        fields={"ends_at": event.ends_at - timedelta(minutes=10), "queued_late_policy": "flag"},
        actor=owner,
        now=later,
    )
    session.commit()
    result = CliRunner().invoke(cli, ["rescore", str(event.id)])
    assert result.exit_code == 0 and "Every score was right." in result.output, result.output
    session.expire_all()
    agree(session, session.get(Event, event.id))
