"""A request opens the ledger at most once (issue 17 item 8): the token check and the
handler of a ledger route share one open ledger (read-only for a read, for writing for a
write), a request without a token opens none, and a public computation never touches it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from creditbank.ledger import Ledger
from creditbank.models import Standards
from creditbank.service.state import ServiceState
from creditbank.testing.ledger import MENU, PROGRAMS
from tests.service.ledger_world import OWN, Callers, serving


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``read_only`` of every ledger the service opens, in order."""
    made: list[bool] = []
    real = ServiceState.ledger

    def counted(self: ServiceState, *, read_only: bool = False) -> Any:
        made.append(read_only)
        return real(self, read_only=read_only)

    monkeypatch.setattr(ServiceState, "ledger", counted)
    return made


@pytest.fixture
def client(world: str, standards: Standards) -> Iterator[TestClient]:
    with serving(world, standards) as test_client:
        yield test_client


def test_a_read_opens_the_ledger_once_read_only(
    client: TestClient, callers: Callers, opens: list[bool]
) -> None:
    response = client.get(f"/v1/accounts/{OWN}/statement", headers=callers.headers("learner_own"))
    assert response.status_code == 200, response.text
    assert opens == [True]


def test_a_write_opens_the_ledger_once_for_writing(
    client: TestClient, callers: Callers, opens: list[bool]
) -> None:
    achievement = {**MENU["robot-operator-l4"]}
    response = client.post(
        f"/v1/accounts/{OWN}/deposits",
        json={"achievement": achievement},
        headers=callers.headers("issuer", key="opens-1"),
    )
    assert response.status_code == 201, response.text
    assert opens == [False]
    with Ledger.open(client.app.state.creditbank.config.ledger, read_only=True) as ledger:  # type: ignore[attr-defined]
        assert ledger.verify().ok


def test_a_refusal_opens_it_once_and_no_token_opens_none(
    client: TestClient, callers: Callers, opens: list[bool]
) -> None:
    path = f"/v1/accounts/{OWN}/applications"
    body = {"program": PROGRAMS[0]}
    assert client.post(path, json=body, headers={"Idempotency-Key": "k"}).status_code == 401
    assert opens == []
    refused = client.post(path, json=body, headers=callers.headers("issuer", key="k"))
    assert refused.status_code == 403, refused.text
    assert opens == [False]


def test_a_public_evaluation_never_opens_the_ledger(client: TestClient, opens: list[bool]) -> None:
    body = {"portfolio": {"learner": "x", "achievements": []}, "program": PROGRAMS[0]}
    response = client.post("/v1/evaluations", json=body)
    assert response.status_code == 200, response.text
    assert opens == []
