"""Distances and check-ins, with geopy's geodesic distance (pure, offline)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from geopy.distance import geodesic

# A phone may report an accuracy of kilometres indoors; believing all of it would let a group
# check in from anywhere, so only this much of the reported accuracy is allowed for.
MAX_ACCURACY_ALLOWANCE_M = 100.0
# What a phone may report as its accuracy at all: beyond this it knows nothing of where it is.
MAX_ACCURACY_M = 100_000.0


class Metres(float):
    """A distance in a message: written as people read it ("227 m", "5,3 km") when the
    message is put into the reader's language (webapp.i18n.distance)."""


@dataclass(frozen=True)
class CheckIn:
    inside: bool
    distance_m: float
    allowance_m: float

    @property
    def outside_by_m(self) -> float:
        return max(0.0, self.distance_m - self.allowance_m)


def valid_latitude(value: object) -> bool:
    return is_number(value) and -90 <= value <= 90  # type: ignore[operator]


def valid_longitude(value: object) -> bool:
    return is_number(value) and -180 <= value <= 180  # type: ignore[operator]


def valid_position(lat: object, lon: object) -> bool:
    """A place on Earth: finite numbers within range (NaN and infinities are none)."""
    return valid_latitude(lat) and valid_longitude(lon)


def valid_accuracy(value: object) -> bool:
    return is_number(value) and 0 <= value <= MAX_ACCURACY_M  # type: ignore[operator]


def valid_radius(value: object) -> bool:
    """A check-in radius in metres: more than nothing, less than the Earth is round."""
    return is_number(value) and 0 < value <= 20_000_000  # type: ignore[operator]


def is_number(value: object) -> bool:
    """A finite int or float (not a bool, not NaN, not an infinity)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return geodesic(a, b).meters


def check_in(
    place: tuple[float, float],
    radius_m: float,
    position: tuple[float, float],
    accuracy_m: float | None,
) -> CheckIn:
    """Inside when the distance, less the (capped) accuracy, is within the radius."""
    distance = distance_m(place, position)
    allowance = radius_m + min(max(accuracy_m or 0.0, 0.0), MAX_ACCURACY_ALLOWANCE_M, radius_m)
    return CheckIn(distance <= allowance, round(distance, 1), allowance)
