"""Every scoring rule and tie-break, and the invariants of the ranking (hypothesis)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.domain.scoring import (
    Adjustment,
    Earned,
    HintCost,
    Review,
    Scored,
    ScoringSubmission,
    ScoringTask,
    Settings,
    evaluate,
    pick,
    points_over_time,
    resolved_status,
    scored,
    standings,
    tally,
    tie_break_order,
    tie_break_rule,
)

T0 = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
GROUPS = [(1, "Elang"), (2, "Rajawali"), (3, "Garuda")]
PHOTO = ScoringTask(10, "Foto", 40, rubric_max=10)
QUIZ = ScoringTask(20, "Kuis", 10)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def sub(ident, group, task=QUIZ, minutes=0, status="accepted", late=0, reviews=()):
    return ScoringSubmission(ident, task.id, group, at(minutes), status, late, tuple(reviews))


def totals(rows):
    return {row.group_id: row.total for row in rows}


def ranks(rows):
    return {row.group_id: row.rank for row in rows}


def run(subs=(), hints=(), adjustments=(), tasks=(PHOTO, QUIZ), **options):
    return standings(GROUPS, tasks, subs, hints, adjustments, Settings(**options))


def test_an_accepted_submission_earns_the_tasks_points():
    rows = run([sub(1, 1)])
    assert totals(rows)[1] == Decimal("10.00") and rows[0].tasks_completed == 1


def test_pending_and_rejected_submissions_earn_nothing():
    assert totals(run([sub(1, 1, status="pending"), sub(2, 2, status="rejected")])) == {
        1: 0,
        2: 0,
        3: 0,
    }


def test_a_judge_gives_partial_points():
    review = Review(7, "accept", at(5), points=25)
    assert totals(run([sub(1, 1, PHOTO, status="pending", reviews=[review])]))[1] == 25


def test_a_rubric_is_scaled_to_the_tasks_points_and_averaged_over_judges():
    first = Review(7, "accept", at(5), rubric={"kreativitas": 4, "relevansi": 4})  # 8/10
    second = Review(8, "accept", at(6), rubric={"kreativitas": 2, "relevansi": 4})  # 6/10
    assert totals(run([sub(1, 1, PHOTO, reviews=[first, second])]))[1] == Decimal("28.00")


def test_last_decision_wins_when_judges_disagree():
    accept, reject = Review(7, "accept", at(5)), Review(8, "reject", at(6))
    assert totals(run([sub(1, 1, PHOTO, reviews=[accept, reject])]))[1] == 0
    assert totals(run([sub(1, 1, PHOTO, reviews=[reject, Review(7, "accept", at(7))])]))[1] == 40


def test_average_rule_counts_a_rejection_as_zero():
    reviews = [Review(7, "accept", at(5)), Review(8, "reject", at(6))]
    assert totals(run([sub(1, 1, PHOTO, reviews=reviews)], conflict="average"))[1] == 20


def test_rejudging_replaces_the_same_judges_earlier_review():
    reviews = [Review(7, "accept", at(5), points=10), Review(7, "accept", at(9), points=30)]
    assert totals(run([sub(1, 1, PHOTO, reviews=reviews)], conflict="average"))[1] == 30


def test_first_groups_to_complete_get_the_bonus():
    task = ScoringTask(30, "Benteng", 15, first_bonus=(10, 5))
    rows = run(
        [sub(1, 2, task, minutes=3), sub(2, 1, task, minutes=1), sub(3, 3, task, 9)], tasks=[task]
    )
    assert totals(rows) == {1: 25, 2: 20, 3: 15}


def test_late_penalty_in_points_and_percent():
    points = ScoringTask(1, "A", 20, late={"policy": "penalty_points", "value": 5})
    percent = ScoringTask(2, "B", 40, late={"policy": "penalty_percent", "value": 25})
    rows = run([sub(1, 1, points, late=3), sub(2, 1, percent, late=3)], tasks=[points, percent])
    assert totals(rows)[1] == 15 + 30
    mine = next(row for row in rows if row.group_id == 1)
    assert sorted(line.points for line in mine.lines if line.kind == "late") == [-10, -5]


def test_late_penalty_per_minute_stops_at_cap():
    task = ScoringTask(1, "Apel", 20, late={"policy": "per_minute", "value": 1, "cap": 10})
    assert totals(run([sub(1, 1, task, late=4)], tasks=[task]))[1] == 16
    assert totals(run([sub(1, 1, task, late=45)], tasks=[task]))[1] == 10


def test_a_penalty_never_takes_more_than_the_task_earned():
    task = ScoringTask(1, "A", 3, late={"policy": "penalty_points", "value": 5})
    assert totals(run([sub(1, 1, task, late=1)], tasks=[task]))[1] == 0


def test_hints_cost_their_points():
    rows = run([sub(1, 1)], hints=[HintCost(1, QUIZ.id, 2, at(1)), HintCost(1, QUIZ.id, 3, at(2))])
    assert totals(rows)[1] == 5


def test_only_the_best_or_the_latest_accepted_submission_counts():
    subs = [
        sub(1, 1, PHOTO, 1, reviews=[Review(7, "accept", at(2), points=30)]),
        sub(2, 1, PHOTO, 5, reviews=[Review(7, "accept", at(6), points=20)]),
    ]
    assert totals(run(subs))[1] == 30
    assert totals(run(subs, counts="latest"))[1] == 20


def test_adjustments_add_and_take_points_with_their_reason():
    rows = run(
        adjustments=[
            Adjustment(2, -5, "Terlambat di titik kumpul", at(1)),
            Adjustment(3, 7.5, "Membantu warga", at(2)),
        ]
    )
    assert totals(rows) == {1: 0, 2: -5, 3: Decimal("7.50")}
    line = next(r for r in rows if r.group_id == 2).lines[0]
    assert (line.kind, line.label) == ("adjustment", "Terlambat di titik kumpul")


def test_more_points_rank_first():
    assert ranks(run([sub(1, 2)])) == {2: 1, 1: 2, 3: 2}


def test_more_tasks_completed_wins_a_tie_on_points():
    small, other = ScoringTask(3, "Kecil", 5), ScoringTask(4, "K2", 5)
    rows = run(
        [sub(1, 1, QUIZ, 1), sub(2, 2, small, 1), sub(3, 2, other, 2)], tasks=[QUIZ, small, other]
    )
    assert totals(rows)[1] == totals(rows)[2] == 10
    assert ranks(rows)[2] == 1 and ranks(rows)[1] == 2


def test_earlier_finisher_wins_a_tie():
    rows = run([sub(1, 1, minutes=30), sub(2, 2, minutes=10)])
    assert ranks(rows) == {2: 1, 1: 2, 3: 3}


def test_groups_equal_on_everything_share_a_rank_and_the_next_rank_is_skipped():
    rows = run([sub(1, 1, minutes=5), sub(2, 2, minutes=5)])
    assert ranks(rows) == {1: 1, 2: 1, 3: 3}


def test_a_late_submission_that_nets_nothing_does_not_move_the_time_of_the_final_score():
    """A reached 10 at minute 1; its later task was late enough to earn nothing."""
    small = ScoringTask(5, "Kecil", 5, late={"policy": "penalty_points", "value": 5})
    rows = run(
        [sub(1, 1, minutes=1), sub(2, 1, small, minutes=50, late=3), sub(3, 2, minutes=10)],
        tasks=[QUIZ, small],
        tie_break=("points", "earliest_final"),
    )
    assert totals(rows)[1] == totals(rows)[2] == 10
    assert ranks(rows)[1] == 1 and ranks(rows)[2] == 2


def test_a_second_submission_worth_the_same_does_not_move_the_time_of_the_final_score():
    again = [sub(1, 1, minutes=1), sub(2, 1, minutes=50), sub(3, 2, minutes=10)]
    rows = run(again)
    assert ranks(rows)[1] == 1
    assert next(r for r in rows if r.group_id == 1).final_reached_at == at(1)


def test_late_policy_zero_keeps_the_submission_but_it_earns_nothing():
    task = ScoringTask(1, "Apel", 20, late={"policy": "zero"})
    rows = run([sub(1, 1, task, late=1), sub(2, 2, task)], tasks=[task])
    assert totals(rows) == {1: 0, 2: 20, 3: 0}
    mine = next(row for row in rows if row.group_id == 1)
    assert sorted((line.kind, line.points) for line in mine.lines) == [("late", -20), ("task", 20)]
    assert mine.tasks_completed == 1


def test_reviews_made_at_the_same_instant_are_taken_in_the_order_they_were_stored():
    accept, reject = Review(7, "accept", at(5), id=1), Review(8, "reject", at(5), id=2)
    for reviews in ([accept, reject], [reject, accept]):
        assert totals(run([sub(1, 1, PHOTO, reviews=reviews)]))[1] == 0
        judged = sub(1, 1, PHOTO, reviews=reviews)
        assert resolved_status(PHOTO, judged, "last") == "rejected"


def test_tie_break_order_is_a_setting():
    rows = run([sub(1, 1, minutes=30), sub(2, 2, minutes=10)], tie_break=("points",))
    assert ranks(rows)[1] == ranks(rows)[2] == 1


def test_a_late_submission_where_the_task_refuses_late_ones_does_not_count():
    """It can only be there because its window moved after it arrived: as if refused."""
    refusing = ScoringTask(1, "Apel", 20, late={"policy": "refuse"})
    unset = ScoringTask(2, "Kuis", 10)
    subs = [sub(1, 1, refusing, late=3), sub(2, 1, unset, late=0.5), sub(3, 2, refusing)]
    rows = run(subs, tasks=[refusing, unset])
    assert totals(rows) == {1: 0, 2: Decimal("20.00"), 3: 0}
    assert {row.group_id: row.tasks_completed for row in rows} == {1: 0, 2: 1, 3: 0}
    assert evaluate(refusing, sub(4, 1, refusing, late=3), "last") is None


def test_only_the_criteria_scored_count_and_an_empty_rubric_gives_the_tasks_points():
    """The judging service makes judges score every criterion unless the task says an empty
    rubric means full points; the rules here are what such reviews are worth."""
    two_of_ten = Review(7, "accept", at(1), rubric={"a": 2})
    assert evaluate(PHOTO, sub(1, 1, PHOTO, reviews=[two_of_ten]), "last") == Earned(800, 0)
    empty = Review(7, "accept", at(1), rubric={})
    assert evaluate(PHOTO, sub(2, 1, PHOTO, reviews=[empty]), "last") == Earned(4000, 0)


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        (
            "points,tasks_completed,earliest_final",
            "Groups with equal points are ranked by more tasks completed, then who reached "
            "their final score first; groups equal on that too share a place.",
        ),
        (
            "points,tasks_completed",
            "Groups with equal points are ranked by more tasks completed; groups equal on that "
            "too share a place.",
        ),
        ("points", "Groups with equal points share a place."),
        (
            "tasks_completed,points",
            "Groups are ranked by more tasks completed, then more points; groups equal on all "
            "of it share a place.",
        ),
        (
            "",
            "Groups with equal points are ranked by more tasks completed, then who reached "
            "their final score first; groups equal on that too share a place.",
        ),
    ],
)
def test_the_tie_break_reads_as_the_ranking_applies_it(setting, words):
    assert tie_break_rule(tie_break_order(setting)) == words
    marked = tie_break_rule(tie_break_order(setting), lambda text: f"<{text}>")
    assert marked.startswith("<") and marked.endswith(">")  # each piece is translated
    assert "more tasks completed" not in marked or "<more tasks completed>" in marked


def test_points_over_time_accumulate():
    rows = run([sub(1, 1, minutes=5)], adjustments=[Adjustment(1, -2, "x", at(9))])
    assert points_over_time(rows)[1] == [(at(5), Decimal("10.00")), (at(9), Decimal("8.00"))]


# Property tests over generated events.
tasks_st = st.lists(
    st.builds(
        ScoringTask,
        id=st.integers(1, 6),
        title=st.just("t"),
        points=st.integers(0, 50),
        rubric_max=st.sampled_from([0, 10]),
        first_bonus=st.sampled_from([(), (5, 3), (10,)]),
        late=st.sampled_from(
            [
                {},
                {"policy": "per_minute", "value": 1, "cap": 5},
                {"policy": "penalty_percent", "value": 20},
            ]
        ),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda t: t.id,
)
review_st = st.builds(
    Review,
    id=st.integers(0, 3),
    judge_id=st.integers(1, 3),
    decision=st.sampled_from(["accept", "reject", "redo"]),
    at=st.integers(0, 600).map(at),
    points=st.none() | st.integers(0, 60),
    rubric=st.none() | st.fixed_dictionaries({"a": st.integers(0, 5), "b": st.integers(0, 5)}),
)
subs_st = st.lists(
    st.builds(
        ScoringSubmission,
        id=st.integers(1, 10_000),
        task_id=st.integers(1, 6),
        group_id=st.integers(1, 3),
        received_at=st.integers(0, 600).map(at),
        status=st.sampled_from(["accepted", "pending", "rejected"]),
        late_minutes=st.sampled_from([0, 0, 3, 40]),
        reviews=st.lists(review_st, max_size=3).map(tuple),
    ),
    max_size=25,
    unique_by=lambda s: s.id,
)
adjust_st = st.lists(
    st.builds(
        Adjustment,
        group_id=st.integers(1, 3),
        points=st.integers(-20, 20),
        reason=st.just("r"),
        at=st.integers(0, 600).map(at),
    ),
    max_size=3,
)
hints_st = st.lists(
    st.builds(
        HintCost,
        group_id=st.integers(1, 3),
        task_id=st.integers(1, 6),
        cost=st.integers(0, 5),
        at=st.integers(0, 600).map(at),
    ),
    max_size=3,
)
conflict_st = st.sampled_from(["last", "average"])
counts_st = st.sampled_from(["best", "latest"])
order_st = st.permutations(["points", "tasks_completed", "earliest_final"]).map(tuple)


def score_moments(row) -> list:
    """When something moved the score: a task's points net of its late penalty count as one."""
    net: dict = {}
    for line in row.lines:
        key = (line.at, line.task_id) if line.kind in ("task", "late") else (line.at, id(line))
        net[key] = net.get(key, 0) + line.points
    return [when for (when, _), points in net.items() if points]


