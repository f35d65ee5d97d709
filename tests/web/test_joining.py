"""Joining in two steps: the code names the event and the group, then the person picks their
name from the roster or types it; events that are over refuse, with the reason."""

import re

from sqlmodel import select

from tests.conftest import CSRF_RE
from webapp.domain import joincodes
from webapp.models import Group, Participant
from webapp.services import roster

TITLE = "Jelajah Lapangan PKA Malang–Batu 2026"


def rostered(make, session, clock, names, group_name="Kelompok 2", **event_fields):
    """An event whose group got its names from the roster import, as an organiser does it."""
    event = make.event(title=TITLE, timezone="Asia/Jakarta", **event_fields)
    table = [["nama", "kelompok"], *[[name, group_name] for name in names]]
    read = roster.read_roster(session, event, roster_csv(table), "roster.csv")
    roster.apply(session, event=event, rows=list(read.rows), actor=None, now=clock())
    session.commit()
    group = session.exec(select(Group).where(Group.event_id == event.id)).one()
    return event, group


def members(session, group):
    session.rollback()  # a fresh look at what the requests committed
    return session.exec(
        select(Participant).where(Participant.group_id == group.id).order_by(Participant.id)
    ).all()


def step_one(web, code):
    return web.submit("/join", {"code": code})


def step_two(web, page, data):
    """Sends the second step's form as the page gave it (its hidden code and token)."""
    text = page.get_data(as_text=True)
    code = re.search(r'name="code" value="([^"]+)"', text).group(1)
    token = CSRF_RE.search(text).group(1)
    return web.client.post("/join", data={"csrf_token": token, "code": code, **data})


def shown(page) -> str:
    """The page's text as a person reads it: no tags, single spaces."""
    return " ".join(re.sub(r"<[^>]+>", "", page.get_data(as_text=True)).split())


