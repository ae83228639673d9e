"""The role matrix, route by route: every ledger route × every caller, on SQLite and on
PostgreSQL.

Each row names a route, a request the route's own role carries out on the test ledger
(:func:`tests.service.ledger_world.build_world`), and what every caller gets: 401 without a
valid token, 403 FORBIDDEN for a role the route never allows or a learner's token on
another account (the service's check), 403 NOT_AUTHORISED where the ledger's authority
model refuses (another issuer, another school), 2xx where it is done. Every refusal leaves
the database as it was (the event count and every chain head); every 2xx runs on a fresh
copy of the test ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from creditbank.models import Standards
from creditbank.testing.ledger import MENU, PROGRAMS
from tests.conftest import LedgerBackend
from tests.service.ledger_world import (
    CALLERS,
    OTHER,
    OWN,
    Callers,
    World,
    fingerprint,
    serving,
)
from tests.service.test_ledger_credentials import TRUST, signed_badge

_SEE = {"learner_own": 200, "school_reviewer": 200, "academic_affairs": 200, "bank_operator": 200}
_SCHOOL = {"school_reviewer": 200, "academic_affairs": 200, "bank_operator": 200}


@dataclass(frozen=True)
class Row:
    """One route: the request, and the status each caller gets (403 FORBIDDEN if unnamed;
    (status, code) where the code matters)."""

    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    allowed: dict[str, int | tuple[int, str]] = field(default_factory=dict)

    def expected(self, caller: str) -> tuple[int, str | None]:
        if caller == "no_token":
            return 401, "UNAUTHENTICATED"
        if caller == "revoked":
            return 401, "INVALID_TOKEN"
        found = self.allowed.get(caller, (403, "FORBIDDEN"))
        return found if isinstance(found, tuple) else (found, None)


_ACCOUNT = f"/v1/accounts/{OWN}"
ROWS = (
    Row("open", "POST", "/v1/accounts", {"account": "w-003"}, {"bank_operator": 201}),
    Row("list", "GET", "/v1/accounts", None, {**_SCHOOL, "reviewer_other_school": 200}),
    # Another school's staff read no account that never applied to their school (review
    # finding, issue 17: they read every learner of every school).
    Row("summary", "GET", _ACCOUNT, None, {**_SEE}),
    Row("statement", "GET", f"{_ACCOUNT}/statement", None, {**_SEE}),
    Row("events", "GET", f"{_ACCOUNT}/events", None, {**_SEE}),
    Row(
        "deposit",
        "POST",
        f"{_ACCOUNT}/deposits",
        {"achievement": MENU["robot-operator-l4"], "evidence": "file:cert-42"},
        {"issuer": 201, "issuer_other_org": (403, "NOT_AUTHORISED")},
    ),
    Row(
        "deposit-credential",
        "POST",
        f"{_ACCOUNT}/deposits/credential",
        {"credential": signed_badge(), "trust_issuers": TRUST},
        {"issuer": 201, "issuer_other_org": (403, "NOT_AUTHORISED")},
    ),
    Row(
        "apply",
        "POST",
        f"{_ACCOUNT}/applications",
        {"program": PROGRAMS[0]},
        {"learner_own": 201, "bank_operator": 201},
    ),
    Row(
        "review",
        "POST",
        f"{_ACCOUNT}/applications/app-1/review",
        {"reason": "材料齐全"},
        {"school_reviewer": 201, "reviewer_other_school": (403, "NOT_AUTHORISED")},
    ),
    Row(
        "approve",
        "POST",
        f"{_ACCOUNT}/applications/app-2/approve",
        None,
        {"academic_affairs": 201},
    ),
    Row(
        "reject",
        "POST",
        f"{_ACCOUNT}/applications/app-1/reject",
        {"reason": "证书待核实"},
        {
            "school_reviewer": 201,
            "academic_affairs": 201,
            "reviewer_other_school": (403, "NOT_AUTHORISED"),
        },
    ),
    Row(
        "revoke",
        "POST",
        f"{_ACCOUNT}/achievements/elec-l4/revoke",
        {"reason": "证书撤销"},
        {"issuer": 201, "bank_operator": 201, "issuer_other_org": (403, "NOT_AUTHORISED")},
    ),
    Row(
        "expire",
        "POST",
        f"{_ACCOUNT}/achievements/welder-l4/expire",
        {"as_of": "2026-01-01"},
        {"bank_operator": 201},
    ),
    Row(
        "override",
        "POST",
        f"{_ACCOUNT}/overrides",
        {"application": "app-1", "action": "deny", "achievement": "elec-l3", "reason": "重复"},
        {"academic_affairs": 201},
    ),
    Row(
        "profile",
        "POST",
        f"{_ACCOUNT}/profile",
        {"region": "440300", "migrant_worker": True},
        {"learner_own": 201, "bank_operator": 201},
    ),
    Row(
        "funding",
        "POST",
        f"{_ACCOUNT}/funding",
        {"program": PROGRAMS[0], "scheme": "求学圆梦行动", "rule": "fund:demo-college:460301:qxym"},
        {"bank_operator": 201},
    ),
    Row("queue", "GET", "/v1/applications", None, {**_SCHOOL, "reviewer_other_school": 200}),
    Row("verify", "GET", "/v1/ledger/verify", None, {"bank_operator": 200}),
)


def test_every_ledger_route_is_in_the_matrix(standards: Standards, tmp_path: Any) -> None:
    with serving(str(tmp_path / "none.db"), standards) as client:
        paths = client.get("/openapi.json").json()["paths"]
    routes = {
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if path.startswith(("/v1/accounts", "/v1/applications", "/v1/ledger"))
    }
    in_matrix = {(row.method, row.path.replace(OWN, "{account}")) for row in ROWS}
    generic = {
        (m, p.replace("app-1", "{application}").replace("app-2", "{application}"))
        for m, p in in_matrix
    }
    generic = {
        (m, p.replace("elec-l4", "{achievement}").replace("welder-l4", "{achievement}"))
        for m, p in generic
    }
    assert routes == generic


def _send(client: Any, row: Row, headers: dict[str, str]) -> Any:
    if row.method == "GET":
        return client.get(row.path, headers=headers)
    return client.post(row.path, json=row.body, headers=headers)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_role_matrix(
    row: Row,
    *,
    world: str,
    world_made: World,
    ledger_backend: LedgerBackend,
    callers: Callers,
    standards: Standards,
) -> None:
    refused: list[str] = []
    with serving(world, standards) as client:
        before = fingerprint(world)
        for caller in CALLERS:
            status, code = row.expected(caller)
            if status >= 300:
                response = _send(client, row, callers.headers(caller, key=f"k-{caller}"))
                assert response.status_code == status, (caller, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                if code is not None:
                    assert response.json()["code"] == code, (caller, response.text)
                assert fingerprint(world) == before, f"{caller}'s refused request wrote"
                refused.append(caller)
    assert "no_token" in refused and "revoked" in refused
    for caller in CALLERS:
        status, _ = row.expected(caller)
        if status >= 300:
            continue
        fresh = ledger_backend.clone(world_made.location)
        with serving(fresh, standards) as client:
            before = fingerprint(fresh)
            response = _send(client, row, callers.headers(caller, key=f"k-{caller}"))
            assert response.status_code == status, (caller, response.text)
            if row.method == "POST":
                assert fingerprint(fresh)[0] > before[0]
            else:
                assert fingerprint(fresh) == before


def test_the_refusal_reads_as_english(world: str, callers: Callers, standards: Standards) -> None:
    # Review finding (issue 17): the 403 said "a issuer token may not do this".
    with serving(world, standards) as client:
        for caller, article in (("issuer", "an issuer"), ("learner_own", "a learner")):
            response = client.get("/v1/ledger/verify", headers=callers.headers(caller))
            assert response.status_code == 403
            assert response.json()["detail"].startswith(f"{article} token may not do this")


@pytest.mark.parametrize(
    ("caller", "listed"),
    [
        ("bank_operator", [OWN, OTHER]),
        ("school_reviewer", [OWN]),
        ("academic_affairs", [OWN]),
        ("reviewer_other_school", []),
    ],
)
def test_school_staff_list_only_the_accounts_that_applied_to_their_school(
    caller: str, listed: list[str], world: str, callers: Callers, standards: Standards
) -> None:
    # Review finding (issue 17): a school token listed every account of every school.
    with serving(world, standards) as client:
        response = client.get("/v1/accounts", headers=callers.headers(caller))
    assert response.status_code == 200, response.text
    assert response.json()["accounts"] == listed


@pytest.mark.parametrize(
    ("caller", "account"),
    [
        ("reviewer_other_school", OWN),
        ("school_reviewer", OTHER),
        ("academic_affairs", OTHER),
        ("school_reviewer", "w-999"),
    ],
)
def test_school_staff_read_no_account_that_never_applied_to_their_school(
    caller: str, account: str, world: str, callers: Callers, standards: Standards
) -> None:
    # Review finding (issue 17): another school's reviewer read any statement (200). An
    # unknown account is refused alike, so the 403 never says whether an account exists.
    with serving(world, standards) as client:
        before = fingerprint(world)
        for tail in ("", "/statement", "/events"):
            response = client.get(f"/v1/accounts/{account}{tail}", headers=callers.headers(caller))
            assert response.status_code == 403, (tail, response.text)
            assert response.json()["code"] == "FORBIDDEN"
            assert account not in response.text.replace(f"/v1/accounts/{account}", "")
        assert fingerprint(world) == before
