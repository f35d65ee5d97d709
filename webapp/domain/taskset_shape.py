"""The task-set file's shape: how large and how deeply nested the file may be (checked before
it is parsed), and what each key holds: its type, how long a text, how large a number.

A file is written by hand, or by anyone who sends one to the new-event form. The parser
recurses into nested lists, so nesting is bounded before it runs; every value the rules and
the database later read must have its type and a size the database's columns hold, so a
value of the wrong type or size is reported here and left out of what the rules check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from webapp.domain.geo import is_number
from webapp.domain.taskset_problems import Checker, Problem
from webapp.domain.text import N_

MAX_FILE_BYTES = 1024 * 1024  # the largest real set is a few KB
MAX_NESTING = 16
MAX_POINTS = 100_000
MAX_MINUTES = 366 * 24 * 60
MAX_ITEMS = 500


@dataclass(frozen=True)
class Text:
    longest: int


@dataclass(frozen=True)
class Number:
    largest: float = math.inf  # the rules check the range of what has one of its own
    whole: bool = False


@dataclass(frozen=True)
class Answer:
    """A right answer: a text (choice) or a number (number task)."""


@dataclass(frozen=True)
class Flag:
    pass


@dataclass(frozen=True)
class Table:
    keys: dict


@dataclass(frozen=True)
class Items:
    item: Any
    most: int = 50


SET = {
    "title": Text(200),
    "language": Text(5),
    "description": Text(4000),
    "timezone": Text(64),
    "start": Text(16),
    "end": Text(16),
}
LOCATION = {
    "id": Text(64),
    "name": Text(200),
    "lat": Number(),
    "lon": Number(),
    "radius": Number(20_000_000),
    "address": Text(300),
    "hint": Text(300),
}
WINDOW = {
    "opens": Text(40),
    "closes": Text(40),
    "after": Text(64),
    "offset": Number(MAX_MINUTES, whole=True),
    "duration": Number(MAX_MINUTES, whole=True),
}
LATE = {
    "policy": Text(32),
    "value": Number(MAX_POINTS),
    "cap": Number(MAX_POINTS),
    "grace": Number(MAX_MINUTES),
}
TASK = {
    "id": Text(64),
    "title": Text(200),
    "kind": Text(24),
    "points": Number(MAX_POINTS, whole=True),
    "instructions": Text(8000),
    "location": Text(64),
    "window": Table(WINDOW),
    "late": Table(LATE),
    "answers": Items(Text(500), most=100),
    "answer": Answer(),
    "tolerance": Number(10**12),
    "choices": Items(Text(200)),
    "review": Text(16),
    "rubric": Items(Table({"name": Text(200), "max": Number(MAX_POINTS)})),
    "hints": Items(Table({"text": Text(1000), "cost": Number(MAX_POINTS)})),
    "first_bonus": Items(Number(MAX_POINTS, whole=True)),
    "unlocks_after": Text(64),
    "reference_photo": Text(300),
    "fresh_photo": Flag(),
    "rubric_optional": Flag(),
    "order": Number(MAX_POINTS, whole=True),
}
FILE = {
    "set": Table(SET),
    "locations": Items(Table(LOCATION), most=MAX_ITEMS),
    "tasks": Items(Table(TASK), most=MAX_ITEMS),
}


def check_text(text: str, filename: str) -> list[Problem]:
    """What can be seen before parsing: the file's size and how deeply it nests."""
    if len(text) > MAX_FILE_BYTES:
        return [too_large(filename)]
    depth, line = nesting(text)
    if depth > MAX_NESTING:
        return [
            Problem(
                filename,
                line,
                "",
                N_("Lists and tables are nested more than %(limit)s deep."),
                {"limit": MAX_NESTING},
            )
        ]
    return []


def too_large(filename: str) -> Problem:
    return Problem(
        filename,
        1,
        "",
        N_("The file is larger than %(limit)s KB; a task set takes a few KB."),
        {"limit": MAX_FILE_BYTES // 1024},
    )


def nesting(text: str) -> tuple[int, int]:
    """The deepest nesting of [ and { outside strings and comments, and its line."""
    depth = deepest = 0
    line = deepest_line = 1
    at, end = 0, len(text)
    while at < end:
        char = text[at]
        if char == "\n":
            line += 1
        elif char == "#":
            at = text.find("\n", at)
            at = end if at < 0 else at
            continue
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, at) else char
            close = string_end(text, at + len(quote), quote)
            line += text.count("\n", at, close)
            at = close
            continue
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
        elif char in "]}":
            depth -= 1
        at += 1
    return deepest, deepest_line


