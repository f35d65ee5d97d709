"""The audit log as organisers read it: filtered, newest first, in pages, in plain words.

`entries` gives every matching entry (an export reuses it); `page_of` one page of them, and
`readable` turns an entry into words in the reader's language, with times in the event's
zone. Fixed words go through `translate` (gettext, or an export's own).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from webapp.domain.text import N_
from webapp.domain.windows import tz_abbreviation
from webapp.models import AuditEntry, Event, Group, Task

PER_PAGE = 50
Translate = Callable[[str], str]

ACTIONS = {
    "submission.receive": N_("Submission received"),
    "submission.rescore": N_("Submission scored again"),
    "review.decide": N_("A judge decided"),
    "review.rejudge": N_("A judge decided again"),
    "adjustment.add": N_("Adjustment added"),
    "adjustment.withdraw": N_("Adjustment withdrawn"),
    "hint.open": N_("Hint opened"),
    "scores.recompute": N_("Every score recomputed"),
    "task.create": N_("Task created"),
    "task.update": N_("Task changed"),
    "task.delete": N_("Task deleted"),
    "task.move": N_("Task moved"),
    "event.create": N_("Event created"),
    "event.import": N_("Event imported"),
    "event.update": N_("Event settings changed"),
    "event.restart_demo": N_("Demo restarted"),
    "groups.add": N_("Groups added"),
    "group.update": N_("Group changed"),
    "group.new_code": N_("New join code"),
    "participant.move": N_("Participant moved"),
    "roster.import": N_("Roster imported"),
    "judge.appoint": N_("Judge appointed"),
    "judge.remove": N_("Judge removed"),
    "account.allow_events": N_("Made an organiser"),
    "board.update": N_("Board changed"),
    "announcement.add": N_("Announcement made"),
    "announcement.withdraw": N_("Announcement withdrawn"),
    "location.create": N_("Location created"),
    "location.update": N_("Location changed"),
    "location.delete": N_("Location deleted"),
}
KINDS = {
    "submission": N_("Submissions"),
    "review": N_("Judging"),
    "adjustment": N_("Adjustments"),
    "hint": N_("Hints"),
    "scores": N_("Recomputed scores"),
    "task": N_("Tasks"),
    "event": N_("Event"),
    "group": N_("Groups"),
    "groups": N_("Groups added"),
    "participant": N_("Participants"),
    "roster": N_("Roster"),
    "judge": N_("Judges"),
    "account": N_("Accounts"),
    "board": N_("Board"),
    "announcement": N_("Announcements"),
    "location": N_("Locations"),
}
FIELDS = {
    "status": N_("status"),
    "worth": N_("points"),
    "late_minutes": N_("minutes late"),
    "decision": N_("decision"),
    "points": N_("points given"),
    "rubric": N_("rubric"),
    "comment": N_("comment"),
    "reason": N_("reason"),
    "task": N_("task"),
    "hint": N_("hint"),
    "cost": N_("cost"),
    "changed": N_("submissions changed"),
    "start_offset_min": N_("starts later by (minutes)"),
    "extra_min": N_("extra time (minutes)"),
    "name": N_("name"),
    "colour": N_("colour"),
    "title": N_("title"),
    "starts_at": N_("starts"),
    "ends_at": N_("ends"),
    "freeze_at": N_("frozen from"),
    "window": N_("window"),
    "late": N_("late rule"),
    "queued_late_policy": N_("sent before a deadline, received after it"),
    "review_conflict": N_("when judges disagree"),
    "tie_break": N_("tie-break"),
}
WORDS = {  # values the app shows in words
    "pending": N_("waiting for a judge"),
    "accepted": N_("approved"),
    "rejected": N_("rejected"),
    "redo": N_("please redo"),
    "accept": N_("accept"),
    "reject": N_("reject"),
}
TIMES = {"starts_at", "ends_at", "freeze_at"}
REASONS = ("reason", "comment")
HIDDEN = {"id", "event_id"}  # a task's snapshot carries these; they say nothing to a reader


@dataclass(frozen=True)
class LogFilter:
    group_id: int | None = None
    task_id: int | None = None
    actor_id: int | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Readable:
    id: int
    at: str
    who: str
    what: str
    concerns: str
    changes: list[Change]
    reason: str


@dataclass(frozen=True)
class LogPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int


def matching(event_id: int, wanted: LogFilter) -> Any:
    """The entry conditions. With a group and a task, changes to the task itself (its points,
    window, rules) count too: they are behind that group's line for the task."""
    where = [AuditEntry.event_id == event_id]
    if wanted.task_id:
        where.append(AuditEntry.task_id == wanted.task_id)
    if wanted.group_id and wanted.task_id:
        where.append(sa.or_(AuditEntry.group_id == wanted.group_id, AuditEntry.group_id.is_(None)))
    elif wanted.group_id:
        where.append(AuditEntry.group_id == wanted.group_id)
    if wanted.actor_id:
        where.append(AuditEntry.actor_id == wanted.actor_id)
    if wanted.kind:
        where.append(AuditEntry.action.startswith(f"{wanted.kind}.", autoescape=True))
    return sa.and_(*where)


