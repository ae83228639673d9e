"""The standards and computation routes: what they answer, and every way a request can be
wrong answered as a problem document (4xx, never 500)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from httpx2 import Response

from creditbank.cli import cli
from creditbank.ledger import Ledger, issue_token, revoke_token
from creditbank.ledger.events import Role
from creditbank.models import Standards
from creditbank.service import ServiceConfig, create_app
from creditbank.service.problems import PROBLEM_MEDIA_TYPE
from tests.paths import ROOT, TEST_CASES

pytestmark = pytest.mark.usefixtures("no_network")

PORTFOLIO = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
TEXT = PORTFOLIO.read_text(encoding="utf-8")
PROGRAM = "demo-college:460301"
AS_OF = "2026-11-29"
BODY: dict[str, Any] = {"portfolio_text": TEXT, "program": PROGRAM, "as_of": AS_OF}
COMPUTE_POSTS = ["/v1/evaluations", "/v1/whatif", "/v1/pathways", "/v1/exports/clr"]


def problem(response: Response, status: int, code: str) -> dict[str, Any]:
    """The problem document of ``response``, which must have ``status`` and ``code``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    document: dict[str, Any] = response.json()
    assert document["code"] == code, document
    assert document["status"] == status
    return document


# ------------------------------------------------------------------- programmes


def test_programmes_list_every_programme(client: TestClient, standards: Standards) -> None:
    listed = client.get("/v1/programs").json()
    assert [p["id"] for p in listed] == list(standards.programs)
    first = standards.programs[listed[0]["id"]]
    assert listed[0]["name"] == first.name.model_dump(mode="json")
    assert listed[0]["total_credits"] == str(first.total_credits)
    assert listed[0]["requirements"] == len(first.requirements)


@pytest.mark.parametrize("name", [PROGRAM, "460301"])
def test_a_programme_by_id_or_code_has_its_requirements_rules_and_caps(
    client: TestClient, standards: Standards, name: str
) -> None:
    response = client.get(f"/v1/programs/{name}")
    assert response.status_code == 200, response.text
    body = response.json()
    program = standards.programs[PROGRAM]
    assert body["program"]["id"] == PROGRAM
    assert [r["id"] for r in body["program"]["requirements"]] == [
        r.id for r in program.requirements
    ]
    expected_rules = sorted(r.id for r in standards.rules.values() if PROGRAM in r.programs)
    assert [r["id"] for r in body["rules"]] == expected_rules
    assert all(r.get("source") or r.get("example") for r in body["rules"])
    assert body["caps"], "the bundled programme has caps"