def test_a_submissions_worth_is_kept_in_whole_cents_rounded_half_up():
    third = ScoringTask(30, "Sepertiga", 10, rubric_max=3)
    one_of_three = Review(7, "accept", at(1), rubric={"a": 1})
    assert evaluate(third, sub(1, 1, third, reviews=[one_of_three]), "last") == Earned(333, 0)
    percent = ScoringTask(31, "Persen", 5.35, late={"policy": "penalty_percent", "value": 50})
    assert evaluate(percent, sub(2, 1, percent, late=3), "last") == Earned(535, 268)
    assert evaluate(QUIZ, sub(3, 1, status="pending"), "last") is None


def test_the_status_after_reviews_follows_the_events_rule():
    yes, no = Review(1, "accept", at(1)), Review(2, "reject", at(2))
    judged = sub(1, 1, PHOTO, status="rejected", reviews=[yes, no])
    assert resolved_status(PHOTO, judged, "last") == "rejected"
    assert resolved_status(PHOTO, judged, "average") == "accepted"
    redo = sub(2, 1, PHOTO, reviews=[Review(1, "redo", at(3))])
    assert resolved_status(PHOTO, redo, "last") == "redo"
    assert resolved_status(PHOTO, sub(3, 1, status="pending"), "last") == "pending"


