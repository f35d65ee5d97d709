"""The organiser's editor through the test client: events, tasks, locations, judges."""

import html
import re
from pathlib import Path

from sqlmodel import select

from webapp.models import AuditEntry, Event, Group, Location, Submission, Task, User

TASKS = Path(__file__).resolve().parents[2] / "tasks"


def organiser(web, make, **event_fields):
    owner = make.account("ani@example.org")
    event = make.event(owner, **event_fields)
    web.login("ani@example.org")
    web.get("/lang/en")
    return event


def test_new_event_from_scratch_with_groups(web, make, session):
    make.account("ani@example.org", can_create_events=True)
    web.login("ani@example.org")
    response = web.submit(
        "/organiser/events/new",
        {
            "title": "Jelajah Kupang",
            "description": "",
            "date": "2026-12-01",
            "start": "07:00",
            "end": "17:00",
            "timezone": "Asia/Makassar",
            "language": "id",
            "queued_late_policy": "flag",
            "counts": "best",
            "review_conflict": "average",
            "tie_break": "points,tasks_completed,earliest_final",
            "groups": "4",
        },
    )
    assert response.status_code == 302
    event = session.exec(select(Event).where(Event.title == "Jelajah Kupang")).one()
    assert event.starts_at.isoformat() == "2026-11-30T23:00:00+00:00"
    assert event.queued_late_policy == "flag" and event.review_conflict == "average"
    assert len(session.exec(select(Group).where(Group.event_id == event.id)).all()) == 4


def test_new_event_from_a_task_set_file(web, make, session):
    make.account("ani@example.org", can_create_events=True)
    web.login("ani@example.org")
    data = {
        "title": "Hari Lapangan",
        "description": "",
        "date": "2026-12-01",
        "start": "07:00",
        "end": "17:00",
        "timezone": "Asia/Makassar",
        "language": "id",
        "queued_late_policy": "accept",
        "counts": "best",
        "review_conflict": "average",
        "tie_break": "points",
        "blind_judging": "y",
        "groups": "3",
        "taskset": ((TASKS / "field-day.toml").open("rb"), "field-day.toml"),
    }
    response = web.submit("/organiser/events/new", data, content_type="multipart/form-data")
    assert response.status_code == 302
    event = session.exec(select(Event).where(Event.title == "Hari Lapangan")).one()
    assert len(session.exec(select(Task).where(Task.event_id == event.id)).all()) == 10
    # The rules chosen on the form hold for an event made from a file too.
    assert (event.review_conflict, event.tie_break, event.blind_judging) == (
        "average",
        "points",
        True,
    )


def test_a_broken_task_set_upload_lists_its_problems_and_creates_nothing(web, make, session):
    make.account("ani@example.org", can_create_events=True)
    web.login("ani@example.org")
    web.get("/lang/en")
    broken = (TASKS / "demo.toml").read_text().replace("radius = 60", "radius = -5", 1)
    import io

    data = {
        "title": "Rusak",
        "description": "",
        "date": "2026-12-01",
        "start": "07:00",
        "end": "17:00",
        "timezone": "Asia/Jakarta",
        "language": "id",
        "queued_late_policy": "accept",
        "counts": "best",
        "review_conflict": "last",
        "tie_break": "points",
        "groups": "3",
        "taskset": (io.BytesIO(broken.encode()), "demo.toml"),
    }
    page = web.submit("/organiser/events/new", data, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert "demo.toml:18: locations[1].radius" in text
    assert session.exec(select(Event)).all() == []


def test_editing_a_running_event_is_logged_and_bumps_the_revision(web, make, session):
    event = organiser(web, make)
    revision = event.revision
    response = web.submit(
        f"/organiser/events/{event.id}/settings",
        {
            "title": "Nama Baru",
            "description": "",
            "date": "2026-11-25",
            "start": "08:00",
            "end": "16:00",
            "timezone": "Asia/Makassar",
            "language": "id",
            "queued_late_policy": "refuse",
            "counts": "latest",
            "review_conflict": "last",
            "tie_break": "points,earliest_final,tasks_completed",
        },
    )
    assert response.status_code == 302
    session.rollback()
    session.expire_all()
    event = session.get(Event, event.id)
    assert event.title == "Nama Baru" and event.counts == "latest"
    assert event.tie_break == "points,earliest_final,tasks_completed"
    assert event.starts_at.isoformat() == "2026-11-25T00:00:00+00:00"
    assert event.revision > revision
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "event.update")).one()
    assert entry.before["title"] != entry.after["title"] == "Nama Baru"
    assert "ani@example.org" in entry.actor


