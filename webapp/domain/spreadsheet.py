"""Text that goes into a spreadsheet: a cell that starts like a formula is never run.

A group name, an answer or a camera's name such as `=HYPERLINK("http://…")` is text someone
typed; Excel and LibreOffice would run it as a formula if the file let them. XLSX cells hold
it as a string marked "quote prefix" (services/exports.py); a CSV field, having no types,
would get the usual leading apostrophe when `starts_like_formula` says so.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)