def names_on(page) -> list[str]:
    """The names offered to pick, as a person reads them."""
    text = page.get_data(as_text=True)
    labels = re.findall(r'name="member"[^>]*>(.*?)</label>', text, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", label).split()) for label in labels]


def test_the_code_alone_names_the_event_and_the_group_before_anyone_joins(
    web, make, session, clock
):
    _event, group = rostered(make, session, clock, ["Budi Santoso"])
    web.get("/lang/en")
    first = web.get("/join").get_data(as_text=True)
    assert 'name="code"' in first and 'name="name"' not in first
    page = step_one(web, group.join_code.lower())
    assert page.status_code == 200
    assert f"You are joining «Kelompok 2» of «{TITLE}»." in shown(page)
    assert 'name="name"' in page.get_data(as_text=True)
    assert members(session, group)[0].joined_at is None  # nobody joined yet


def test_the_cards_qr_address_shows_the_code_as_printed_and_the_names(web, make, session, clock):
    _event, group = rostered(make, session, clock, ["Budi Santoso"])
    web.get("/lang/en")
    page = web.get(f"/j/{group.join_code}")
    assert page.status_code == 200
    assert joincodes.display(group.join_code) in shown(page)
    assert f"«Kelompok 2» of «{TITLE}»" in shown(page)
    assert step_two(web, page, {"member": "", "name": "Ani"}).status_code == 302


def test_a_rostered_name_is_picked_and_no_second_person_appears(web, make, session, clock):
    _event, group = rostered(make, session, clock, ["Dr. Siti Rahayu, S.E., M.M.", "Budi"])
    web.get("/lang/en")
    page = step_one(web, group.join_code)
    assert names_on(page) == ["Budi", "Dr. Siti Rahayu, S.E., M.M."]
    siti = next(p for p in members(session, group) if p.name.startswith("Dr."))
    response = step_two(web, page, {"member": str(siti.id), "name": ""})
    assert response.status_code == 302
    people = members(session, group)
    assert len(people) == 2
    assert [p.name for p in people if p.joined_at] == ["Dr. Siti Rahayu, S.E., M.M."]


def test_the_list_shows_who_already_joined_and_picking_them_again_is_the_same_person(
    web, another_web, make, session, clock
):
    _event, group = rostered(make, session, clock, ["Siti Rahayu", "Budi"])
    siti = next(p for p in members(session, group) if p.name == "Siti Rahayu")
    step_two(web, step_one(web, group.join_code), {"member": str(siti.id), "name": ""})
    another_web.get("/lang/en")
    page = step_one(another_web, group.join_code)
    assert names_on(page) == ["Budi", "Siti Rahayu joined"]
    assert step_two(another_web, page, {"member": str(siti.id), "name": ""}).status_code == 302
    assert len(members(session, group)) == 2
    assert another_web.get("/play/").status_code == 200


def test_a_new_name_can_still_be_typed(web, make, session, clock):
    _event, group = rostered(make, session, clock, ["Budi"])
    page = step_one(web, group.join_code)
    assert step_two(web, page, {"name": "  Rina   Wati "}).status_code == 302
    assert [p.name for p in members(session, group)] == ["Budi", "Rina Wati"]


def test_picking_one_name_and_typing_another_is_refused_and_changes_nothing(
    web, make, session, clock
):
    _event, group = rostered(make, session, clock, ["Budi"])
    budi = members(session, group)[0]
    web.get("/lang/en")
    page = step_one(web, group.join_code)
    response = step_two(web, page, {"member": str(budi.id), "name": "Rina"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "You picked Budi and typed Rina" in text
    assert "«Kelompok 2»" in shown(response)  # still the second step, with the list
    assert [p.joined_at for p in members(session, group)] == [None]


def test_a_name_from_another_group_cannot_be_picked(web, make, session, clock):
    _event, group = rostered(make, session, clock, ["Budi"])
    other = make.participant(make.group(make.event(), "Elsewhere"), "Joko")
    response = step_two(web, step_one(web, group.join_code), {"member": str(other.id)})
    assert response.status_code == 400
    assert web.get("/play/").status_code == 302


def test_an_empty_name_is_asked_for_again(web, make, session, clock):
    _event, group = rostered(make, session, clock, ["Budi"])
    web.get("/lang/en")
    response = step_two(web, step_one(web, group.join_code), {"name": "  "})
    assert response.status_code == 400
    assert "Please write your name" in response.get_data(as_text=True)


def test_joining_an_event_that_is_over_says_which_and_when_it_ended(web, make, session, clock):
    _event, group = rostered(make, session, clock, ["Budi"], hours=8)
    clock.advance(hours=9)
    web.get("/lang/en")
    for response in (step_one(web, group.join_code), web.get(f"/j/{group.join_code}")):
        text = response.get_data(as_text=True)
        assert response.status_code == 403
        assert f"«{TITLE}» is over: it ended on 25 Nov 2026 14:00 WIB." in text
    response = web.join(group.join_code, "Budi")
    assert response.status_code == 403
    assert members(session, group)[0].joined_at is None


def test_the_ended_message_is_in_indonesian_for_an_indonesian_phone(web, make, session, clock):
    _event, group = rostered(make, session, clock, ["Budi"], hours=8)
    clock.advance(hours=9)
    web.get("/lang/id")
    text = step_one(web, group.join_code).get_data(as_text=True)
    assert f"«{TITLE}» sudah selesai: berakhir pada 25 Nov 2026 14:00 WIB." in text


def test_an_event_not_started_yet_can_be_joined_and_says_when_it_starts(web, make, session, clock):
    _event, group = rostered(make, session, clock, ["Budi"])
    clock.advance(days=-1)
    web.get("/lang/en")
    page = step_one(web, group.join_code)
    assert "It starts on 25 Nov 2026 06:00 WIB." in page.get_data(as_text=True)
    response = step_two(web, page, {"name": "Budi"})
    assert response.status_code == 302
    tasks = web.get("/play/", follow_redirects=True).get_data(as_text=True)
    assert f"{TITLE} starts on 25 Nov 2026 06:00 WIB" in tasks


def test_an_old_six_symbol_card_still_joins(web, make, session, clock):
    event = make.event()
    group = make.group(event, "Kelompok Lama")
    # A card printed before codes grew to eight symbols; the app no longer makes such codes.
    group.join_code = "NQM9KE"
    session.add(group)
    session.commit()
    web.get("/lang/en")
    page = web.get("/j/NQM9KE")
    assert "NQM-9KE" in page.get_data(as_text=True)
    assert step_two(web, page, {"name": "Budi"}).status_code == 302
    assert web.join("nqm-9ke", "Budi").status_code == 302


def test_a_wrong_code_from_the_qr_address_is_shown_as_printed_with_the_refusal(web, make):
    web.get("/lang/en")
    response = web.get("/j/ACDEFGHJ")
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No group has the code ACDEFGHJ" in text
    assert 'value="ACDE-FGHJ"' in text


def test_the_join_pages_work_without_javascript(web, make, session, clock):
    _event, group = rostered(make, session, clock, ["Budi"])
    for page in (web.get("/join"), step_one(web, group.join_code)):
        text = page.get_data(as_text=True)
        assert "<script" not in text
        assert re.search(r'<form method="post" action="/join"', text)


def roster_csv(table: list[list[str]]) -> bytes:
    """The roster as the organiser's CSV file."""
    return "\n".join(",".join(f'"{cell}"' for cell in row) for row in table).encode()