def task_data(**overrides):
    data = {
        "title": "Foto kelompok",
        "kind": "photo",
        "points": "20",
        "instructions": "Berfoto",
        "location": "0",
        "window_mode": "absolute",
        "opens": "08:00",
        "closes": "10:00",
        "after": "start",
        "offset": "0",
        "late_policy": "penalty_percent",
        "late_value": "20",
        "unlocks_after": "0",
        "rubric": "Kreativitas: 4\nKerja sama: 2",
        "hints": "2: Di depan gedung",
        "first_bonus": "5, 3",
    }
    data.update(overrides)
    return data


def test_add_edit_duplicate_reorder_and_delete_tasks(web, make, session):
    event = organiser(web, make)
    base = f"/organiser/events/{event.id}/tasks"
    assert web.submit(f"{base}/new", task_data()).status_code == 302
    assert (
        web.submit(
            f"{base}/new", task_data(title="Jawab", kind="text", answers="Masjid Raya\nMesjid Raya")
        ).status_code
        == 302
    )
    first, second = session.exec(select(Task).order_by(Task.position)).all()
    assert first.rubric == [{"name": "Kreativitas", "max": 4}, {"name": "Kerja sama", "max": 2}]
    assert first.hints == [{"text": "Di depan gedung", "cost": 2}] and first.first_bonus == [5, 3]
    assert first.late == {"policy": "penalty_percent", "value": 20}
    assert second.check == {"answers": ["Masjid Raya", "Mesjid Raya"]}
    web.submit(f"{base}/{first.id}/edit", task_data(title="Foto kreatif", points="30"))
    web.submit(base, {}, action=f"{base}/{first.id}/duplicate")
    web.submit(base, {}, action=f"{base}/{first.id}/down")
    session.rollback()
    session.expire_all()
    titles = [t.title for t in session.exec(select(Task).order_by(Task.position)).all()]
    assert titles == ["Jawab", "Foto kreatif", "Foto kreatif (2)"]
    web.submit(base, {}, action=f"{base}/{second.id}/delete")
    session.rollback()
    session.expire_all()
    assert [t.title for t in session.exec(select(Task).order_by(Task.position)).all()] == [
        "Foto kreatif",
        "Foto kreatif (2)",
    ]
    assert len(session.exec(select(AuditEntry).where(AuditEntry.action.like("task.%"))).all()) >= 5
    edit = session.exec(select(AuditEntry).where(AuditEntry.action == "task.update")).first()
    assert (edit.before["title"], edit.after["title"]) == ("Foto kelompok", "Foto kreatif")
    assert (edit.before["points"], edit.after["points"]) == (20, 30)


def errors_at(page: str, name: str) -> list[str]:
    """The messages shown at the form field called `name`, as the organiser reads them."""
    for block in re.findall(r'<label class="field">(.*?)</label>', page, re.S):
        if re.search(rf'name="{name}"', block):
            return [
                html.unescape(e) for e in re.findall(r'<small class="error">(.*?)</small>', block)
            ]
    raise AssertionError(f"no field {name}")


def test_a_bad_task_is_refused_with_each_reason_at_its_field(web, make, session):
    event = organiser(web, make)
    page = web.submit(
        f"/organiser/events/{event.id}/tasks/new",
        task_data(kind="checkin", opens="10:00", closes="09:00"),
    ).get_data(as_text=True)
    assert errors_at(page, "closes") == ["The window ends (09:00) before it starts (10:00)."]
    assert errors_at(page, "location") == [
        "This kind of task needs a location: choose one, or add it on the Map page first."
    ]
    assert errors_at(page, "title") == []
    assert "Please correct the marked fields." in page
    assert "window.closes" not in page and "<li>location" not in page
    assert session.exec(select(Task)).all() == []


