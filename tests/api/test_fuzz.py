"""Issue 10, section 7: property-based fuzzing of every operation of the API's own OpenAPI
document (schemathesis on Hypothesis), with an admin token and a client token, on both
stores: no 5xx, every error is problem+json, every answer conforms to its documented schema.
Invalid requests are refused by the schemas before the store is read or written, so they are
sent on SQLite only; valid ones, which reach the store, on both.

Each operation gets valid requests (within the documented bounds) and invalid ones (outside
them: wrong types, missing fields, values past the bounds); path ids are random, or the ids
of a small world, so reads find something. Bounded: HIRELOG_FUZZ_EXAMPLES cases per
operation and mode, each sent with both tokens; the figures are printed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from projections.projector import Projector
from projections.registry import MODELS
from tests.apiclient import World

EXAMPLES = int(os.environ.get("HIRELOG_FUZZ_EXAMPLES", "8"))
PROBLEM = "application/problem+json"


def problem_on_every_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx and 5xx is an RFC 9457 problem: its type, title, status and detail."""
    if response.status_code < 400:
        return None
    found = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])
    content_type = found[0] if isinstance(found, list) else found
    assert content_type.startswith(PROBLEM), (
        f"{case.method} {case.formatted_path}: {response.status_code} as {content_type}")
    body = json.loads(response.content)
    assert body["status"] == response.status_code
    assert all(isinstance(body[k], str) and body[k] for k in ("type", "title", "detail"))
    return True


def each_token(tokens: dict[str, str], what: str, figures: Counter[str],
               failures: list[str]) -> Callable[[Any], None]:
    """Send a case with each token in turn (a case is generated once and sent as every
    role: generating is most of the time); every answer must pass every check."""

    def send(case: Any) -> None:
        headers = dict(case.headers or {})
        for who, token in tokens.items():
            case.headers = {**headers, "Authorization": f"Bearer {token}"}
            response = case.call()
            figures[f"{response.status_code // 100}xx"] += 1
            try:
                case.validate_response(response, checks=[
                    not_a_server_error, response_schema_conformance,
                    content_type_conformance, problem_on_every_error])
            except Exception as error:
                failures.append(f"{who} {what}: {str(error).splitlines()[0][:300]}")
                raise

    return send


def fuzz(app: Flask, world: World, modes: tuple[GenerationMode, ...]) -> Counter[str]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ids = {"client_id": world.client_a_id, "position_id": world.position_a,
           "candidate_id": world.candidate_a}
    tokens = {"admin": world.admin.token, "client": world.client_a.token}
    figures: Counter[str] = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        known = {name: value for name, value in ids.items()
                 if "{" + name + "}" in operation.path}
        for mode in modes:
            for path_parameters in ({}, known) if known else ({},):
                strategy = operation.as_strategy(generation_mode=mode,
                                                 path_parameters=path_parameters or None)

                run = given(case=strategy)(settings(
                    max_examples=EXAMPLES, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))(
                    each_token(tokens, f"{mode.value} {operation.label}", figures,
                               failures)))
                known_failures = len(failures)
                try:
                    run()
                except Unsatisfiable:
                    continue  # nothing invalid can be sent to it (no parameters)
                except Exception:
                    if len(failures) == known_failures:
                        raise  # not a check that failed: a fault of this test

        figures["operations"] += 1
    assert failures == [], "\n".join(failures[:20])
    return figures


@pytest.mark.slow
def test_fuzzing_every_operation_finds_no_5xx_and_only_documented_answers(
        app: Flask, world: World, figures: Callable[[str, str], None]) -> None:
    recruitment = app.extensions["hirelog"].recruitment
    store = app.extensions["hirelog"].settings.database_url.split(":")[0]
    modes = (GenerationMode.POSITIVE,) if store == "postgresql" else (
        GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    thread, stop = Projector(recruitment, MODELS).start_thread()  # as `hirelog serve` does
    try:
        counted = fuzz(app, world, modes)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert counted["operations"] >= 40
    assert counted["5xx"] == 0
    figures(f"fuzzing, {store}",
            f"{counted['operations']} operations, "
            f"{sum(v for k, v in counted.items() if k.endswith('xx'))} requests: "
            f"{counted['2xx']} 2xx, {counted['4xx']} 4xx, {counted['5xx']} 5xx")
