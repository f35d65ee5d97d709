"""Writes a task set back as TOML, in the same format organisers write by hand."""

from __future__ import annotations

import json
from typing import Any

from webapp.domain.taskset import TaskSet, TaskSpec


def dump_taskset(taskset: TaskSet) -> str:
    out = ["[set]"]
    out += pairs(
        {
            "title": taskset.title,
            "language": taskset.language,
            "description": taskset.description,
            "timezone": taskset.timezone,
            "start": taskset.start,
            "end": taskset.end,
        }
    )
    for loc in taskset.locations:
        out += ["", "[[locations]]"]
        out += pairs(
            {
                "id": loc.id,
                "name": loc.name,
                "lat": loc.lat,
                "lon": loc.lon,
                "radius": loc.radius,
                "address": loc.address,
                "hint": loc.hint,
            }
        )
    for task in taskset.tasks:
        out += ["", "[[tasks]]"]
        out += pairs(task_fields(task))
    return "\n".join(out) + "\n"


def task_fields(task: TaskSpec) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": task.id,
        "title": task.title,
        "kind": task.kind,
        "points": task.points,
        "order": task.order,
    }
    if task.location:
        fields["location"] = task.location
    fields["instructions"] = task.instructions
    fields.update(task.check)
    for key in ("window", "late"):
        if getattr(task, key):
            fields[key] = getattr(task, key)
    for key in ("rubric", "hints", "first_bonus"):
        if getattr(task, key):
            fields[key] = list(getattr(task, key))
    if task.unlocks_after:
        fields["unlocks_after"] = task.unlocks_after
    if task.reference_photo:
        fields["reference_photo"] = task.reference_photo
    if task.fresh_photo:
        fields["fresh_photo"] = True
    if task.rubric_optional:
        fields["rubric_optional"] = True
    return fields


def pairs(fields: dict[str, Any]) -> list[str]:
    return [f"{key} = {value(v)}" for key, v in fields.items() if v != ""]


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        if "\n" in v and '"""' not in v and "\\" not in v and not v.endswith('"'):
            return '"""\n' + v + '"""'
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(item) for item in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to a task set")