def test_the_map_is_the_svg_the_cli_draws(client: TestClient) -> None:
    response = client.get(f"/v1/programs/{PROGRAM}/map.svg", params={"lang": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    drawn = CliRunner().invoke(
        cli,
        ["graph", "--program", PROGRAM, "--format", "svg", "--engine", "python", "--lang", "en"],
    )
    assert drawn.exit_code == 0, drawn.output
    assert response.text.strip() == drawn.output.strip()


@pytest.mark.parametrize(
    "path", ["/v1/programs/no-such", "/v1/programs/no-such/map.svg", "/v1/exports/ctdl/no-such"]
)
def test_an_unknown_programme_is_404(client: TestClient, path: str) -> None:
    code = "UNKNOWN_ITEM" if "ctdl" in path else "UNKNOWN_PROGRAM"
    assert "no-such" in problem(client.get(path), 404, code)["detail"]


def test_an_unknown_case_item_is_404(client: TestClient) -> None:
    problem(client.get("/v1/exports/case", params={"item": "nothing"}), 404, "UNKNOWN_ITEM")


def test_a_bad_language_for_the_map_is_422(client: TestClient) -> None:
    response = client.get(f"/v1/programs/{PROGRAM}/map.svg", params={"lang": "fr"})
    problem(response, 422, "INVALID_REQUEST")


# ----------------------------------------------------------------------- inputs


@pytest.mark.parametrize("path", COMPUTE_POSTS)
def test_an_unknown_programme_in_a_body_is_422(client: TestClient, path: str) -> None:
    """Review finding (issue 17): 404 here but 422 on applications. One rule now: an
    unknown id in the URL's path is 404, an unknown programme named in a body 422."""
    response = client.post(path, json={**BODY, "program": "no-such"})
    assert "no-such" in problem(response, 422, "UNKNOWN_PROGRAM")["detail"]


@pytest.mark.parametrize("path", COMPUTE_POSTS)
@pytest.mark.parametrize(
    ("as_of", "says"),
    [
        ("2026-02-30", "not a day of the calendar"),
        ("2026-13-01", "not a day of the calendar"),
        ("29.11.2026", "write it YYYY-MM-DD"),
        ("2026-11-29T00:00", "write it YYYY-MM-DD"),
        ("", "write it YYYY-MM-DD"),
    ],
)
def test_a_bad_as_of_is_422_invalid_date_saying_what_is_wrong(
    client: TestClient, path: str, as_of: str, says: str
) -> None:
    """One code for a bad date (review finding, issue 17: MALFORMED_DATE was a second)."""
    response = client.post(path, json={**BODY, "as_of": as_of})
    detail = problem(response, 422, "INVALID_DATE")["detail"]
    assert repr(as_of) in detail and says in detail


@pytest.mark.parametrize(
    "body",
    [
        {"program": PROGRAM},  # no portfolio
        {**BODY, "portfolio": {"learner": "x"}},  # both
        {**BODY, "program": 7},
        {"portfolio_text": TEXT},  # no programme
        {**BODY, "lang": "fr"},
        {**BODY, "unknown": 1},
        {**BODY, "portfolio": None, "portfolio_text": None},
    ],
    ids=["none", "both", "program-number", "no-program", "lang", "extra", "nulls"],
)
def test_a_body_of_the_wrong_shape_is_422(client: TestClient, body: dict[str, Any]) -> None:
    problem(client.post("/v1/evaluations", json=body), 422, "INVALID_REQUEST")


@pytest.mark.parametrize("path", [*COMPUTE_POSTS, "/v1/validate", "/v1/credentials/verify"])
@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_a_body_that_is_no_object_is_422(client: TestClient, path: str, body: Any) -> None:
    problem(client.post(path, json=body), 422, "INVALID_REQUEST")


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/evaluations", content=b"{", headers={"content-type": "application/json"}
    )
    problem(response, 400, "MALFORMED_JSON")


def test_a_portfolio_text_with_problems_is_422_located_in_the_text(client: TestClient) -> None:
    broken = TEXT.replace('unit: "skill:csco2022:6-31-01-03"', 'unit: "skill:nothing"', 1)
    document = problem(
        client.post("/v1/evaluations", json={**BODY, "portfolio_text": broken}),
        422,
        "UNKNOWN_REFERENCE",
    )
    (located,) = document["problems"]
    line = broken.splitlines().index('    unit: "skill:nothing"') + 1
    assert located["file"] == "portfolio"
    assert located["line"] == line
    assert located["column"] == 11
    assert located["path"] == ["achievements", 0, "unit"]


def test_a_portfolio_given_as_data_is_located_by_path(client: TestClient) -> None:
    data = {
        "learner": "w",
        "achievements": [{"id": "a", "unit": "x", "earned_on": "2024-02-30"}],
    }
    document = problem(
        client.post("/v1/evaluations", json={**BODY, "portfolio_text": None, "portfolio": data}),
        422,
        "INVALID_DATE",
    )
    located = document["problems"][0]
    assert located["file"] == "request"
    assert "line" not in located
    assert located["path"] == ["achievements", 0, "earned_on"]


def test_a_yaml_syntax_error_is_422_not_500(client: TestClient) -> None:
    document = problem(
        client.post("/v1/evaluations", json={**BODY, "portfolio_text": "a: [1,\n"}),
        422,
        "YAML_SYNTAX",
    )
    assert document["problems"][0]["file"] == "portfolio"


@pytest.mark.parametrize(
    ("add", "code"),
    [(["no-such-unit"], "UNKNOWN_UNIT"), (["skill:csco2022:6-31-01-03@九级"], "UNKNOWN_LEVEL")],
)
def test_a_bad_whatif_addition_is_422_with_the_engines_code(
    client: TestClient, add: list[str], code: str
) -> None:
    problem(client.post("/v1/whatif", json={**BODY, "add": add}), 422, code)


@pytest.mark.parametrize("extra", [{"top": 0}, {"top": 1000}, {"add": [""]}])
def test_whatif_bounds_are_422(client: TestClient, extra: dict[str, Any]) -> None:
    problem(client.post("/v1/whatif", json={**BODY, **extra}), 422, "INVALID_REQUEST")


def test_pathway_max_plans_is_bounded(client: TestClient) -> None:
    problem(client.post("/v1/pathways", json={**BODY, "max_plans": 0}), 422, "INVALID_REQUEST")


# ---------------------------------------------------------------------- validate


def test_validate_a_valid_portfolio(client: TestClient) -> None:
    response = client.post("/v1/validate", json={"portfolio_text": TEXT})
    assert response.status_code == 200
    assert response.json()["valid"] is True
    assert response.json()["problems"] == []


def test_validate_an_invalid_portfolio_is_200_with_the_problems(client: TestClient) -> None:
    broken = TEXT.replace("earned_on: 2021-11-20", "earned_on: 2021-11-31", 1)
    response = client.post("/v1/validate", json={"portfolio_text": broken})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert [p["code"] for p in body["problems"]] == ["INVALID_DATE"]


@pytest.mark.parametrize(
    "case", ["unknown_reference_near_miss.yaml", "duplicate_key.yaml", "alias_bomb.yaml"]
)
def test_validate_standards_reports_what_the_cli_reports(
    client: TestClient, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (TEST_CASES / "broken" / case).read_text(encoding="utf-8")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / case).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    printed = CliRunner().invoke(cli, ["validate", f"rules/{case}", "--format", "json"])
    expected = json.loads(printed.output)
    assert expected["valid"] is False and expected["problems"]
    response = client.post("/v1/validate", json={"standards": {"files": {f"rules/{case}": text}}})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert body["problems"] == expected["problems"]
    assert body["files"] == expected["files"]


def test_validate_strict_runs_the_consistency_checks(client: TestClient) -> None:
    text = (TEST_CASES / "graph" / "amplifying_cycle.yaml").read_text(encoding="utf-8")
    files = {"standards": {"files": {"s.yaml": text}}}
    lenient = client.post("/v1/validate", json=files).json()
    assert lenient["valid"] is True and lenient["findings"] is None
    strict = client.post("/v1/validate", json={**files, "strict": True}).json()
    assert strict["valid"] is False
    assert "CREDIT_AMPLIFYING_CYCLE" in [f["code"] for f in strict["findings"]]


@pytest.mark.parametrize(
    "name", ["../x.yaml", "/etc/x.yaml", ".hidden.yaml", "a/../b.yaml", "x.txt", "a//b.yaml"]
)
def test_validate_refuses_file_names_that_leave_the_fragment(client: TestClient, name: str) -> None:
    response = client.post("/v1/validate", json={"standards": {"files": {name: "kind: units\n"}}})
    problem(response, 422, "INVALID_REQUEST")


@pytest.mark.parametrize(
    "body",
    [{}, {"standards": {"files": {}}}, {"portfolio_text": TEXT, "portfolio": {}}],
    ids=["nothing", "no-files", "both-portfolios"],
)
def test_validate_needs_something_to_check(client: TestClient, body: dict[str, Any]) -> None:
    problem(client.post("/v1/validate", json=body), 422, "INVALID_REQUEST")


# ----------------------------------------------------------------------- private


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/programs", None),
        ("GET", f"/v1/programs/{PROGRAM}", None),
        ("GET", f"/v1/programs/{PROGRAM}/map.svg", None),
        ("POST", "/v1/validate", {"portfolio_text": TEXT}),
        ("POST", "/v1/evaluations", BODY),
        ("POST", "/v1/whatif", BODY),
        ("POST", "/v1/pathways", BODY),
        ("POST", "/v1/credentials/verify", {"credential": {}}),
        ("GET", "/v1/exports/case?item=460301", None),
        ("GET", f"/v1/exports/ctdl/{PROGRAM}", None),
        ("POST", "/v1/exports/clr", BODY),
    ],
)
def test_private_standards_need_a_token_on_every_compute_route(
    private_client: TestClient, client: TestClient, method: str, path: str, body: Any
) -> None:
    refused = private_client.request(method, path, json=body)
    document = problem(refused, 401, "UNAUTHENTICATED")
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert "problems" not in document
    assert client.request(method, path, json=body).status_code == 200


