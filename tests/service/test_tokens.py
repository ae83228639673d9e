"""Bearer tokens through the service: a token issued into the ledger reaches a protected
route; a revoked, tampered or unknown one is 401, and a service without a ledger cannot
check one (503)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from creditbank.ledger import Ledger, issue_token, revoke_token
from creditbank.models import Standards
from creditbank.service import ServiceConfig, create_app
from creditbank.testing.ledger import SCHOOL
from tests.conftest import LedgerBackend

PROTECTED = "/v1/standards"  # private standards: any valid token, of any role


@pytest.fixture
def ledger_location(ledger_backend: LedgerBackend) -> str:
    where = ledger_backend.new()
    Ledger.open(where, create=True).close()
    return where


@pytest.fixture
def client(ledger_location: str, standards: Standards) -> Iterator[TestClient]:
    config = ServiceConfig(ledger=ledger_location, public_standards=False)
    with TestClient(create_app(config, standards=standards), raise_server_exceptions=False) as c:
        yield c


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_valid_token_passes_and_a_revoked_one_is_401(
    client: TestClient, ledger_location: str
) -> None:
    with Ledger.open(ledger_location) as ledger:
        registrar = issue_token(
            ledger, role="academic_affairs", name="staff-registrar-1", organisation=SCHOOL
        )
        learner = issue_token(ledger, role="learner", name="w-1", learner="w-1")
    assert client.get(PROTECTED).json()["code"] == "UNAUTHENTICATED"
    for issued in (registrar, learner):
        response = client.get(PROTECTED, headers=_bearer(issued.secret))
        assert response.status_code == 200, response.text
        assert "counts" in response.json()

    with Ledger.open(ledger_location) as ledger:
        revoke_token(ledger, registrar.record.token_id)
    response = client.get(PROTECTED, headers=_bearer(registrar.secret))
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_TOKEN"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert client.get(PROTECTED, headers=_bearer(learner.secret)).status_code == 200
    tampered = learner.secret[:-1] + ("A" if learner.secret[-1] != "A" else "B")
    for wrong in (tampered, learner.secret[:-1], "cbk_" + "0" * 16 + "_" + "A" * 43):
        response = client.get(PROTECTED, headers=_bearer(wrong))
        assert response.status_code == 401 and response.json()["code"] == "INVALID_TOKEN"


def test_the_principal_is_the_tokens_actor(client: TestClient, ledger_location: str) -> None:
    with Ledger.open(ledger_location) as ledger:
        issued = issue_token(ledger, role="learner", name="app-7", learner="w-9")
    state = client.app.state.creditbank  # type: ignore[attr-defined]
    principal = state.authenticate(issued.secret)
    assert principal is not None
    assert (principal.token_id, principal.name, principal.role) == (
        issued.record.token_id,
        "app-7",
        "learner",
    )
    actor = principal.actor()
    assert (actor.id, actor.role, actor.organisation) == ("w-9", "learner", None)


def test_a_service_without_a_ledger_says_so_to_a_token(
    standards: Standards, tmp_path: Path
) -> None:
    """A good token sent to a service started without --db is not 'invalid' (the new-user
    review was told to ask for a new token): the service cannot check it, 503."""
    where = str(tmp_path / "bank.db")
    with Ledger.open(where, create=True) as ledger:
        issued = issue_token(ledger, role="bank_operator", name="op-1")
    app = create_app(ServiceConfig(public_standards=False), standards=standards)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(PROTECTED, headers=_bearer(issued.secret))
        malformed = client.get(PROTECTED, headers=_bearer("not-a-token"))
    assert response.status_code == 503 and response.json()["code"] == "LEDGER_NOT_CONFIGURED"
    assert malformed.status_code == 401 and malformed.json()["code"] == "INVALID_TOKEN"
