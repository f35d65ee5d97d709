"""The outbox on a 360-px phone: what it says about each thing sent, what folds away, whose
items a shared phone sends, and a server that fails for a while."""

from __future__ import annotations

import shutil
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import real_now
from tests.browser.test_phone import join, ready, stored
from tests.conftest import PHOTOS

pytestmark = pytest.mark.browser

SOON = 15_000


@pytest.fixture
def day(make, clock):
    clock.value = real_now()
    event = make.event(title="Jelajah Kota Makassar", hours=3)
    place = make.location(event, name="Benteng Rotterdam", lat=-5.13396, lon=119.40545)
    tasks = {
        "quiz": make.task(
            event, "text", title="Nama masjid terbesar", check={"answers": ["Masjid Raya"]}
        ),
        "checkin": make.task(event, "checkin", title="Tiba di benteng", location_id=place.id),
        "text": make.task(event, "text", title="Refleksi pagi"),
        "photo": make.task(event, "photo", title="Foto gerbang"),
    }
    return event, make.group(event, "Kelompok Elang"), tasks


def open_task(page, task):
    page.goto(f"/play/tasks/{task.id}")
    ready(page)


def send(page, answer):
    page.fill("#send-form [name=answer]", answer)
    page.click("#send-form button.primary")


def test_the_outbox_says_sent_shows_the_verdict_apart_and_folds_sent_items_away(
    small_phone, day, shots
):
    event, group, tasks = day
    far = {"latitude": -5.0, "longitude": 119.40545, "accuracy": 10}
    context = small_phone(locale="id-ID", geolocation=far)
    page = context.new_page()
    join(page, group, "Siti")
    open_task(page, tasks["checkin"])
    page.click("#send-form button.primary")
    refused = page.locator("#outbox li.outbox-refused")
    expect(refused).to_contain_text("tidak diterima: Anda berada", timeout=SOON)
    expect(page.locator("#send-status")).to_contain_text("Anda berada")  # no more "Mengirim…"

    open_task(page, tasks["quiz"])
    send(page, "Masjid Agung")
    arrived = page.locator("#outbox li.outbox-received")
    expect(arrived).to_contain_text("Nama masjid terbesar · terkirim", timeout=SOON)
    expect(arrived.locator(".state")).to_have_text("ditolak")  # the verdict, apart
    expect(page.locator("#send-status")).to_have_text("Terkirim: sudah sampai di server.")
    assert "diterima" not in arrived.inner_text()
    context.set_offline(True)
    for answer in ("Masjid Al-Markaz", "Masjid Raya"):
        send(page, answer)
    expect(page.locator("#outbox li.outbox-waiting")).to_have_count(2)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "phone-outbox.png"))
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#outbox li.outbox-waiting")).to_have_count(0, timeout=SOON)
    # What arrived folds away by itself; the refusal stays until it is read.
    expect(arrived).to_have_count(0, timeout=SOON)
    expect(refused).to_have_count(1)
    refused.get_by_role("button").click()
    expect(page.locator("#outbox")).to_be_hidden()


def test_five_sends_leave_the_task_on_the_first_screen(small_phone, day):
    event, group, tasks = day
    page = small_phone().new_page()
    join(page, group, "Siti")
    open_task(page, tasks["quiz"])
    for n in range(5):
        send(page, f"Masjid nomor {n}")
        expect(page.locator("#send-status")).to_have_text(
            "Sent: it reached the server.", timeout=SOON
        )
        expect(page.locator(".task-meta .state")).to_have_text("rejected", timeout=SOON)
    expect(page.locator("#outbox")).to_be_hidden(timeout=SOON)
    assert page.locator("h1").bounding_box()["y"] < 200
    assert page.locator("#send-form button.primary").bounding_box()["y"] < 740


def arrived(session, seconds=15):
    """What the server has stored, once something arrived (or after `seconds`)."""
    deadline = time.monotonic() + seconds
    while not (rows := stored(session)) and time.monotonic() < deadline:
        time.sleep(0.3)
    return rows


def drop_uploads(page):
    """The phone has signal, but its uploads get no answer (a dropped connection)."""
    page.context.route("**/play/api/tasks/*/submissions", lambda route: route.abort("failed"))


