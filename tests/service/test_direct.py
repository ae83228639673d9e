"""The direct way of ``POST /v1/evaluations`` (creditbank.service.direct): the plainest
request skips FastAPI's dependency solving and second parse; every other request goes
FastAPI's usual way and is answered exactly as before."""

from __future__ import annotations

from typing import Any

import fastapi.routing
import pytest
from fastapi.testclient import TestClient

from tests.service.test_compute_routes import BODY, problem

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def usual_way(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the requests that reach FastAPI's dependency solving (the usual way)."""
    calls: list[int] = []
    solve = fastapi.routing.solve_dependencies

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return await solve(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    return calls


def test_a_plain_evaluation_takes_the_direct_way(client: TestClient, usual_way: list[int]) -> None:
    response = client.post("/v1/evaluations", json=BODY)
    assert response.status_code == 200, response.text
    assert response.json()["schema"] == "creditbank.evaluation/1"
    assert usual_way == []


def test_a_query_goes_the_usual_way_and_is_refused(
    client: TestClient, usual_way: list[int]
) -> None:
    problem(client.post("/v1/evaluations?x=1", json=BODY), 400, "UNKNOWN_QUERY_PARAMETER")
    assert usual_way


def test_a_token_goes_the_usual_way_and_is_checked(
    client: TestClient, usual_way: list[int]
) -> None:
    response = client.post("/v1/evaluations", json=BODY, headers={"Authorization": "Basic x"})
    problem(response, 401, "INVALID_TOKEN")
    assert usual_way


def test_an_invalid_body_is_refused_as_fastapi_refuses_it(
    client: TestClient, usual_way: list[int]
) -> None:
    document = problem(
        client.post("/v1/evaluations", json={**BODY, "lang": "fr"}), 422, "INVALID_REQUEST"
    )
    assert usual_way
    assert any("lang" in str(item) for item in document.get("problems", [document]))
