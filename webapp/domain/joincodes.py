"""Join codes that survive being read aloud in a hall or typed on a small phone keyboard."""

from __future__ import annotations

import secrets
import unicodedata

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: pairs that people confuse on paper, on screens and aloud.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 6


def new_code(length: int = LENGTH, choice=secrets.choice) -> str:
    return "".join(choice(ALPHABET) for _ in range(length))


def normalise(typed: str) -> str:
    """What a person typed, as the stored code: case, spaces and dashes do not matter."""
    text = unicodedata.normalize("NFKC", typed).upper()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_.")


def looks_valid(code: str) -> bool:
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


def display(code: str) -> str:
    """Printed in two halves, 'ACD-EFG', which is easier to read out and copy."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"
