"""The roster import through the test client: good rows saved, bad rows named, hostile files
refused with a message and never a 500."""

from __future__ import annotations

import html
import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlmodel import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.web.test_authoring import organiser
from webapp.models import AuditEntry, Group, Participant

CSV = """nama;NIP;unit kerja;kelompok
Siti Rahma;198503122010012003;Dinas Kesehatan;Kelompok 1
Budi Santoso;;Bappeda;Kelompok 2
;123;Dinas Sosial;Kelompok 1
Ani;12345;Dinas PU;Kelompok 1
Siti Rahma;;Dinas Kesehatan;Kelompok 1
"""


def upload(web, event, data: bytes, name: str):
    """Posts the file as a browser does; the body is encoded in memory (the test client
    would leave a temporary file open for a large one)."""
    url = f"/organiser/events/{event.id}/roster"
    fields = {"csrf_token": web.token(url), "file": FileStorage(io.BytesIO(data), name)}
    boundary, body = encode_multipart(fields)
    return web.client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def save(web, event, page: str, **kwargs):
    token = re.search(r'name="rows" value="([^"]+)"', page).group(1)
    return web.submit(f"/organiser/events/{event.id}/roster", {"rows": token}, **kwargs)


def bad_rows(page: str) -> list[tuple[str, str, str]]:
    """The rows of the 'rows with problems' table as the organiser reads them."""
    table = re.search(r'<table class="table bad-rows">(.*?)</table>', page, re.S)
    if table is None:
        return []
    cells = re.findall(r"<tr><td[^>]*>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table.group(1))
    return [tuple(html.unescape(re.sub("<br>", " | ", c)) for c in row) for row in cells]


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_good_rows_are_saved_and_each_bad_one_is_named_with_its_row_and_reason(
    web, make, session
):
    event = organiser(web, make)
    page = upload(web, event, CSV.encode(), "roster.csv").get_data(as_text=True)
    assert bad_rows(page) == [
        ("4", "–", "No name. | The NIP 123 should be 18 digits."),
        ("5", "Ani", "The NIP 12345 should be 18 digits."),
        ("6", "Siti Rahma", "Appears twice in group Kelompok 1 (first in row 2)."),
    ]
    assert "2 participants can be saved." in page
    assert "3 rows have problems and will not be saved." in page
    assert session.exec(select(Participant)).all() == []
    done = save(web, event, page, follow_redirects=True).get_data(as_text=True)
    assert "2 participants saved." in done
    session.rollback()
    people = {p.name: p for p in session.exec(select(Participant)).all()}
    assert set(people) == {"Siti Rahma", "Budi Santoso"}
    assert people["Siti Rahma"].nip == "198503122010012003"


def test_uploading_the_corrected_file_again_doubles_nobody(web, make, session):
    event = organiser(web, make)
    save(web, event, upload(web, event, CSV.encode(), "roster.csv").get_data(as_text=True))
    fixed = CSV.replace(";123;", "Dewi;;").replace("Ani;12345", "Ani;198001012005011001")
    page = upload(web, event, fixed.encode(), "roster.csv").get_data(as_text=True)
    save(web, event, page)
    session.rollback()
    names = sorted(p.name for p in session.exec(select(Participant)).all())
    assert names == ["Ani", "Budi Santoso", "Dewi", "Siti Rahma"]


def test_a_good_xlsx_roster_is_previewed_then_saved_with_new_groups(web, make, session):
    event = organiser(web, make)
    make.group(event, "Kelompok 1")
    data = workbook(
        [
            ["Nama", "NIP", "Jabatan", "Kelompok"],
            ["Siti Rahma", "198503122010012003", "Kepala Bidang", "Kelompok 1"],
            ["Budi Santoso", None, "Sekretaris", "Kelompok 2"],
        ]
    )
    page = upload(web, event, data, "peserta.xlsx").get_data(as_text=True)
    assert "1 new group: Kelompok 2" in page and "Save 2 participants" in page
    assert session.exec(select(Participant)).all() == []
    assert save(web, event, page).status_code == 302
    session.rollback()
    people = {p.name: p for p in session.exec(select(Participant)).all()}
    assert people["Siti Rahma"].nip == "198503122010012003"
    assert people["Budi Santoso"].unit == "Sekretaris"
    assert {g.name for g in session.exec(select(Group)).all()} == {"Kelompok 1", "Kelompok 2"}
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "roster.import")).one()


