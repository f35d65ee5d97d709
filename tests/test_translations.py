"""Every user-facing string is marked, translated into Indonesian, and compiled."""

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tests.conftest import REPO

CATALOGUE = REPO / "webapp" / "translations" / "id" / "LC_MESSAGES"


def extract() -> set[str]:
    pot = REPO / ".pytest-messages.pot"
    try:
        subprocess.run(
            [
                str(Path(sys.executable).parent / "pybabel"),
                "extract",
                "-F",
                str(REPO / "babel.cfg"),
                "-k",
                "_l",
                "-k",
                "lazy_gettext",
                "-o",
                str(pot),
                str(REPO / "webapp"),
            ],
            check=True,
            cwd=REPO,
            capture_output=True,
        )
        with pot.open("rb") as fh:
            return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    finally:
        pot.unlink(missing_ok=True)


def test_every_marked_string_has_an_indonesian_translation():
    with (CATALOGUE / "messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id
        and m.string
        and (m.string if isinstance(m.string, str) else m.string[0])
        and not m.fuzzy
    }
    missing = sorted(extract() - translated)
    assert missing == [], f"untranslated: {missing[:20]}"


def test_compiled_catalogue_matches_the_po_file():
    """Compares the messages, not the bytes: the header names the Babel version that
    compiled it, which differs between machines."""
    with (CATALOGUE / "messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    with (CATALOGUE / "messages.mo").open("rb") as fh:
        compiled = messages_of(read_mo(fh))
    wanted = messages_of(read_mo(buffer))
    assert wanted, "the catalogue compiles to no message at all"
    assert compiled == wanted, "run: pybabel compile -d webapp/translations"


def messages_of(catalogue) -> dict:
    def plain(text):
        return text if isinstance(text, str) else tuple(text)

    return {plain(message.id): plain(message.string) for message in catalogue if message.id}
