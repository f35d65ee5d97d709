"""The participant roster from a spreadsheet: columns recognised, every bad row reported."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from webapp.domain.text import N_

COLUMNS = {
    "name": ("name", "nama", "nama lengkap", "nama peserta"),
    "nip": ("nip", "nip (opsional)"),
    "unit": ("unit", "jabatan", "unit kerja", "position", "unit or position", "instansi"),
    "group": ("group", "kelompok", "grup", "tim"),
}
NIP = re.compile(r"^\d{18}$")


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    nip: str
    unit: str
    group: str


@dataclass(frozen=True)
class RowProblem:
    line: int
    template: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


@dataclass(frozen=True)
class Roster:
    rows: tuple[RosterRow, ...]
    problems: tuple[RowProblem, ...]
    new_groups: tuple[str, ...]


def header_map(header: Sequence[object]) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(header):
        label = " ".join(str(cell or "").split()).casefold()
        for column, names in COLUMNS.items():
            if label in names and column not in found:
                found[column] = index
    return found


def parse_roster(table: Iterable[Sequence[object]], existing_groups: Iterable[str]) -> Roster:
    """`table` is the sheet's rows, the first being the header; line numbers count from 1."""
    rows_in = list(table)
    if not rows_in:
        return Roster((), (RowProblem(1, N_("The file is empty.")),), ())
    columns = header_map(rows_in[0])
    problems: list[RowProblem] = []
    for column in ("name", "group"):
        if column not in columns:
            problems.append(
                RowProblem(
                    1,
                    N_(
                        "No %(column)s column; the first row must name the "
                        "columns (name, NIP, unit, group)."
                    ),
                    {"column": column},
                )
            )
    if problems:
        return Roster((), tuple(problems), ())
    known = {g.casefold(): g for g in existing_groups}
    new_groups: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    rows = []
    for line, raw in enumerate(rows_in[1:], start=2):
        cells = {
            c: " ".join(str(raw[i] if i < len(raw) and raw[i] is not None else "").split())
            for c, i in columns.items()
        }
        if not any(cells.values()):
            continue
        nip = re.sub(r"[\s.]", "", cells.get("nip", "").removesuffix(".0"))
        row = RosterRow(line, cells["name"], nip, cells.get("unit", ""), cells["group"])
        bad = row_problems(row)
        key = (row.group.casefold(), row.name.casefold())
        if not bad and key in seen:
            bad.append(
                RowProblem(
                    line,
                    N_("%(name)s appears twice in group %(group)s."),
                    {"name": row.name, "group": row.group},
                )
            )
        seen.add(key)
        problems.extend(bad)
        if not bad:
            rows.append(row)
            if row.group.casefold() not in known:
                new_groups.setdefault(row.group.casefold(), row.group)
    return Roster(tuple(rows), tuple(problems), tuple(new_groups.values()))


def row_problems(row: RosterRow) -> list[RowProblem]:
    problems = []
    if not row.name:
        problems.append(RowProblem(row.line, N_("Row %(line)s has no name."), {"line": row.line}))
    if not row.group:
        problems.append(RowProblem(row.line, N_("Row %(line)s has no group."), {"line": row.line}))
    if row.nip and not NIP.match(row.nip):
        problems.append(
            RowProblem(
                row.line,
                N_("Row %(line)s: the NIP %(nip)s should be 18 digits."),
                {"line": row.line, "nip": row.nip},
            )
        )
    return problems
