"""The chart of points through the day (chart.svg): steps, net changes, labels apart, axes,
and nothing the freeze or the reveal keeps from the room."""

import re
from datetime import timedelta

from webapp.services import board, judging


def chart(app, event) -> str:
    response = app.test_client().get(f"/board/{event.board_token}/chart.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    return response.get_data(as_text=True)


def paths(svg: str) -> list[str]:
    return re.findall(r'<path fill="none"[^>]* d="([^"]+)"', svg)


def moves(d: str) -> list[tuple[str, float]]:
    return [(kind, float(value)) for kind, value in re.findall(r"([MHV])([-\d.]+)", d)]


def end_labels(svg: str) -> dict[str, tuple[float, float, str]]:
    """Each end label as the room reads it ("Elang 5"), with its y and font size."""
    return {
        f"{name} {points}": (float(y), float(size))
        for size, y, points, name in re.findall(
            r'<g class="end" fill="[^"]+" font-size="(\d+)" font-weight="bold">'
            r'<text x="[\d.]+" y="([\d.]+)" text-anchor="end">([-\d.]+)</text>'
            r'<text x="[\d.]+" y="[\d.]+">([^<]+)</text></g>',
            svg,
        )
    }


def adjust(session, event, group, points, at, judge):
    judging.add_adjustment(
        session, event=event, group_id=group.id, points=points, reason="x", actor=judge, now=at
    )
    session.commit()


def test_points_change_in_steps_at_the_moment_they_are_earned(app, make, session, clock):
    event = make.event(make.account("ani@example.org"))
    judge = make.judge(event)
    elang = make.group(event, "Elang")
    adjust(session, event, elang, 10, clock.value + timedelta(hours=1), judge)
    adjust(session, event, elang, 15, clock.value + timedelta(hours=3), judge)
    clock.advance(hours=5)
    (d,) = paths(chart(app, event))
    steps = moves(d)
    assert steps[0][0] == "M" and all(kind in "HV" for kind, _ in steps[1:])  # no diagonal
    rises = [value for kind, value in steps if kind == "V"]
    assert len(rises) == 2 and rises[0] > rises[1]  # two steps up (SVG y grows downwards)


def test_a_late_penalty_lands_with_its_points_and_never_dips_below_zero(app, make, session, clock):
    event = make.event(make.account("ani@example.org"))
    elang = make.group(event, "Elang")
    task = make.task(event, points=10, late={"policy": "penalty_points", "value": 4})
    make.submission(
        event,
        elang,
        task,
        status="accepted",
        late_minutes=5,
        received_at=clock.value + timedelta(hours=2),
    )
    clock.advance(hours=3)
    svg = chart(app, event)
    (d,) = paths(svg)
    steps = moves(d)
    zero = float(re.match(r"M[\d.]+,([\d.]+)", d).group(1))  # every line starts at 0
    assert [kind for kind, _ in steps].count("V") == 1  # one net change: +6
    assert all(value <= zero for kind, value in steps if kind == "V")
    assert (
        list(end_labels(svg)) == ["Elang 6"] and ">-" not in svg
    )  # no negative tick on the points axis


def test_end_labels_never_overlap_even_when_groups_tie(app, make, session, clock):
    event = make.event(make.account("ani@example.org"))
    judge = make.judge(event)
    groups = [make.group(event, f"Kelompok {n} dengan nama yang panjang sekali") for n in range(8)]
    for group in groups:
        adjust(session, event, group, 20, clock.value + timedelta(hours=1), judge)
    groups += [make.group(event, f"Regu {n}") for n in range(12)]  # 20 groups, 12 at zero
    clock.advance(hours=2)
    labels = end_labels(chart(app, event))
    assert len(labels) == 20
    spots = sorted(labels.values())
    for (above, size), (below, _size) in zip(spots, spots[1:], strict=False):
        assert below - above >= size  # a line of text apart
    assert all(0 < y <= 600 for y, _ in spots)
    assert any(text.endswith("… 20") for text in labels)  # long names shortened, points kept


def test_the_chart_has_a_time_axis_in_the_events_zone_and_a_points_axis(app, make, session, clock):
    event = make.event(make.account("ani@example.org"), hours=10)  # 07:00-17:00 WITA
    judge = make.judge(event)
    elang = make.group(event, "Elang")
    adjust(session, event, elang, 35, clock.value + timedelta(hours=1), judge)
    clock.advance(hours=4)
    svg = chart(app, event)
    hours = re.findall(r">(\d\d:\d\d)</text>", svg)
    assert hours[0] == "07:00" and hours[-1] == "17:00" and len(hours) >= 5
    assert ">WITA</text>" in svg
    ticks = [float(v) for v in re.findall(r'text-anchor="end" fill="#444">([-\d.]+)</text>', svg)]
    assert ticks[0] == 0 and ticks[-1] >= 35 and len(ticks) >= 3


def test_while_frozen_the_chart_stops_at_the_freeze(app, make, session, clock):
    event = make.event(make.account("ani@example.org"), hours=10)
    judge = make.judge(event)
    elang, rajawali = make.group(event, "Elang"), make.group(event, "Rajawali")
    adjust(session, event, elang, 5, clock.value + timedelta(hours=1), judge)
    board.update(
        session, event=event, actor=judge, now=clock(), freeze_at=clock.value + timedelta(hours=2)
    )
    session.commit()
    adjust(session, event, rajawali, 50, clock.value + timedelta(hours=3), judge)
    clock.advance(hours=6)
    svg = chart(app, event)
    ends = [max(v for kind, v in moves(d) if kind == "H") for d in paths(svg)]
    freeze = float(re.search(r'<text x="([\d.]+)"[^>]*>09:00</text>', svg).group(1))
    assert ends == [freeze, freeze]  # the freeze at 09:00 WITA, where the time axis says
    assert set(end_labels(svg)) == {"Rajawali 0", "Elang 5"}


def test_during_the_reveal_the_chart_shows_only_the_groups_revealed(app, make, session, clock):
    event = make.event(make.account("ani@example.org"), hours=10)
    judge = make.judge(event)
    elang, rajawali = make.group(event, "Elang"), make.group(event, "Rajawali")
    adjust(session, event, elang, 5, clock.value + timedelta(hours=1), judge)
    adjust(session, event, rajawali, 90, clock.value + timedelta(hours=1), judge)
    clock.advance(hours=2)
    board.update(session, event=event, actor=judge, now=clock(), freeze_at=clock())
    board.update(session, event=event, actor=judge, now=clock(), reveal_step=1)
    session.commit()
    svg = chart(app, event)
    assert list(end_labels(svg)) == ["Elang 5"] and "Rajawali" not in svg and len(paths(svg)) == 1
    ticks = [float(v) for v in re.findall(r'text-anchor="end" fill="#444">([-\d.]+)</text>', svg)]
    assert max(ticks) < 90  # the axis does not give the winner's total away
    board.update(session, event=event, actor=judge, now=clock(), reveal_step=2)
    session.commit()
    assert set(end_labels(chart(app, event))) == {"Elang 5", "Rajawali 90"}


def test_names_in_the_chart_are_text(app, make, session, clock):
    event = make.event(make.account("ani@example.org"))
    judge = make.judge(event)
    evil = make.group(event, "<script>alert(1)</script>&")
    adjust(session, event, evil, 5, clock.value + timedelta(hours=1), judge)
    svg = chart(app, event)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
