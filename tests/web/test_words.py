"""One word for each of the three things that were all "Petunjuk": a task's instructions, the
hints a group can open at a cost, and the directions to a place; the same on the organiser's,
the judge's and the phone's pages."""

import pytest

from tests.web.test_authoring import organiser

WORDS = {
    "id": {"instructions": "Instruksi", "hints": "Bantuan", "directions": "Patokan lokasi"},
    "en": {"instructions": "Instructions", "hints": "Hints", "directions": "Directions to"},
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_each_thing_has_its_own_word_on_every_page(web, another_web, make, language):
    words = WORDS[language]
    event = organiser(web, make)
    place = make.location(event, name="Balai Kota", hint="Pintu samping, dekat parkir")
    task = make.task(
        event,
        "text",
        title="Tahun berdiri",
        instructions="Cari prasasti.",
        location_id=place.id,
        hints=[{"text": "Lihat prasasti", "cost": 2}],
    )
    group = make.group(event, "Elang")
    make.submission(event, group, task, status="pending", answer="1914")
    web.get(f"/lang/{language}")
    editor = web.get(f"/organiser/events/{event.id}/tasks/{task.id}/edit").get_data(as_text=True)
    assert f"<span>{words['instructions']}</span>" in editor
    assert f"<span>{words['hints']} " in editor
    places = web.get(f"/organiser/events/{event.id}/locations").get_data(as_text=True)
    assert f"<span>{words['directions']}" in places
    judge = web.get(f"/review/events/{event.id}/").get_data(as_text=True)
    assert f"<summary>{words['instructions']}</summary>" in judge
    another_web.join(group.join_code, "Siti")
    another_web.get(f"/lang/{language}")
    phone = another_web.get(f"/play/tasks/{task.id}").get_data(as_text=True)
    assert f"<h2>{words['hints']}</h2>" in phone
    for page in (editor, places, judge, phone):
        assert "Petunjuk" not in page and "petunjuk" not in page
