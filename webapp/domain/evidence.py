"""Flags for judges: a photo taken before the task, after it was sent (a time that is yet to
come), far from the place, or sent before.

Evidence is advice, not proof (DESIGN.md): each flag says what was seen, and the judge decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from webapp.domain.geo import Metres, distance_m
from webapp.domain.text import N_

LONG_BEFORE = timedelta(minutes=60)
# A camera's clock and the phone's may differ by a little; beyond this a photo "taken" after
# it was sent has a clock set wrong or a time written into it.
CLOCK_SLACK = timedelta(minutes=5)
NEAR_DUPLICATE_BITS = 6


@dataclass(frozen=True)
class Flag:
    code: str
    template: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def as_dict(self) -> dict:
        return {"code": self.code, "template": self.template, "params": self.params}


class SeenPhoto(NamedTuple):
    """A photo already sent in the event, to compare a new one with."""

    phash: str
    group: str
    task: str
    submission_id: int


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    radius_m: float


def timing_flags(
    captured_at: datetime | None,
    opens_at: datetime | None,
    sent_at: datetime,
    long_before: timedelta = LONG_BEFORE,
) -> list[Flag]:
    if captured_at is None:
        return []
    if captured_at - sent_at > CLOCK_SLACK:
        return [
            Flag(
                "after_sent",
                N_("Taken %(minutes)s minutes after it was sent: a time yet to come."),
                {"minutes": round((captured_at - sent_at).total_seconds() / 60)},
            )
        ]
    if opens_at is not None and captured_at < opens_at:
        return [
            Flag(
                "before_open",
                N_("Taken %(minutes)s minutes before the task opened."),
                {"minutes": round((opens_at - captured_at).total_seconds() / 60)},
            )
        ]
    if sent_at - captured_at > long_before:
        return [
            Flag(
                "long_before_sent",
                N_("Taken %(minutes)s minutes before it was sent."),
                {"minutes": round((sent_at - captured_at).total_seconds() / 60)},
            )
        ]
    return []


def place_flags(gps: tuple[float, float] | None, place: Place | None) -> list[Flag]:
    if gps is None or place is None:
        return []
    distance = distance_m((place.lat, place.lon), gps)
    if distance <= place.radius_m:
        return []
    return [
        Flag(
            "far_from_place",
            N_("Taken %(distance)s from %(place)s (the radius is %(radius)s)."),
            {"distance": round(distance), "place": place.name, "radius": round(place.radius_m)},
        )
    ]


def missing_flags(
    captured_at: datetime | None,
    gps: tuple[float, float] | None,
    fresh_required: bool,
    at_place: bool,
) -> list[Flag]:
    if not fresh_required:
        return []
    flags = []
    if captured_at is None:
        flags.append(Flag("no_capture_time", N_("The photo has no capture time.")))
    if at_place and gps is None:
        flags.append(Flag("no_gps", N_("The photo has no position, and the phone sent none.")))
    return flags


def hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def duplicate_flags(
    phash: str | None, others: Iterable[SeenPhoto], threshold: int = NEAR_DUPLICATE_BITS
) -> list[Flag]:
    """`others` are the photos sent by other groups or for other tasks."""
    if not phash:
        return []
    for other in others:
        if (
            other.phash
            and len(other.phash) == len(phash)
            and hamming(phash, other.phash) <= threshold
        ):
            return [
                Flag(
                    "duplicate",
                    N_("The same or nearly the same photo was sent as %(other)s."),
                    {
                        "other": f"{other.group}: {other.task}",
                        "task": other.task,
                        "submission": other.submission_id,
                    },
                )
            ]
    return []


def evidence_flags(
    *,
    captured_at: datetime | None,
    gps: tuple[float, float] | None,
    sent_at: datetime,
    opens_at: datetime | None,
    place: Place | None,
    fresh_required: bool,
    phash: str | None,
    others: Iterable[SeenPhoto] = (),
) -> list[Flag]:
    return (
        timing_flags(captured_at, opens_at, sent_at)
        + place_flags(gps, place)
        + missing_flags(captured_at, gps, fresh_required, place is not None)
        + duplicate_flags(phash, others)
    )


BEFORE_OPEN = (
    N_("Taken %(n)s minutes before the task opened."),
    N_("Taken %(n)s hours before the task opened."),
    N_("Taken %(n)s days before the task opened."),
)
BEFORE_SENT = (
    N_("Taken %(n)s minutes before it was sent."),
    N_("Taken %(n)s hours before it was sent."),
    N_("Taken %(n)s days before it was sent."),
)
AFTER_SENT = (
    N_("Taken %(n)s minutes after it was sent: a time yet to come."),
    N_("Taken %(n)s hours after it was sent: a time yet to come."),
    N_("Taken %(n)s days after it was sent: a time yet to come."),
)
IN_UNITS = {"before_open": BEFORE_OPEN, "long_before_sent": BEFORE_SENT, "after_sent": AFTER_SENT}


def described(flag: Mapping, *, blind: bool = False) -> tuple[str, dict]:
    """The message (a template to translate, and its values) for a stored flag, chosen by
    its code when it is shown: a time in the unit a person reads ("3 days", not "4320
    minutes"), and no group name for a judge who judges blind."""
    code, params = flag.get("code"), dict(flag.get("params") or {})
    if code in IN_UNITS and isinstance(params.get("minutes"), int):
        return in_units(IN_UNITS[code], params["minutes"])
    if code == "far_from_place" and {"distance", "radius"} <= params.keys():
        # Flags stored before distances were written "5,3 km" keep their numbers.
        far = N_("Taken %(distance)s from %(place)s (the radius is %(radius)s).")
        metres = {name: Metres(params[name]) for name in ("distance", "radius")}
        return far, {**params, **metres}
    if code == "duplicate" and blind:
        if "task" in params:
            return N_("The same or nearly the same photo was sent before, for %(task)s."), params
        return N_("The same or nearly the same photo was sent before."), {}
    return str(flag.get("template") or code or ""), params


def in_units(templates: tuple[str, str, str], minutes: int) -> tuple[str, dict]:
    if minutes < 120:
        return templates[0], {"n": minutes}
    if minutes < 48 * 60:
        return templates[1], {"n": round(minutes / 60)}
    return templates[2], {"n": round(minutes / 1440)}
