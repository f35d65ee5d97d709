"""Problems in a task set, each with file, line and key, and the checker that collects them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from webapp.domain.text import N_


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    key: str
    template: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.key}: {self.message}"
            if self.key
            else f"{self.file}:{self.line}: {self.message}"
        )


class TaskSetInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Locator:
    """Finds the line of a table or key; tomllib gives no positions, so the text is scanned."""

    def __init__(self, text: str):
        self.headers: dict[tuple[str, int], int] = {}
        self.keys: dict[tuple[str, int, str], int] = {}
        counters: dict[str, int] = {}
        section, index, prefix, in_string = "", 0, "", False
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if in_string:
                in_string = line.count('"""') % 2 == 0
                continue
            if line.startswith("[["):
                name = line[2 : line.find("]]")].strip()
                if "." in name:
                    prefix = name.split(".", 1)[1] + "."
                else:
                    counters[name] = counters.get(name, -1) + 1
                    section, index, prefix = name, counters[name], ""
                    self.headers[(section, index)] = number
            elif line.startswith("["):
                name = line[1 : line.find("]")].strip()
                if "." in name:
                    prefix = name.split(".", 1)[1] + "."
                else:
                    section, index, prefix = name, 0, ""
                    self.headers[(section, index)] = number
            elif match := re.match(r'^"?([A-Za-z0-9_\-]+)"?\s*=', line):
                self.keys.setdefault((section, index, prefix + match.group(1)), number)
                in_string = line.count('"""') % 2 == 1

    def line(self, section: str, index: int = 0, key: str = "") -> int:
        for candidate in (key, key.split(".")[0]):
            if (section, index, candidate) in self.keys:
                return self.keys[(section, index, candidate)]
        return self.headers.get((section, index), 1)


class Checker:
    def __init__(self, text: str, filename: str):
        self.where = Locator(text)
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, section: str, index: int, path: str, template: str, **params: Any) -> None:
        label = (
            f"{section}[{index + 1}].{path}"
            if section in ("tasks", "locations")
            else (f"{section}.{path}" if section else path)
        )
        self.problems.append(
            Problem(
                self.filename,
                self.where.line(section, index, path),
                label.rstrip("."),
                template,
                params,
            )
        )

    def unknown(self, section: str, index: int, table: dict, allowed: set[str], prefix="") -> None:
        for key in table:
            if key not in allowed:
                self.add(section, index, prefix + key, N_("Unknown key %(key)s."), key=key)

    def required(self, section: str, index: int, table: dict, keys: tuple[str, ...]) -> None:
        for key in keys:
            if key not in table:
                self.add(section, index, key, N_("The key %(key)s is missing."), key=key)
