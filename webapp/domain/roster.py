"""The participant roster from a spreadsheet: columns recognised, each row kept or refused.

A roster comes from whatever the training office has: an .xlsx exported from a personnel
system, a CSV saved by Excel in any encoding, a sheet with a title above its header. Reading
is bounded (rows, columns, characters of a cell) so that no file, however made, costs more
than a roster of `MAX_ROWS` people. Each row is kept or refused with its reasons and the
person's name, so the good rows can be saved and the bad ones corrected in the file.

A NIP is 18 digits, more than a spreadsheet number holds (15 significant digits): a NIP
typed into a number cell has lost its last digits, and is refused with the way to fix it
(format the column as text). Whole numbers that the file holds as integers keep every digit.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, time

from webapp.domain.text import N_

MAX_ROWS = 5000  # participants read from one file; a programme has hundreds
MAX_COLUMNS = 40  # columns looked at; the roster needs four
MAX_CELL = 300  # characters kept of a cell: more than any field holds, so a longer one shows
HEADER_ROWS = 10  # a title or a blank line may stand above the header
LIMITS = {"name": 120, "unit": 200, "group": 120}  # what a participant's row holds
EXACT_DIGITS = 15  # a spreadsheet number keeps this many significant digits

COLUMNS = {
    "name": ("name", "nama", "nama lengkap", "nama peserta"),
    "nip": ("nip", "nip (opsional)", "nip (optional)"),
    "unit": ("unit", "jabatan", "unit kerja", "position", "unit or position", "instansi"),
    "group": ("group", "kelompok", "grup", "tim"),
}
NIP = re.compile(r"^\d{18}$")
SCIENTIFIC = re.compile(r"^[+-]?\d+([.,]\d+)?e[+-]?\d+$", re.IGNORECASE)
FORMULA = "="


@dataclass(frozen=True)
class Problem:
    """A reason, translated where it is shown: `template % params`."""

    template: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


class NotATable(ValueError):
    """The bytes are no CSV this module can read; `template` and `params` say why."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template % params if params else template)
        self.template, self.params = template, params


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    nip: str
    unit: str
    group: str


@dataclass(frozen=True)
class BadRow:
    line: int
    name: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Roster:
    rows: tuple[RosterRow, ...]
    bad_rows: tuple[BadRow, ...]
    new_groups: tuple[str, ...]
    problems: tuple[Problem, ...] = ()  # about the whole file: no row could be read
    more_rows: bool = False  # the file goes on past MAX_ROWS participants, not read
    last_line: int = 0  # the last line read


CANNOT_READ = N_(
    "The file could not be read as CSV or XLSX. Save it from your spreadsheet "
    "as .xlsx or .csv and try again."
)


def decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's mark), UTF-16 as Excel's "Unicode text", else Windows."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes) -> Iterator[list[str]]:
    """The rows of a CSV (comma, semicolon or tab), each at most MAX_COLUMNS cells."""
    text = decode(data)
    if "\x00" in text:  # a binary file, or UTF-16 without its mark
        raise NotATable(CANNOT_READ)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a cell past the csv module's limit, a broken quote
            raise NotATable(CANNOT_READ) from exc
        yield row[:MAX_COLUMNS]


def clean(text: str) -> str:
    """One line of text: control characters dropped, runs of spaces made one."""
    kept = "".join(ch if unicodedata.category(ch) not in ("Cc", "Cs") else " " for ch in text)
    return " ".join(kept.split())


def text_of(value: object) -> str:
    """A cell as the person sees it in the spreadsheet, cut at MAX_CELL + 1 characters."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        if abs(value) < 10**EXACT_DIGITS:
            return str(int(value))
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int) and value.bit_length() > 4 * MAX_CELL:
        return "9" * (MAX_CELL + 1)  # too long to be anything; str() refuses the longest ints
    return clean(str(value)[: MAX_CELL + 1])


def nip_of(value: object) -> tuple[str, Problem | None]:
    """The NIP's digits, or the reason they cannot be read back exactly."""
    if isinstance(value, bool):
        value = text_of(value)
    if isinstance(value, int):
        digits = text_of(value)
    elif isinstance(value, float) and math.isfinite(value) and abs(value) >= 10**EXACT_DIGITS:
        return "", lost_digits(f"{value:.0f}")
    else:
        text = text_of(value)
        if SCIENTIFIC.match(text):
            return "", lost_digits(text)
        digits = re.sub(r"[\s.]", "", text.removesuffix(".0"))
    return digits, None


def lost_digits(shown: str) -> Problem:
    return Problem(
        N_(
            "The NIP was stored as a number, so the spreadsheet kept only its first 15 digits "
            "(%(shown)s). Format the NIP column as text, type these NIPs again and upload "
            "the file again."
        ),
        {"shown": shown},
    )


