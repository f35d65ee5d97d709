"""The JSON API keeps its OpenAPI contract: schemathesis fuzzes it in-process (WSGI), with
the document the app serves, as anyone and as the person each endpoint is for."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.world import build_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
BOUNDED = settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def json_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "/api/" in rule.rule or rule.rule.endswith(".json")
    } - {"api.openapi_document"}


def test_the_document_describes_every_json_endpoint(app):
    document = app.test_client().get("/api/openapi.json").json
    assert document["openapi"].startswith("3.1")
    described = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    }
    assert described == json_endpoints(app)


def role_for(path: str) -> str | None:
    return {"/api/": "organiser", "/play/": "participant"}.get(path[: path.find("/", 1) + 1])


def test_the_json_api_keeps_its_contract_under_fuzzing(app, make):
    world = build_world(app, make)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    open_answer = make.task(world.event, "text", title="Apa yang kamu lihat?")
    real = world.ids | world.texts | {"task_id": open_answer.id}  # one the group can still send
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.definition.raw["operationId"] for operation in operations} == (
        json_endpoints(app)
    )
    answered = {}
    for operation in operations:
        role = role_for(operation.path)
        web = world.clients.get(role)
        cookie = {"session": web.client.get_cookie("session").value} if web else {}
        token = web.token("/play/" if role == "participant" else "/organiser/") if web else ""
        names = {p.name for p in operation.path_parameters}
        mine = {name: real[name] for name in names}
        runs = [{"generation_mode": GenerationMode.POSITIVE}]
        if names:
            runs.append({"generation_mode": GenerationMode.POSITIVE, "path_parameters": mine})
        if operation.body:  # and once what a phone sends: a new key (201), then its retries
            sent = {"csrf_token": token, "key": "contract-1", "answer": "Gedung tua"}
            runs.append({"path_parameters": mine, "body": sent})
        if "{" in operation.path.replace("{token}", "") or operation.body:
            runs.append(
                {"generation_mode": GenerationMode.NEGATIVE}
            )  # an id or a form to get wrong
        for run in runs:
            for cookies in (cookie, {}) if cookie else ({},):
                statuses = keep_contract(operation.as_strategy(**run), cookies, token)
                answered.setdefault(operation.path, set()).update(statuses)
    # Each endpoint was reached as far as its answer, not only stopped at the door.
    assert all(any(200 <= code < 300 for code in codes) for codes in answered.values()), answered


def keep_contract(strategy, cookies: dict, token: str) -> set[int]:
    statuses = set()

    @BOUNDED
    @given(case=strategy)
    def sent(case):
        if isinstance(case.body, dict) and "csrf_token" in case.body and token:
            case.body["csrf_token"] = token  # past the form's CSRF check, to the rules
        response = case.call(cookies=cookies)
        statuses.add(response.status_code)
        case.validate_response(response, checks=CHECKS)

    sent()
    return statuses
