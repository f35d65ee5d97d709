"""Logging in and out, joining a group, who may open what, CSRF on every form."""

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from tests.conftest import PASSWORD
from webapp.models import Participant


def test_organiser_logs_in_and_sees_their_events(web, make):
    event = make.event(make.account("ani@example.org"), title="Hari Lapangan")
    response = web.login("ANI@example.org ", PASSWORD)
    assert response.status_code == 302
    page = web.get("/organiser/").get_data(as_text=True)
    assert "Hari Lapangan" in page
    assert f"/organiser/events/{event.id}" in page


def test_wrong_password_is_refused_with_a_message_and_logs_nobody_in(web, make):
    make.account("ani@example.org")
    web.get("/lang/en")
    response = web.login("ani@example.org", "wrong password")
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.get_data(as_text=True)
    assert web.get("/organiser/").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(web, make):
    response = web.login("nobody@example.org", "whatever1")
    assert response.status_code == 401


def test_logout_needs_a_post_with_its_token(web, make):
    make.account("ani@example.org")
    web.login("ani@example.org")
    assert web.client.get("/logout").status_code == 405
    assert web.client.post("/logout").status_code == 400  # no CSRF token
    assert web.get("/organiser/").status_code == 200
    web.submit("/organiser/", {}, action="/logout")
    assert web.get("/organiser/").status_code == 302


def test_participant_joins_with_a_good_code_and_stays_logged_in(web, make, session, clock):
    event = make.event()
    group = make.group(event, "Kelompok Merah")
    code = f" {group.join_code[:3].lower()}-{group.join_code[3:].lower()} "
    response = web.join(code, "  Siti   Rahma ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/play/")
    member = session.exec(select(Participant).where(Participant.group_id == group.id)).one()
    assert member.name == "Siti Rahma"
    cookie = web.client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only
    assert cookie.same_site == "Lax"
    # The remember cookie lasts for the event and the configured 12 hours after it, not a
    # year. Flask-Login dates it from the real clock, the app's clock is the tests' own.
    lifetime = cookie.expires - datetime.now(UTC)
    expected = event.ends_at - clock() + timedelta(hours=12)
    assert expected - timedelta(minutes=5) < lifetime <= expected


def test_joining_again_with_the_same_name_is_the_same_participant(web, another_web, make, session):
    group = make.group(make.event())
    web.join(group.join_code, "Budi")
    another_web.join(group.join_code, "budi ")
    assert len(session.exec(select(Participant).where(Participant.group_id == group.id)).all()) == 1


def test_wrong_join_code_is_refused_with_a_clear_message_and_changes_nothing(web, make, session):
    make.group(make.event())
    response = web.join("XXXXXX", "Budi")
    assert response.status_code == 404
    assert "XXXXXX" in response.get_data(as_text=True)
    assert session.exec(select(Participant)).all() == []


def test_wrong_join_code_message_is_in_indonesian_for_an_indonesian_phone(web, make):
    response = web.submit(
        "/join", {"code": "XXXXXX", "name": "Budi"}, headers={"Accept-Language": "id-ID,id;q=0.9"}
    )
    assert "Tidak ada kelompok" in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(web, make, session):
    group = make.group(make.event())
    response = web.client.post("/join", data={"code": group.join_code, "name": "Budi"})
    assert response.status_code == 400
    assert session.exec(select(Participant)).all() == []
    response = web.client.post("/login", data={"email": "a@b.c", "password": "x"})
    assert response.status_code == 400


def test_a_participant_cannot_open_organiser_pages(web, make):
    event = make.event()
    group = make.group(event)
    web.join(group.join_code, "Budi")
    assert web.get("/organiser/").status_code == 403
    assert web.get(f"/organiser/events/{event.id}").status_code in (302, 403, 404)
    assert web.get(f"/organiser/events/{event.id}").status_code != 200


def test_an_organiser_cannot_open_another_organisers_event(web, make):
    mine = make.event(make.account("ani@example.org"))
    theirs = make.event(make.account("joko@example.org"))
    web.login("ani@example.org")
    assert web.get(f"/organiser/events/{mine.id}").status_code == 200
    assert web.get(f"/organiser/events/{theirs.id}").status_code == 404


def test_a_judge_cannot_open_the_organiser_page_of_the_event(web, make):
    event = make.event()
    make.judge(event, make.account("judge@example.org"))
    web.login("judge@example.org")
    assert web.get(f"/organiser/events/{event.id}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(web, make):
    event = make.event()
    response = web.get(f"/organiser/events/{event.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = web.get("/play/")
    assert response.status_code == 302 and "/join" in response.headers["Location"]


def test_login_redirects_only_to_this_site(web, make):
    make.account("ani@example.org")
    token = web.token("/login")
    response = web.client.post(
        "/login?next=https://evil.example/x",
        data={"csrf_token": token, "email": "ani@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"].endswith("/organiser/")


def test_language_choice_is_remembered(web, make):
    web.get("/lang/en")
    assert "Join your group" in web.get("/join").get_data(as_text=True)
    web.get("/lang/id")
    assert "Gabung" in web.get("/join").get_data(as_text=True)


def test_session_protection_is_basic_so_a_phone_changing_network_stays_in(app):
    assert app.login_manager.session_protection == "basic"


def test_pages_name_an_icon_that_is_served(web):
    page = web.get("/join").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    response = web.get(icon)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    response.close()