def test_every_compute_route_is_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in [
        "/v1/programs",
        "/v1/programs/{program}",
        "/v1/programs/{program}/map.svg",
        "/v1/validate",
        "/v1/evaluations",
        "/v1/whatif",
        "/v1/pathways",
        "/v1/credentials/verify",
        "/v1/exports/case",
        "/v1/exports/ctdl/{program}",
        "/v1/exports/clr",
    ]:
        assert path in paths, path
    evaluation = paths["/v1/evaluations"]["post"]["responses"]["200"]["content"]
    assert "Evaluation" in json.dumps(evaluation)


def test_validate_refuses_a_file_that_is_also_a_folder(client: TestClient) -> None:
    files = {"a.yaml": "kind: units\n", "a.yaml/b.yaml": "kind: units\n"}
    response = client.post("/v1/validate", json={"standards": {"files": files}})
    assert "a.yaml" in problem(response, 422, "INVALID_REQUEST")["detail"]


def test_an_engine_refusal_has_its_codes_title(client: TestClient) -> None:
    document = problem(
        client.post("/v1/whatif", json={**BODY, "add": ["no-such-unit"]}), 422, "UNKNOWN_UNIT"
    )
    assert document["title"] == "the standards have no unit with this id"
    assert "no-such-unit" in document["detail"]


