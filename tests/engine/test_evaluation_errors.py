"""The engine's refusals carry stable codes (a service answers an unknown programme 404)."""

from __future__ import annotations

import datetime as dt

import pytest

from creditbank import EvaluationError, Portfolio
from creditbank.engine import evaluate, hypothetical
from creditbank.engine.whatif import parse_addition
from creditbank.errors import EVALUATION_ERROR_CODES
from creditbank.graph.build import build_graph
from creditbank.graph.queries import resolve_level, resolve_program, resolve_unit
from creditbank.graph.scene import program_scene
from creditbank.models import Standards

DAY = dt.date(2026, 11, 29)
ELECTRICIAN = "skill:csco2022:6-31-01-03"


def test_an_unknown_programme_is_unknown_program_wherever_it_is_named(
    standards: Standards,
) -> None:
    empty = Portfolio(learner="w")
    for call in (
        lambda: evaluate(standards, empty, "no-such", DAY),
        lambda: resolve_program(standards, "no-such"),
        lambda: program_scene(build_graph(standards), "no-such"),
    ):
        with pytest.raises(EvaluationError) as raised:
            call()
        assert raised.value.code == "UNKNOWN_PROGRAM"
        assert "no-such" in raised.value.message


def test_units_and_levels_the_standards_lack_have_their_codes(standards: Standards) -> None:
    with pytest.raises(EvaluationError) as unit:
        hypothetical(standards, "no-such", None, DAY)
    assert unit.value.code == "UNKNOWN_UNIT"
    with pytest.raises(EvaluationError) as level:
        hypothetical(standards, ELECTRICIAN, "九级", DAY)
    assert level.value.code == "UNKNOWN_LEVEL"
    with pytest.raises(EvaluationError) as missing:
        hypothetical(standards, ELECTRICIAN, None, DAY)
    assert missing.value.code == "UNKNOWN_LEVEL"
    with pytest.raises(EvaluationError) as query_unit:
        resolve_unit(standards, "no-such")
    assert query_unit.value.code == "UNKNOWN_UNIT"
    with pytest.raises(EvaluationError) as query_level:
        resolve_level(standards, ELECTRICIAN, "九级")
    assert query_level.value.code == "UNKNOWN_LEVEL"


def test_a_question_it_cannot_read_is_invalid_query() -> None:
    with pytest.raises(EvaluationError) as raised:
        parse_addition("@")
    assert raised.value.code == "INVALID_QUERY"
    assert raised.value.code in EVALUATION_ERROR_CODES
