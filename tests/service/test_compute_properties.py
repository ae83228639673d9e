"""Property: whatever portfolio, programme and day, the evaluation over HTTP is the library's
evaluation document, and a portfolio sent as data is judged as the same portfolio sent as
text."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditbank import evaluate, load_portfolio
from creditbank.models import Achievement, Portfolio
from creditbank.serialize import dump_portfolio
from tests.bundled import bundled_standards
from tests.paths import ROOT

STANDARDS = bundled_standards()
ACHIEVEMENTS = [
    achievement
    for path in sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
    for achievement in load_portfolio(path, STANDARDS).achievements
]
PROGRAMS = sorted(STANDARDS.programs)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    chosen=st.lists(st.sampled_from(ACHIEVEMENTS), max_size=8, unique_by=lambda a: a.id),
    program=st.sampled_from(PROGRAMS),
    day=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31)),
)
def test_the_evaluation_over_http_is_the_librarys(
    client: TestClient, chosen: list[Achievement], program: str, day: dt.date
) -> None:
    portfolio = Portfolio(learner="w-prop", achievements=tuple(chosen))
    data = dump_portfolio(portfolio, "json")
    expected = json.loads(evaluate(STANDARDS, portfolio, program, day).to_json())
    as_data = client.post(
        "/v1/evaluations", json={"portfolio": data, "program": program, "as_of": day.isoformat()}
    )
    assert as_data.status_code == 200, as_data.text
    assert as_data.json() == expected
    as_text = client.post(
        "/v1/evaluations",
        json={"portfolio_text": json.dumps(data), "program": program, "as_of": day.isoformat()},
    )
    assert as_text.json() == expected
