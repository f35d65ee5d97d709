"""Every download keeps the event's title in its name, whatever script the title is in."""

import re

import pytest
from werkzeug.http import parse_options_header

from webapp.downloads import ascii_name, content_disposition

# (title as typed, the title part of the name as saved)
TITLES = [
    ("Jelajah Lapangan PKA Malang–Batu 2026", "Jelajah-Lapangan-PKA-Malang–Batu-2026"),
    ("Visite de l’équipe à Nîmes", "Visite-de-l’équipe-à-Nîmes"),
    ("رحلة ميدانية", "رحلة-ميدانية"),
    ("实地考察 第二天", "实地考察-第二天"),
    ("Jelajah 🚀 Seru", "Jelajah-🚀-Seru"),
    ('Kata "kunci"; a=1, b=2', "Kata-kunci;-a=1,-b=2"),
    ("Baris satu\nBaris dua\r\nTiga", "Baris-satu_Baris-dua_Tiga"),
    ("Kota: Makassar/Gowa", "Kota_-Makassar_Gowa"),
]
PLAIN = re.compile(r"^[A-Za-z0-9._'()+-]+$")


@pytest.mark.parametrize(("title", "saved"), TITLES)
@pytest.mark.parametrize("what", ["standings.xlsx", "photos.zip"])
def test_every_export_is_named_after_the_title_in_any_script(web, make, title, saved, what):
    event = make.event(make.account("ani@example.org"), title=title)
    web.login("ani@example.org")
    response = web.get(f"/organiser/events/{event.id}/export/{what}")
    header = response.headers["Content-Disposition"]
    assert response.status_code == 200
    assert header.isascii() and "\n" not in header and "\r" not in header  # as a server sends it
    kind, options = parse_options_header(header)
    assert (kind, options["filename"]) == ("attachment", f"jelajah-{event.id}-{saved}-{what}")
    fallback = re.search(r'filename="([^"]*)"', header).group(1)
    assert PLAIN.match(fallback) and fallback.startswith(f"jelajah-{event.id}-")
    assert fallback.endswith(f"-{what}")


def test_the_plain_fallback_keeps_what_ascii_can_say():
    assert ascii_name("Malang–Batu-Café’s.xlsx") == "Malang-Batu-Cafe's.xlsx"
    assert ascii_name("jelajah-2-رحلة-ميدانية-photos.zip") == "jelajah-2-photos.zip"
    assert ascii_name("🚀.zip") == "download.zip"


def test_a_plain_title_needs_no_second_name():
    assert content_disposition("jelajah-1-Hari-Lapangan.xlsx") == (
        'attachment; filename="jelajah-1-Hari-Lapangan.xlsx"'
    )


def test_a_very_long_title_keeps_what_the_file_is():
    event_title = "Pelatihan Kepemimpinan Administrator Angkatan XXIV " * 4
    name = parse_options_header(content_disposition(f"jelajah-1-{event_title[:80]}-photos.zip"))
    assert name[1]["filename"].endswith("-photos.zip") and len(name[1]["filename"]) <= 120