def test_pick_keeps_the_best_or_the_latest_and_the_first_completion():
    early, better, later = (
        Scored(1, 20, 1, at(1), 500, 0),
        Scored(2, 20, 1, at(2), 900, 100),
        Scored(3, 20, 1, at(3), 800, 0),  # same net as the second: the earlier one wins a tie
    )
    chosen, first = pick([later, early, better], "best")
    assert chosen[(1, 20)] is better and first[(1, 20)] == (at(1), 1)
    chosen, _first = pick([better, later, early], "latest")
    assert chosen[(1, 20)] is later


@settings(max_examples=100, deadline=None)
@given(tasks_st, subs_st, hints_st, adjust_st, conflict_st, st.sampled_from(["best", "latest"]))
def test_the_standings_from_database_text_times_equal_those_from_times(
    tasks, subs, hints, adjustments, conflict, counts
):
    """The live standings pick on the database's own text and turn only what is shown into
    times: text in SQLite's format must order exactly as the times do."""
    rules = Settings(conflict=conflict, counts=counts)
    by_id = {task.id: task for task in tasks}
    as_text = [
        worth._replace(received_at=worth.received_at.strftime("%Y-%m-%d %H:%M:%S.%f"))
        for worth in scored(by_id, subs, conflict)
    ]
    chosen, first = pick(as_text, counts)
    from_text = tally(
        GROUPS,
        by_id,
        chosen,
        first,
        hints,
        adjustments,
        rules,
        as_time=lambda text: datetime.fromisoformat(text + "+00:00"),
    )
    assert from_text == standings(GROUPS, tasks, subs, hints, adjustments, rules)


