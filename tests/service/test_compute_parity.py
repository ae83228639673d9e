"""Over HTTP, the computations answer what the CLI prints with ``--format json`` for the same
input: every example portfolio against every programme of the bundled standards."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from creditbank import bundled_standards_path
from creditbank.cli import cli
from creditbank.models import Standards
from tests.bundled import bundled_standards
from tests.paths import ROOT

PORTFOLIOS = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
PROGRAMS = sorted(bundled_standards().programs)
AS_OF = "2026-11-29"
STANDARDS = str(bundled_standards_path())

pytestmark = pytest.mark.usefixtures("no_network")


def run_cli(*args: str) -> Any:
    """The parsed JSON the CLI prints (it must succeed)."""
    result = CliRunner().invoke(cli, [*args, "--standards", STANDARDS, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def post(client: TestClient, path: str, portfolio: Path, **extra: Any) -> Any:
    """The parsed answer of ``path`` for the portfolio file's text and ``extra`` (it must
    succeed); the programme is the first one and the day :data:`AS_OF` unless ``extra`` says."""
    body = {
        "portfolio_text": portfolio.read_text(encoding="utf-8"),
        "program": PROGRAMS[0],
        "as_of": AS_OF,
        **extra,
    }
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_every_example_and_programme_is_covered() -> None:
    assert len(PORTFOLIOS) >= 5
    assert len(PROGRAMS) >= 2


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
def test_the_evaluation_over_http_is_the_clis_json(
    client: TestClient, portfolio: Path, program: str
) -> None:
    expected = run_cli("evaluate", str(portfolio), "--program", program, "--as-of", AS_OF)
    assert post(client, "/v1/evaluations", portfolio, program=program) == expected


@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
def test_a_portfolio_sent_as_json_data_evaluates_as_its_file(
    client: TestClient, portfolio: Path, standards: Standards
) -> None:
    expected = run_cli("evaluate", str(portfolio), "--program", PROGRAMS[0], "--as-of", AS_OF)
    data = _as_data(portfolio)
    response = client.post(
        "/v1/evaluations",
        json={"portfolio": data, "program": PROGRAMS[0], "as_of": AS_OF, "lang": "en"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == expected


def _as_data(portfolio: Path) -> dict[str, Any]:
    """The portfolio file as JSON data (dates as text, amounts as numbers), as a platform
    would send it."""
    from creditbank.loading import read_yaml_text

    doc, problems = read_yaml_text(portfolio.read_text(encoding="utf-8"), portfolio.name)
    assert doc is not None and not problems
    loaded: dict[str, Any] = json.loads(json.dumps(doc.data, default=_json_value))
    return loaded


def _json_value(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value.isoformat()


@pytest.mark.parametrize("portfolio", PORTFOLIOS[:2], ids=lambda p: p.stem)
def test_whatif_with_additions_embeds_the_clis_json(client: TestClient, portfolio: Path) -> None:
    addition = "skill:csco2022:6-31-01-03@二级"
    expected = run_cli(
        "whatif", str(portfolio), "--program", PROGRAMS[0], "--as-of", AS_OF, "--add", addition
    )
    body = post(client, "/v1/whatif", portfolio, add=[addition])
    assert body["evaluation"] == expected
    before = run_cli("evaluate", str(portfolio), "--program", PROGRAMS[0], "--as-of", AS_OF)
    assert body["recognised_before"] == before["totals"]["recognised"]


@pytest.mark.parametrize("portfolio", PORTFOLIOS[:2], ids=lambda p: p.stem)
def test_whatif_suggestions_are_the_clis(client: TestClient, portfolio: Path) -> None:
    expected = run_cli(
        "whatif", str(portfolio), "--program", PROGRAMS[0], "--as-of", AS_OF, "--top", "5"
    )
    assert post(client, "/v1/whatif", portfolio, top=5)["suggestions"] == expected
    assert expected  # the comparison is of something


@pytest.mark.parametrize("portfolio", PORTFOLIOS[:2], ids=lambda p: p.stem)
def test_the_pathway_is_the_clis(client: TestClient, portfolio: Path) -> None:
    expected = run_cli(
        "query", "pathway", str(portfolio), "--program", PROGRAMS[0], "--as-of", AS_OF
    )
    assert post(client, "/v1/pathways", portfolio) == expected
    assert expected["steps"]


def test_ctdl_export_is_the_clis(client: TestClient) -> None:
    result = CliRunner().invoke(cli, ["export", "ctdl", PROGRAMS[0], "--standards", STANDARDS])
    assert result.exit_code == 0, result.output
    response = client.get(f"/v1/exports/ctdl/{PROGRAMS[0]}")
    assert response.status_code == 200
    assert response.json() == json.loads(result.output)


def test_clr_export_is_the_clis_unsigned_one(client: TestClient) -> None:
    portfolio = PORTFOLIOS[0]
    result = CliRunner().invoke(
        cli,
        [
            *("export", "clr", str(portfolio), "--program", PROGRAMS[0], "--as-of", AS_OF),
            *("--standards", STANDARDS, "--issuer", "urn:example:issuer"),
        ],
    )
    assert result.exit_code == 0, result.output
    exported = post(client, "/v1/exports/clr", portfolio, issuer="urn:example:issuer")
    assert _stable(exported) == _stable(json.loads(result.output))


def _stable(document: Any) -> Any:
    """A CLR export without what changes with the moment it is made (ids, timestamps)."""
    if isinstance(document, dict):
        return {
            k: _stable(v)
            for k, v in document.items()
            if k not in ("id", "validFrom", "issuanceDate", "awardedDate")
        }
    if isinstance(document, list):
        return [_stable(v) for v in document]
    return document


def test_case_export_is_the_clis(client: TestClient) -> None:
    result = CliRunner().invoke(cli, ["export", "case", PROGRAMS[0], "--standards", STANDARDS])
    assert result.exit_code == 0, result.output
    response = client.get("/v1/exports/case", params={"item": PROGRAMS[0]})
    assert response.status_code == 200
    assert _without_stamps(response.json()) == _without_stamps(json.loads(result.output))


def _without_stamps(document: Any) -> Any:
    if isinstance(document, dict):
        return {k: _without_stamps(v) for k, v in document.items() if k != "lastChangeDateTime"}
    if isinstance(document, list):
        return [_without_stamps(v) for v in document]
    return document


def test_concurrent_evaluations_answer_as_one_at_a_time(client: TestClient) -> None:
    # handlers run on a thread pool over one shared Standards (and its engine caches):
    # concurrent first, while fewer answers are cached, then one at a time
    days = ["2020-01-01", "2024-06-30", AS_OF, "2031-03-01"]
    cases = [(p, program, day) for p in PORTFOLIOS for program in PROGRAMS for day in days]

    def ask(case: tuple[Path, str, str]) -> Any:
        return post(client, "/v1/evaluations", case[0], program=case[1], as_of=case[2])

    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(ask, cases * 2))
    alone = [ask(case) for case in cases]
    assert together == alone * 2
