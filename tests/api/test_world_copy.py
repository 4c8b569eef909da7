"""The API tests' world is copied from a template into each test's store (tests/worlds.py):
the copy must be a store the application can go on with, exactly as if the commands had run."""

from __future__ import annotations

from flask import Flask

from audit.log_verify import verify_log
from tests.apiclient import World, open_position
from tests.readmodels import caught_up, head_of, live_positions


def test_the_copied_world_verifies_is_caught_up_and_the_log_goes_on(app: Flask,
                                                                    world: World) -> None:
    recruitment = app.extensions["hirelog"].recruitment
    assert head_of(recruitment) == 6  # 2 clients, 2 positions, 2 candidates
    assert verify_log(recruitment.recorder).ok
    assert caught_up(recruitment) and set(live_positions(recruitment).values()) == {6}
    # every token works as its role, and the scope holds
    assert world.client_a.get(f"/api/v1/positions/{world.position_a}").status_code == 200
    assert world.client_b.get(f"/api/v1/positions/{world.position_a}").status_code == 404
    assert world.auditor.get(f"/api/v1/candidates/{world.candidate_b}").status_code == 200
    # the log (and its sequence) goes on after the copied events
    open_position(world.recruiter, world.client_a_id, "Data engineer")
    assert head_of(recruitment) == 7
    assert verify_log(recruitment.recorder).ok
