"""Eligibility over HTTP answers what ``creditbank eligibility --format json`` prints, for
every example portfolio, and bad input is 422 with located problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from creditbank import bundled_standards_path
from creditbank.cli import cli
from tests.paths import ROOT

PORTFOLIOS = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
AS_OF = "2026-12-07"
STANDARDS = str(bundled_standards_path())

pytestmark = pytest.mark.usefixtures("no_network")


def _cli(*args: str) -> Any:
    run = CliRunner().invoke(
        cli, ["eligibility", *args, "--as-of", AS_OF, "--standards", STANDARDS, "--format", "json"]
    )
    assert run.exit_code == 0, run.output
    return json.loads(run.output)


def _post(client: TestClient, path: str, portfolio: Path, **extra: Any) -> Any:
    body = {"portfolio_text": portfolio.read_text(encoding="utf-8"), "as_of": AS_OF, **extra}
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("wanted", ["all", "title", "funding"])
@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
def test_eligibility_over_http_is_the_clis_json(
    client: TestClient, portfolio: Path, wanted: str, lang: str
) -> None:
    # each outcome's `name` is in the language asked for, over HTTP as in the CLI
    expected = _cli(str(portfolio), "--for", wanted, "--lang", lang)
    assert _post(client, "/v1/eligibility", portfolio, **{"for": wanted, "lang": lang}) == expected


@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
def test_where_over_http_is_the_clis_json(client: TestClient, portfolio: Path) -> None:
    expected = _cli(str(portfolio), "--where")
    assert _post(client, "/v1/eligibility/where", portfolio) == expected
    assert expected["schema"] == "creditbank.tracks/1"


def test_a_bad_profile_is_a_located_422(client: TestClient) -> None:
    text = "learner: t\nprofile: {education: college}\n"
    for path in ("/v1/eligibility", "/v1/eligibility/where"):
        response = client.post(path, json={"portfolio_text": text, "as_of": AS_OF})
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["problems"][0]["code"] == "INVALID_VALUE"
        assert problem["problems"][0]["line"] == 2


def test_an_unknown_outcome_kind_or_a_bad_day_is_422(client: TestClient) -> None:
    text = PORTFOLIOS[0].read_text(encoding="utf-8")
    wrong_kind = client.post("/v1/eligibility", json={"portfolio_text": text, "for": "jobs"})
    assert wrong_kind.status_code == 422
    bad_day = client.post("/v1/eligibility", json={"portfolio_text": text, "as_of": "2026-02-30"})
    assert bad_day.status_code == 422 and "INVALID_DATE" in bad_day.text


def test_the_routes_are_public(client: TestClient) -> None:
    text = PORTFOLIOS[0].read_text(encoding="utf-8")
    response = client.post("/v1/eligibility", json={"portfolio_text": text, "as_of": AS_OF})
    assert response.status_code == 200  # no token
