"""The task-set file: TOML that organisers write by hand, share and import; parsed and checked."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webapp.domain.taskset_check import KINDS, LATE_POLICIES, Problem, TaskSetInvalid, check_taskset
from webapp.domain.taskset_shape import MAX_FILE_BYTES, check_text, too_large
from webapp.domain.text import N_

__all__ = [
    "KINDS",
    "LATE_POLICIES",
    "LocationSpec",
    "Problem",
    "TaskSet",
    "TaskSetInvalid",
    "TaskSpec",
    "load_taskset",
    "load_taskset_file",
]


@dataclass(frozen=True)
class LocationSpec:
    id: str
    name: str
    lat: float
    lon: float
    radius: float = 50.0
    address: str = ""
    hint: str = ""


@dataclass(frozen=True)
class TaskSpec:
    """One task; `window`, `late` and `check` keep the file's small tables as plain dicts."""

    id: str
    title: str
    kind: str
    points: int = 0
    instructions: str = ""
    location: str | None = None
    window: dict = field(default_factory=dict)
    late: dict = field(default_factory=dict)
    check: dict = field(default_factory=dict)
    rubric: tuple[dict, ...] = ()
    hints: tuple[dict, ...] = ()
    first_bonus: tuple[int, ...] = ()
    unlocks_after: str | None = None
    reference_photo: str | None = None
    fresh_photo: bool = False
    order: int = 0
    rubric_optional: bool = False  # an accept with the rubric left empty earns full points


@dataclass(frozen=True)
class TaskSet:
    title: str
    language: str = "id"
    description: str = ""
    timezone: str = "Asia/Jakarta"
    start: str = "07:00"
    end: str = "17:00"
    locations: tuple[LocationSpec, ...] = ()
    tasks: tuple[TaskSpec, ...] = ()

    def location(self, key: str | None) -> LocationSpec | None:
        return next((loc for loc in self.locations if loc.id == key), None)


CHECK_KEYS = {"answers", "answer", "tolerance", "choices", "review"}


def load_taskset_file(path: str | Path) -> TaskSet:
    """Reads a task-set file: a regular file, at most `MAX_FILE_BYTES`, in UTF-8."""
    path = Path(path)
    if not path.is_file():
        raise file_problem(path, N_("This is not a file."))
    with path.open("rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise TaskSetInvalid([too_large(str(path))])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise file_problem(path, N_("The file is not UTF-8 text.")) from exc
    return load_taskset(text, str(path))


def file_problem(path: Path, template: str) -> TaskSetInvalid:
    return TaskSetInvalid([Problem(str(path), 1, "", template)])


def load_taskset(text: str, filename: str = "<taskset>") -> TaskSet:
    """Parses and checks a task set; every problem is reported at once, with its line."""
    if problems := check_text(text, filename):
        raise TaskSetInvalid(problems)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        raise TaskSetInvalid(
            [
                Problem(
                    filename,
                    line,
                    "",
                    N_("The file is not valid TOML: %(error)s"),
                    {"error": str(exc)},
                )
            ]
        ) from exc
    problems = check_taskset(data, text, filename)
    if problems:
        raise TaskSetInvalid(problems)
    return build(data)


def build(data: dict[str, Any]) -> TaskSet:
    info = data.get("set", {})
    locations = tuple(
        LocationSpec(
            id=loc["id"],
            name=loc["name"],
            lat=float(loc["lat"]),
            lon=float(loc["lon"]),
            radius=float(loc.get("radius", 50)),
            address=loc.get("address", ""),
            hint=loc.get("hint", ""),
        )
        for loc in data.get("locations", [])
    )
    tasks = []
    for position, raw in enumerate(data.get("tasks", []), start=1):
        check = {key: raw[key] for key in CHECK_KEYS if key in raw}
        tasks.append(
            TaskSpec(
                id=raw["id"],
                title=raw["title"],
                kind=raw["kind"],
                points=int(raw.get("points", 0)),
                instructions=raw.get("instructions", "").strip(),
                location=raw.get("location"),
                window=dict(raw.get("window", {})),
                late=dict(raw.get("late", {})),
                check=check,
                rubric=tuple(dict(c) for c in raw.get("rubric", [])),
                hints=tuple(dict(h) for h in raw.get("hints", [])),
                first_bonus=tuple(int(b) for b in raw.get("first_bonus", [])),
                unlocks_after=raw.get("unlocks_after"),
                reference_photo=raw.get("reference_photo"),
                fresh_photo=bool(raw.get("fresh_photo", False)),
                order=int(raw.get("order", position)),
                rubric_optional=bool(raw.get("rubric_optional", False)),
            )
        )
    tasks.sort(key=lambda t: t.order)
    return TaskSet(
        title=info.get("title", ""),
        language=info.get("language", "id"),
        description=info.get("description", "").strip(),
        timezone=info.get("timezone", "Asia/Jakarta"),
        start=info.get("start", "07:00"),
        end=info.get("end", "17:00"),
        locations=locations,
        tasks=tuple(tasks),
    )
