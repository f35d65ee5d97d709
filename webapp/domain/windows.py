"""When a task opens and closes for a group, whether a submission is late, and time-zone names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from webapp.domain.text import N_

INDONESIAN_ZONES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}
ZONE_CHOICES = (
    "Asia/Jakarta",
    "Asia/Makassar",
    "Asia/Jayapura",
    "Asia/Pontianak",
    "UTC",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Bangkok",
    "Asia/Manila",
    "Asia/Dili",
    "Australia/Perth",
    "Australia/Darwin",
    "Asia/Tokyo",
    "Europe/Amsterdam",
    "Europe/London",
)


class WindowClosed(Exception):
    template = N_("The deadline for this task has passed.")


class TaskLocked(Exception):
    template = N_("This task is not open yet.")


@dataclass(frozen=True)
class Window:
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class Timing:
    """How a submission stands against its deadline."""

    late_minutes: float = 0.0
    flagged: bool = False  # for the judges: sent before the deadline, arrived after, or late
    refused: bool = False  # late where the task refuses late submissions


def tz_abbreviation(name: str, at: datetime | None = None) -> str:
    """WIB, WITA, WIT for the Indonesian zones; the zone's own abbreviation elsewhere."""
    if name in INDONESIAN_ZONES:
        return INDONESIAN_ZONES[name]
    local = (at or datetime.now(UTC)).astimezone(ZoneInfo(name))
    label = local.tzname() or ""
    if label and label[0] not in "+-":
        return label
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def parse_local(value: str, event_start: datetime, tz: str) -> datetime:
    """'07:30' on the event's (local) first day, or '2026-11-25T07:30', in the event's zone."""
    zone = ZoneInfo(tz)
    if "T" in value or len(value) > 5:
        local = datetime.fromisoformat(value)
        return (local if local.tzinfo else local.replace(tzinfo=zone)).astimezone(UTC)
    day = event_start.astimezone(zone).date()
    return datetime.combine(day, time.fromisoformat(value), tzinfo=zone).astimezone(UTC)


def task_window(
    spec: Mapping,
    *,
    event_start: datetime,
    event_end: datetime,
    tz: str,
    start_offset_min: float = 0,
    extra_min: float = 0,
    done_at: Mapping[str, datetime] | None = None,
) -> Window | None:
    """The task's window for one group; None while it waits for another task to be done.

    A group that started late (its start offset) has the whole window moved; extra time only
    moves the closing time.
    """
    shift = timedelta(minutes=start_offset_min)
    extra = timedelta(minutes=extra_min)
    if "after" in spec:
        after = spec["after"]
        if after == "start":
            base = event_start + shift
        else:
            base = (done_at or {}).get(after)
            if base is None:
                return None
        opens = base + timedelta(minutes=spec.get("offset", 0))
        closes = opens + timedelta(minutes=spec["duration"]) if spec.get("duration") else None
        closes = closes or (event_end + shift)
        return Window(opens, closes + extra)
    opens = parse_local(spec["opens"], event_start, tz) if spec.get("opens") else event_start
    closes = parse_local(spec["closes"], event_start, tz) if spec.get("closes") else event_end
    return Window(opens + shift, closes + shift + extra)


def state(window: Window | None, now: datetime, *, unlocked: bool = True) -> str:
    """'locked', 'open' or 'closed' for a task at `now`."""
    if window is None or not unlocked or now < window.opens_at:
        return "locked"
    return "open" if now <= window.closes_at else "closed"


def timing(
    window: Window | None,
    *,
    late: Mapping,
    queued_policy: str,
    pressed_at: datetime | None,
    received_at: datetime,
    unlocked: bool = True,
) -> Timing:
    """Decides whether a submission counts, and how late it is, by the server's clock.

    The phone's "pressed send" time is believed only between the opening and the arrival;
    `queued_policy` says what a submission made before the deadline but received after it
    (an offline queue) gets: "accept" as on time, "flag" as on time for the judges to look
    at, "refuse" as late as its arrival.
    """
    if window is None or not unlocked or received_at < window.opens_at:
        raise TaskLocked()
    found = lateness(
        window,
        late=late,
        queued_policy=queued_policy,
        pressed_at=pressed_at,
        received_at=received_at,
    )
    if found.refused:
        raise WindowClosed()
    return found


def lateness(
    window: Window,
    *,
    late: Mapping,
    queued_policy: str,
    pressed_at: datetime | None,
    received_at: datetime,
) -> Timing:
    """How a submission stands against `window`, by the rules of `timing`, without refusing it.

    For a submission already stored when its window, its group's times or its task's late
    rules change afterwards: the lateness it would have had, had things been so when it
    arrived. `refused` says that `timing` would have refused it as late. One received before
    the window opens was sent while the task was open for it, and is on time: lateness only
    measures deadlines.
    """
    deadline = window.closes_at + timedelta(minutes=late.get("grace", 0))
    if received_at <= deadline:
        return Timing()
    pressed = min(max(pressed_at or received_at, window.opens_at), received_at)
    if pressed <= deadline and queued_policy in ("accept", "flag"):
        return Timing(flagged=queued_policy == "flag")
    minutes = max(0.01, round((received_at - deadline).total_seconds() / 60, 2))
    policy = late.get("policy", "refuse")
    return Timing(late_minutes=minutes, flagged=policy == "review", refused=policy == "refuse")
