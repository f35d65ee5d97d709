"""Languages (Indonesian and English, chosen per person) and times in the event's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request
from flask_babel import Babel, format_datetime, format_decimal, get_locale, gettext
from flask_login import current_user

from webapp.domain import scoring
from webapp.domain.evidence import described
from webapp.domain.geo import Metres
from webapp.domain.windows import tz_abbreviation

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
LANG_COOKIE = "lang"


def select_locale() -> str:
    """The page's own language when it has one (the board speaks its event's), else the
    person's choice, else what the browser asks for."""
    if g.get("page_language") in LANGUAGES:
        return g.page_language
    chosen = getattr(current_user, "language", None) if current_user else None
    if chosen in LANGUAGES:
        return chosen
    return device_language()


def device_language() -> str:
    """The language this browser asks for, found without the database (for error pages)."""
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or current_app.config["SETTINGS"]["app"]["default_language"]


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["points"] = points
    app.jinja_env.globals["flag_message"] = flag_message
    app.jinja_env.globals["tie_break_rule"] = tie_break_rule
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale)


def local_time(value: datetime | None, tz_name: str) -> str:
    """'07:30 WITA': a time as the people at the event read it."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz_name))
    return f"{local:%H:%M} {tz_abbreviation(tz_name)}"


def local_datetime(value: datetime | None, tz_name: str) -> str:
    """'24 Nov 2026 07:30 WITA', with the month in the reader's language."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz_name))
    date = format_datetime(local.replace(tzinfo=None), "d MMM y")
    return f"{date} {local:%H:%M} {tz_abbreviation(tz_name)}"


def points(value: float | None) -> str:
    """'2' or '1,5': points as the reader writes numbers, without trailing zeros."""
    return "" if value is None else format_decimal(value, format="#,##0.##")


def tie_break_rule(event: object) -> str:
    """How the event ranks groups with equal points, in the reader's language."""
    return scoring.tie_break_rule(scoring.tie_break_order(event.tie_break), gettext)


def distance(metres: float) -> str:
    """'227 m', '5,3 km', '12.104 km': whole metres below a kilometre, then kilometres with
    one decimal below ten, in the reader's way of writing numbers."""
    if metres < 1000:
        return f"{format_decimal(round(metres), format='#,##0')} m"
    kilometres = metres / 1000
    pattern = "#,##0.#" if kilometres < 10 else "#,##0"
    return f"{format_decimal(kilometres, format=pattern)} km"


def flag_message(flag: dict, blind: bool = False) -> str:
    """A judge's flag in the reader's language."""
    template, params = described(flag, blind=blind)
    return gettext(template, **readable(params))


def readable(params: dict) -> dict:
    """A message's values as the reader writes them: distances in m or km."""
    return {name: distance(v) if isinstance(v, Metres) else v for name, v in params.items()}
