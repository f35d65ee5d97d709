"""JSON that every parser reads: NaN and infinities never go out, and never come in.

Python writes a float that is not finite as `NaN` or `Infinity`, which is no JSON: one such
number in the board's data stops every browser from reading any of it. Answers are written
strictly; should a non-finite number still be in one, it goes out as null, and bodies sent
to the app with such a number, or nested deeper than any client of the app sends, are bad
requests.
"""

from __future__ import annotations

import math
from typing import Any

from flask.json.provider import DefaultJSONProvider

from webapp.domain.inputs import MAX_JSON_DEPTH, json_depth, not_a_number


class StrictJSONProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        try:
            return super().dumps(obj, **kwargs)
        except ValueError:  # a non-finite number: the rare case pays for the walk
            return super().dumps(finite_only(obj), **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        text = s.decode("utf-8", "replace") if isinstance(s, bytes) else s
        if json_depth(text) > MAX_JSON_DEPTH:
            raise ValueError(f"JSON nested more than {MAX_JSON_DEPTH} deep")
        kwargs.setdefault("parse_constant", not_a_number)
        return super().loads(s, **kwargs)


def finite_only(value: Any) -> Any:
    """The same data with every float that is not finite replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_only(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_only(item) for item in value]
    return value
