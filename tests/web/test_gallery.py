"""Every photo of an event as thumbnails, for judges and organisers."""

from datetime import timedelta

import pytest

from webapp.services import gallery


@pytest.fixture
def photos(make, clock):
    owner = make.account("ani@example.org")
    event = make.event(owner)
    make.judge(event, make.account("juri@example.org"))
    elang, rajawali = make.group(event, "Elang"), make.group(event, "Rajawali")
    kreatif = make.task(event, "photo", title="Foto kreatif", position=1)
    tim = make.task(event, "photo", title="Foto tim", position=2)
    sent = []
    for n, (group, task, status) in enumerate(
        [
            (elang, kreatif, "accepted"),
            (rajawali, kreatif, "pending"),
            (elang, tim, "rejected"),
        ]
    ):
        sent.append(
            make.submission(
                event,
                group,
                task,
                status=status,
                photo_key=f"{n:x}" * 32,
                received_at=clock.value + timedelta(minutes=n),
                flags=[{"code": "far", "template": "far", "params": {}}] if n == 1 else [],
            )
        )
    make.submission(event, rajawali, tim, status="accepted", answer="tanpa foto")
    return event, sent, (elang, rajawali), (kreatif, tim)


def tiles(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('href="/review/events/')[1:]]


def test_the_gallery_shows_every_photo_newest_first_each_opening_for_judging(web, photos):
    event, sent, _groups, _tasks = photos
    web.login("juri@example.org")
    web.get("/lang/en")
    page = web.get(f"/review/events/{event.id}/photos").get_data(as_text=True)
    assert "3 photos" in page
    links = [f"{event.id}/submissions/{sub.id}" for sub in reversed(sent)]
    assert [link for link in tiles(page) if "/submissions/" in link] == links
    assert f'/photos/{"0" * 32}/thumb.jpg" alt="Foto kreatif" loading="lazy"' in page
    assert page.count('class="flag"') == 1 and "Rajawali" in page


def test_the_gallery_filters_by_task_group_and_status(web, photos):
    event, sent, (elang, _rajawali), (kreatif, _tim) = photos
    web.login("ani@example.org")
    web.get("/lang/en")
    url = f"/review/events/{event.id}/photos"
    only = web.get(f"{url}?status=accepted").get_data(as_text=True)
    assert "1 photo<" in only and f"submissions/{sent[0].id}" in only
    mine = web.get(f"{url}?group={elang.id}&task={kreatif.id}").get_data(as_text=True)
    assert "1 photo<" in mine and f"submissions/{sent[0].id}" in mine
    none = web.get(f"{url}?status=redo").get_data(as_text=True)
    assert "No photo matches." in none
    anything = web.get(f"{url}?status=bogus").get_data(as_text=True)
    assert "3 photos" in anything  # an unknown status is no filter, not an error


def test_blind_judging_hides_the_groups_in_the_gallery_too(web, photos, session):
    event, _sent, (elang, _rajawali), _tasks = photos
    event.blind_judging = True
    session.commit()
    web.login("juri@example.org")
    web.get("/lang/en")
    page = web.get(f"/review/events/{event.id}/photos?group={elang.id}").get_data(as_text=True)
    assert "Elang" not in page and "Rajawali" not in page
    assert "3 photos" in page  # the group filter is ignored: all three photos


def test_pages_of_the_gallery_and_a_page_out_of_range(photos, session):
    event, sent, _groups, _tasks = photos
    first = gallery.photos(session, event, per_page=2)
    assert (first.total, first.pages, first.page) == (3, 2, 1)
    assert [tile.submission_id for tile in first.tiles] == [sent[2].id, sent[1].id]
    last = gallery.photos(session, event, per_page=2, page=99)
    assert last.page == 2 and [tile.submission_id for tile in last.tiles] == [sent[0].id]


def test_only_the_events_judges_and_organisers_see_the_gallery(app, web, make, photos):
    event, _sent, (elang, _rajawali), _tasks = photos
    make.account("luar@example.org")
    web.login("luar@example.org")
    assert web.get(f"/review/events/{event.id}/photos").status_code == 404
    assert app.test_client().get(f"/review/events/{event.id}/photos").status_code in (302, 404)
