"""Logging in (organisers, judges), joining a group (participants), logging out, language."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from webapp.blueprints import flash_refusal, now, safe_next, settings, writes
from webapp.db import request_session
from webapp.i18n import LANG_COOKIE, LANGUAGES
from webapp.models import Event, Participant, User
from webapp.security import login_manager
from webapp.services import ServiceError, accounts, joining

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class JoinForm(FlaskForm):
    code = StringField(_l("Join code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])


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
        login_user(user)
        return redirect(safe_next("organiser.events"))
    return render_template("auth/login.html", form=form)


@bp.route("/join", methods=["GET", "POST"])
@bp.route("/j/<code>", methods=["GET", "POST"])
def join(code: str | None = None):
    """A participant joins with the group's join code (typed, or from the card's QR) and name."""
    form = JoinForm()
    if code and not form.code.data:
        form.code.data = code
    if form.validate_on_submit():
        session = request_session()
        try:
            participant = joining.join_group(
                session, code=form.code.data, name=form.name.data, now=now()
            )
        except ServiceError as exc:
            flash_refusal(exc)
            return render_template("auth/join.html", form=form), exc.status
        event = session.get(Event, participant.event_id)
        account = settings()["accounts"]
        duration = joining.remember_duration(
            event,
            now(),
            hours_after=account["remember_hours_after_event"],
            max_days=account["remember_max_days"],
        )
        session.commit()
        login_user(participant, remember=True, duration=duration)
        return redirect(url_for("play.tasks"))
    return render_template("auth/join.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Logs out; POST with a CSRF token so that a link elsewhere cannot log anyone out."""
    if EmptyForm().validate_on_submit():
        logout_user()
    return redirect(url_for("auth.home"))


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