def sheet_xml(rows: list[list[str]]) -> bytes:
    """A worksheet as Excel writes it: text cells inline, number cells as their <v> text."""

    def cell(value: str) -> str:
        if value.startswith("#"):
            return f'<c t="n"><v>{value[1:]}</v></c>'
        return f'<c t="inlineStr"><is><t>{value}</t></is></c>'

    body = "".join("<row>" + "".join(cell(v) for v in row) + "</row>" for row in rows)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
    ).encode()


def test_a_nip_stored_as_a_number_is_read_exactly_or_refused_with_the_fix(web, make, session):
    """Excel keeps 15 digits of a number: an 18-digit NIP typed into a number cell is stored
    as 1.98901012015032E+17, its last digits gone. Integer cells keep every digit."""
    event = organiser(web, make)
    sheet = sheet_xml(
        [
            ["Nama", "NIP", "Kelompok"],
            ["Ani", "198901012015032003", "A"],  # the column formatted as text
            ["Budi", "#1.98901012015032E+17", "A"],
            ["Cici", "#198901012015032", "A"],
            ["Dedi", "#198901012015032004", "A"],
        ]
    )
    page = upload(web, event, rezip(GOOD, SHEET, sheet), "peserta.xlsx").get_data(as_text=True)
    assert "e+17" not in page.lower()
    problems = {name: reason for _line, name, reason in bad_rows(page)}
    assert "kept only its first 15 digits (198901012015032000)" in problems["Budi"]
    assert "Format the NIP column as text" in problems["Budi"]
    assert problems["Cici"] == "The NIP 198901012015032 should be 18 digits."
    assert set(problems) == {"Budi", "Cici"}
    save(web, event, page)
    session.rollback()
    assert sorted((p.name, p.nip) for p in session.exec(select(Participant)).all()) == [
        ("Ani", "198901012015032003"),
        ("Dedi", "198901012015032004"),
    ]


def test_a_csv_from_excel_with_a_nip_in_scientific_notation_says_how_to_fix_it(web, make):
    event = organiser(web, make)
    data = "Nama,NIP,Kelompok\r\nAni,1.98901E+17,A\r\n".encode("cp1252")
    page = upload(web, event, data, "peserta.csv").get_data(as_text=True)
    assert "(1.98901E+17). Format the NIP column as text" in html.unescape(page)


def test_more_rows_than_the_limit_are_named_and_the_page_stays_small(web, make, session):
    event = organiser(web, make)
    lines = ["nama,kelompok"] + [f"Peserta {n},Kelompok {n % 20}" for n in range(5003)]
    page = upload(web, event, "\n".join(lines).encode(), "roster.csv").get_data(as_text=True)
    assert "The file has more than 5,000 participants: only those up to row 5001 were read" in (
        page
    )
    assert "Save 5,000 participants" in page or "Save 5000 participants" in page
    assert "… and 4900 more participants, saved with these." in page
    assert len(page.encode()) < 150_000
    save(web, event, page)
    session.rollback()
    assert len(session.exec(select(Participant)).all()) == 5000


