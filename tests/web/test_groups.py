"""Groups, the roster import and the printed join cards, through the test client."""

import base64
import io
import json
import re

import zxingcpp
from openpyxl import Workbook
from PIL import Image
from sqlmodel import select

from tests.web.test_authoring import organiser
from webapp.models import AuditEntry, Group, Participant


def test_many_groups_at_once_continue_the_numbering(web, make, session):
    event = organiser(web, make)
    page = f"/organiser/events/{event.id}/groups"
    web.submit(page, {"count": "6", "prefix": "Kelompok"})
    web.submit(page, {"count": "2", "prefix": "Kelompok"})
    names = [g.name for g in session.exec(select(Group).order_by(Group.position)).all()]
    assert names == [f"Kelompok {n}" for n in range(1, 9)]
    codes = [g.join_code for g in session.exec(select(Group)).all()]
    assert len(set(codes)) == 8


def test_rename_recolour_and_give_a_late_group_extra_time(web, another_web, make, session, clock):
    """What the organiser and the group see: the group's new name and colour, and extra time
    given after it sent late takes its lateness, and the penalty, away."""
    event = organiser(web, make)
    group = make.group(event, "Kelompok 1")
    task = make.task(
        event,
        "number",
        title="Tahun berdiri",
        points=10,
        check={"answer": 1949},
        window={"after": "start", "duration": 30},
        late={"policy": "per_minute", "value": 1, "cap": 10},
    )
    another_web.join(group.join_code, "Siti")
    another_web.get("/lang/en")
    clock.advance(minutes=40)  # ten minutes after the task closed
    sent = another_web.submit(
        "/play/",
        {"key": "k1", "answer": "1949"},
        action=f"/play/api/tasks/{task.id}/submissions",
        headers={"Accept": "application/json"},
    )
    assert sent.status_code == 201
    assert "<strong>0.00</strong>" in another_web.get("/play/score").get_data(as_text=True)
    saved = web.submit(
        f"/organiser/events/{event.id}/groups",
        {"name": "Elang", "colour": "#AA0000", "start_offset_min": "0", "extra_min": "30"},
        action=f"/organiser/events/{event.id}/groups/{group.id}",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Group saved." in saved
    assert "1 submission was scored again by the new times and rules." in saved
    assert 'value="Elang"' in saved and 'value="#aa0000"' in saved and 'value="30"' in saved
    score = another_web.get("/play/score").get_data(as_text=True)
    assert "Elang" in score and "<strong>10.00</strong>" in score and "late" not in score
    standings = web.get(f"/organiser/events/{event.id}/standings").get_data(as_text=True)
    assert re.search(r"Elang\s*<span class=\"points\">10.00</span>", standings)


def test_a_duplicate_group_name_is_refused(web, make, session):
    event = organiser(web, make)
    make.group(event, "Elang")
    other = make.group(event, "Rajawali")
    response = web.submit(
        f"/organiser/events/{event.id}/groups",
        {"name": "elang", "colour": "#aa0000"},
        action=f"/organiser/events/{event.id}/groups/{other.id}",
        follow_redirects=True,
    )
    assert "already a group called" in response.get_data(as_text=True)


def test_a_new_code_replaces_the_old_one_at_once(web, another_web, make, session):
    event = organiser(web, make)
    group = make.group(event)
    old = group.join_code
    web.submit(
        f"/organiser/events/{event.id}/groups",
        {},
        action=f"/organiser/events/{event.id}/groups/{group.id}/new-code",
    )
    session.rollback()
    session.expire_all()
    new = session.get(Group, group.id).join_code
    assert new != old
    assert another_web.join(old, "Budi").status_code == 404
    assert another_web.join(new, "Budi").status_code == 302


def test_a_participant_is_moved_to_another_group(web, make, session):
    event = organiser(web, make)
    first, second = make.group(event, "A"), make.group(event, "B")
    member = make.participant(first, "Siti")
    web.submit(
        f"/organiser/events/{event.id}/groups",
        {"participant": str(member.id), "group": str(second.id)},
        action=f"/organiser/events/{event.id}/move",
    )
    session.rollback()
    session.expire_all()
    assert session.get(Participant, member.id).group_id == second.id


CSV = """nama;NIP;unit kerja;kelompok
Siti Rahma;198503122010012003;Dinas Kesehatan;Kelompok 1
Budi Santoso;;Bappeda;Kelompok 2
;123;Dinas Sosial;Kelompok 1
Ani;12345;Dinas PU;Kelompok 1
Siti Rahma;;Dinas Kesehatan;Kelompok 1
"""


def upload(web, event, data: bytes, name: str):
    return web.submit(
        f"/organiser/events/{event.id}/roster",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_roster_preview_reports_every_bad_row_and_saves_nothing(web, make, session):
    event = organiser(web, make)
    text = upload(web, event, CSV.encode(), "roster.csv").get_data(as_text=True)
    assert "Row 4 has no name." in text
    assert "Row 5: the NIP 12345 should be 18 digits." in text
    assert "Siti Rahma appears twice in group Kelompok 1." in text
    assert "Save 2 participants" not in text
    assert session.exec(select(Participant)).all() == []


def test_a_good_xlsx_roster_is_previewed_then_saved_with_new_groups(web, make, session):
    event = organiser(web, make)
    make.group(event, "Kelompok 1")
    book = Workbook()
    sheet = book.active
    sheet.append(["Nama", "NIP", "Jabatan", "Kelompok"])
    sheet.append(["Siti Rahma", "198503122010012003", "Kepala Bidang", "Kelompok 1"])
    sheet.append(["Budi Santoso", None, "Sekretaris", "Kelompok 2"])
    buffer = io.BytesIO()
    book.save(buffer)
    page = upload(web, event, buffer.getvalue(), "peserta.xlsx").get_data(as_text=True)
    assert "New groups: Kelompok 2" in page and "Save 2 participants" in page
    assert session.exec(select(Participant)).all() == []
    table = re.search(r'name="table" value="([^"]+)"', page).group(1)
    table = json.loads(table.replace("&#34;", '"').replace("&quot;", '"'))
    response = web.submit(f"/organiser/events/{event.id}/roster", {"table": json.dumps(table)})
    assert response.status_code == 302
    session.rollback()
    people = {p.name: p for p in session.exec(select(Participant)).all()}
    assert people["Siti Rahma"].nip == "198503122010012003"
    assert people["Budi Santoso"].unit == "Sekretaris"
    assert {g.name for g in session.exec(select(Group)).all()} == {"Kelompok 1", "Kelompok 2"}
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "roster.import")).one()