def string_end(text: str, start: int, quote: str) -> int:
    """Where the string opened before `start` ends (past its closing quote)."""
    at = start
    while at < len(text):
        if quote[0] == '"' and text[at] == "\\":
            at += 2
            continue
        if text.startswith(quote, at):
            return at + len(quote)
        if len(quote) == 1 and text[at] == "\n":
            return at  # an unclosed one-line string: the parser reports it
        at += 1
    return len(text)


def check_shape(c: Checker, data: dict) -> dict:
    """Reports every value of the wrong type or size; returns the data without them."""
    return table(c, "", 0, "", data, FILE)


def table(c: Checker, section: str, index: int, path: str, data: dict, keys: dict) -> dict:
    kept = {}
    for key, value in data.items():
        shape = keys.get(key)
        if shape is None:
            kept[key] = value  # unknown keys are the rules' to report
            continue
        if section == "" and key in ("locations", "tasks") and isinstance(value, list):
            kept[key] = entries(c, key, value, shape)
            continue
        if section == "" and key == "set" and isinstance(value, dict):
            kept[key] = table(c, "set", 0, "", value, shape.keys)
            continue
        if fits(c, section, index, path + key, value, shape):
            kept[key] = value
    return kept


def entries(c: Checker, key: str, value: list, shape: Items) -> list:
    """The [[locations]] or [[tasks]]: each entry checked on its own."""
    if len(value) > shape.most:
        c.add("", 0, key, N_("%(key)s holds more than %(most)s items."), key=key, most=shape.most)
    kept = []
    for index, item in enumerate(value[: shape.most]):
        if isinstance(item, dict):
            kept.append(table(c, key, index, "", item, shape.item.keys))
        else:
            c.add(key, index, "", N_("Each item of %(key)s must be a table."), key=key)
    return kept


def fits(c: Checker, section: str, index: int, key: str, value: Any, shape: Any) -> bool:
    """Whether `value` has the shape; every problem found in it is added."""
    problem = misfit(value, shape)
    if problem is not None:
        template, params = problem
        c.add(section, index, key, template, key=key.split(".")[-1], **params)
        return False
    if isinstance(shape, Table):
        found = [
            fits(c, section, index, f"{key}.{name}", item, shape.keys[name])
            for name, item in value.items()
            if name in shape.keys
        ]
        return all(found)
    if isinstance(shape, Items):
        for item in value:  # the first bad item speaks for the list
            if isinstance(shape.item, Table) and not isinstance(item, dict):
                name = key.split(".")[-1]
                c.add(section, index, key, N_("Each item of %(key)s must be a table."), key=name)
                return False
            if not fits(c, section, index, key, item, shape.item):
                return False
    return True


def misfit(value: Any, shape: Any) -> tuple[str, dict] | None:
    if isinstance(shape, Text):
        if not isinstance(value, str):
            return N_("%(key)s must be text."), {}
        if len(value) > shape.longest:
            return N_("%(key)s is longer than %(most)s characters."), {"most": shape.longest}
        if "\x00" in value:
            return N_("%(key)s contains a NUL character (\\u0000), which no text may."), {}
    elif isinstance(shape, Number):
        if not is_number(value) or (shape.whole and not isinstance(value, int)):
            kind = (
                N_("%(key)s must be a whole number.")
                if shape.whole
                else N_("%(key)s must be a number.")
            )
            return kind, {}
        if abs(value) > shape.largest:
            return N_("%(key)s is too large: at most %(most)s."), {"most": shape.largest}
    elif isinstance(shape, Answer):
        if isinstance(value, str):
            return misfit(value, Text(500))
        if not is_number(value):
            return N_("%(key)s must be text or a number."), {}
        return misfit(value, Number(10**12))
    elif isinstance(shape, Flag) and not isinstance(value, bool):
        return N_("%(key)s must be true or false."), {}
    elif isinstance(shape, Table) and not isinstance(value, dict):
        return N_("%(key)s must be a table."), {}
    elif isinstance(shape, Items):
        if not isinstance(value, list):
            return N_("%(key)s must be a list."), {}
        if len(value) > shape.most:
            return N_("%(key)s holds more than %(most)s items."), {"most": shape.most}
    return None
