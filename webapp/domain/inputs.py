"""Input no person could type, stopped before it reaches a rule: ids past the database's
integer range, numbers that are not finite, places not on Earth, times outside any calendar
the app uses, JSON nested without end. Pure checks for the views and the phone's submissions.

Numbers a person typed badly are refused with a message (`Refused`); the evidence a phone
reads from a photo is advice (DESIGN.md), so its unusable parts are dropped instead.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from webapp.domain import geo
from webapp.domain.text import N_

DB_ID_MAX = 2**31 - 1  # PostgreSQL's integer: the type of every id column
ID_DIGITS = len(str(DB_ID_MAX))
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
MAX_EVIDENCE_CHARS = 4096
MAX_JSON_DEPTH = 32
MAX_DEVICE_CHARS = 120


class Refused(ValueError):
    """Input the app cannot take; `template` and `params` make the person's message."""

    status = 400

    def __init__(self, template: str, **params: object) -> None:
        self.template, self.params = template, params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


def database_id(value: object) -> int | None:
    """An id from a form or an address: None unless it is digits within the id columns' range
    (a bigger one names no row, and the database would refuse to compare with it)."""
    text = str(value if value is not None else "").strip()
    if not (0 < len(text) <= ID_DIGITS and text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= DB_ID_MAX else None


def has_nul(text: str) -> bool:
    """PostgreSQL cannot store a NUL character, and no keyboard types one."""
    return "\x00" in text


def shown(text: object, limit: int = 40) -> str:
    """A value quoted in a message, cut short."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finite(text: str | None) -> float | None:
    """A number sent as text; None when nothing was sent. NaN and infinities are refused."""
    if text is None or not str(text).strip():
        return None
    try:
        value = float(str(text).strip())
    except ValueError as exc:
        raise Refused(N_("%(value)s is not a number."), value=shown(text)) from exc
    if not math.isfinite(value):
        raise Refused(N_("%(value)s is not a number."), value=shown(text))
    return value


def position(lat: str | None, lon: str | None) -> tuple[float, float] | None:
    """The phone's position: both coordinates or none; refused when not a place on Earth."""
    if not (lat or "").strip() and not (lon or "").strip():
        return None
    try:
        place = (finite(lat), finite(lon))
    except Refused:
        place = (None, None)
    if not geo.valid_position(*place):
        raise Refused(
            N_("Your phone sent a position that is not on Earth (%(lat)s, %(lon)s)."),
            lat=shown(lat or "–", 20),
            lon=shown(lon or "–", 20),
        )
    return place  # type: ignore[return-value]


def accuracy(text: str | None) -> float | None:
    """How sure the phone is of its position, in metres; None when it did not say."""
    try:
        value = finite(text)
    except Refused:
        value = math.nan
    if value is not None and not geo.valid_accuracy(value):
        raise Refused(
            N_("Your phone sent an accuracy of %(value)s m, which cannot be right."),
            value=shown(text, 20),
        )
    return value


def client_time(text: object) -> datetime | None:
    """A time with its zone, as a phone sends it; None when missing, unreadable or outside
    2000-2099 (a phone's clock decides nothing: the server's does, DESIGN.md)."""
    if not isinstance(text, str) or not 0 < len(text) <= 40:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None and within_calendar(parsed) else None


def camera_time(text: object) -> datetime | None:
    """A capture time read from a photo on the phone: with a zone or without (a camera's
    clock is local time); None when unreadable or outside 2000-2099."""
    if not isinstance(text, str) or not 0 < len(text) <= 40:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if within_calendar(parsed) else None


def within_calendar(moment: datetime) -> bool:
    """Between 2000 and 2099, where a change of zone can never leave the calendar."""
    naive = moment.replace(tzinfo=None)
    return EARLIEST.replace(tzinfo=None) <= naive < LATEST.replace(tzinfo=None)


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text, read without parsing it (the
    parser itself recurses, and gives up on deep input with an error of its own)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_json(text: str, *, max_chars: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """JSON from a client, within limits of size and depth; NaN and Infinity are no numbers."""
    if len(text) > max_chars:
        raise Refused(N_("The data sent is larger than %(limit)s characters."), limit=max_chars)
    if json_depth(text) > max_depth:
        raise Refused(N_("The data sent is nested more than %(limit)s deep."), limit=max_depth)
    try:
        return json.loads(text, parse_constant=not_a_number)
    except ValueError as exc:
        raise Refused(N_("The data sent is not valid JSON.")) from exc


def not_a_number(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def evidence(text: str | None) -> dict:
    """What the phone read from the original photo before shrinking it: its capture time,
    GPS position and camera. Each part that is unusable is left out, and so is everything
    when the text is no small JSON object."""
    try:
        data = parse_json(text or "{}", max_chars=MAX_EVIDENCE_CHARS, max_depth=3)
    except Refused:
        return {}
    if not isinstance(data, dict):
        return {}
    kept: dict = {}
    if camera_time(data.get("captured_at")) is not None:
        kept["captured_at"] = data["captured_at"].strip()
    gps = data.get("gps")
    if isinstance(gps, list) and len(gps) == 2 and geo.valid_position(*gps):
        kept["gps"] = [float(gps[0]), float(gps[1])]
    device = data.get("device")
    if isinstance(device, str) and (device := printable(device)[:MAX_DEVICE_CHARS].strip()):
        kept["device"] = device
    return kept


def printable(text: str) -> str:
    """The text without control characters (a camera's name is one line of letters)."""
    return "".join(char for char in text if char.isprintable())
