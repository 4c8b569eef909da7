"""Issue 10, section 4: hostile input gets a clean 4xx and changes nothing.

Deeply nested JSON, lone surrogates written as JSON escapes, raw bytes that are not UTF-8,
and the same mailbox written in another form (fullwidth letters, an internationalised domain
in Unicode or in punycode), which is the same candidate for a position (409).
"""

from __future__ import annotations

from typing import Any

import pytest

from domain.values import normalise_email
from tests.apiclient import World, assert_problem

BASE = "/api/v1"


def raw_post(world: World, path: str, raw: bytes) -> Any:
    return world.recruiter.client.post(path, data=raw, headers=world.recruiter.headers(
        {"Content-Type": "application/json"}))


def log_head(world: World) -> int:
    app = world.recruiter.client.application
    return app.extensions["hirelog"].recruitment.recorder.max_notification_id() or 0


@pytest.mark.store_independent
@pytest.mark.parametrize("depth", [33, 1_000, 30_000, 100_000])
@pytest.mark.parametrize("shape", ["arrays", "objects", "inside-a-field"])
def test_deeply_nested_json_is_400(world: World, depth: int, shape: str) -> None:
    nested = {"arrays": b"[" * depth + b"]" * depth,
              "objects": b'{"a":' * depth + b"1" + b"}" * depth,
              "inside-a-field": b'{"note": ' + b"[" * depth + b"]" * depth + b"}"}[shape]
    before = log_head(world)
    for path in (f"{BASE}/candidates/{world.candidate_a}/application", f"{BASE}/clients"):
        body = assert_problem(raw_post(world, path, nested[:256 * 1024]), 400)
        assert "deep" in body["detail"] or "JSON" in body["detail"]
    assert log_head(world) == before


@pytest.mark.store_independent
def test_nesting_within_the_limit_reaches_the_schema(world: World) -> None:
    body = b'{"note": ' + b"[" * 31 + b"]" * 31 + b"}"
    answer = raw_post(world, f"{BASE}/candidates/{world.candidate_a}/application", body)
    assert_problem(answer, 422)


def test_brackets_inside_strings_do_not_count_as_nesting(world: World) -> None:
    note = '[{"' * 500 + '\\"'
    answer = world.recruiter.post(f"{BASE}/candidates/{world.candidate_a}/application",
                                  {"note": note})
    assert answer.status_code == 200, answer.get_json()
    history = world.recruiter.get(f"{BASE}/candidates/{world.candidate_a}/history").get_json()
    assert history[-1]["data"]["note"] == note


@pytest.mark.store_independent
@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "a\\udbff", "\\ude00\\ud83d"])
def test_a_lone_surrogate_in_a_text_field_is_422(world: World, escape: str) -> None:
    before = log_head(world)
    raw = ('{"name": "Ann ' + escape + '", "email": "zoe@example.com", "source": "referral", '
           f'"position_id": "{world.position_a}"}}').encode()
    body = assert_problem(raw_post(world, f"{BASE}/candidates", raw), 422)
    assert [e["pointer"] for e in body["errors"]] == ["/name"]
    assert log_head(world) == before


def test_a_surrogate_pair_is_one_character_and_is_stored(world: World) -> None:
    raw = ('{"name": "Ann \\ud83d\\ude00", "email": "zoe@example.com", "source": "referral", '
           f'"position_id": "{world.position_a}"}}').encode()
    answer = raw_post(world, f"{BASE}/candidates", raw)
    assert answer.status_code == 201, answer.get_json()
    shown = world.recruiter.get(f"{BASE}/candidates/{answer.get_json()['id']}").get_json()
    assert shown["name"] == "Ann \U0001F600"


def test_bytes_that_are_not_utf8_are_400(world: World) -> None:
    raw = b'{"note": "\xed\xa0\x80 \xff"}'
    assert_problem(raw_post(world, f"{BASE}/candidates/{world.candidate_a}/application", raw),
                   400)


@pytest.mark.parametrize("variant", [
    "\uff41\uff4e\uff4e@example.com",  # fullwidth letters
    "ann\uff20example.com",  # fullwidth at sign
    " ANN@EXAMPLE.COM ",
    "ann@ex\u00adample.com",  # a soft hyphen, which IDNA removes
])
def test_one_mailbox_written_another_way_is_the_same_candidate(world: World,
                                                               variant: str) -> None:
    before = log_head(world)
    answer = world.recruiter.post(f"{BASE}/candidates", {
        "position_id": world.position_a, "name": "Ann Again", "email": variant,
        "source": "referral"})
    assert_problem(answer, 409)
    assert answer.get_json()["type"].endswith("duplicate-candidate")
    assert log_head(world) == before


@pytest.mark.parametrize(("first", "second"), [
    ("zoe@b\u00fccher.example", "zoe@xn--bcher-kva.example"),
    ("ZOE@XN--BCHER-KVA.EXAMPLE", "zoe@B\u00dcCHER.example"),
    ("zo\u00eb@example.com", "zoe\u0308@example.com"),  # composed and decomposed
])
def test_an_internationalised_address_is_one_mailbox_in_every_form(
        world: World, first: str, second: str) -> None:
    made = world.recruiter.post(f"{BASE}/candidates", {
        "position_id": world.position_a, "name": "Zoe", "email": first, "source": "referral"})
    assert made.status_code == 201, made.get_json()
    again = world.recruiter.post(f"{BASE}/candidates", {
        "position_id": world.position_a, "name": "Zoe", "email": second, "source": "referral"})
    assert_problem(again, 409)
    stored = world.recruiter.get(f"{BASE}/candidates/{made.get_json()['id']}").get_json()
    assert stored["email"] == normalise_email(second)  # the form that is stored


@pytest.mark.parametrize("version", ['"' + "9" * 5000 + '"', '"99999999999"', '"-1"'])
def test_an_if_match_that_is_no_version_is_400(world: World, version: str) -> None:
    before = log_head(world)
    answer = world.recruiter.post(f"{BASE}/candidates/{world.candidate_a}/application", {},
                                  headers={"If-Match": version})
    assert_problem(answer, 400)
    assert log_head(world) == before
