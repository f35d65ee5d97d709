"""The task-set format: every problem reported at once with its line, and exact round trips."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.domain.taskset import (
    KINDS,
    LocationSpec,
    TaskSet,
    TaskSetInvalid,
    TaskSpec,
    load_taskset,
    load_taskset_file,
)
from webapp.domain.taskset_export import dump_taskset

TASKS = Path(__file__).resolve().parents[2] / "tasks"
EXAMPLES = sorted(TASKS.glob("*.toml"))

GOOD = """\
[set]
title = "Uji"
language = "id"

[[locations]]
id = "benteng"
name = "Fort Rotterdam"
lat = -5.1343
lon = 119.4055
radius = 50

[[tasks]]
id = "foto"
title = "Foto"
kind = "photo_at_location"
location = "benteng"
points = 10
"""


def problems(text: str) -> list:
    with pytest.raises(TaskSetInvalid) as exc:
        load_taskset(text, "set.toml")
    return exc.value.problems


def only(text: str):
    found = problems(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_a_good_file_loads():
    taskset = load_taskset(GOOD)
    assert taskset.title == "Uji"
    assert taskset.tasks[0].location == "benteng"
    assert taskset.location("benteng").radius == 50


def test_unknown_key_is_reported_with_its_line():
    problem = only(GOOD + 'colour = "red"\n')
    assert problem.line == 18 and "colour" in problem.message and problem.file == "set.toml"


def test_unknown_key_inside_a_window_is_reported():
    problem = only(GOOD + 'window = { opens = "07:00", shuts = "09:00" }\n')
    assert problem.line == 18 and problem.key == "tasks[1].window.shuts"


def test_task_pointing_at_a_missing_location_is_reported_with_its_line():
    problem = only(GOOD.replace('location = "benteng"', 'location = "pantai"'))
    assert problem.line == 16
    assert problem.message == "Task foto points at location pantai, which is not defined."


def test_window_ending_before_it_starts_is_reported():
    problem = only(GOOD + 'window = { opens = "10:00", closes = "09:00" }\n')
    assert problem.line == 18 and "before it starts" in problem.message


def test_radius_not_positive_is_reported():
    problem = only(GOOD.replace("radius = 50", "radius = 0"))
    assert problem.line == 10 and problem.key == "locations[1].radius"


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("lat = -5.1343", "lat = -95.0", 8),
        ("lon = 119.4055", "lon = 190.0", 9),
    ],
)
def test_coordinates_out_of_range_are_reported(old, new, line):
    problem = only(GOOD.replace(old, new))
    assert problem.line == line and "outside" in problem.message


def test_duplicate_ids_are_reported_at_the_second_one():
    text = GOOD + '\n[[tasks]]\nid = "foto"\ntitle = "Lagi"\nkind = "photo"\n'
    problem = only(text)
    assert problem.line == 20 and "more than once" in problem.message
    text = GOOD.replace(
        "[[tasks]]", '[[locations]]\nid = "benteng"\nname = "x"\nlat = 0\nlon = 0\n\n[[tasks]]'
    )
    assert "more than once" in only(text).message


def test_every_problem_is_reported_at_once():
    text = GOOD.replace("radius = 50", "radius = -1").replace(
        'kind = "photo_at_location"', 'kind = "dance"'
    )
    text = text.replace("points = 10", "points = -3") + 'unlocks_after = "nothing"\nfoo = 1\n'
    found = problems(text)
    assert len(found) == 5
    assert sorted(p.line for p in found) == [10, 15, 17, 18, 19]


def test_syntax_error_is_reported_with_its_line():
    problem = only(GOOD + "points = = 3\n")
    assert problem.line == 18 and "not valid TOML" in problem.message


def test_checkin_without_location_is_reported():
    problem = only(GOOD.replace('location = "benteng"\n', ""))
    assert "needs a location" in problem.message and problem.line == 12


def test_cycle_of_unlocks_is_reported():
    text = (
        GOOD + 'unlocks_after = "b"\n\n[[tasks]]\nid = "b"\ntitle = "B"\nkind = "text"\n'
        'unlocks_after = "foto"\n'
    )
    found = problems(text)
    assert len(found) == 2 and all("waits for itself" in p.message for p in found)


def test_choice_answer_must_be_among_the_choices():
    text = (
        GOOD + '\n[[tasks]]\nid = "pg"\ntitle = "PG"\nkind = "choice"\n'
        'choices = ["A", "B"]\nanswer = "C"\n'
    )
    problem = only(text)
    assert problem.line == 24 and "not one of the choices" in problem.message


def test_late_policy_needs_a_value():
    problem = only(GOOD + 'late = { policy = "penalty_points" }\n')
    assert problem.key == "tasks[1].late.value"


def test_problem_reads_as_file_line_key_message():
    problem = only(GOOD.replace("radius = 50", "radius = 0"))
    assert (
        str(problem) == "set.toml:10: locations[1].radius: The radius must be more than 0 metres."
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_round_trips(path):
    taskset = load_taskset_file(path)
    assert load_taskset(dump_taskset(taskset)) == taskset


def test_examples_are_there():
    names = {p.stem for p in EXAMPLES}
    assert {"demo", "field-day", "observation-visit"} <= names


def test_demo_has_every_kind_of_task():
    kinds = {task.kind for task in load_taskset_file(TASKS / "demo.toml").tasks}
    assert kinds == set(KINDS)


slug = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


def checks(kind):
    if kind == "text":
        return st.builds(lambda a: {"answers": a}, st.lists(text.filter(bool), max_size=3))
    if kind == "number":
        return st.builds(
            lambda a, t: {"answer": a, "tolerance": t},
            st.integers(-(10**6), 10**6),
            st.floats(0, 10, allow_nan=False),
        )
    if kind == "choice":
        return st.lists(text.filter(bool), min_size=2, max_size=4, unique=True).map(
            lambda c: {"choices": c, "answer": c[0]}
        )
    return st.sampled_from([{}, {"review": "auto"}, {"review": "judge"}])


@st.composite
def tasksets(draw):
    loc_ids = draw(st.lists(slug, min_size=1, max_size=3, unique=True))
    locations = tuple(
        LocationSpec(
            id=i,
            name=draw(text.filter(bool)),
            lat=draw(st.floats(-90, 90, allow_nan=False)),
            lon=draw(st.floats(-180, 180, allow_nan=False)),
            radius=draw(st.floats(1, 5000, allow_nan=False)),
            address=draw(text),
            hint=draw(text),
        )
        for i in loc_ids
    )
    task_ids = draw(st.lists(slug, min_size=1, max_size=4, unique=True))
    tasks = []
    for order, task_id in enumerate(task_ids, start=1):
        kind = draw(st.sampled_from(KINDS))
        tasks.append(
            TaskSpec(
                id=task_id,
                title=draw(text.filter(bool)),
                kind=kind,
                points=draw(st.integers(0, 1000)),
                instructions=draw(text).strip(),
                location=draw(st.sampled_from(loc_ids))
                if kind in ("checkin", "photo_at_location")
                else None,
                window=draw(
                    st.sampled_from(
                        [
                            {},
                            {"opens": "07:00", "closes": "17:00"},
                            {"after": "start", "offset": 5, "duration": 30},
                        ]
                    )
                ),
                late=draw(
                    st.sampled_from(
                        [{}, {"policy": "refuse"}, {"policy": "per_minute", "value": 1, "cap": 10}]
                    )
                ),
                check=draw(checks(kind)),
                hints=tuple(
                    {"text": draw(text.filter(bool)), "cost": draw(st.integers(0, 20))}
                    for _ in range(draw(st.integers(0, 2)))
                ),
                first_bonus=tuple(draw(st.lists(st.integers(0, 10), max_size=3))),
                order=order,
            )
        )
    return TaskSet(
        title=draw(text.filter(bool)),
        language=draw(st.sampled_from(["id", "en"])),
        description=draw(text).strip(),
        locations=locations,
        tasks=tuple(tasks),
    )


@settings(max_examples=60, deadline=None)
@given(tasksets())
def test_dump_then_load_gives_the_same_task_set(taskset):
    assert load_taskset(dump_taskset(taskset)) == taskset


def test_the_complete_example_in_the_readme_is_a_valid_task_set():
    import re

    readme = (TASKS / "README.md").read_text()
    block = re.search(r"## A complete example\n\n```toml\n(.*?)```", readme, re.S).group(1)
    assert {task.kind for task in load_taskset(block).tasks} == {
        "checkin",
        "number",
        "photo_at_location",
    }
