"""Who may still use a group's phones: organisers end logins, take participants off a group,
and replace a join code; each ends the logins concerned at once and is in the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from webapp.domain.text import N_
from webapp.models import Event, Group, Participant, User
from webapp.services import ServiceError, audit, groups, login_sessions


class NotAMember(ServiceError):
    template = N_("That participant is not part of this event.")
    status = 404


def member_of(session: Session, event: Event, participant_id: int) -> Participant:
    participant = session.get(Participant, participant_id)
    if participant is None or participant.event_id != event.id:
        raise NotAMember()
    return participant


def remove_participant(
    session: Session, *, event: Event, participant_id: int, actor: User, now: datetime
) -> Participant:
    """Soft: the person can no longer log in or join under that name; what they sent stays,
    under their name, and still counts for the group."""
    participant = member_of(session, event, participant_id)
    if participant.removed_at is None:
        participant.removed_at = now
    ended = login_sessions.end_for_participants(session, [participant.id], now=now)
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="participant.remove",
        subject=f"participant {participant.id}",
        after={"name": participant.name, "group_id": participant.group_id, "logins_ended": ended},
        now=now,
        moves_standings=False,
    )
    audit.bump_revision(session, event.id)  # the phone's next poll is answered: logged out
    return participant


def restore_participant(
    session: Session, *, event: Event, participant_id: int, actor: User, now: datetime
) -> Participant:
    """Undoes a removal: the person may join again (their old logins stay ended)."""
    participant = member_of(session, event, participant_id)
    participant.removed_at = None
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="participant.restore",
        subject=f"participant {participant.id}",
        after={"name": participant.name, "group_id": participant.group_id},
        now=now,
        moves_standings=False,
    )
    session.flush()
    return participant


def log_out_group(
    session: Session, *, event: Event, group_id: int, actor: User, now: datetime
) -> int:
    """Every phone of the group is logged out; its members join again with the code."""
    group = groups.group_in(session, event, group_id)
    ended = login_sessions.end_for_group(session, group.id, now=now)
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="group.log_out",
        subject=f"group {group.id}",
        after={"logins_ended": ended},
        now=now,
        moves_standings=False,
    )
    audit.bump_revision(session, event.id)  # the phones' next poll is answered: logged out
    return ended


def new_join_code(
    session: Session, *, event: Event, group_id: int, actor: User, now: datetime
) -> Group:
    """A lost card: the old code stops working and the phones that joined are logged out,
    since whoever found the card may be among them."""
    group = groups.regenerate_code(session, event=event, group_id=group_id, actor=actor, now=now)
    ended = login_sessions.end_for_group(session, group.id, now=now)
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="group.log_out",
        subject=f"group {group.id}",
        after={"logins_ended": ended, "why": "new code"},
        now=now,
        moves_standings=False,
    )
    audit.bump_revision(session, event.id)  # the phones' next poll is answered: logged out
    return group