@settings(max_examples=200, deadline=None)
@given(tasks_st, subs_st, hints_st, adjust_st, conflict_st, counts_st, order_st, st.randoms())
def test_ranking_is_a_function_of_the_inputs_not_their_order(
    tasks, subs, hints, adjustments, conflict, counts, order, rng
):
    """Submissions, their reviews, hints and adjustments in any order give one ranking."""
    rules = Settings(conflict=conflict, counts=counts, tie_break=order)
    first = standings(GROUPS, tasks, subs, hints, adjustments, rules)
    shuffled = [s._replace(reviews=tuple(rng.sample(s.reviews, len(s.reviews)))) for s in subs]
    rng.shuffle(shuffled)
    again = standings(
        GROUPS,
        list(reversed(tasks)),
        shuffled,
        rng.sample(hints, len(hints)),
        rng.sample(adjustments, len(adjustments)),
        rules,
    )
    assert first == again


@settings(max_examples=150, deadline=None)
@given(tasks_st, subs_st, hints_st, adjust_st, counts_st)
def test_ranks_run_from_one_with_ties_sharing_and_totals_equal_their_lines(
    tasks, subs, hints, adjustments, counts
):
    rows = standings(GROUPS, tasks, subs, hints, adjustments, Settings(counts=counts))
    assert rows[0].rank == 1
    for position, row in enumerate(rows, start=1):
        assert row.total == sum((line.points for line in row.lines), Decimal("0"))
        assert row.final_reached_at == max(score_moments(row), default=None)
        assert row.tasks_completed == len({ln.task_id for ln in row.lines if ln.kind == "task"})
        previous = rows[position - 2] if position > 1 else None
        if (
            previous is not None
            and previous.total == row.total
            and previous.tasks_completed == row.tasks_completed
            and previous.final_reached_at == row.final_reached_at
        ):
            assert row.rank == previous.rank
        else:
            assert row.rank == position


