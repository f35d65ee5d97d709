"""Reading roster spreadsheets: any bytes, a damaged workbook included, give a roster or a
refusal, never an exception, and never more memory than a large roster."""

import io
import tracemalloc
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from webapp.domain.roster import NotATable, parse_roster
from webapp.services.roster import xlsx_rows


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = workbook([["Nama", "NIP", "Kelompok"], ["Ani", "198901012015032003", "A"]])


def read(data: bytes):
    try:
        return parse_roster(xlsx_rows(data), [])
    except NotATable as exc:
        assert exc.template
        return None


@given(st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), max_size=8))
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_a_damaged_workbook_gives_a_roster_or_a_refusal(changes):
    data = bytearray(GOOD)
    for position, value in changes:
        data[position] = value
    read(bytes(data))


@given(st.binary(max_size=2000))
@settings(max_examples=150)
def test_any_bytes_that_claim_to_be_a_zip_give_a_roster_or_a_refusal(data):
    read(b"PK\x03\x04" + data)


def peak_of(data: bytes):
    tracemalloc.start()
    try:
        return read(data), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_sheet_of_long_texts_costs_the_worker_a_few_megabytes():
    data = workbook([["Nama", "Unit", "Kelompok"]] + [["N" * 3000, "U" * 3000, "G"]] * 3000)
    roster, peak = peak_of(data)
    assert roster is not None and len(roster.bad_rows) == 3000
    assert peak < 40 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_a_row_of_a_million_cells_is_refused_before_it_is_parsed():
    """openpyxl holds a whole row: 80 KB of zipped empty cells cost 600 MB and a minute."""
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData><row>' + b"<c/>" * 1_000_000 + b"</row>"
        b"</sheetData></worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(GOOD))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = sheet if info.filename.endswith("sheet1.xml") else source.read(info)
            archive.writestr(info.filename, body)
    roster, peak = peak_of(out.getvalue())
    assert roster is None
    assert peak < 40 * 1024 * 1024, f"{peak / 1e6:.0f} MB"
