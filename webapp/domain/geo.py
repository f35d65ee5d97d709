"""Distances and check-ins, with geopy's geodesic distance (pure, offline)."""

from __future__ import annotations

from dataclasses import dataclass

from geopy.distance import geodesic

# A phone may report an accuracy of kilometres indoors; believing all of it would let a group
# check in from anywhere, so only this much of the reported accuracy is allowed for.
MAX_ACCURACY_ALLOWANCE_M = 100.0


@dataclass(frozen=True)
class CheckIn:
    inside: bool
    distance_m: float
    allowance_m: float

    @property
    def outside_by_m(self) -> float:
        return max(0.0, self.distance_m - self.allowance_m)


def valid_position(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180


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
