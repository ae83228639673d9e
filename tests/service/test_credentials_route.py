"""``POST /v1/credentials/verify``: the checks of ``creditbank import badge``, on the public
1EdTech samples, and never a fetch of a URL the request names."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from creditbank import bundled_standards_path
from creditbank.cli import cli
from creditbank.interop import jsonld
from tests.interop.helpers import NEGATIVE_SAMPLES, NOW, SAMPLE_KEYS, fixture, needs_fixtures
from tests.network import NetworkUsed

pytestmark = [pytest.mark.usefixtures("no_network"), needs_fixtures]

AT = NOW.strftime("%Y-%m-%dT%H:%M:%S")
OB_ISSUER = "https://example.com/issuers/876543"
PINNED = [f"{OB_ISSUER}#{SAMPLE_KEYS[OB_ISSUER][0]}"]


def sample(*parts: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(fixture(*parts).read_text(encoding="utf-8"))
    return loaded


def cli_check(*parts: str, trust: list[str]) -> dict[str, Any]:
    """What ``creditbank import badge FILE --format json`` reports for the sample."""
    args = ["import", "badge", str(fixture(*parts)), "--at", AT, "--format", "json"]
    for entry in trust:
        args += ["--trust-issuer", entry]
    result = CliRunner().invoke(cli, [*args, "--standards", str(bundled_standards_path())])
    printed: dict[str, Any] = json.loads(result.output)
    return printed


def without_source(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "source"}


@pytest.fixture
def fetches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL the service tries to fetch (each attempt also fails the request's check)."""
    tried: list[str] = []

    def refuse(url: str) -> bytes:
        tried.append(url)
        raise NetworkUsed(f"a fetch of {url} was attempted")

    monkeypatch.setattr(jsonld, "https_fetch", refuse)
    return tried


@pytest.mark.parametrize("as_text", [False, True], ids=["object", "text"])
def test_the_ob_sample_verifies_as_the_cli_checks_it(
    client: TestClient, as_text: bool, fetches: list[str]
) -> None:
    document = sample("ob30", "simple.json")
    given: dict[str, Any] = (
        {"credential_text": json.dumps(document)} if as_text else {"credential": document}
    )
    response = client.post(
        "/v1/credentials/verify", json={**given, "trust_issuers": PINNED, "at": AT}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"]["source"] == "credential"
    assert [v["status"] for v in body["result"]["verifications"]] == ["verified"]
    expected = cli_check("ob30", "simple.json", trust=PINNED)
    assert without_source(body["result"]) == without_source(expected["files"][0])
    assert body["accepted"] == expected["accepted"]
    assert body["portfolio"]["kind"] == "portfolio"
    assert fetches == []


def test_an_unpinned_sample_key_is_not_verified(client: TestClient) -> None:
    response = client.post(
        "/v1/credentials/verify",
        json={"credential": sample("ob30", "simple.json"), "trust_issuers": [OB_ISSUER]},
    )
    assert response.status_code == 200
    (verification,) = response.json()["result"]["verifications"]
    assert verification["reason"] == "UNBOUND_KEY"
    assert response.json()["accepted"] == 0


@pytest.mark.parametrize(
    ("name", "reason"),
    NEGATIVE_SAMPLES,
)
def test_every_negative_sample_is_an_answer_with_its_reason(
    client: TestClient, name: str, reason: str, fetches: list[str]
) -> None:
    response = client.post(
        "/v1/credentials/verify",
        json={"credential": sample("ob30", name), "trust_issuers": PINNED, "at": AT},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert reason in [v["reason"] for v in body["result"]["verifications"]]
    assert body["accepted"] == 0 and not body["portfolio"].get("achievements")
    assert without_source(body["result"]) == without_source(
        cli_check("ob30", name, trust=PINNED)["files"][0]
    )
    assert fetches == []


def test_a_context_the_request_names_is_never_fetched(
    client: TestClient, fetches: list[str]
) -> None:
    document = sample("ob30", "simple.json")
    document["@context"] = [*document["@context"], "https://contexts.example/evil.jsonld"]
    response = client.post(
        "/v1/credentials/verify",
        json={"credential": document, "trust_issuers": PINNED, "at": AT},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 0
    assert fetches == []
    assert "evil.jsonld" in json.dumps(body["result"])


def test_the_clr_sample_is_checked_with_its_embedded_credential(client: TestClient) -> None:
    trust = [f"{i}#{k}" for i, keys in SAMPLE_KEYS.items() for k in keys]
    response = client.post(
        "/v1/credentials/verify",
        json={"credential": sample("clr20", "simple.json"), "trust_issuers": trust, "at": AT},
    )
    assert response.status_code == 200
    statuses = [v["status"] for v in response.json()["result"]["verifications"]]
    assert statuses == ["verified", "verified"]


@pytest.mark.parametrize("text", ["not json", "[1, 2]", "{", "ey.ey.ey"])
def test_what_is_no_credential_is_an_answer_not_an_error(client: TestClient, text: str) -> None:
    response = client.post("/v1/credentials/verify", json={"credential_text": text})
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 0
    assert body["result"]["error"] is not None or any(
        v["status"] != "verified" for v in body["result"]["verifications"]
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "INVALID_REQUEST"),
        ({"credential": {}, "credential_text": "{}"}, "INVALID_REQUEST"),
        ({"credential": {}, "at": "yesterday"}, "INVALID_DATE"),  # a bad date, on every route
        ({"credential": {}, "trust_issuers": "x"}, "INVALID_REQUEST"),
    ],
    ids=["none", "both", "bad-at", "trust-not-a-list"],
)
def test_a_request_of_the_wrong_shape_is_422(
    client: TestClient, body: dict[str, Any], code: str
) -> None:
    response = client.post("/v1/credentials/verify", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == code


def test_an_issuer_to_trust_that_is_no_id_is_422_with_the_librarys_code(
    client: TestClient,
) -> None:
    response = client.post(
        "/v1/credentials/verify", json={"credential": {}, "trust_issuers": ["not an id"]}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "INVALID_ISSUER_ID"


@pytest.mark.parametrize(
    "at", ["9999-12-31T23:59:59", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]
)
def test_a_moment_at_the_end_of_the_calendar_is_an_answer(client: TestClient, at: str) -> None:
    response = client.post(
        "/v1/credentials/verify",
        json={"credential": sample("ob30", "simple.json"), "trust_issuers": PINNED, "at": at},
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 0