@settings(max_examples=150, deadline=None)
@given(
    tasks_st,
    subs_st,
    adjust_st,
    st.integers(1, 3),
    st.integers(1, 30),
    counts_st,
    st.permutations(["tasks_completed", "earliest_final"]),
)
def test_adding_points_to_a_group_never_lowers_its_rank(
    tasks, subs, adjustments, group, extra, counts, rest
):
    """For every tie-break order that puts points first (an order that ranks on tasks or
    time before points is free to rank a later finisher lower, whatever its points)."""
    rules = Settings(counts=counts, tie_break=("points", *rest))
    before = ranks(standings(GROUPS, tasks, subs, (), adjustments, rules))
    bonus = adjustments + [Adjustment(group, extra, "bonus", at(700))]
    assert ranks(standings(GROUPS, tasks, subs, (), bonus, rules))[group] <= before[group]


@settings(max_examples=150, deadline=None)
@given(tasks_st, subs_st, conflict_st, st.data())
def test_removing_a_submission_never_raises_the_groups_total(tasks, subs, conflict, data):
    """With the best submission counting (the default). When the latest counts, removing it
    lets an earlier, better one count again: that is what "latest" means."""
    if not subs:
        return
    removed = data.draw(st.sampled_from(subs))
    rest = [s for s in subs if s.id != removed.id]
    before = totals(standings(GROUPS, tasks, subs, settings=Settings(conflict=conflict)))
    after = totals(standings(GROUPS, tasks, rest, settings=Settings(conflict=conflict)))
    assert after[removed.group_id] <= before[removed.group_id]
