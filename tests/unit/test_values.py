"""Scores round like a person rounds, and skill names are compared as a recruiter types them."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue
from domain.values import Skill, validate_rubric, weighted_score


def test_a_score_that_is_exactly_halfway_rounds_up():
    rubric = [Skill("python", 3), Skill("sql", 1)]
    # strong_no (0) x 3 + no (1) x 1 = 1 of 16 possible points: 6.25 -> 6.3, not 6.2
    assert weighted_score({"python": "strong_no", "sql": "no"}, rubric) == 6.3


def test_skill_names_lose_surrounding_blanks_and_duplicates_are_caught():
    assert Skill("  python ", 2).name == "python"
    with pytest.raises(InvalidValue):
        validate_rubric([Skill("Python", 2), Skill("python ", 3)])
