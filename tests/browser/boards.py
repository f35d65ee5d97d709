"""What the board tests share: a field day made through the services, map tiles served from
the machine (the only mock: the map's tiles are the one thing from outside), and the boxes
of the standings as a person sees them."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import timedelta

from PIL import Image

from tests.browser.conftest import real_now
from tests.conftest import PHOTOS
from webapp.config import DEFAULTS
from webapp.models import Event, Group, Task, User
from webapp.services import judging, submissions
from webapp.storage import LocalPhotoStore

TILE_HOST = re.compile(
    "^" + re.escape(DEFAULTS["map"]["tile_url"].split("{")[0].rsplit("/", 1)[0]) + "/"
)


def blank_tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (222, 226, 218)).save(out, "PNG")
    return out.getvalue()


def serve_tiles_locally(context) -> None:
    tile = blank_tile()
    context.route(TILE_HOST, lambda route: route.fulfill(body=tile, content_type="image/png"))


def landscape_photo() -> bytes:
    return (PHOTOS / "orientation" / "landscape_1.jpg").read_bytes()


def portrait_photo() -> bytes:
    """The same real scene turned on its side, as a phone held upright sends it."""
    out = io.BytesIO()
    with Image.open(PHOTOS / "orientation" / "landscape_1.jpg") as image:
        image.rotate(90, expand=True).save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class FieldDay:
    """An event running now, its organiser, groups, a task at a place and a photo task."""

    event: Event
    organiser: User
    groups: list[Group]
    checkin: Task
    photo: Task
    session: object
    make: object
    clock: object
    uploads: object
    sent: list = field(default_factory=list)

    def add(self, group: Group, points: float, reason: str = "Kerja sama") -> None:
        judging.add_adjustment(
            self.session,
            event=self.event,
            group_id=group.id,
            points=points,
            reason=reason,
            actor=self.organiser,
            now=self.clock(),
        )
        self.session.commit()

    def send_photo(self, group: Group, data: bytes, task: Task | None = None) -> None:
        """A participant's photo through the submissions service, accepted by the organiser."""
        task = task or self.photo
        participant = self.make.participant(group, name=f"Peserta {len(self.sent)}")
        sub = submissions.submit(
            self.session,
            participant=participant,
            task_id=task.id,
            sent=submissions.Sent(key=f"photo-{len(self.sent)}", photo=data),
            now=self.clock(),
            store=LocalPhotoStore(self.uploads),
        ).submission
        self.session.commit()
        judging.decide(
            self.session,
            event=self.event,
            judge=self.organiser,
            submission_id=sub.id,
            decision="accept",
            now=self.clock(),
        )
        self.session.commit()
        self.sent.append(sub)


def field_day(
    make,
    session,
    clock,
    live_server,
    names: list[str],
    *,
    language: str = "id",
    description: str = "",
    title: str = "Jelajah Lapangan Kota Makassar",
    place: str = "Benteng Rotterdam",
    task_title: str = "Foto kelompok di benteng",
    started: timedelta = timedelta(0),
) -> FieldDay:
    """The event started `started` ago; the clock stands a minute after its start."""
    clock.value = real_now() - started
    organiser = make.account("ani@example.org", name="Ani")
    event = make.event(organiser, hours=8, title=title, language=language, description=description)
    fort = make.location(event, name=place, lat=-5.1343, lon=119.4055, radius_m=60)
    checkin = make.task(event, "checkin", title="Check-in benteng", location_id=fort.id)
    photo = make.task(event, "photo_at_location", title=task_title, location_id=fort.id)
    groups = [make.group(event, name) for name in names]
    clock.value += timedelta(minutes=1)
    return FieldDay(
        event, organiser, groups, checkin, photo, session, make, clock, live_server.uploads
    )


ROWS = """() => [...document.querySelectorAll('#rows .row')].map((row) => {
    const box = row.getBoundingClientRect();
    const name = row.querySelector('.name');
    const nameBox = name.getBoundingClientRect();
    const points = row.querySelector('.points').getBoundingClientRect();
    return {
        name: name.textContent, rank: row.querySelector('.rank').textContent,
        x: box.x, y: box.y, width: box.width, height: box.height,
        visible: row.checkVisibility(),
        nameRight: nameBox.right, pointsLeft: points.left,
        cut: name.scrollWidth > name.clientWidth,
        nameHeight: nameBox.height,
    };
})"""


def row_boxes(page) -> list[dict]:
    return page.evaluate(ROWS)


def assert_rows_in_rank_order(page, names_in_order: list[str]) -> list[dict]:
    """Every row on screen, of real height, each on its own line, in the order given."""
    rows = row_boxes(page)
    view = page.viewport_size
    assert len(rows) == len(names_in_order)
    for row in rows:
        assert row["visible"] and row["height"] > 20, row
        assert 0 <= row["y"] and row["y"] + row["height"] <= view["height"], (row, view)
        assert 0 <= row["x"] and row["x"] + row["width"] <= view["width"], (row, view)
    tops = sorted(rows, key=lambda row: row["y"])
    for above, below in zip(tops, tops[1:], strict=False):
        assert below["y"] >= above["y"] + above["height"], (above, below)  # no overlap
    assert [row["name"] for row in tops] == names_in_order
    return rows


def assert_no_rows_overlap(rows: list[dict]) -> None:
    for n, one in enumerate(rows):
        for other in rows[n + 1 :]:
            apart = (
                one["x"] + one["width"] <= other["x"]
                or other["x"] + other["width"] <= one["x"]
                or one["y"] + one["height"] <= other["y"]
                or other["y"] + other["height"] <= one["y"]
            )
            assert apart, (one, other)
