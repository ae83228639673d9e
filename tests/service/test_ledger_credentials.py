"""``POST /v1/accounts/{account}/deposits/credential`` (deposit-badge over HTTP), on SQLite
and on PostgreSQL: a signed credential of a standards issuer is deposited as verified, with
its check; a repeat replays; a rejected or refused credential writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from creditbank.interop.export import sign_credential
from creditbank.interop.keys import multibase_from_public_key
from creditbank.ledger import Ledger
from creditbank.models import Standards
from tests.interop.helpers import KEY, NOW
from tests.interop.test_openbadges import electrician_badge
from tests.service.ledger_world import OWN, Callers, fingerprint, serving

pytestmark = pytest.mark.usefixtures("no_network")

CENTRE = "https://demo-assessment-centre.example/issuer"
PATH = f"/v1/accounts/{OWN}/deposits/credential"


def signed_badge() -> dict[str, Any]:
    """The electrician's badge of the interop tests, issued by the assessment centre of the
    standards and signed with the tests' key (verified when ``TRUST`` pins it)."""
    badge = electrician_badge()
    badge["issuer"] = {"id": CENTRE, "type": ["Profile"], "name": "示例职业技能等级认定中心"}
    return sign_credential(badge, KEY, created=NOW)


TRUST = [f"{CENTRE}#{multibase_from_public_key(KEY.public_key())}"]


def test_a_signed_credential_is_deposited_verified_and_a_repeat_replays(
    world: str, callers: Callers, standards: Standards
) -> None:
    body = {"credential": signed_badge(), "trust_issuers": TRUST}
    before = fingerprint(world)
    with serving(world, standards) as client:
        first = client.post(PATH, json=body, headers=callers.headers("issuer", key="badge-1"))
        after = fingerprint(world)
        again = client.post(PATH, json=body, headers=callers.headers("issuer", key="badge-1"))
    assert first.status_code == 201, first.text
    (deposit,) = first.json()["deposits"]
    assert (deposit["outcome"], deposit["verification"]) == ("deposited", "verified")
    token = callers.token_ids["issuer"]
    assert deposit["receipt"]["key"] == f"{token}:badge-1:{deposit['achievement']}"
    assert after[0] == before[0] + 1
    assert again.status_code == 200 and again.json()["deposits"][0]["outcome"] == "replayed"
    assert fingerprint(world) == after
    with Ledger.open(world, read_only=True) as ledger:
        line = next(a for a in ledger.statement(OWN).achievements if a.id == deposit["achievement"])
        assert line.credential_check is not None and line.credential_check.reason == "VERIFIED"
        assert ledger.verify().ok


@pytest.mark.parametrize(
    ("caller", "body", "status", "code"),
    [
        ("issuer", {"credential_text": "not json"}, 422, None),
        ("issuer", {"credential": {"a": 1}, "credential_text": "{}"}, 422, "INVALID_REQUEST"),
        ("issuer", {"credential": "SIGNED"}, 422, "NOTHING_DEPOSITED"),  # unknown key: unverifiable
        (
            "issuer_other_org",
            {"credential": "SIGNED", "trust_issuers": TRUST},
            403,
            "NOT_AUTHORISED",
        ),
        ("bank_operator", {"credential": "SIGNED", "trust_issuers": TRUST}, 403, "FORBIDDEN"),
        ("learner_own", {"credential": "SIGNED", "trust_issuers": TRUST}, 403, "FORBIDDEN"),
        ("no_token", {"credential": "SIGNED", "trust_issuers": TRUST}, 401, "UNAUTHENTICATED"),
    ],
    ids=["not-json", "both", "unverifiable", "other-issuer", "operator", "learner", "no-token"],
)
def test_a_refused_credential_writes_nothing(
    caller: str,
    body: dict[str, Any],
    status: int,
    code: str | None,
    *,
    world: str,
    callers: Callers,
    standards: Standards,
) -> None:
    if body.get("credential") == "SIGNED":
        body = {**body, "credential": signed_badge()}
    before = fingerprint(world)
    with serving(world, standards) as client:
        response = client.post(PATH, json=body, headers=callers.headers(caller, key="badge-2"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if code is not None:
        assert response.json()["code"] == code
    assert fingerprint(world) == before