def test_a_tampered_roster_confirmation_is_checked_again(web, make, session):
    event = organiser(web, make)
    tampered = [["name", "group"], ["", "Kelompok 1"]]
    response = web.submit(
        f"/organiser/events/{event.id}/roster",
        {"table": json.dumps(tampered)},
        follow_redirects=True,
    )
    assert "nothing was saved" in response.get_data(as_text=True)
    assert session.exec(select(Participant)).all() == []


def test_a_file_that_is_no_spreadsheet_gets_a_clear_message(web, make):
    event = organiser(web, make)
    text = upload(web, event, b"PK\x03\x04 not really a zip", "x.xlsx").get_data(as_text=True)
    assert "could not be read as CSV or XLSX" in text


def test_join_cards_carry_a_qr_code_that_decodes_to_the_join_address(web, make):
    event = organiser(web, make)
    groups = [make.group(event, f"Kelompok {n}") for n in (1, 2, 3)]
    page = web.get(f"/organiser/events/{event.id}/cards").get_data(as_text=True)
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 3
    for group, data in zip(groups, images, strict=True):
        image = Image.open(io.BytesIO(base64.b64decode(data)))
        decoded = zxingcpp.read_barcodes(image.convert("L"))
        assert [result.text for result in decoded] == [f"http://localhost/j/{group.join_code}"]
        assert f"{group.join_code[:3]}-{group.join_code[3:]}" in page
