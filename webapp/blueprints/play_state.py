"""What the phone pages keep up to date: the state they poll, its ETag, and lateness notes."""

from __future__ import annotations

import math
from datetime import datetime

from flask import Flask, current_app
from flask import session as browser_session
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlmodel import Session

from webapp.domain.text import N_
from webapp.domain.windows import tz_abbreviation
from webapp.i18n import local_time, points
from webapp.models import Announcement, Event, Group
from webapp.polling import phone_tag
from webapp.services import history, standings
from webapp.services.play import TaskCard, late_cost, task_cards

# {ago}: "12 minutes"; {cost}: "5 points"; {time}: when the grace ends; {percent}: "20%"
LATE_NOTES = {
    "grace": N_("Deadline passed {ago} ago: it still counts in full until {time}."),
    "cost": N_("Deadline passed {ago} ago: sending now costs {cost}."),
    "percent": N_("Deadline passed {ago} ago: sending now costs {percent} of the points it earns."),
    "zero": N_("Deadline passed {ago} ago: sending now counts for nothing, but it is kept."),
    "review": N_("Deadline passed {ago} ago: you can still send; a judge decides if it counts."),
}
NOTE_OF = {"penalty_points": "cost", "per_minute": "cost", "penalty_percent": "percent"}


def register(app: Flask) -> None:
    app.jinja_env.globals.update(late_text=late_text, late_labels=late_labels)
    app.jinja_env.filters["plural_n"] = plural_n


def plural_n(value: float) -> int:
    """The count that picks a plural form: 1.5 points are plural, 1.0 point is one."""
    return int(value) if float(value).is_integer() else 2


def late_labels() -> dict[str, str]:
    """The notes for the page's script, which keeps them current as the minutes pass."""
    return {name: gettext(text) for name, text in LATE_NOTES.items()}


def late_text(card: TaskCard, now: datetime, tz: str) -> str:
    """What sending now costs, for a task whose deadline has passed but still takes work."""
    ago = max(1, int((now - card.closes_at).total_seconds() // 60))
    ago_text = ngettext("%(n)s minute", "%(n)s minutes", ago, n=points(ago))
    if now <= card.late_from:
        return gettext(LATE_NOTES["grace"]).format(
            ago=ago_text, time=local_time(card.late_from, tz)
        )
    note = NOTE_OF.get(card.late_policy, card.late_policy)
    minutes = math.ceil((now - card.late_from).total_seconds() / 60)
    cost = late_cost(card.task, minutes)
    return gettext(LATE_NOTES.get(note, LATE_NOTES["review"])).format(
        ago=ago_text,
        cost=ngettext("%(points)s point", "%(points)s points", plural_n(cost), points=points(cost)),
        percent=f"{points(float(card.task.late.get('value', 0)))}%",
    )


def live(session: Session, event: Event, group: Group, now: datetime, scope: str) -> dict:
    """The group's task cards, and what a page needs to keep itself current: its ETag, the
    state it shows (to compare with what a poll brings), the announcements."""
    revision = standings.revision(session, event.id)  # first: a later change is then seen
    cards = task_cards(session, group=group, now=now)
    notes = history.announcements(session, event.id)
    return {
        "cards": cards,
        "etag": f'"{tag(revision)}"',
        "state": state(cards, notes, revision, now),
        "announcements": notes,
        "scope": scope,
        "tz_label": tz_abbreviation(event.timezone, now),
    }


def tag(revision: int) -> str:
    return phone_tag(
        current_app.secret_key,
        event_id=current_user.event_id,
        group_id=current_user.group_id,
        participant_id=current_user.id,
        login=browser_session.get("_user_id", ""),
        revision=revision,
    )


def state(cards: list[TaskCard], notes: list[Announcement], revision: int, now: datetime) -> dict:
    """Small on purpose: hundreds of phones ask for it every few seconds."""
    return {
        "revision": revision,
        "server_now": now.isoformat(),
        "tasks": [
            {
                "id": c.task.id,
                "state": c.state,
                "opens_at": iso(c.opens_at),
                "closes_at": iso(c.closes_at),
                "late_from": iso(c.late_from),
                "comment": c.comment,
            }
            for c in cards
        ],
        "announcements": [{"id": n.id, "text": n.text} for n in notes],
    }


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