def test_the_reasons_are_in_the_organisers_language(web, make):
    event = organiser(web, make)
    web.get("/lang/id")
    page = web.submit(
        f"/organiser/events/{event.id}/tasks/new",
        task_data(kind="photo_at_location", rubric="Kreativitas", late_value="0"),
    ).get_data(as_text=True)
    assert errors_at(page, "location") == [
        "Jenis tugas ini memerlukan lokasi: pilih salah satu, atau tambahkan dulu di halaman Peta."
    ]
    assert errors_at(page, "rubric") == [
        "Setiap baris memerlukan nama dan nilai maksimum di atas 0, dalam bentuk nama: maksimum "
        "(mis. Kreativitas: 4)."
    ]
    assert errors_at(page, "late_value") == ["Pilihan ini memerlukan penalti lebih dari 0."]


def test_the_task_list_names_each_kind_in_the_organisers_language(web, make):
    event = organiser(web, make)
    location = make.location(event)
    make.task(event, "photo_at_location", title="Foto gapura", location_id=location.id)
    make.task(event, "checkin", title="Tiba di balai", location_id=location.id)
    page = web.get(f"/organiser/events/{event.id}/tasks").get_data(as_text=True)
    assert "Photo at a location ·" in page and "Check-in at a location ·" in page
    assert "photo_at_location" not in page and "checkin ·" not in page
    web.get("/lang/id")
    page = web.get(f"/organiser/events/{event.id}/tasks").get_data(as_text=True)
    assert "Foto di lokasi ·" in page and "Check-in di lokasi ·" in page


def test_without_javascript_each_kind_specific_field_says_which_kinds_it_is_for(web, make):
    event = organiser(web, make)
    page = web.get(f"/organiser/events/{event.id}/tasks/new").get_data(as_text=True)
    assert "For: Number, Multiple choice" in page  # the right answer
    assert "For: Photo, Photo at a location" in page  # the reference photo
    assert 'src="/static/js/task-form.js' in page


def test_fields_the_chosen_kind_or_policy_does_not_use_are_not_saved(web, make, session):
    event = organiser(web, make)
    web.submit(
        f"/organiser/events/{event.id}/tasks/new",
        task_data(answers="Masjid", choices="A\nB", late_policy="refuse", late_value="20"),
    )
    task = session.exec(select(Task)).one()
    assert task.kind == "photo" and "answers" not in task.check and "choices" not in task.check
    assert task.late == {"policy": "refuse"}


def test_locations_are_placed_and_checked(web, make, session):
    event = organiser(web, make)
    page = f"/organiser/events/{event.id}/locations"
    assert "leaflet.js" in web.get(page).get_data(as_text=True)
    script = web.get("/vendor/leaflet/leaflet.js")
    assert script.status_code == 200 and b"Leaflet" in script.get_data()
    script.close()
    web.submit(
        page, {"name": "Pantai Losari", "lat": "-5.14357", "lon": "119.40768", "radius_m": "120"}
    )
    location = session.exec(select(Location)).one()
    assert (location.key, location.radius_m) == ("pantai-losari", 120)
    bad = web.submit(page, {"name": "Salah", "lat": "-95", "lon": "119", "radius_m": "0"})
    assert "outside -90 to 90" in bad.get_data(as_text=True)
    assert "more than 0 metres" in bad.get_data(as_text=True)
    assert len(session.exec(select(Location)).all()) == 1


def test_a_location_used_by_a_task_cannot_be_deleted(web, make, session):
    event = organiser(web, make)
    location = make.location(event)
    make.task(event, "checkin", location_id=location.id)
    page = f"/organiser/events/{event.id}/locations"
    response = web.submit(page, {}, action=f"{page}/{location.id}/delete", follow_redirects=True)
    assert "used by tasks" in response.get_data(as_text=True)
    assert session.get(Location, location.id) is not None


