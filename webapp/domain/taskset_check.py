"""Checks a parsed task set and reports every problem at once, each with file, line and key."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webapp.domain.inputs import within_calendar
from webapp.domain.taskset_problems import Checker, Problem, TaskSetInvalid
from webapp.domain.taskset_shape import LATE, LOCATION, SET, TASK, WINDOW, check_shape
from webapp.domain.text import N_

__all__ = ["KINDS", "LATE_POLICIES", "Problem", "TaskSetInvalid", "check_taskset"]

KINDS = ("photo", "text", "number", "choice", "checkin", "photo_at_location")
AT_LOCATION = ("checkin", "photo_at_location")
LATE_POLICIES = ("refuse", "penalty_points", "penalty_percent", "per_minute", "zero", "review")
TOP_KEYS = {"set", "locations", "tasks"}
SET_KEYS, LOCATION_KEYS, TASK_KEYS = set(SET), set(LOCATION), set(TASK)
WINDOW_KEYS, LATE_KEYS = set(WINDOW), set(LATE)
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
CLOCK = re.compile(r"^\d{2}:\d{2}$")


def check_taskset(data: dict[str, Any], text: str, filename: str) -> list[Problem]:
    """Every problem of the file; a value of the wrong type or size is reported once, by
    its shape, and the rules check what is left."""
    c = Checker(text, filename)
    data = check_shape(c, data)
    misshapen = {problem.key for problem in c.problems}
    shape_problems = len(c.problems)
    c.unknown("", 0, data, TOP_KEYS)
    check_set(c, data.get("set"))
    locations = [loc for loc in data.get("locations", []) if isinstance(loc, dict)]
    tasks = [task for task in data.get("tasks", []) if isinstance(task, dict)]
    location_ids = check_locations(c, locations)
    task_ids = [t.get("id") for t in tasks]
    for index, task in enumerate(tasks):
        check_task(c, index, task, location_ids, task_ids)
    check_ids(c, "tasks", task_ids, N_("Task id %(id)s is used more than once."))
    check_cycles(c, tasks)
    return c.problems[:shape_problems] + [
        problem for problem in c.problems[shape_problems:] if problem.key not in misshapen
    ]


def check_set(c: Checker, info: Any) -> None:
    if not isinstance(info, dict):
        c.add("", 0, "set", N_("The file needs a [set] table with at least a title."))
        return
    c.unknown("set", 0, info, SET_KEYS)
    c.required("set", 0, info, ("title",))
    if info.get("language", "id") not in ("id", "en"):
        c.add("set", 0, "language", N_('language must be "id" or "en".'))
    if "timezone" in info:
        try:
            ZoneInfo(str(info["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            c.add(
                "set",
                0,
                "timezone",
                N_("%(zone)s is not a time zone; use e.g. Asia/Makassar."),
                zone=info["timezone"],
            )
    for key in ("start", "end"):
        if key in info and parse_clock(info[key]) is None:
            c.add("set", 0, key, N_("%(key)s must be a time like 07:00."), key=key)


def check_locations(c: Checker, locations: list[dict]) -> set[str]:
    for index, loc in enumerate(locations):
        c.unknown("locations", index, loc, LOCATION_KEYS)
        c.required("locations", index, loc, ("id", "name", "lat", "lon"))
        check_id(c, "locations", index, loc)
        if "lat" in loc and not -90 <= loc["lat"] <= 90:
            c.add(
                "locations",
                index,
                "lat",
                N_("Latitude %(value)s is outside -90 to 90."),
                value=loc["lat"],
            )
        if "lon" in loc and not -180 <= loc["lon"] <= 180:
            c.add(
                "locations",
                index,
                "lon",
                N_("Longitude %(value)s is outside -180 to 180."),
                value=loc["lon"],
            )
        if "radius" in loc and loc["radius"] <= 0:
            c.add("locations", index, "radius", N_("The radius must be more than 0 metres."))
    ids = [loc.get("id") for loc in locations]
    check_ids(c, "locations", ids, N_("Location id %(id)s is used more than once."))
    return {i for i in ids if isinstance(i, str)}


def check_id(c: Checker, section: str, index: int, table: dict) -> None:
    if "id" in table and (not isinstance(table["id"], str) or not ID.match(table["id"])):
        c.add(section, index, "id", N_("An id uses lower-case letters, digits, - and _ only."))


def check_ids(c: Checker, section: str, ids: list, template: str) -> None:
    seen: set = set()
    for index, key in enumerate(ids):
        if isinstance(key, str) and key in seen:
            c.add(section, index, "id", template, id=key)
        seen.add(key)


def check_task(c: Checker, i: int, task: dict, location_ids: set[str], task_ids: list) -> None:
    c.unknown("tasks", i, task, TASK_KEYS)
    c.required("tasks", i, task, ("id", "title", "kind"))
    check_id(c, "tasks", i, task)
    kind = task.get("kind")
    if "kind" in task and kind not in KINDS:
        c.add(
            "tasks",
            i,
            "kind",
            N_("Unknown kind %(kind)s; use one of %(kinds)s."),
            kind=kind,
            kinds=", ".join(KINDS),
        )
    if task.get("points", 0) < 0:
        c.add("tasks", i, "points", N_("Points cannot be negative."))
    if "location" in task and task["location"] not in location_ids:
        c.add(
            "tasks",
            i,
            "location",
            N_("Task %(task)s points at location %(location)s, which is not defined."),
            task=task.get("id"),
            location=task["location"],
        )
    if kind in AT_LOCATION and "location" not in task:
        c.add("tasks", i, "location", N_("A %(kind)s task needs a location."), kind=kind)
    after = task.get("unlocks_after")
    if after is not None and (after not in task_ids or after == task.get("id")):
        c.add(
            "tasks",
            i,
            "unlocks_after",
            N_("unlocks_after names %(task)s, which is not another task of this set."),
            task=after,
        )
    check_window(c, i, task, task_ids)
    check_late(c, i, task.get("late"))
    check_answers(c, i, task)
    check_lists(c, i, task)


def parse_clock(value: Any) -> time | datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = time.fromisoformat(value) if CLOCK.match(value) else datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, time) or within_calendar(parsed) else None


def check_window(c: Checker, i: int, task: dict, task_ids: list) -> None:
    window = task.get("window")
    if window is None:
        return
    if not isinstance(window, dict):
        c.add("tasks", i, "window", N_("window must be a table."))
        return
    c.unknown("tasks", i, window, WINDOW_KEYS, prefix="window.")
    if "after" in window:
        if window["after"] != "start" and (
            window["after"] not in task_ids or window["after"] == task.get("id")
        ):
            c.add(
                "tasks",
                i,
                "window.after",
                N_('window.after must be "start" or the id of another task, not %(value)s.'),
                value=window["after"],
            )
        if not isinstance(window.get("offset", 0), int) or window.get("offset", 0) < 0:
            c.add("tasks", i, "window.offset", N_("window.offset is minutes, 0 or more."))
        if "duration" in window and (
            not isinstance(window["duration"], int) or window["duration"] <= 0
        ):
            c.add("tasks", i, "window.duration", N_("window.duration must be more than 0 minutes."))
        return
    opens, closes = parse_clock(window.get("opens")), parse_clock(window.get("closes"))
    for key, value in (("opens", opens), ("closes", closes)):
        if key in window and value is None:
            c.add(
                "tasks",
                i,
                f"window.{key}",
                N_("window.%(key)s must be a time like 07:00 or 2026-11-25T07:00."),
                key=key,
            )
    if opens is not None and closes is not None and type(opens) is type(closes) and closes <= opens:
        c.add(
            "tasks",
            i,
            "window.closes",
            N_("The window ends (%(closes)s) before it starts (%(opens)s)."),
            opens=window["opens"],
            closes=window["closes"],
        )


def check_late(c: Checker, i: int, late: Any) -> None:
    if late is None:
        return
    if not isinstance(late, dict):
        c.add("tasks", i, "late", N_("late must be a table."))
        return
    c.unknown("tasks", i, late, LATE_KEYS, prefix="late.")
    policy = late.get("policy", "refuse")
    if policy not in LATE_POLICIES:
        c.add(
            "tasks",
            i,
            "late.policy",
            N_("Unknown late policy %(policy)s; use one of %(policies)s."),
            policy=policy,
            policies=", ".join(LATE_POLICIES),
        )
    if policy in ("penalty_points", "penalty_percent", "per_minute"):
        value = late.get("value")
        if not isinstance(value, int | float) or value <= 0:
            c.add(
                "tasks",
                i,
                "late.value",
                N_("The late policy %(policy)s needs a value more than 0."),
                policy=policy,
            )
        elif policy == "penalty_percent" and value > 100:
            c.add("tasks", i, "late.value", N_("A percentage penalty cannot exceed 100."))
    for key in ("cap", "grace"):
        if key in late and (not isinstance(late[key], int | float) or late[key] < 0):
            c.add("tasks", i, f"late.{key}", N_("late.%(key)s must be 0 or more."), key=key)


def check_answers(c: Checker, i: int, task: dict) -> None:
    kind = task.get("kind")
    if "answers" in task and (
        not isinstance(task["answers"], list)
        or not all(isinstance(a, str) for a in task["answers"])
    ):
        c.add("tasks", i, "answers", N_("answers must be a list of texts."))
    if kind == "number" and "answer" in task and not isinstance(task["answer"], int | float):
        c.add("tasks", i, "answer", N_("The answer of a number task must be a number."))
    if "tolerance" in task and (
        not isinstance(task["tolerance"], int | float) or task["tolerance"] < 0
    ):
        c.add("tasks", i, "tolerance", N_("tolerance must be a number, 0 or more."))
    if kind == "choice":
        choices = task.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            c.add("tasks", i, "choices", N_("A choice task needs at least two choices."))
        elif "answer" in task and task["answer"] not in choices:
            c.add(
                "tasks",
                i,
                "answer",
                N_("The answer %(answer)s is not one of the choices."),
                answer=task["answer"],
            )
    if task.get("review", "judge") not in ("judge", "auto"):
        c.add("tasks", i, "review", N_('review must be "judge" or "auto".'))


def check_lists(c: Checker, i: int, task: dict) -> None:
    for key, fields, template in (
        ("rubric", ("name", "max"), N_("Each rubric criterion needs a name and a max above 0.")),
        ("hints", ("text", "cost"), N_("Each hint needs a text and a cost of 0 or more.")),
    ):
        for item in task.get(key, []) if isinstance(task.get(key, []), list) else [None]:
            ok = (
                isinstance(item, dict)
                and set(item) <= set(fields)
                and isinstance(item.get(fields[0]), str)
                and isinstance(item.get(fields[1], 0), int | float)
                and (item.get(fields[1], 0) > 0 if key == "rubric" else item.get(fields[1], 0) >= 0)
            )
            if not ok:
                c.add("tasks", i, key, template)
                break
    if task.get("rubric_optional") is True and not task.get("rubric"):  # its type: the shape
        c.add("tasks", i, "rubric_optional", N_("rubric_optional needs a rubric."))
    bonus = task.get("first_bonus", [])
    if not isinstance(bonus, list) or not all(isinstance(b, int) and b >= 0 for b in bonus):
        c.add("tasks", i, "first_bonus", N_("first_bonus is a list of points, 0 or more."))


def check_cycles(c: Checker, tasks: list[dict]) -> None:
    """A task that waits for itself through other tasks would never open."""
    waits = {
        t.get("id"): {
            d
            for d in (
                t.get("unlocks_after"),
                (t.get("window") or {}).get("after") if isinstance(t.get("window"), dict) else None,
            )
            if d and d != "start"
        }
        for t in tasks
    }
    for index, task in enumerate(tasks):
        seen, stack = set(), list(waits.get(task.get("id"), ()))
        while stack:
            current = stack.pop()
            if current == task.get("id"):
                c.add(
                    "tasks",
                    index,
                    "unlocks_after",
                    N_(
                        "Task %(task)s waits for itself "
                        "through other tasks, so it would never open."
                    ),
                    task=current,
                )
                break
            if current not in seen:
                seen.add(current)
                stack.extend(waits.get(current, ()))
