"""``POST /v1/accounts/{account}/deposits/credential`` (deposit-badge over HTTP), on SQLite
and on PostgreSQL: a signed credential of a standards issuer is deposited as verified, with
its check; a repeat replays; a rejected or refused credential writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.interop.export import sign_credential
from creditbank.ledger import Ledger
from creditbank.models import Standards
from tests.conftest import LedgerBackend
from tests.interop.helpers import KEY, NOW
from tests.interop.partial import CENTRE, REFUSED_CODE, TRUST, partly_refused_clr
from tests.interop.test_openbadges import electrician_badge
from tests.service.ledger_world import OWN, Callers, World, fingerprint, serving

pytestmark = pytest.mark.usefixtures("no_network")

PATH = f"/v1/accounts/{OWN}/deposits/credential"


def signed_badge() -> dict[str, Any]:
    """The electrician's badge of the interop tests, issued by the assessment centre of the
    standards and signed with the tests' key (verified when ``TRUST`` pins it)."""
    badge = electrician_badge()
    badge["issuer"] = {"id": CENTRE, "type": ["Profile"], "name": "示例职业技能等级认定中心"}
    return sign_credential(badge, KEY, created=NOW)


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


# ---------------------------------------------- a credential partly refused (review, issue 17)


def test_a_partly_refused_credential_is_deposited_but_not_complete(
    world: str, callers: Callers, standards: Standards
) -> None:
    """Review finding: the route answered a plain 201 when one achievement of a CLR was
    deposited and the other refused, while ``ledger deposit-badge`` exits 1 for it."""
    body = {"credential": partly_refused_clr(), "trust_issuers": TRUST}
    before = fingerprint(world)
    with serving(world, standards) as client:
        first = client.post(PATH, json=body, headers=callers.headers("issuer", key="clr-1"))
        again = client.post(PATH, json=body, headers=callers.headers("issuer", key="clr-1"))
    assert first.status_code == 201, first.text
    answer = first.json()
    assert [d["outcome"] for d in answer["deposits"]] == ["deposited", "refused"]
    assert answer["complete"] is False
    (refused,) = answer["refused"]
    assert refused["code"] == "NOT_AUTHORISED"
    assert refused["achievement"] == answer["deposits"][1]["achievement"]
    assert REFUSED_CODE in refused["message"]
    assert fingerprint(world)[0] == before[0] + 1  # the one deposit, nothing of the other
    assert again.status_code == 200, again.text  # a repeat: the deposit replays
    assert (again.json()["complete"], len(again.json()["refused"])) == (False, 1)


def test_a_complete_deposit_says_so(world: str, callers: Callers, standards: Standards) -> None:
    body = {"credential": signed_badge(), "trust_issuers": TRUST}
    with serving(world, standards) as client:
        answer = client.post(PATH, json=body, headers=callers.headers("issuer", key="b-c"))
    assert answer.status_code == 201, answer.text
    assert (answer.json()["complete"], answer.json()["refused"]) == (True, [])


@pytest.mark.parametrize("credential", ["complete", "partial", "nothing"])
def test_the_cli_and_the_route_judge_a_deposit_alike(
    credential: str,
    *,
    world: str,
    world_made: World,
    ledger_backend: LedgerBackend,
    callers: Callers,
    standards: Standards,
    tmp_path: Path,
) -> None:
    """``ledger deposit-badge`` exits 0 exactly when the route answers ``complete: true``,
    on the same credential and a copy of the same ledger; both deposit the same."""
    document = {
        "complete": signed_badge,
        "partial": partly_refused_clr,
        "nothing": unknown_unit_badge,
    }[credential]()
    by_cli = ledger_backend.clone(world_made.location)
    file = tmp_path / "credential.json"
    file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    issuer = ["--actor", "issuer-staff-9", "--role", "issuer", "--org", "demo-assessment-centre"]
    result = CliRunner(env={"COLUMNS": "400"}).invoke(
        cli,
        [
            *("ledger", "--db", by_cli, "deposit-badge", OWN, str(file), *issuer),
            *("--trust-issuer", TRUST[0], "--key", "parity", "--format", "json"),
        ],
    )
    assert result.exit_code in (0, 1), result.output
    with serving(world, standards) as client:
        answer = client.post(
            PATH,
            json={"credential": document, "trust_issuers": TRUST},
            headers=callers.headers("issuer", key="parity"),
        )
    http_complete = answer.status_code == 201 and answer.json()["complete"]
    assert (result.exit_code == 0) == http_complete, (result.output, answer.text)
    assert (result.exit_code, answer.status_code) == {
        "complete": (0, 201),
        "partial": (1, 201),
        "nothing": (1, 422),
    }[credential]
    outcomes = [d["outcome"] for d in json.loads(result.stdout)["deposits"]]
    if answer.status_code == 201:
        assert [d["outcome"] for d in answer.json()["deposits"]] == outcomes
    assert fingerprint(by_cli)[0] == fingerprint(world)[0]


def unknown_unit_badge() -> dict[str, Any]:
    """A signed badge of the centre whose achievement matches no unit: nothing to deposit."""
    badge = electrician_badge()
    badge["issuer"] = CENTRE
    badge["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = "9-99-99-99"
    return sign_credential(badge, KEY, created=NOW)
