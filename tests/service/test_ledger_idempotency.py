"""The Idempotency-Key header of the ledger routes: scoped per token, replayed once written,
a conflict for another request, generated when absent, and applied once under concurrency
(threads against one application, on SQLite and on PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from creditbank.ledger import Ledger
from creditbank.models import Standards
from creditbank.service import ServiceConfig, create_app
from creditbank.service.idempotency import MAX_HEADER_KEY
from creditbank.testing.ledger import MENU
from tests.conftest import LedgerBackend
from tests.service.ledger_world import OWN, Callers, fingerprint, issue_callers, serving

DEPOSIT = f"/v1/accounts/{OWN}/deposits"
BODY = {"achievement": MENU["robot-operator-l4"]}


def _post(client: TestClient, callers: Callers, who: str, key: str | None, body: Any) -> Any:
    return client.post(DEPOSIT, json=body, headers=callers.headers(who, key=key))


def test_a_repeat_replays_the_first_receipt_and_writes_nothing(
    world: str, callers: Callers, standards: Standards
) -> None:
    with serving(world, standards) as client:
        first = _post(client, callers, "issuer", "order-17", BODY)
        after_first = fingerprint(world)
        again = _post(client, callers, "issuer", "order-17", BODY)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["replayed"] is False and again.json()["replayed"] is True
    assert again.json()["events"] == first.json()["events"]
    assert again.headers["Idempotency-Key"] == first.headers["Idempotency-Key"] == "order-17"
    token = callers.token_ids["issuer"]
    assert first.json()["key"] == f"{token}:order-17"  # the ledger key: scoped to the token
    assert fingerprint(world) == after_first


def test_the_same_key_with_another_body_is_a_conflict_that_names_the_scope(
    world: str, callers: Callers, standards: Standards
) -> None:
    other = {"achievement": MENU["robot-operator-l4"], "evidence": "file:other"}
    with serving(world, standards) as client:
        assert _post(client, callers, "issuer", "order-18", BODY).status_code == 201
        before = fingerprint(world)
        conflict = _post(client, callers, "issuer", "order-18", other)
        elsewhere = client.post(
            f"/v1/accounts/{OWN}/achievements/elec-l4/revoke",
            json={"reason": "撤销"},
            headers=callers.headers("issuer", key="order-18"),
        )
    for response in (conflict, elsewhere):
        assert response.status_code == 409
        problem = response.json()
        assert problem["code"] == "IDEMPOTENCY_CONFLICT"
        assert "'order-18'" in problem["detail"] and "scoped to the token" in problem["detail"]
        assert callers.token_ids["issuer"] not in problem["detail"]  # the caller's own key
    assert fingerprint(world) == before


def test_two_callers_with_the_same_header_never_collide(
    ledger_backend: LedgerBackend, standards: Standards
) -> None:
    """Two learners (two tokens) open their own accounts with one header value: both are
    written; neither replays nor refuses the other's."""
    location = ledger_backend.new()
    Ledger.open(location, create=True).close()
    callers = issue_callers(location, standards)
    with serving(location, standards) as client:
        own = client.post(
            "/v1/accounts", json={"account": OWN}, headers=callers.headers("learner_own", "k1")
        )
        other = client.post(
            "/v1/accounts",
            json={"account": "w-002"},
            headers=callers.headers("learner_other", "k1"),
        )
    assert (own.status_code, other.status_code) == (201, 201)
    assert own.json()["key"] != other.json()["key"]
    with Ledger.open(location, read_only=True) as ledger:
        assert ledger.accounts() == [OWN, "w-002"]


def test_without_the_header_a_key_is_generated_and_returned(
    world: str, callers: Callers, standards: Standards
) -> None:
    with serving(world, standards) as client:
        first = _post(client, callers, "issuer", None, BODY)
        key = first.headers["Idempotency-Key"]
        retried = _post(client, callers, "issuer", key, BODY)
    assert first.status_code == 201 and len(key) >= 32
    assert first.json()["key"] == f"{callers.token_ids['issuer']}:{key}"
    assert retried.status_code == 200 and retried.json()["replayed"] is True


# "k:elec-l4": review finding (issue 17), a ':' let a plain deposit's key equal the key the
# credential route derives for one achievement (TOKEN:k:elec-l4), so either could replay the other.
@pytest.mark.parametrize(
    "bad", ["", "has space", "x" * (MAX_HEADER_KEY + 1), "tab\there", "k:elec-l4"]
)
def test_a_malformed_header_is_400_and_writes_nothing(
    bad: str, world: str, callers: Callers, standards: Standards
) -> None:
    before = fingerprint(world)
    with serving(world, standards) as client:
        response = _post(client, callers, "issuer", bad, BODY)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert fingerprint(world) == before


def test_the_token_is_checked_before_the_header(world: str, standards: Standards) -> None:
    with serving(world, standards) as client:
        response = client.post(DEPOSIT, json=BODY, headers={"Idempotency-Key": "bad key"})
    assert response.status_code == 401 and response.json()["code"] == "UNAUTHENTICATED"


def test_the_longest_header_fits_the_ledger(
    world: str, callers: Callers, standards: Standards
) -> None:
    with serving(world, standards) as client:
        response = _post(client, callers, "issuer", "k" * MAX_HEADER_KEY, BODY)
    assert response.status_code == 201


N = 8


def test_concurrent_identical_requests_apply_once(
    world: str, callers: Callers, standards: Standards
) -> None:
    """N threads send the same deposit with the same key at once: exactly one writes (201),
    N-1 replay its receipt (200); the ledger holds the events once and verifies."""
    before = fingerprint(world)
    start = threading.Barrier(N)
    results: list[Any] = [None] * N

    app = create_app(ServiceConfig(ledger=world), standards=standards)  # one service

    def send(i: int) -> None:
        with TestClient(app, raise_server_exceptions=False) as client:
            start.wait()
            results[i] = _post(client, callers, "issuer", "same-key", BODY)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = Counter(r.status_code for r in results)
    assert statuses == {201: 1, 200: N - 1}, [r.text for r in results]
    receipts = [r.json() for r in results]
    assert {tuple(e["seq"] for e in r["events"]) for r in receipts} == {(before[0] + 1,)}
    with Ledger.open(world, read_only=True) as ledger:
        assert ledger.verify().ok
        assert [
            e.payload.achievement.id  # type: ignore[union-attr]
            for e in ledger.events(OWN)
            if e.type == "achievement_deposited"
        ].count("robot-operator-l4") == 1
    assert fingerprint(world)[0] == before[0] + 1