def test_a_shared_phone_sends_an_answer_only_for_the_person_who_made_it(
    small_phone, day, make, session
):
    event, group, tasks = day
    other = make.group(event, "Kelompok Rajawali")
    context = small_phone()
    page = context.new_page()
    join(page, group, "Siti")
    open_task(page, tasks["text"])
    drop_uploads(page)
    send(page, "Jawaban Siti untuk Elang")
    expect(page.locator("#outbox li.outbox-waiting")).to_be_visible(timeout=SOON)
    page.get_by_role("button", name="Log out").click()
    dialog = page.locator("#logout-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("1 thing you made is not sent yet.")
    expect(dialog).to_contain_text("they are lost")
    dialog.get_by_role("button", name="Keep them and log out").click()
    page.wait_for_url("**/join*")
    context.unroute("**/play/api/tasks/*/submissions")

    join(page, other, "Andi")
    open_task(page, tasks["text"])
    expect(page.locator(".outbox-others")).to_be_visible()
    expect(page.locator("#outbox li")).to_have_count(0)  # not Andi's to see or send
    page.evaluate("window.jelajahDrain()")
    page.wait_for_timeout(4000)  # more than a round of the queue
    assert stored(session) == []
    page.get_by_role("button", name="Log out").click()  # nothing of Andi's waits: no question
    page.wait_for_url("**/join*")

    drop_uploads(page)
    join(page, group, "Siti")
    page.goto("/play/history")  # any phone page sends what its person made
    ready(page)
    context.unroute("**/play/api/tasks/*/submissions")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    rows = arrived(session)
    assert [(r.group_id, r.answer) for r in rows] == [(group.id, "Jawaban Siti untuk Elang")]


def test_logging_out_may_discard_what_waits_after_a_clear_warning(small_phone, day, session):
    event, group, tasks = day
    page = small_phone().new_page()
    join(page, group, "Siti")
    open_task(page, tasks["text"])
    drop_uploads(page)
    send(page, "Salah ketik")
    expect(page.locator("#outbox li.outbox-waiting")).to_be_visible(timeout=SOON)
    page.get_by_role("button", name="Log out").click()
    page.locator("#logout-dialog").get_by_role("button", name="Discard them and log out").click()
    page.wait_for_url("**/join*")
    page.context.unroute("**/play/api/tasks/*/submissions")
    join(page, group, "Siti")
    page.wait_for_timeout(4000)
    expect(page.locator("#outbox")).to_be_hidden()
    assert stored(session) == []


def test_a_server_error_is_shown_while_the_phone_keeps_trying(small_phone, day, live_server):
    event, group, tasks = day
    page = small_phone().new_page()
    join(page, group, "Siti")
    open_task(page, tasks["photo"])
    shutil.rmtree(live_server.uploads, ignore_errors=True)
    live_server.uploads.write_text("a file where the photos folder should be")  # saving fails
    page.set_input_files("input[type=file]", str(PHOTOS / "gps" / "DSCN0010.jpg"))
    page.click("#send-form button.primary")
    waiting = page.locator("#outbox li.outbox-waiting")
    expect(waiting).to_contain_text(
        "The server had a problem; this phone keeps trying.", timeout=SOON
    )
    expect(page.locator("#send-status")).to_have_text(
        "The server had a problem; this phone keeps trying."
    )
    attempts = page.evaluate(
        "indexedDB.databases().then(() => new Promise((ok) => {"
        " const r = indexedDB.open('jelajah', 1);"
        " r.onsuccess = () => { const t = r.result.transaction('outbox').objectStore('outbox')"
        ".getAll(); t.onsuccess = () => ok(t.result[0].attempts); }; }))"
    )
    assert attempts >= 1
    live_server.uploads.unlink()
    live_server.uploads.mkdir()
    page.evaluate("window.dispatchEvent(new Event('online'))")  # as when the signal returns
    expect(page.locator(".task-meta .state")).to_have_text("waiting for a judge", timeout=SOON)
    assert len(list(live_server.uploads.glob("*/*-thumb.jpg"))) == 1
