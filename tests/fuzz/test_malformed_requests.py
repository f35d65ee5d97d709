"""Hostile and malformed requests to every address of the app: never a server error.

For each rule of `app.url_map`, as anyone and as the role the address is for: ids past the
database's integer range and ids of another organiser's event in the path, NUL bytes in the
path, the query and every form field, numbers too large or not finite in every field.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import cycle
from urllib.parse import quote, urlencode

import pytest
from werkzeug.routing import IntegerConverter

from tests.conftest import Web
from tests.fuzz.world import build_world

HUGE = (2**31, 2**63, 2**64, 10**30)
NUL = "a\x00b"
LONG_DIGITS = "9" * 5000
QUERY_NAMES = ("task", "group", "page", "last", "skip", "key", "status", "next", "board")
FORM_NAMES = (
    "title name lat lon radius_m address hint points group participant id command view "
    "rotation at text on_board decision comment points index key answer accuracy pressed_at "
    "evidence email password code count prefix colour start_offset_min extra_min table date "
    "start end timezone language kind window_mode opens closes after offset duration "
    "late_policy late_value late_cap grace answers tolerance choices first_bonus "
    "unlocks_after location reason description next groups rubric:Kreativitas"
).split()
FORM_VALUES = (NUL, str(2**63), str(-(2**63)), LONG_DIGITS, "inf", "-inf", "nan", "1e400")
ID_FIELDS = ("group", "participant", "id", "index", "location", "unlocks_after", "user")
CHOICES = (
    {"command": "view", "decision": "accept"},
    {"command": "freeze", "decision": "reject"},
    {"command": "withdraw", "decision": "redo"},
    {"command": "announce", "decision": "accept"},
)


def plausible(world) -> dict:
    """Every field with a value its form takes."""
    return {name: "5" for name in FORM_NAMES} | {
        "title": "Judul",
        "name": "Nama",
        "reason": "Alasan",
        "text": "Pengumuman",
        "email": "baru@example.org",
        "password": "kata sandi panjang",
        "date": "2026-11-25",
        "start": "07:00",
        "end": "17:00",
        "timezone": "Asia/Makassar",
        "language": "id",
        "kind": "text",
        "window_mode": "none",
        "late_policy": "refuse",
        "colour": "#123456",
        "code": world.texts["code"],
        "key": "kunci-1",
        "answer": "5",
        "evidence": "{}",
        "next": "/",
        "at": "",
        "table": "[]",
        "group": str(world.ids["group_id"]),
        "participant": str(world.ids["participant_id"]),
        "location": str(world.ids["location_id"]),
        "id": "1",
        "index": "0",
    }


def owner_of(rule: str) -> str | None:
    for prefix, role in (
        ("/organiser", "organiser"),
        ("/review", "judge"),
        ("/api", "judge"),
        ("/photos", "judge"),
        ("/play", "participant"),
    ):
        if rule.startswith(prefix):
            return role
    return None


def paths(rule, world) -> Iterator[str]:
    """The rule's address with real values, then with one value at a time made hostile."""
    real = {}
    for name, converter in rule._converters.items():
        real[name] = (
            world.ids.get(name, 1)
            if isinstance(converter, IntegerConverter)
            else world.texts.get(name, "x")
        )

    def build(values: dict) -> str:
        path = rule.rule
        for name in rule._converters:
            text = quote(str(values[name]), safe="")
            for part in (f"<int:{name}>", f"<path:{name}>", f"<{name}>"):
                path = path.replace(part, text)
        return path

    yield build(real)
    for name, value in real.items():
        hostile = (
            (*HUGE, world.foreign.get(name, 0)) if isinstance(value, int) else (NUL, "x" * 5000)
        )
        for bad in hostile:
            yield build(real | {name: bad})


def requests_for(rule, world) -> Iterator[tuple[str, str, dict]]:
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    for path in paths(rule, world):
        for method in methods:
            yield method, path, {}
    first = next(paths(rule, world))
    for value in (NUL, str(2**63), LONG_DIGITS):
        query = urlencode({name: value for name in QUERY_NAMES})
        for method in methods:
            yield method, f"{first}?{query}", {}
    if "POST" in methods:  # each form with one of the commands and decisions in turn
        for value, choice in zip(FORM_VALUES, cycle(CHOICES), strict=False):
            yield "POST", first, dict.fromkeys(FORM_NAMES, value) | choice
        real = plausible(world)
        for field in ID_FIELDS:  # a form that passes its checks, but for one id it names
            for huge, choice in zip(HUGE[:2], CHOICES, strict=False):
                yield "POST", first, real | {field: str(huge)} | choice


def send(web: Web, token: str, method: str, path: str, form: dict):
    if method == "GET":
        return web.client.get(path)
    return web.client.post(path, data={"csrf_token": token} | form)


def refusal_is_explained(response) -> bool:
    """A 4xx says what was wrong: a JSON message, or a page with a heading or a notice."""
    if response.status_code < 400:
        return True
    if response.is_json:
        return bool(response.json.get("message"))
    page = response.get_data(as_text=True)
    return "<h1>" in page or 'class="flash' in page


def sweep(web: Web, token: str, rules: list, world) -> tuple[int, list]:
    """Sends every request; returns how many, and those answered 5xx or unexplained."""
    count, failures = 0, []
    for rule in rules:
        for method, path, form in requests_for(rule, world):
            count += 1
            try:
                response = send(web, token, method, path, form)
            except Exception as exc:  # noqa: BLE001 - every failure is listed at the end
                failures.append(f"{method} {path[:100]} {sorted(form)[:2]}: {exc!r}"[:400])
                continue
            with response:
                if response.status_code >= 500 or not refusal_is_explained(response):
                    failures.append(f"{method} {path[:100]}: {response.status_code}")
    return count, failures


@pytest.mark.parametrize("role", ["anonymous", "participant", "judge", "organiser"])
def test_no_malformed_request_gets_a_server_error(app, make, role):
    world = build_world(app, make)
    web = world.clients.get(role) or Web(app.test_client())
    token = web.token("/play/" if role == "participant" else "/login")
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if role == "anonymous" or (owner_of(rule.rule) == role and rule.endpoint != "auth.logout")
    ]
    # Taking the judge off the event last keeps the judge's own sweep meaningful.
    rules.sort(key=lambda rule: rule.endpoint == "organiser.remove_judge")
    count, failures = sweep(web, token, rules, world)
    assert count >= 3 * len(rules) and failures == []
