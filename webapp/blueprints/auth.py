"""Logging in (organisers, judges), joining a group (participants), logging out, passwords,
language."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from webapp.blueprints import flash_refusal, now, safe_next, settings, writes
from webapp.db import request_session
from webapp.domain import joincodes
from webapp.i18n import LANG_COOKIE, LANGUAGES, local_datetime
from webapp.models import Event, Participant, User
from webapp.security import account_only, log_in, log_out, login_manager
from webapp.services import ServiceError, accounts, joining

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class JoinForm(FlaskForm):
    """Both steps: the code alone, then the code (hidden) with a name picked or typed."""

    code = StringField(_l("Join code"), validators=[DataRequired(), Length(max=20)])
    member = StringField(validators=[Optional(), Length(max=12)])
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=120)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    repeated = PasswordField(_l("New password again"), validators=[DataRequired(), Length(max=200)])


class EmptyForm(FlaskForm):
    """Carries only the CSRF token, for POST-only buttons such as log out."""


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    login_manager.blueprint_login_views = {"play": "auth.join"}
    app.jinja_env.globals["EmptyForm"] = EmptyForm


@bp.route("/")
def home():
    """Sends each kind of person to their own start page."""
    user = current_user._get_current_object()
    if isinstance(user, Participant):
        return redirect(url_for("play.tasks"))
    if isinstance(user, User):
        return redirect(url_for("organiser.events"))
    return redirect(url_for("auth.join"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Organiser and judge login with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        session = request_session()
        user = accounts.authenticate(session, email=form.email.data, password=form.password.data)
        if user is None:
            flash(_("Wrong e-mail or password."), "error")
            return render_template("auth/login.html", form=form), 401
        log_in(user, lifetime=timedelta(days=settings()["accounts"]["remember_max_days"]))
        session.commit()
        return redirect(safe_next("organiser.events"))
    return render_template("auth/login.html", form=form)


@bp.route("/join", methods=["GET", "POST"])
@bp.route("/j/<code>")
def join(code: str | None = None):
    """A participant joins in two steps: the group's code, then their name, picked from the
    group's list or typed. The card's QR code (/j/<code>) leads straight to the second step;
    a code and a name sent together join at once."""
    if code is not None:
        return name_step(JoinForm(formdata=None, code=code), code)
    form = JoinForm()
    if not form.validate_on_submit():
        return render_template("auth/join.html", form=form), 400 if form.is_submitted() else 200
    if "name" in request.form or "member" in request.form:
        return join_as(form)
    return name_step(form, form.code.data)


def name_step(form: JoinForm, code: str, status: int = 200):
    """Names the event and the group before anyone commits, with the group's names."""
    try:
        group = joining.open_group(request_session(), code=code, now=now())
    except joining.EventEnded as exc:
        return closed(exc)
    except ServiceError as exc:
        flash_refusal(exc)
        form.code.data = printed(code)
        return render_template("auth/join.html", form=form), exc.status
    form.code.data = group.group.join_code
    return render_template("auth/join_name.html", form=form, joining=group, now=now()), status


def join_as(form: JoinForm):
    session = request_session()
    member = form.member.data or ""
    try:
        participant = joining.join_group(
            session,
            code=form.code.data,
            name=form.name.data or "",
            member_id=int(member) if member.isdigit() else None,
            now=now(),
        )
    except joining.EventEnded as exc:
        return closed(exc)
    except joining.WrongJoinCode as exc:
        flash_refusal(exc)
        form.code.data = printed(form.code.data)
        return render_template("auth/join.html", form=form), exc.status
    except ServiceError as exc:
        session.rollback()
        flash_refusal(exc)
        return name_step(form, form.code.data, status=exc.status)
    event = session.get(Event, participant.event_id)
    account = settings()["accounts"]
    lifetime = joining.remember_duration(
        event,
        now(),
        hours_after=account["remember_hours_after_event"],
        max_days=account["remember_max_days"],
    )
    log_in(participant, lifetime=lifetime, remember=True)
    session.commit()
    if event.starts_at > now():
        when = local_datetime(event.starts_at, event.timezone)
        flash(_("You have joined. %(event)s starts on %(when)s.", event=event.title, when=when))
    return redirect(url_for("play.tasks"))


def printed(code: str) -> str:
    """A code as its card prints it ("NQM-9KE"), when it has a code's length."""
    normal = joincodes.normalise(code)
    return joincodes.display(normal) if joincodes.looks_valid(normal) else code


def closed(exc: joining.EventEnded):
    """Joining an event that is over: say which event, and when it ended."""
    return render_template("auth/join_closed.html", event=exc.event), exc.status


@bp.route("/logout", methods=["POST"])
def logout():
    """Logs out; POST with a CSRF token so that a link elsewhere cannot log anyone out.

    Ends this browser's login session, so a copy of its cookies stops working too."""
    if EmptyForm().validate_on_submit():
        log_out()
        request_session().commit()
    return redirect(url_for("auth.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@account_only
def change_password():
    """A new password ends every login of the account; this browser gets a fresh one."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 400 if form.is_submitted() else 200
    session = request_session()
    user = current_user._get_current_object()
    try:
        accounts.change_password(
            session,
            user=user,
            current=form.current.data,
            new=form.new.data,
            repeated=form.repeated.data,
            now=now(),
        )
    except ServiceError as exc:
        session.rollback()
        flash_refusal(exc)
        return render_template("auth/password.html", form=form), exc.status
    log_in(user, lifetime=timedelta(days=settings()["accounts"]["remember_max_days"]))
    session.commit()
    flash(_("Password changed. Every other browser with this account is logged out."), "success")
    return redirect(url_for("organiser.events"))


@bp.route("/lang/<code>")
@writes
def language(code: str):
    """Switches the page language and remembers it on this device and in the account."""
    if code not in LANGUAGES:
        code = settings()["app"]["default_language"]
    user = current_user._get_current_object()
    if isinstance(user, User | Participant):
        user.language = code
        request_session().commit()
    response = redirect(safe_next("auth.home"))
    response.set_cookie(
        LANG_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response
