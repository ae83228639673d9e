"""HEAD wherever GET works (review finding of issue 17: ``curl -I /v1/standards`` was 405)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PATHS = (
    "/healthz",
    "/openapi.json",
    "/v1/standards",
    "/v1/programs",
    "/v1/programs/demo-college:460301",
    "/v1/programs/demo-college:460301/map.svg",
    "/v1/programs/no-such-programme",  # a problem document: HEAD gets its status and headers
    "/v1/accounts",  # 401 without a token, for HEAD too
)


def _same_headers(response: object) -> dict[str, str]:
    headers = dict(response.headers)  # type: ignore[attr-defined]
    headers.pop("date", None)
    return headers


@pytest.mark.parametrize("path", PATHS)
def test_head_is_get_without_the_body(client: TestClient, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code
    assert _same_headers(head) == _same_headers(got)
    assert got.content and head.content == b""


def test_head_on_a_post_only_route_is_still_405(client: TestClient) -> None:
    response = client.head("/v1/validate")
    assert response.status_code == 405
    assert "POST" in response.headers["allow"] and response.content == b""