def test_a_task_groups_have_sent_for_cannot_be_deleted(web, make, session):
    event = organiser(web, make)
    task = make.task(event, "text", title="Tahun berdiri")
    sent = make.submission(event, make.group(event, "Elang"), task, status="accepted")
    page = f"/organiser/events/{event.id}/tasks"
    response = web.submit(page, {}, action=f"{page}/{task.id}/delete", follow_redirects=True)
    assert "already sent something for Tahun berdiri (1 in all)" in response.get_data(as_text=True)
    session.rollback()
    assert session.get(Task, task.id) is not None
    assert session.get(Submission, sent.id) is not None


def test_judges_are_appointed_by_email_and_can_be_new_accounts(web, make, session):
    event = organiser(web, make)
    make.account("juri@example.org")
    page = f"/organiser/events/{event.id}/judges"
    web.submit(page, {"email": "juri@example.org"})
    missing = web.submit(page, {"email": "baru@example.org"})
    assert "give a name and a password" in missing.get_data(as_text=True)
    web.submit(page, {"email": "baru@example.org", "name": "Juri Baru", "password": "panjang123"})
    listed = web.get(page).get_data(as_text=True)
    assert "juri@example.org" in listed and "baru@example.org" in listed
    assert session.exec(select(User).where(User.email == "baru@example.org")).one()


def test_changes_to_a_running_event_reach_the_phone_on_its_next_refresh(
    web, another_web, make, session
):
    event = organiser(web, make)
    group = make.group(event)
    task = make.task(event, "text", title="Lama")
    another_web.join(group.join_code, "Siti")
    assert "Lama" in another_web.get("/play/").get_data(as_text=True)
    web.submit(
        f"/organiser/events/{event.id}/tasks/{task.id}/edit",
        task_data(title="Baru", kind="text", window_mode="none"),
    )
    assert "Baru" in another_web.get("/play/").get_data(as_text=True)


def test_only_the_events_organiser_reaches_the_editor(web, make):
    event = make.event(make.account("someone@example.org"))
    make.account("ani@example.org")
    web.login("ani@example.org")
    for path in (
        "tasks",
        "tasks/new",
        "locations",
        "groups",
        "roster",
        "cards",
        "judges",
        "settings",
    ):
        assert web.get(f"/organiser/events/{event.id}/{path}").status_code == 404, path


def test_coordinates_are_read_as_people_type_and_paste_them_without_javascript(web, make, session):
    event = organiser(web, make)
    page = f"/organiser/events/{event.id}/locations"
    web.submit(page, {"name": "Koma", "lat": "-7,9775", "lon": "112,637", "radius_m": "50"})
    web.submit(
        page, {"name": "Pasangan", "lat": "\u22127.9666, 112.6369", "lon": "", "radius_m": "50"}
    )
    web.submit(page, {"name": "Khatulistiwa", "lat": "0", "lon": "109.3222", "radius_m": "50"})
    bad = web.submit(page, {"name": "Salah", "lat": "tujuh", "lon": "112", "radius_m": "50"})
    assert errors_at(bad.get_data(as_text=True), "lat") == [
        "Type a number such as -7.98 or 112.63."
    ]
    places = {p.name: (p.lat, p.lon) for p in session.exec(select(Location)).all()}
    assert places == {
        "Koma": (-7.9775, 112.637),
        "Pasangan": (-7.9666, 112.6369),
        "Khatulistiwa": (0.0, 109.3222),
    }


def test_a_location_error_is_shown_at_its_field(web, make):
    event = organiser(web, make)
    page = web.submit(
        f"/organiser/events/{event.id}/locations",
        {"name": "Salah", "lat": "-95", "lon": "119", "radius_m": "0"},
    ).get_data(as_text=True)
    assert errors_at(page, "lat") == ["Latitude -95.0 is outside -90 to 90."]
    assert errors_at(page, "radius_m") == ["The radius must be more than 0 metres."]