def rezip(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one of its parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = content if info.filename == name else source.read(info.filename)
            archive.writestr(info.filename, body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Nama</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Kelompok</t></is></c></row>'
)
TAIL = b"</sheetData></worksheet>"
GOOD = workbook([["Nama", "Kelompok"], ["Ani", "A"]])
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)
HOSTILE = {
    "zip bomb (200 MB of spaces)": (
        rezip(GOOD, SHEET, HEAD + b" " * 200_000_000 + TAIL),
        "far more than a roster",
    ),
    "one row of 700,000 cells": (
        rezip(GOOD, SHEET, HEAD + b'<row r="2">' + b"<c/>" * 700_000 + b"</row>" + TAIL),
        "far more than a roster",
    ),
    "cells split by prefixes": (
        rezip(GOOD, SHEET, HEAD + b'<row r="2">' + b"<x:c/>" * 5_000 + b"</row>" + TAIL),
        "far more than a roster",
    ),
    "XML entity expansion": (
        rezip(GOOD, SHEET, LAUGHS + HEAD[38:] + b"<row><c><v>&c;</v></c></row>" + TAIL),
        "could not be read as CSV or XLSX",
    ),
    "a broken zip": (GOOD[: len(GOOD) // 2], "could not be read as CSV or XLSX"),
    "a zip with no workbook": (rezip(GOOD, "xl/workbook.xml", b"<junk"), "could not be read"),
    "binary junk": (bytes(range(256)) * 40, "could not be read as CSV or XLSX"),
    "a CSV cell of 200,000 characters": (
        b"nama,kelompok\n" + b"A" * 200_000 + b",B\n",
        "could not be read as CSV or XLSX",
    ),
    "a file over 2 MB": (b"nama,kelompok\n" + b"Ani,A\n" * 400_000, "larger than 2 MB"),
    "an empty file": (b"", "The file is empty."),
    "no header": (b"Ani,A\nBudi,B\n", "No column of names was found."),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_or_broken_file_gets_a_message_and_saves_nothing(web, make, session, case):
    event = organiser(web, make)
    data, expected = HOSTILE[case]
    response = upload(web, event, data, "roster.xlsx" if data[:2] == b"PK" else "roster.csv")
    assert response.status_code == 200
    assert expected in html.unescape(response.get_data(as_text=True))
    assert 'name="rows"' not in response.get_data(as_text=True)
    assert session.exec(select(Participant)).all() == []


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ("nama\tkelompok\r\nAndré\tA\r\n".encode("utf-16"), "unicode.txt"),  # Excel's "Unicode"
        ("nama;kelompok\nAndré;A\n".encode("cp1252"), "windows.csv"),
        ("\ufeffnama,kelompok\nAndré,A\n".encode(), "utf8.csv"),
    ],
)
def test_a_roster_in_any_encoding_excel_writes_is_read(web, make, data, name):
    event = organiser(web, make)
    page = upload(web, event, data, name).get_data(as_text=True)
    assert "<td>André</td>" in page and "Save 1 participant" in page


def test_huge_cells_and_formulas_are_refused_row_by_row(web, make, session):
    event = organiser(web, make)
    data = workbook(
        [
            ["Nama", "Unit", "Kelompok"],
            ["N" * 1_000_000, "Bappeda", "A"],
            ["Ani", "U" * 250, "A"],
            ["Budi", "Bappeda", "A"],
        ]
    )
    page = upload(web, event, data, "peserta.xlsx").get_data(as_text=True)
    assert [(line, reason) for line, _name, reason in bad_rows(page)] == [
        ("2", "The name is longer than 120 characters."),
        ("3", "The unit is longer than 200 characters."),
    ]
    assert len(page.encode()) < 40_000
    formulas = b'nama,kelompok\n"=HYPERLINK(""http://x"",""Ani"")",A\nCici,=1+1\n'
    page = upload(web, event, formulas, "roster.csv").get_data(as_text=True)
    assert [reason for _line, _name, reason in bad_rows(page)] == [
        'The name is a spreadsheet formula (=HYPERLINK("http://x","Ani")); put its value in '
        "the file.",
        "The group is a spreadsheet formula (=1+1); put its value in the file.",
    ]
    save(web, event, upload(web, event, data, "peserta.xlsx").get_data(as_text=True))
    session.rollback()
    assert [p.name for p in session.exec(select(Participant)).all()] == ["Budi"]


def test_a_damaged_or_foreign_preview_saves_nothing(web, make, session):
    event = organiser(web, make)
    other = make.event(make.account("other@example.org"))
    page = upload(web, event, CSV.encode(), "roster.csv").get_data(as_text=True)
    token = re.search(r'name="rows" value="([^"]+)"', page).group(1)
    url = f"/organiser/events/{event.id}/roster"
    for forged in (token[:-3] + "abc", '[["name","group"],["Ani","A"]]'):
        response = web.submit(url, {"rows": forged}, follow_redirects=True)
        assert "The preview was damaged" in response.get_data(as_text=True)
    web.login("other@example.org")
    response = web.submit(f"/organiser/events/{other.id}/roster", {"rows": token})
    assert "The preview was damaged or is for another event" in response.get_data(as_text=True)
    assert session.exec(select(Participant)).all() == []