def header_map(header: Sequence[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header[:MAX_COLUMNS]):
        label = text_of(cell).casefold()
        for column, names in COLUMNS.items():
            if label in names and column not in found:
                found[column] = index
    return found


MISSING = {
    "name": N_(
        "No column of names was found. The first row must name the columns, "
        "for example: Nama, NIP, Unit kerja, Kelompok."
    ),
    "group": N_(
        "No column of groups was found. The first row must name the columns, "
        "for example: Nama, NIP, Unit kerja, Kelompok."
    ),
}


def parse_roster(table: Iterable[Sequence[object]], existing_groups: Iterable[str]) -> Roster:
    """`table` is the sheet's rows from its first; line numbers count from 1 as the sheet's.

    The header is the first of the top rows that names the name and group columns, so a
    title or a blank line may stand above it. Blank rows are skipped; at most MAX_ROWS rows
    are read, and `more_rows` says when the file goes on.
    """
    rows = iter(table)
    top = list(itertools.islice(rows, HEADER_ROWS))
    maps = [header_map(row) for row in top]
    found = next((i for i, m in enumerate(maps) if "name" in m and "group" in m), None)
    if found is None:
        blank = not any(text_of(cell) for row in top for cell in row[:MAX_COLUMNS])
        if blank and next(rows, None) is None:
            return Roster((), (), (), (Problem(N_("The file is empty.")),))
        best = max(maps, key=len)
        return Roster((), (), (), tuple(Problem(MISSING[c]) for c in MISSING if c not in best))
    columns = maps[found]
    read: list[tuple[RosterRow, list[Problem]]] = []
    more, line = False, found + 1
    for line, raw in enumerate(itertools.chain(top[found + 1 :], rows), start=found + 2):
        cells = {c: (raw[i] if i < len(raw) else None) for c, i in columns.items()}
        if not any(text_of(value) for value in cells.values()):
            continue
        if len(read) == MAX_ROWS:
            more, line = True, line - 1
            break
        read.append(read_row(line, cells))
    return check_rows(read, existing_groups, more_rows=more, last_line=line)


def read_row(line: int, cells: dict[str, object]) -> tuple[RosterRow, list[Problem]]:
    nip, problem = nip_of(cells.get("nip"))
    row = RosterRow(
        line,
        text_of(cells["name"]),
        nip,
        text_of(cells.get("unit")),
        text_of(cells["group"]),
    )
    return row, [problem] if problem else []


def check_rows(
    read: Iterable[tuple[RosterRow, list[Problem]]],
    existing_groups: Iterable[str],
    *,
    more_rows: bool = False,
    last_line: int = 0,
) -> Roster:
    """Keeps each row that has a name and a group, fits the database and is not a repeat."""
    known = {g.casefold() for g in existing_groups}
    new_groups: dict[str, str] = {}
    first_line: dict[tuple[str, str], int] = {}
    rows, bad = [], []
    for row, reading in read:
        problems = reading + row_problems(row)
        key = (row.group.casefold(), row.name.casefold())
        if not problems and key in first_line:
            problems.append(
                Problem(
                    N_("Appears twice in group %(group)s (first in row %(first)s)."),
                    {"group": row.group, "first": first_line[key]},
                )
            )
        if problems:
            bad.append(BadRow(row.line, row.name, tuple(problems)))
            continue
        first_line[key] = row.line
        rows.append(row)
        if row.group.casefold() not in known:
            new_groups.setdefault(row.group.casefold(), row.group)
    return Roster(
        tuple(rows),
        tuple(bad),
        tuple(new_groups.values()),
        more_rows=more_rows,
        last_line=last_line,
    )


TOO_LONG = {
    "name": N_("The name is longer than %(limit)s characters."),
    "unit": N_("The unit is longer than %(limit)s characters."),
    "group": N_("The group's name is longer than %(limit)s characters."),
}
FORMULA_IN = {
    "name": N_("The name is a spreadsheet formula (%(text)s); put its value in the file."),
    "unit": N_("The unit is a spreadsheet formula (%(text)s); put its value in the file."),
    "group": N_("The group is a spreadsheet formula (%(text)s); put its value in the file."),
}


def row_problems(row: RosterRow) -> list[Problem]:
    problems = []
    if not row.name:
        problems.append(Problem(N_("No name.")))
    if not row.group:
        problems.append(Problem(N_("No group.")))
    for column, limit in LIMITS.items():
        value = getattr(row, column)
        if len(value) > limit:
            problems.append(Problem(TOO_LONG[column], {"limit": limit}))
        elif value.startswith(FORMULA):
            problems.append(Problem(FORMULA_IN[column], {"text": value[:40]}))
    if row.nip and not NIP.match(row.nip):
        problems.append(Problem(N_("The NIP %(nip)s should be 18 digits."), {"nip": row.nip[:40]}))
    return problems
