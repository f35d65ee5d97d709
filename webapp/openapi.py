"""The JSON API as an OpenAPI 3.1 document, built from the app itself.

Paths and their parameters come from the routes in `app.url_map` (an `<int:…>` is an id
within the database's range, as the converter takes it); what each endpoint answers is
declared here once, as pydantic models whose JSON Schema goes into the document. The suite
fuzzes the app against this document (schemathesis), so the document and the code cannot
drift apart unnoticed. Served at /api/openapi.json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from flask import Flask
from pydantic import BaseModel, ConfigDict, Field

from webapp.domain.inputs import DB_ID_MAX

REF = "#/components/schemas/{model}"
RULE_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Error(Answer):
    """What every refusal of a JSON request says: a code, and a sentence for people."""

    error: str
    message: str


class StandingsGroup(Answer):
    """A group's place; without id, name and colour for a judge of an event judged blind."""

    id: int | None = None
    name: str | None = None
    colour: str | None = None
    rank: int
    points: float
    tasks_completed: int


class Standings(Answer):
    event: int
    revision: int
    groups: list[StandingsGroup]


class TaskState(Answer):
    id: int
    state: str
    opens_at: str | None
    closes_at: str | None
    late_from: str | None = Field(description="Late work is taken from here on, at a cost.")
    comment: str = Field(description="The judge's latest comment the group sees.")


class PhoneAnnouncement(Answer):
    id: int
    text: str


class PhoneState(Answer):
    revision: int | None
    announcements: list[PhoneAnnouncement]
    server_now: str
    tasks: list[TaskState]


class Sent(Answer):
    """A submission as the phone's upload queue sees it."""

    id: int
    key: str
    task_id: int
    status: str
    answer: str
    received_at: str
    pressed_at: str | None
    late_minutes: float
    distance_m: float | None
    photo: str | None


class Received(Answer):
    submission: Sent
    replayed: bool


class Held(Answer):
    submissions: list[Sent]
    server_now: str


class BoardGroup(Answer):
    id: int
    name: str
    colour: str | None
    rank: int
    points: float
    tasks: int
    bar: float


class BoardPhoto(Answer):
    photo: str
    group: str
    colour: str | None
    task: str
    url: str
    large: str


class Position(Answer):
    group: str
    colour: str | None
    lat: float | None  # null only if a bad value was ever stored: JSON has no Infinity
    lon: float | None
    at: str


class Place(Answer):
    name: str
    lat: float
    lon: float
    radius: float


class Board(Answer):
    revision: int
    phase: Literal["live", "frozen", "reveal"]
    server_now: str
    ends_at: str
    next_deadline: str | None
    view: str
    rotation_seconds: int
    reveal_step: int
    groups_total: int
    groups: list[BoardGroup]
    photos: list[BoardPhoto]
    positions: list[Position]
    places: list[Place]
    announcements: list[str]
    timezone: str


class Submission(BaseModel):
    """What the phone sends for a task (multipart/form-data, as a plain form would)."""

    csrf_token: str
    key: str = Field(max_length=64, description="The phone's idempotency key")
    answer: str = ""
    lat: str = Field("", description="Degrees, a finite number from -90 to 90")
    lon: str = Field("", description="Degrees, a finite number from -180 to 180")
    accuracy: str = Field("", description="Metres")
    pressed_at: str = Field("", description="ISO 8601 time with its zone")
    evidence: str = Field("", description="JSON: captured_at, gps, device read from the photo")
    photo: bytes = Field(b"", json_schema_extra={"format": "binary"})


@dataclass(frozen=True)
class Operation:
    """One JSON endpoint: who may call it, what it takes and every answer it gives."""

    summary: str
    responses: dict[int, type[BaseModel] | str]  # a model is a JSON body; a str, no body
    form: type[BaseModel] | None = None
    query: dict[str, dict] = field(default_factory=dict)
    etag: bool = False


