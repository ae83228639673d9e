"""Bad input on the ledger routes is a 4xx problem document, never a 500, and writes
nothing: hand-picked cases (personal identifiers, unknown ids, wrong types, bad dates) and
hypothesis's JSON bodies for every write route, sent by the role the route allows."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from creditbank.models import Standards
from creditbank.testing import strategies as cst
from creditbank.testing.ledger import MENU
from tests.service.ledger_world import OWN, Callers, fingerprint, serving

ACCOUNT = f"/v1/accounts/{OWN}"
ID_NUMBER = "11010519491231002X"  # the example 身份证号 of GB 11643: personal data

BAD: list[tuple[str, str, str, Any, int, str]] = [
    ("bank_operator", "/v1/accounts", "POST", {"account": ID_NUMBER}, 422, ""),
    ("bank_operator", "/v1/accounts", "POST", {"account": OWN}, 409, "ACCOUNT_EXISTS"),
    ("bank_operator", "/v1/accounts", "POST", {"account": 7}, 422, "INVALID_REQUEST"),
    ("bank_operator", "/v1/accounts", "POST", {}, 422, "INVALID_REQUEST"),
    ("bank_operator", "/v1/accounts", "POST", [], 422, "INVALID_REQUEST"),
    ("bank_operator", "/v1/accounts/w-404/statement", "GET", None, 404, "UNKNOWN_ACCOUNT"),
    ("bank_operator", "/v1/accounts/w-404", "GET", None, 404, "UNKNOWN_ACCOUNT"),
    (
        "issuer",
        f"{ACCOUNT}/deposits",
        "POST",
        {"achievement": {**MENU["robot-operator-l4"], "earned_on": "2023-02-30"}},
        422,
        "INVALID_DATE",  # review finding (issue 17): a bad date is INVALID_DATE everywhere
    ),
    (
        "learner_own",
        f"{ACCOUNT}/applications",
        "POST",
        {"program": "demo-college:460301", "as_of": "2026-02-30"},
        422,
        "INVALID_DATE",
    ),
    (
        "learner_own",
        f"{ACCOUNT}/applications",
        "POST",
        {"program": "demo-college:460301", "as_of": "29.11.2026"},
        422,
        "INVALID_DATE",
    ),
    (  # a number is no date here (pydantic would read 0 as 1970-01-01)
        "learner_own",
        f"{ACCOUNT}/applications",
        "POST",
        {"program": "demo-college:460301", "as_of": 0},
        422,
        "INVALID_DATE",
    ),
    (
        "bank_operator",
        f"{ACCOUNT}/achievements/elec-l4/expire",
        "POST",
        {"as_of": "2026-13-01"},
        422,
        "INVALID_DATE",
    ),
    (
        "bank_operator",
        f"{ACCOUNT}/achievements/elec-l4/expire",
        "POST",
        {"as_of": "2026-11-29T00:00"},
        422,
        "INVALID_DATE",
    ),
    (
        "issuer",
        f"{ACCOUNT}/deposits",
        "POST",
        {"achievement": MENU["elec-l4"]},
        409,
        "DUPLICATE_ACHIEVEMENT",
    ),
    (
        "issuer",
        f"{ACCOUNT}/deposits",
        "POST",
        {"achievement": {**MENU["robot-operator-l4"], "id": ID_NUMBER}},
        422,
        "",
    ),
    (
        "learner_own",
        f"{ACCOUNT}/applications",
        "POST",
        {"program": "no-such-programme"},
        422,
        "UNKNOWN_PROGRAM",
    ),
    (
        "learner_own",
        f"{ACCOUNT}/applications",
        "POST",
        {"program": "demo-college:460301", "as_of": "2999-01-01"},
        422,
        "MALFORMED_COMMAND",
    ),
    (  # review finding: a learner backdated as_of to revive an expired achievement
        "learner_own",
        f"{ACCOUNT}/applications",
        "POST",
        {"program": "demo-college:460301", "as_of": "0001-01-01"},
        403,
        "NOT_AUTHORISED",
    ),
    (
        "school_reviewer",
        f"{ACCOUNT}/applications/app-9/review",
        "POST",
        None,
        404,
        "UNKNOWN_APPLICATION",
    ),
    (
        "academic_affairs",
        f"{ACCOUNT}/applications/app-1/approve",
        "POST",
        None,
        409,
        "INVALID_TRANSITION",
    ),
    (
        "academic_affairs",
        f"{ACCOUNT}/applications/app-1/reject",
        "POST",
        {},
        422,
        "INVALID_REQUEST",
    ),
    (
        "bank_operator",
        f"{ACCOUNT}/achievements/elec-l4/expire",
        "POST",
        {"as_of": "2026-01-01"},
        422,
        "NOT_EXPIRED",
    ),
    (
        "bank_operator",
        f"{ACCOUNT}/achievements/nothing/revoke",
        "POST",
        {"reason": "x"},
        404,
        "UNKNOWN_ACHIEVEMENT",
    ),
    (
        "academic_affairs",
        f"{ACCOUNT}/overrides",
        "POST",
        {
            "application": "app-1",
            "action": "grant",
            "achievement": "elec-l3",
            "reason": "x",
            "credits": "lots",
        },
        422,
        "INVALID_REQUEST",
    ),
    ("bank_operator", "/v1/applications?state=lost", "GET", None, 422, "INVALID_REQUEST"),
]


@pytest.mark.parametrize(
    "case", BAD, ids=[f"{i}-{case[1].rsplit('/', 1)[-1]}" for i, case in enumerate(BAD)]
)
def test_bad_input_is_a_4xx_problem_that_writes_nothing(
    case: tuple[str, str, str, Any, int, str], world: str, callers: Callers, standards: Standards
) -> None:
    caller, path, method, body, status, code = case
    before = fingerprint(world)
    with serving(world, standards) as client:
        response = client.request(
            method, path, json=body, headers=callers.headers(caller, key="bad-input")
        )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if code:
        assert response.json()["code"] == code
    assert ID_NUMBER not in response.text  # a refusal never echoes personal data
    assert fingerprint(world) == before


WRITES = (
    ("bank_operator", "/v1/accounts"),
    ("issuer", f"{ACCOUNT}/deposits"),
    ("learner_own", f"{ACCOUNT}/applications"),
    ("school_reviewer", f"{ACCOUNT}/applications/app-1/review"),
    ("academic_affairs", f"{ACCOUNT}/applications/app-2/approve"),
    ("academic_affairs", f"{ACCOUNT}/applications/app-1/reject"),
    ("issuer", f"{ACCOUNT}/achievements/elec-l4/revoke"),
    ("bank_operator", f"{ACCOUNT}/achievements/welder-l4/expire"),
    ("academic_affairs", f"{ACCOUNT}/overrides"),
)
_BODIES = cst.json_bodies(
    [
        "account",
        "achievement",
        "program",
        "as_of",
        "reason",
        "application",
        "action",
        "credits",
        "note",
        "evidence",
        "verification",
        "achievements",
        "requirement",
        "course",
    ]
)


@pytest.mark.parametrize(("caller", "path"), WRITES, ids=[w[1].rsplit("/", 1)[-1] for w in WRITES])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=_BODIES)
def test_no_body_makes_a_write_route_fail_or_write_half(
    caller: str, path: str, body: Any, *, world: str, callers: Callers, standards: Standards
) -> None:
    """Whatever JSON is sent: never a 5xx, and a refusal writes nothing."""
    before = fingerprint(world)
    with serving(world, standards) as client:
        response = client.post(path, json=body, headers=callers.headers(caller))
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert fingerprint(world) == before
