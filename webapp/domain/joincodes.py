"""Join codes that survive being read aloud in a hall or typed on a small phone keyboard.

A code is 8 symbols from an alphabet of 25: 25^8 = 152,587,890,625 codes. Cards printed before
codes grew keep their 6-symbol codes (25^6 = 244,140,625), which still work; the rate limits in
webapp/limits.py give guesses of that shorter kind a much smaller budget, and state the odds.
"""

from __future__ import annotations

import secrets
import unicodedata

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: pairs that people confuse on paper, on screens and aloud.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 8
OLD_LENGTH = 6


def new_code(length: int = LENGTH, choice=secrets.choice) -> str:
    return "".join(choice(ALPHABET) for _ in range(length))


def normalise(typed: str) -> str:
    """What a person typed, as the stored code: case, spaces and dashes do not matter."""
    text = unicodedata.normalize("NFKC", typed).upper()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_.")


def looks_valid(code: str) -> bool:
    return len(code) in (LENGTH, OLD_LENGTH) and all(ch in ALPHABET for ch in code)


def is_old(code: str) -> bool:
    """A code of the shorter kind printed before codes grew (or a guess at one)."""
    return len(normalise(code)) == OLD_LENGTH


def display(code: str) -> str:
    """Printed in two halves, 'ACDE-FGHJ' (or 'ACD-EFG'), easier to read out and copy."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"
