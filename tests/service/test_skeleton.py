"""The service's frame: health, the standards in use, problem documents, fail-closed auth."""

from __future__ import annotations

from fastapi.testclient import TestClient

from creditbank.models import Standards
from creditbank.service import ServiceConfig, create_app
from creditbank.service.problems import PROBLEM_MEDIA_TYPE


def test_healthz_names_the_standards_fingerprint(client: TestClient, standards: Standards) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["standards"] == standards.fingerprint()
    assert body["ledger"] is False


def test_standards_info_counts_match_the_library(client: TestClient, standards: Standards) -> None:
    body = client.get("/v1/standards").json()
    assert body["counts"] == standards.counts()


def test_unknown_route_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = response.json()
    assert problem["code"] == "NOT_FOUND"
    assert problem["status"] == 404
    assert problem["type"] == "urn:creditbank:problem:NOT_FOUND"


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_an_invalid_token_is_refused_even_on_public_routes(client: TestClient) -> None:
    response = client.get("/v1/standards", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_TOKEN"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_private_standards_need_a_token(standards: Standards) -> None:
    app = create_app(ServiceConfig(public_standards=False), standards=standards)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/standards")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


def test_config_travels_through_the_environment() -> None:
    config = ServiceConfig(ledger="sqlite:///x.db", standards=("a", "b"), public_standards=False)
    assert ServiceConfig.from_env({"CREDITBANK_SERVICE_CONFIG": config.to_env()}) == config
    assert ServiceConfig.from_env({}) == ServiceConfig()
