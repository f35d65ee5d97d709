"""Checking answers: text, numbers and choices, forgiving of case, spaces, accents and commas."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

CORRECT, WRONG, NEEDS_JUDGE = "correct", "wrong", "needs_judge"
EDGE_PUNCTUATION = " \t\n.,;:!?\"'()[]-"


def normalise(text: str) -> str:
    """'  Masjid  Raya! ' and 'masjid raya' are the same answer; so are 'Café' and 'cafe'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split()).strip(EDGE_PUNCTUATION)


def check_text(answer: str, accepted: Iterable[str]) -> str:
    accepted = [normalise(a) for a in accepted if normalise(a)]
    if not accepted:
        return NEEDS_JUDGE
    return CORRECT if normalise(answer) in accepted else WRONG


def parse_number(text: str) -> float | None:
    """Reads numbers as Indonesians and others write them.

    '3,5' and '3.5' are 3.5; '1.234' and '1,234' (three digits after one separator) are 1234,
    as thousands are grouped that way in both conventions; '1.234,5' and '1,234.5' are
    1234.5: the last separator is the decimal one when both appear. A number too large for a
    float is no answer (None), as is anything else that is not a number.
    """
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"[-+]?\d+([.,]\d+)*", cleaned):
        return None
    value = read_number(cleaned)
    return value if math.isfinite(value) else None


def read_number(cleaned: str) -> float:
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-")
    separators = [ch for ch in digits if ch in ".,"]
    if not separators:
        return sign * float(digits)
    last = max(digits.rfind("."), digits.rfind(","))
    whole, fraction = digits[:last], digits[last + 1 :]
    if len(set(separators)) == 1 and (len(separators) > 1 or len(fraction) == 3):
        return sign * float(digits.replace(separators[0], ""))  # thousands only
    whole = whole.replace(".", "").replace(",", "")
    return sign * float(f"{whole or 0}.{fraction}")


def check_number(answer: str, expected: float | None, tolerance: float = 0) -> str:
    if expected is None:
        return NEEDS_JUDGE
    value = parse_number(answer)
    if value is None:
        return WRONG
    return CORRECT if abs(value - float(expected)) <= tolerance + 1e-9 else WRONG


def check_choice(answer: str, choices: Iterable[str], right: str | None) -> str:
    if right is None:
        return NEEDS_JUDGE
    return CORRECT if normalise(answer) == normalise(right) else WRONG


def is_choice(answer: str, choices: Iterable[str]) -> bool:
    return normalise(answer) in {normalise(choice) for choice in choices}
