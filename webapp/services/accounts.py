"""Organiser and judge accounts: creating them and checking their passwords."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.domain.text import N_
from webapp.models import User
from webapp.services import ServiceError, audit, login_sessions

MIN_PASSWORD = 8
# Hashing a throwaway password keeps a login for an unknown e-mail as slow as a real one.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class EmailTaken(ServiceError):
    template = N_("An account with the e-mail %(email)s already exists.")
    status = 409


class WeakPassword(ServiceError):
    template = N_("The password must have at least %(min)s characters.")


class WrongPassword(ServiceError):
    template = N_("The current password is not right.")


class PasswordsDiffer(ServiceError):
    template = N_("The two new passwords are not the same.")


class BadEmail(ServiceError):
    template = N_("%(email)s is not an e-mail address.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_account(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    now: datetime,
    can_create_events: bool = False,
) -> User:
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise BadEmail(email=email)
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(min=MIN_PASSWORD)
    if find_by_email(session, email) is not None:
        raise EmailTaken(email=email)
    user = User(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=generate_password_hash(password),
        can_create_events=can_create_events,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(
        select(User).where(func.lower(User.email) == normalise_email(email))
    ).first()


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    user = find_by_email(session, email)
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def change_password(
    session: Session, *, user: User, current: str, new: str, repeated: str, now: datetime
) -> None:
    """Every login of the account ends, this browser's too: a stolen cookie dies with the old
    password. The caller starts a fresh login for the browser that made the change."""
    if not check_password_hash(user.password_hash, current):
        raise WrongPassword()
    if len(new) < MIN_PASSWORD:
        raise WeakPassword(min=MIN_PASSWORD)
    if new != repeated:
        raise PasswordsDiffer()
    user.password_hash = generate_password_hash(new)
    ended = login_sessions.end_for_user(session, user.id, now=now)
    audit.record(
        session,
        event_id=None,
        actor=user,
        action="account.password",
        subject=f"user {user.id}",
        after={"logins_ended": ended},
        now=now,
        moves_standings=False,
    )
