"""The database tables of the whole domain, as SQLModel classes."""

import secrets
from datetime import UTC, datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from webapp.db import UTCDateTime

# Quoted forward references and no `from __future__ import annotations`: SQLModel needs both.


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_field(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def fk(target: str, *, ondelete: str = "CASCADE", nullable: bool = False, index: bool = True):
    return Field(
        default=None,
        sa_column=Column(
            sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
        ),
    )


class User(SQLModel, table=True):
    """An organiser or judge account; what they may do is decided per event by EventStaff."""

    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    active: bool = True
    language: str | None = Field(default=None, max_length=5)
    # An organiser's right: only such accounts may create events (judges may not).
    can_create_events: bool = False
    created_at: datetime = utc_field()

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"u:{self.id}"


class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = ""
    language: str = Field(default="id", max_length=5)
    timezone: str = Field(default="Asia/Jakarta", max_length=64)
    starts_at: datetime = utc_field()
    ends_at: datetime = utc_field()
    revision: int = 1
    board_token: str = Field(
        default_factory=lambda: secrets.token_urlsafe(24),
        max_length=64,
        sa_column_kwargs={"unique": True},
    )
    # Policies: what happens to a submission made before a deadline that arrives after it.
    queued_late_policy: str = Field(default="accept", max_length=16)
    counts: str = Field(default="best", max_length=16)
    review_conflict: str = Field(default="last", max_length=16)
    tie_break: str = Field(default="points,tasks_completed,earliest_final", max_length=120)
    blind_judging: bool = False
    freeze_at: datetime | None = utc_field(nullable=True)
    reveal_step: int = -1
    board_view: str = Field(default="rotate", max_length=16)
    board_rotation_seconds: int = 30
    created_at: datetime = utc_field()


class EventStaff(SQLModel, table=True):
    __tablename__ = "event_staff"
    event_id: int | None = Field(
        default=None,
        sa_column=Column(
            sa.Integer, sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    user_id: int | None = Field(
        default=None,
        sa_column=Column(
            sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    role: str = Field(max_length=16)  # "organiser" or "judge"


class Location(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("event_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = fk("event.id")
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)
    lat: float
    lon: float
    radius_m: float = 50
    address: str = ""
    hint: str = ""


class Task(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("event_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = fk("event.id")
    key: str = Field(max_length=64)
    title: str = Field(max_length=200)
    instructions: str = ""
    kind: str = Field(max_length=24)
    points: int = 0
    position: int = 0
    location_id: int | None = fk("location.id", ondelete="SET NULL", nullable=True)
    unlocks_after_id: int | None = fk("task.id", ondelete="SET NULL", nullable=True)
    window: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    late: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    check: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rubric: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    hints: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    first_bonus: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reference_photo: str | None = Field(default=None, max_length=120)
    fresh_photo: bool = False
    # A judge may accept without scoring the rubric, for full points; else every criterion.
    rubric_optional: bool = False


class Group(SQLModel, table=True):
    __tablename__ = "event_group"
    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = fk("event.id")
    name: str = Field(max_length=120)
    colour: str = Field(default="#1f77b4", max_length=9)
    join_code: str = Field(max_length=16, sa_column_kwargs={"unique": True})
    position: int = 0
    start_offset_min: int = 0
    extra_min: int = 0


class Participant(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("group_id", "name_key"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = fk("event.id")
    group_id: int | None = fk("event_group.id")
    name: str = Field(max_length=120)
    name_key: str = Field(max_length=120)
    nip: str = Field(default="", max_length=32)
    unit: str = Field(default="", max_length=200)
    language: str | None = Field(default=None, max_length=5)
    joined_at: datetime | None = utc_field(nullable=True)
    # Removed by an organiser: their logins end, what they sent stays under their name.
    removed_at: datetime | None = utc_field(nullable=True)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"p:{self.id}"


class LoginSession(SQLModel, table=True):
    """One login on one browser or phone; ending it logs that browser out at its next request,
    whichever cookie (session or remember) it shows. Only a hash of the token is kept."""

    __tablename__ = "login_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    user_id: int | None = fk("user_account.id", nullable=True)
    participant_id: int | None = fk("participant.id", nullable=True)
    created_at: datetime = utc_field()
    expires_at: datetime = utc_field()
    ended_at: datetime | None = utc_field(nullable=True)


class RateLimitCounter(SQLModel, table=True):
    """A fixed-window counter of the rate limiter (webapp/limits.py), shared by every worker."""

    __tablename__ = "rate_limit"
    key: str = Field(max_length=255, primary_key=True)
    count: int = 0
    # Seconds since the epoch, as the limits library counts its windows.
    expires_at: float = Field(index=True)


class Submission(SQLModel, table=True):
    """What a group sent for a task; the idempotency key makes a retry return the first answer."""

    __table_args__ = (sa.UniqueConstraint("group_id", "idempotency_key"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = fk("event.id")
    task_id: int | None = fk("task.id")
    group_id: int | None = fk("event_group.id")
    participant_id: int | None = fk("participant.id", ondelete="SET NULL", nullable=True)
    idempotency_key: str = Field(max_length=64)
    status: str = Field(default="pending", max_length=16, index=True)
    answer: str = ""
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    distance_m: float | None = None
    pressed_at: datetime | None = utc_field(nullable=True)
    received_at: datetime = utc_field(index=True)
    late_minutes: float = 0
    late_flag: bool = False
    auto_decided: bool = False
    photo_key: str | None = Field(default=None, max_length=120)
    photo_width: int | None = None
    photo_height: int | None = None
    captured_at: datetime | None = utc_field(nullable=True)
    gps_lat: float | None = None
    gps_lon: float | None = None
    device: str | None = Field(default=None, max_length=120)
    phash: str | None = Field(default=None, max_length=32)
    flags: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    claimed_by_id: int | None = fk("user_account.id", ondelete="SET NULL", nullable=True)
    claimed_until: datetime | None = utc_field(nullable=True)
    # What it is worth (scoring.evaluate, in cents; None while it does not count), kept by
    # services.standings: the live standings read these instead of every review.
    earned_cents: int | None = None
    late_cents: int = 0


class Review(SQLModel, table=True):
    """One judge's decision; conflicting decisions are all kept and resolved by the event's rule."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int | None = fk("submission.id")
    judge_id: int | None = fk("user_account.id", ondelete="SET NULL", nullable=True)
    decision: str = Field(max_length=16)  # accept, reject, redo
    points: float | None = None
    rubric: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    comment: str = ""
    created_at: datetime = utc_field()


class HintUse(SQLModel, table=True):
    __tablename__ = "hint_use"
    __table_args__ = (sa.UniqueConstraint("group_id", "task_id", "hint_index"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = fk("event.id")
    group_id: int | None = fk("event_group.id")
    task_id: int | None = fk("task.id")
    hint_index: int
    cost: float = 0
    participant_id: int | None = fk("participant.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = utc_field()


class Adjustment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = fk("event.id")
    group_id: int | None = fk("event_group.id")
    points: float
    reason: str = Field(max_length=500)
    created_by_id: int | None = fk("user_account.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = utc_field()
    # Withdrawn: kept and shown (struck through), no longer counted.
    withdrawn_at: datetime | None = utc_field(nullable=True)
    withdrawn_by_id: int | None = fk("user_account.id", ondelete="SET NULL", nullable=True)
    withdrawn_reason: str = Field(default="", max_length=500)


class Announcement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = fk("event.id")
    text: str = Field(max_length=500)
    on_board: bool = True
    active: bool = True
    created_by_id: int | None = fk("user_account.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = utc_field()


class AuditEntry(SQLModel, table=True):
    """Who changed what, when, with the values before and after: every score change writes one."""

    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = fk("event.id", nullable=True)
    actor_id: int | None = fk("user_account.id", ondelete="SET NULL", nullable=True)
    actor: str = Field(default="", max_length=200)
    at: datetime = utc_field(index=True)
    action: str = Field(max_length=64)
    subject: str = Field(default="", max_length=200)
    # What the change concerns, for filtering the log; plain numbers, as the log outlives rows.
    group_id: int | None = Field(default=None, index=True)
    task_id: int | None = Field(default=None, index=True)
    before: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))  # noqa: UP045
    after: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))  # noqa: UP045