NOT_LOGGED_IN = "Not logged in as the right person: to the login (or join) page."
UNCHANGED = "Unchanged since the ETag given in If-None-Match."
OPERATIONS = {
    "api.event_standings": Operation(
        "The live standings, for the event's organisers and judges.",
        {200: Standings, 304: UNCHANGED, 302: NOT_LOGGED_IN, 404: Error},
        etag=True,
    ),
    "play.api_state": Operation(
        "The participant's group: each task's state, times and judge's comment, and the "
        "announcements. Answered 304 only to the login the ETag was made for; anyone not "
        "logged in as a participant gets 401.",
        {200: PhoneState, 304: UNCHANGED, 401: Error},
        etag=True,
    ),
    "play.api_status": Operation(
        "What the server holds for the phone's idempotency keys (at most 50).",
        {200: Held, 302: NOT_LOGGED_IN, 400: Error},
        query={"key": {"type": "array", "items": {"type": "string"}, "maxItems": 50}},
    ),
    "play.api_send": Operation(
        "Sends the group's answer, photo or check-in for a task; a retried key gets the "
        "first answer again (200) instead of a new submission (201).",
        {
            201: Received,
            200: Received,
            302: NOT_LOGGED_IN,
            400: Error,
            404: Error,
            409: Error,
            413: Error,
            422: Error,
        },
        form=Submission,
    ),
    "board.data": Operation(
        "What the board on the projector shows; the token is the board's private link.",
        {200: Board, 304: UNCHANGED, 400: Error, 404: Error},
        etag=True,
    ),
}


def document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of every described endpoint among the app's routes."""
    schemas: dict[str, Any] = {}
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        operation = OPERATIONS.get(rule.endpoint)
        if operation is None:
            continue
        method = "post" if "POST" in rule.methods else "get"
        paths.setdefault(path_of(rule.rule), {})[method] = describe(
            rule.endpoint, rule.rule, operation, schemas
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Jelajah JSON API",
            "version": "1",
            "description": __doc__.strip().splitlines()[0],
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }


def path_of(rule: str) -> str:
    return RULE_PART.sub(lambda match: "{" + match.group(2) + "}", rule)


def describe(endpoint: str, rule: str, operation: Operation, schemas: dict) -> dict:
    described: dict[str, Any] = {
        "operationId": endpoint,
        "summary": operation.summary,
        "parameters": [
            *(parameter(name, converter) for converter, name in RULE_PART.findall(rule)),
            *(
                {"name": name, "in": "query", "required": False, "schema": schema}
                for name, schema in operation.query.items()
            ),
        ],
        "responses": {
            str(status): response(answer, operation.etag, schemas)
            for status, answer in operation.responses.items()
        },
    }
    if operation.etag:
        described["parameters"].append(
            {"name": "If-None-Match", "in": "header", "required": False, "schema": TAG}
        )
    if operation.form is not None:
        described["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": schema_of(operation.form, schemas)}},
        }
    return described


TAG = {"type": "string"}  # any text: one that is no tag of ours only gets the whole answer


def parameter(name: str, converter: str) -> dict:
    if converter == "int":
        schema = {"type": "integer", "minimum": 0, "maximum": DB_ID_MAX}
    else:
        schema = {"type": "string", "minLength": 1, "pattern": r"^[^/]+$"}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def response(answer: type[BaseModel] | str, etag: bool, schemas: dict) -> dict:
    if isinstance(answer, str):
        described: dict[str, Any] = {"description": answer}
        if answer == NOT_LOGGED_IN:
            described["headers"] = {"Location": {"schema": {"type": "string"}}}
        return described
    described = {
        "description": (answer.__doc__ or answer.__name__).strip().splitlines()[0],
        "content": {"application/json": {"schema": schema_of(answer, schemas)}},
    }
    if etag:
        described["headers"] = {"ETag": {"schema": {"type": "string"}}}
    return described


def schema_of(model: type[BaseModel], schemas: dict) -> dict:
    """A reference to the model, with it and the models it uses added to `schemas`."""
    schema = model.model_json_schema(ref_template=REF)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}
