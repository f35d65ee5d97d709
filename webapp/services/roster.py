"""Importing the roster: read a CSV or XLSX file, preview it, then save it in one go."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

from openpyxl import load_workbook
from sqlmodel import Session

from webapp.domain.roster import Roster, parse_roster
from webapp.domain.text import N_
from webapp.models import Event, Participant
from webapp.services import ServiceError, audit, groups
from webapp.services.joining import name_key

MAX_ROWS = 5000


class UnreadableRoster(ServiceError):
    template = N_(
        "The file could not be read as CSV or XLSX. Save it from your spreadsheet "
        "as .xlsx or .csv and try again."
    )


class RosterHasProblems(ServiceError):
    template = N_("The roster has problems; nothing was saved.")


def read_table(data: bytes, filename: str) -> list[Sequence[object]]:
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            return [
                row
                for _, row in zip(
                    range(MAX_ROWS + 1), sheet.iter_rows(values_only=True), strict=False
                )
            ]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise UnreadableRoster() from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))[: MAX_ROWS + 1]


def parse_roster_for(session: Session, event: Event, table: list[Sequence[object]]) -> Roster:
    return parse_roster(table, [g.name for g in groups.groups_of(session, event.id)])


def apply(
    session: Session, *, event: Event, table: list[list[str]], actor: object, now: datetime
) -> int:
    """Saves the previewed rows, checked again: what the browser sent back is not trusted."""
    roster = parse_roster_for(session, event, table)
    if roster.problems:
        raise RosterHasProblems()
    if roster.new_groups:
        groups.add_groups(session, event=event, names=list(roster.new_groups), actor=actor, now=now)
    by_name = {g.name.casefold(): g for g in groups.groups_of(session, event.id)}
    members = groups.members_by_group(session, event.id)
    existing = {(p.group_id, p.name_key): p for ps in members.values() for p in ps}
    for row in roster.rows:
        group = by_name[row.group.casefold()]
        participant = existing.get((group.id, name_key(row.name)))
        if participant is None:
            participant = Participant(
                event_id=event.id, group_id=group.id, name=row.name, name_key=name_key(row.name)
            )
            session.add(participant)
        participant.nip, participant.unit = row.nip, row.unit[:200]
    session.flush()
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="roster.import",
        after={"rows": len(roster.rows), "new_groups": list(roster.new_groups)},
        now=now,
        moves_standings=False,
    )
    return len(roster.rows)
