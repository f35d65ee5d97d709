"""Logins that can be ended: logout, a new join code, removing a participant, logging a group
out and a new password each end the logins concerned at the next request, whichever cookie
comes back, copies included."""

from sqlmodel import select

from tests.conftest import PASSWORD, Web
from tests.web.test_authoring import organiser
from webapp.models import AuditEntry, LoginSession, Participant


def copy_of(web: Web, app, cookie_name: str) -> Web:
    """Another browser holding only a copy of one of `web`'s cookies."""
    cookie = web.client.get_cookie(cookie_name)
    assert cookie is not None, f"no {cookie_name} cookie"
    thief = Web(app.test_client())
    thief.client.set_cookie(cookie.key, cookie.value)
    return thief


def logged_in_phone(app, group, name: str) -> Web:
    phone = Web(app.test_client())
    assert phone.join(group.join_code, name).status_code == 302
    phone.get("/lang/en")
    return phone


def actions(session, action: str) -> list[AuditEntry]:
    session.rollback()
    return session.exec(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_a_copy_of_the_remember_cookie_works_until_logout_and_not_after(app, make):
    group = make.group(make.event())
    phone = logged_in_phone(app, group, "Siti")
    thief = copy_of(phone, app, "remember_token")
    assert thief.get("/play/").status_code == 200
    phone.submit("/play/", {}, action="/logout")
    assert phone.get("/play/").status_code == 302
    response = thief.get("/play/")
    assert response.status_code == 302 and "/join" in response.headers["Location"]


def test_logging_out_on_one_phone_leaves_the_same_person_on_another(app, make):
    group = make.group(make.event())
    first, second = logged_in_phone(app, group, "Siti"), logged_in_phone(app, group, "Siti")
    first.submit("/play/", {}, action="/logout")
    assert first.get("/play/").status_code == 302
    assert second.get("/play/").status_code == 200


def test_a_new_join_code_logs_the_groups_phones_out_at_once(web, app, make, session):
    event = organiser(web, make)
    group, other = make.group(event, "Elang"), make.group(event, "Rajawali")
    phone, elsewhere = logged_in_phone(app, group, "Siti"), logged_in_phone(app, other, "Budi")
    copy = copy_of(phone, app, "remember_token")
    assert phone.get("/play/").status_code == 200 and copy.get("/play/").status_code == 200
    response = web.submit(
        f"/organiser/events/{event.id}/groups",
        {},
        action=f"/organiser/events/{event.id}/groups/{group.id}/new-code",
        follow_redirects=True,
    )
    assert "phones are logged out" in response.get_data(as_text=True)
    assert phone.get("/play/").status_code == 302
    assert copy.get("/play/").status_code == 302
    assert elsewhere.get("/play/").status_code == 200
    assert [entry.subject for entry in actions(session, "group.log_out")] == [f"group {group.id}"]


def test_log_everyone_out_of_a_group(web, app, make, session):
    event = organiser(web, make)
    group, other = make.group(event, "Elang"), make.group(event, "Rajawali")
    phones = [logged_in_phone(app, group, name) for name in ("Siti", "Budi")]
    elsewhere = logged_in_phone(app, other, "Ani")
    copies = [copy_of(phone, app, "remember_token") for phone in phones]
    page = web.get(f"/organiser/events/{event.id}/groups").get_data(as_text=True)
    assert "Log everyone out of this group" in page
    web.submit(
        f"/organiser/events/{event.id}/groups",
        {},
        action=f"/organiser/events/{event.id}/groups/{group.id}/log-out",
    )
    assert [p.get("/play/").status_code for p in phones + copies] == [302, 302, 302, 302]
    assert elsewhere.get("/play/").status_code == 200
    entry = actions(session, "group.log_out")[0]
    assert entry.actor.startswith("Organiser <ani@example.org>")
    assert entry.after == {"logins_ended": 2}
    # They join again with the same code and are the same people.
    assert phones[0].join(group.join_code, "Siti").status_code == 302
    assert len(session.exec(select(Participant)).all()) == 3


def test_a_removed_participant_is_logged_out_cannot_join_again_and_keeps_what_they_sent(
    web, app, make, session
):
    event = organiser(web, make)
    group = make.group(event, "Elang")
    task = make.task(event, "text", title="Refleksi")
    siti, budi = logged_in_phone(app, group, "Siti"), logged_in_phone(app, group, "Budi")
    page = f"/play/tasks/{task.id}"
    siti.submit(page, {"key": "k1", "answer": "Pelajaran hari ini"}, action=f"{page}/send")
    member = session.exec(select(Participant).where(Participant.name == "Siti")).one()
    web.submit(
        f"/organiser/events/{event.id}/groups",
        {},
        action=f"/organiser/events/{event.id}/participants/{member.id}/remove",
    )
    assert siti.get("/play/").status_code == 302
    again = siti.join(group.join_code, "siti")
    assert again.status_code == 403
    assert "The organiser has taken Siti off this group" in again.get_data(as_text=True)
    listed = siti.submit("/join", {"code": group.join_code}).get_data(as_text=True)
    assert 'name="member"' in listed and ">Siti<" not in listed
    history = budi.get("/play/history").get_data(as_text=True)
    assert "Refleksi" in history and "Siti" in history
    groups_page = web.get(f"/organiser/events/{event.id}/groups").get_data(as_text=True)
    assert "<s>Siti</s>" in groups_page
    assert actions(session, "participant.remove")[0].after["name"] == "Siti"
    web.submit(
        f"/organiser/events/{event.id}/groups",
        {},
        action=f"/organiser/events/{event.id}/participants/{member.id}/restore",
    )
    assert siti.join(group.join_code, "Siti").status_code == 302


def test_an_organiser_cannot_remove_a_participant_of_another_event(web, make, session):
    event = organiser(web, make)
    stranger = make.participant(make.group(make.event(), "Elsewhere"), "Joko")
    web.submit(
        f"/organiser/events/{event.id}/groups",
        {},
        action=f"/organiser/events/{event.id}/participants/{stranger.id}/remove",
    )
    session.rollback()
    assert session.get(Participant, stranger.id).removed_at is None


def test_a_copy_of_the_organisers_session_cookie_stops_working_after_logout(web, app, make):
    organiser(web, make)
    copy = copy_of(web, app, "session")
    assert copy.get("/organiser/").status_code == 200
    web.submit("/organiser/", {}, action="/logout")
    assert copy.get("/organiser/").status_code == 302


def change(web, current, new, repeated=None):
    return web.submit(
        "/account/password",
        {"current": current, "new": new, "repeated": new if repeated is None else repeated},
    )


def test_a_new_password_logs_out_every_other_browser_and_keeps_this_one(
    web, another_web, app, make, session
):
    organiser(web, make)
    another_web.login("ani@example.org")
    stolen = copy_of(web, app, "session")
    assert another_web.get("/organiser/").status_code == 200
    assert "Change password" in web.get("/account/password").get_data(as_text=True)
    response = change(web, PASSWORD, "a much better passphrase")
    assert response.status_code == 302
    assert web.get("/organiser/").status_code == 200
    assert another_web.get("/organiser/").status_code == 302
    assert stolen.get("/organiser/").status_code == 302
    assert another_web.login("ani@example.org", PASSWORD).status_code == 401
    assert another_web.login("ani@example.org", "a much better passphrase").status_code == 302
    assert actions(session, "account.password")[0].after == {"logins_ended": 2}


def test_a_wrong_current_password_or_a_weak_or_mistyped_new_one_changes_nothing(
    web, another_web, make
):
    organiser(web, make)
    for args, message in (
        (("wrong one", "a much better passphrase"), "The current password is not right."),
        ((PASSWORD, "short"), "The password must have at least 8 characters."),
        ((PASSWORD, "a much better passphrase", "a much better passfrase"), "not the same"),
    ):
        response = change(web, *args)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert another_web.login("ani@example.org", PASSWORD).status_code == 302
    assert web.get("/organiser/").status_code == 200


def test_the_password_page_is_for_accounts(app, make):
    anonymous = Web(app.test_client())
    assert "/login" in anonymous.get("/account/password").headers["Location"]
    phone = logged_in_phone(app, make.group(make.event()), "Siti")
    assert phone.get("/account/password").status_code == 403
    assert "/account/password" not in phone.get("/play/").get_data(as_text=True)


def test_the_database_keeps_no_login_token_only_its_hash(app, make, session):
    phone = logged_in_phone(app, make.group(make.event()), "Siti")
    cookie = phone.client.get_cookie("remember_token").value
    token = cookie.split("|")[0].removeprefix("s:")
    stored = session.exec(select(LoginSession)).one()
    assert len(token) > 30
    assert stored.token_hash != token and token not in stored.token_hash
