"""Groups and the printed join cards, through the test client (the roster: test_roster.py)."""

import base64
import io
import re

import zxingcpp
from PIL import Image
from sqlmodel import select

from tests.web.test_authoring import organiser
from webapp.domain import joincodes
from webapp.models import Group, Participant


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
    assert "<strong>0</strong>" in another_web.get("/play/score").get_data(as_text=True)
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
    assert "Elang" in score and "<strong>10</strong>" in score and "line-late" not in score
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
        assert joincodes.display(group.join_code) in page
