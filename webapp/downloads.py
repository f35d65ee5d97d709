"""The one way a file download is named: every title works, in any script (RFC 6266).

Event titles come from Word and phones: en dashes, curly quotes, accents, Arabic, Chinese,
emoji. A header carries Latin-1 at best, so the name travels twice: `filename*` with the
real name in UTF-8 (what every current browser uses) and a plain-ASCII `filename` for the
few clients that read nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# Typed punctuation that has a plain-ASCII twin.
ASCII_TWINS = str.maketrans(
    {"–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'", "“": "", "”": "", "…": "..."}
)
# What a file name on Windows, macOS or Linux cannot hold, and control characters.
NOT_IN_A_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f]+')
NOT_PLAIN = re.compile(r"[^A-Za-z0-9._'()+-]+")
RFC5987_SAFE = "!#$&+-.^_`|~"
MAX_LENGTH = 120


def file_name(name: str) -> str:
    """The name as saved: characters no file system takes become '_', spaces become '-'."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = NOT_IN_A_FILE_NAME.sub("_", unicodedata.normalize("NFC", stem).replace('"', ""))
    stem = "-".join(stem.split()).strip(".-_")[: MAX_LENGTH - len(extension) - 1] or "download"
    return f"{stem}.{extension}" if extension else stem


def ascii_name(name: str) -> str:
    """The same name in plain ASCII, for clients that do not read `filename*`."""
    plain = unicodedata.normalize("NFKD", name.translate(ASCII_TWINS))
    plain = plain.encode("ascii", "ignore").decode("ascii")
    stem, dot, extension = plain.rpartition(".")
    if not dot:
        stem, extension = plain, ""
    stem = re.sub(r"([-_])[-_]+", r"\1", NOT_PLAIN.sub("_", stem)).strip(".-_") or "download"
    return f"{stem}.{extension}" if extension else stem


def content_disposition(name: str) -> str:
    """`attachment; filename="..."; filename*=UTF-8''...` for a download called `name`."""
    real = file_name(name)
    plain = ascii_name(real)
    value = f'attachment; filename="{plain}"'
    if real != plain:
        value += f"; filename*=UTF-8''{quote(real, safe=RFC5987_SAFE)}"
    return value


def attachment(name: str) -> dict[str, str]:
    """The headers of a download: its name, and kept out of shared caches."""
    return {"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"}