@pytest.mark.parametrize(
    ("role", "extra"),
    [("learner", {"learner": "w-1"}), ("academic_affairs", {"organisation": "demo-college"})],
)
def test_private_standards_answer_a_valid_token_of_any_role(
    standards: Standards, tmp_path: Path, role: Role, extra: dict[str, str]
) -> None:
    where = str(tmp_path / "bank.db")
    with Ledger.open(where, create=True) as ledger:
        issued = issue_token(ledger, role=role, name="app-1", **extra)
        revoked = issue_token(ledger, role=role, name="app-2", **extra)
        revoke_token(ledger, revoked.record.token_id)
    config = ServiceConfig(ledger=where, public_standards=False)
    with TestClient(create_app(config, standards=standards)) as private:
        for method, path, body in [
            ("POST", "/v1/evaluations", BODY),
            ("GET", f"/v1/programs/{PROGRAM}", None),
        ]:
            allowed = private.request(
                method, path, json=body, headers={"Authorization": f"Bearer {issued.secret}"}
            )
            assert allowed.status_code == 200, allowed.text
            refused = private.request(
                method, path, json=body, headers={"Authorization": f"Bearer {revoked.secret}"}
            )
            problem(refused, 401, "INVALID_TOKEN")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/exports/case",  # no item
        f"/v1/exports/ctdl/{PROGRAM}?certificates=perhaps",
        f"/v1/programs/{PROGRAM}/map.svg?engine=neato",
        "/v1/exports/case?item=" + "x" * 301,
    ],
)
def test_bad_query_parameters_are_422(client: TestClient, path: str) -> None:
    problem(client.get(path), 422, "INVALID_REQUEST")


def test_a_bad_moment_to_check_a_credential_at_is_invalid_date(client: TestClient) -> None:
    for at in ("2026-02-30", "29.11.2026"):
        body = {"credential": {"a": 1}, "at": at}
        problem(client.post("/v1/credentials/verify", json=body), 422, "INVALID_DATE")


def test_a_date_error_beside_another_error_is_invalid_request(client: TestClient) -> None:
    body = {"credential": {"a": 1}, "at": "2026-02-30", "learner": ""}
    problem(client.post("/v1/credentials/verify", json=body), 422, "INVALID_REQUEST")


@pytest.mark.parametrize("add", [[], ["skill:csco2022:6-31-01-03@二级"]])
def test_a_whatif_resolves_its_programme_once(
    client: TestClient, add: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding (issue 17): the programme was looked up again for each evaluation of
    a request (before and after the additions; each suggestion)."""
    from creditbank.service.routes import compute

    evaluate_module = importlib.import_module("creditbank.engine.evaluate")
    whatif_module = importlib.import_module("creditbank.engine.whatif")

    looked_up: list[object] = []
    real = evaluate_module.resolve_program

    def counted(standards: Standards, program: Any) -> Any:
        if isinstance(program, str):
            looked_up.append(program)
        return real(standards, program)

    monkeypatch.setattr(evaluate_module, "resolve_program", counted)
    monkeypatch.setattr(whatif_module, "resolve_program", counted)
    monkeypatch.setattr(compute, "resolve_program", counted)
    response = client.post("/v1/whatif", json={**BODY, "add": add, "top": 3})
    assert response.status_code == 200, response.text
    assert looked_up == [PROGRAM]
