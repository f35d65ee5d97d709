"""Property tests: whatever text comes in, the parsers answer with a result or with problems
in words, never with an exception."""

from __future__ import annotations

import math
from datetime import datetime

import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from webapp.domain import answers, inputs
from webapp.domain.taskset import KINDS, LATE_POLICIES, TaskSet, TaskSetInvalid, load_taskset
from webapp.domain.taskset_shape import LATE, LOCATION, SET, TASK, WINDOW

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
)
anything = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
plausible = {
    "kind": st.sampled_from(KINDS),
    "policy": st.sampled_from(LATE_POLICIES),
    "id": st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True),
    "location": st.sampled_from(["l1", "l2"]),
    "unlocks_after": st.sampled_from(["t1", "t2"]),
    "after": st.sampled_from(["start", "t1", "t2"]),
    "opens": st.sampled_from(["07:00", "2026-11-25T07:00", "0001-01-01T00:00", "25:99"]),
    "closes": st.sampled_from(["17:00", "2026-11-25T17:00", "9999-12-31T23:59"]),
    "timezone": st.sampled_from(["Asia/Makassar", "Mars/Base", "../../etc/passwd"]),
    "review": st.sampled_from(["judge", "auto"]),
}


def table_of(keys: dict, extra: bool = True):
    """Some of the keys, each with a value it could have or any value at all."""
    names = st.lists(st.sampled_from(sorted(keys)), unique=True, max_size=len(keys))

    @st.composite
    def build(draw):
        table = {
            name: draw(st.one_of(plausible.get(name, anything), anything)) for name in draw(names)
        }
        for name in ("window", "late"):
            if name in keys and draw(st.booleans()):
                table[name] = draw(table_of(WINDOW if name == "window" else LATE))
        if extra and draw(st.booleans()):
            table[draw(st.text(min_size=1, max_size=8))] = draw(anything)
        return table

    return build()


tasksets = st.fixed_dictionaries(
    {
        "set": table_of(SET, extra=False),
        "locations": st.lists(table_of(LOCATION), max_size=2),
        "tasks": st.lists(table_of(TASK), max_size=3),
    }
)


def assert_result_or_problems(text: str) -> None:
    try:
        result = load_taskset(text, "fuzz.toml")
    except TaskSetInvalid as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 1 and str(problem).startswith("fuzz.toml:")
        return
    assert isinstance(result, TaskSet)
    numbers = [n for loc in result.locations for n in (loc.lat, loc.lon, loc.radius)]
    numbers += [task.points for task in result.tasks]
    assert all(math.isfinite(n) for n in numbers)


@FUZZ
@given(tasksets)
@example(
    {"set": {"title": "x"}, "tasks": [{"id": "a", "title": "t", "kind": "text", "order": "x"}]}
)
@example({"set": {"title": "x", "description": 5}})
@example(
    {"set": {"title": "x"}, "tasks": [{"id": "a", "title": "a", "kind": "text", "location": [1]}]}
)
def test_any_task_set_shaped_data_loads_or_gives_problems(data):
    assert_result_or_problems(tomli_w.dumps(data))


@FUZZ
@given(st.text(max_size=300))
@example('[set]\ntitle = "x"\nk = ' + "[" * 2000 + "]" * 2000)
@example('[set]\ntitle = "x"\nk = ' + "{a=" * 2000 + "1" + "}" * 2000)
def test_any_text_loads_or_gives_problems(text):
    assert_result_or_problems(text)


@FUZZ
@given(st.text(alphabet="[]{}\"'#=\n abc01.,-", max_size=300))
def test_any_brackets_and_quotes_load_or_give_problems(text):
    assert_result_or_problems('[set]\ntitle = "x"\n' + text)


numbers_as_typed = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"[-+]?[\d.,\s]{0,500}", fullmatch=True),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@FUZZ
@given(numbers_as_typed)
@example("9" * 400)
def test_parse_number_gives_a_finite_number_or_none(text):
    value = answers.parse_number(text)
    assert value is None or math.isfinite(value)


@FUZZ
@given(numbers_as_typed, st.floats(-1e9, 1e9), st.floats(0, 1e6))
def test_check_number_gives_a_verdict(text, expected, tolerance):
    assert answers.check_number(text, expected, tolerance) in (answers.CORRECT, answers.WRONG)


@FUZZ
@given(st.text(max_size=60), st.lists(st.text(max_size=20), max_size=4), st.text(max_size=20))
def test_text_and_choice_answers_give_a_verdict(answer, accepted, right):
    verdicts = (answers.CORRECT, answers.WRONG, answers.NEEDS_JUDGE)
    assert answers.check_text(answer, accepted) in verdicts
    assert answers.check_choice(answer, accepted, right) in verdicts
    assert answers.is_choice(answer, accepted) in (True, False)


@FUZZ
@given(st.one_of(st.none(), st.text(max_size=60), anything.map(repr)))
@example('{"captured_at": "0001-01-01T00:00:00", "gps": [1e999, 0]}')
@example("[" * 5000 + "]" * 5000)
def test_what_a_phone_sends_is_taken_or_refused_in_words(text):
    for parse in (inputs.finite, inputs.accuracy, lambda t: inputs.position(t, t)):
        try:
            parse(text)
        except inputs.Refused as exc:
            assert exc.message
    assert inputs.client_time(text) is None or inputs.within_calendar(inputs.client_time(text))
    assert isinstance(inputs.evidence(text), dict)