def entries(session: Session, event: Event, wanted: LogFilter = LogFilter()) -> list[AuditEntry]:
    """Every matching entry, newest first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(matching(event.id, wanted))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        )
    )


def page_of(
    session: Session, event: Event, wanted: LogFilter, page: int = 1, per_page: int = PER_PAGE
) -> LogPage:
    """One page of the matching entries, newest first; a page out of range shows the last."""
    where = matching(event.id, wanted)
    total = session.exec(select(sa.func.count()).select_from(AuditEntry).where(where)).one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = session.exec(
        select(AuditEntry)
        .where(where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return LogPage(list(rows), total, page, pages)


def kinds_in(session: Session, event: Event) -> list[str]:
    """The kinds of change the event's log holds, for the filter."""
    actions = session.exec(
        select(AuditEntry.action).where(AuditEntry.event_id == event.id).distinct()
    )
    return sorted({action.split(".", 1)[0] for action in actions})


@dataclass(frozen=True)
class Names:
    groups: dict[int, str]
    tasks: dict[int, str]

    @classmethod
    def of(cls, session: Session, event: Event) -> Names:
        groups = session.exec(select(Group.id, Group.name).where(Group.event_id == event.id))
        tasks = session.exec(select(Task.id, Task.title).where(Task.event_id == event.id))
        return cls(dict(groups.all()), dict(tasks.all()))


def readable(entry: AuditEntry, event: Event, names: Names, translate: Translate) -> Readable:
    """One entry in words: when (in the event's zone), who, what, what it concerns, each
    value before and after, and the reason given."""
    before, after = entry.before or {}, entry.after or {}
    fields = [key for key in (*before, *after) if key not in HIDDEN]
    changes = [
        Change(
            translate(FIELDS[key]) if key in FIELDS else key,
            word(key, before.get(key), event, translate) if key in before else "",
            word(key, after.get(key), event, translate) if key in after else "",
        )
        for key in dict.fromkeys(fields)
        if key not in REASONS and before.get(key) != after.get(key)
    ]
    reason = next((str(after[key]) for key in REASONS if after.get(key)), "")
    concerns = [
        names.groups.get(entry.group_id, "") if entry.group_id else "",
        names.tasks.get(entry.task_id, "") if entry.task_id else "",
    ]
    return Readable(
        entry.id,
        local(entry.at, event),
        who(entry.actor, translate),
        translate(ACTIONS[entry.action]) if entry.action in ACTIONS else entry.action,
        " · ".join(part for part in concerns if part),
        changes,
        reason,
    )


def who(actor: str, translate: Translate) -> str:
    """The actor as the log stored them ("Ani <ani@...>", "participant Siti #3", "system")."""
    if actor in ("", "system"):
        return translate(N_("the system"))
    if actor.startswith("participant "):
        return actor.removeprefix("participant ").rsplit(" #", 1)[0]
    return actor


def word(key: str, value: Any, event: Event, translate: Translate) -> str:
    if value is None or value == "":
        return "–"
    if key in TIMES and isinstance(value, str):
        return local(datetime.fromisoformat(value), event)
    if isinstance(value, bool):
        return translate(N_("yes")) if value else translate(N_("no"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value in WORDS:
        return translate(WORDS[value])
    if isinstance(value, dict):
        return ", ".join(f"{k}: {word(k, v, event, translate)}" for k, v in value.items())
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(word(key, item, event, translate) for item in value)
    return str(value)


def local(value: datetime, event: Event) -> str:
    at = value.astimezone(ZoneInfo(event.timezone))
    return f"{at:%Y-%m-%d %H:%M:%S} {tz_abbreviation(event.timezone, value)}"
