"""Hostile and broken requests (issue 17 item 4): each is a 4xx problem document, never a 500,
never a traceback, and a body over the limit is refused without being read to its end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from creditbank.models import Standards
from creditbank.service import ServiceConfig, create_app
from creditbank.service.limits import (
    MAX_URL_BYTES,
    RequestLimits,
    check_json_body,
    json_depth,
)
from creditbank.service.problems import PROBLEM_MEDIA_TYPE, ServiceProblem
from creditbank.testing.strategies import json_values

LIMIT = 4096
DEPTH = 8


class Echo(BaseModel):
    value: Any = None
    amount: float | None = None


def _echo_router() -> APIRouter:
    """A route that reads a JSON body and writes it back: what every POST route of the
    service does, without depending on which of them have landed."""
    router = APIRouter()

    @router.post("/v1/test/echo")
    def echo(body: Echo) -> Echo:
        return body

    @router.get("/test/query")
    def query(state: str | None = None) -> dict[str, str | None]:
        return {"state": state}

    return router


@pytest.fixture
def limited(standards: Standards) -> Iterator[TestClient]:
    app = create_app(ServiceConfig(max_body_bytes=LIMIT, max_json_depth=DEPTH), standards=standards)
    app.include_router(_echo_router())
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert "Traceback" not in response.text
    problem: dict[str, Any] = response.json()
    assert problem["code"] == code
    assert problem["status"] == status
    assert problem["type"] == f"urn:creditbank:problem:{code}"
    return problem


def _post(client: TestClient, body: bytes, content_type: str = "application/json") -> Any:
    return client.post("/v1/test/echo", content=body, headers={"Content-Type": content_type})


def test_a_good_body_passes_through_unchanged(limited: TestClient) -> None:
    response = _post(limited, b'{"value": {"a": [1, 2, "[[[["]}, "amount": 1.5}')
    assert response.status_code == 200
    assert response.json() == {"value": {"a": [1, 2, "[[[["]}, "amount": 1.5}


def test_a_body_over_the_limit_is_413(limited: TestClient) -> None:
    body = json.dumps({"value": "x" * LIMIT}).encode()
    problem = _problem(_post(limited, body), 413, "BODY_TOO_LARGE")
    assert f"{LIMIT:,}" in problem["detail"]


def test_a_body_at_the_limit_is_read(limited: TestClient) -> None:
    prefix, suffix = b'{"value": "', b'"}'
    body = prefix + b"x" * (LIMIT - len(prefix) - len(suffix)) + suffix
    assert len(body) == LIMIT
    assert _post(limited, body).status_code == 200


def test_a_chunked_body_over_the_limit_is_413(limited: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"value": "'
        for _ in range(10):
            yield b"x" * 1024
        yield b'"}'

    response = limited.post(
        "/v1/test/echo", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _problem(response, 413, "BODY_TOO_LARGE")


async def _refused(content_length: bytes, messages: list[dict[str, Any]]) -> tuple[int, str, int]:
    """Run the middleware alone (the application must not be reached) on a POST with this
    ``Content-Length`` and these body messages: the status, the problem's code, and how many
    messages the middleware asked for."""

    async def app(*args: Any) -> None:
        raise AssertionError("the application must not see a refused request")

    limits = RequestLimits(app, max_body_bytes=LIMIT, max_json_depth=DEPTH)
    headers = [(b"content-type", b"application/json"), (b"content-length", content_length)]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/test/echo",
        "raw_path": b"/v1/test/echo",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    queue = list(messages)
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await limits(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body)["code"], read


@pytest.mark.anyio
async def test_a_lying_content_length_stops_the_read_at_the_limit() -> None:
    # Content-Length says 10 bytes, the client sends 100 chunks of 1 KiB: the middleware
    # stops after the chunk that passes the limit and never asks for the rest.
    chunk = {"type": "http.request", "body": b"x" * 1024, "more_body": True}
    chunks = [dict(chunk) for _ in range(100)]
    assert await _refused(b"10", chunks) == (413, "BODY_TOO_LARGE", LIMIT // 1024 + 1)


@pytest.mark.anyio
async def test_a_declared_length_over_the_limit_reads_nothing() -> None:
    assert await _refused(b"999999999999", []) == (413, "BODY_TOO_LARGE", 0)


@pytest.mark.anyio
async def test_a_content_length_that_is_not_a_number_is_400() -> None:
    assert await _refused(b"-5", []) == (400, "BAD_CONTENT_LENGTH", 0)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "application/xml",
        "json",
    ],
)
def test_a_body_that_is_not_json_by_its_type_is_415(limited: TestClient, content_type: str) -> None:
    _problem(_post(limited, b'{"value": 1}', content_type), 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "Application/JSON; charset=UTF-8", "application/problem+json"],
)
def test_json_media_types_are_accepted(limited: TestClient, content_type: str) -> None:
    assert _post(limited, b'{"value": 1}', content_type).status_code == 200


def test_a_body_without_a_content_type_is_415(limited: TestClient) -> None:
    response = limited.post("/v1/test/echo", content=b'{"value": 1}')
    _problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_a_post_without_a_body_is_an_invalid_request_not_415(limited: TestClient) -> None:
    _problem(limited.post("/v1/test/echo"), 422, "INVALID_REQUEST")


@pytest.mark.parametrize(
    "body",
    [b'{"value": ', b"{'value': 1}", b'{"value": 1,}', b"", b"\xef\xbb\xbf{}", b'{"a" 1}'],
)
def test_malformed_json_is_400(limited: TestClient, body: bytes) -> None:
    response = _post(limited, body)
    if body == b"":  # no body at all: the request lacks its body, a validation problem
        _problem(response, 422, "INVALID_REQUEST")
    else:
        problem = _problem(response, 400, "MALFORMED_JSON")
        assert "line 1, column" in problem["detail"]


@pytest.mark.parametrize("body", [b'{"value": "\xff"}', b'{"value": "\xc3"}', b"\xfe\xff"])
def test_a_body_that_is_not_utf8_is_400(limited: TestClient, body: bytes) -> None:
    problem = _problem(_post(limited, body), 400, "MALFORMED_JSON")
    assert "UTF-8" in problem["detail"]


def test_a_surrogate_pair_is_text(limited: TestClient) -> None:
    response = _post(limited, b'{"value": "\\ud83d\\ude00"}')
    assert response.status_code == 200
    assert response.json()["value"] == "\N{GRINNING FACE}"


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json(limited: TestClient, constant: bytes) -> None:
    response = _post(limited, b'{"amount": ' + constant + b"}")
    problem = _problem(response, 400, "MALFORMED_JSON")
    assert constant.decode().lstrip("-") in problem["detail"]


@pytest.mark.parametrize(
    "number", [b"1" * 3000, b"1e999", b"-1e999", b"0." + b"1" * 200, b"1" * 101]
)
def test_huge_numbers_are_400(limited: TestClient, number: bytes) -> None:
    _problem(_post(limited, b'{"amount": ' + number + b"}"), 400, "NUMBER_TOO_LARGE")


def test_a_duplicate_key_is_400(limited: TestClient) -> None:
    problem = _problem(_post(limited, b'{"value": 1, "value": 2}'), 400, "DUPLICATE_KEY")
    assert "'value'" in problem["detail"]
    nested = b'{"value": {"a": 1, "b": {"c": 1, "c": 1}}}'
    _problem(_post(limited, nested), 400, "DUPLICATE_KEY")


def test_nesting_deeper_than_the_limit_is_400(limited: TestClient) -> None:
    ok = b'{"value": ' + b"[" * (DEPTH - 1) + b"]" * (DEPTH - 1) + b"}"
    assert _post(limited, ok).status_code == 200
    deep = b'{"value": ' + b"[" * DEPTH + b"]" * DEPTH + b"}"
    problem = _problem(_post(limited, deep), 400, "TOO_DEEP")
    assert f"{DEPTH + 1} deep" in problem["detail"]


def test_nesting_that_would_break_the_parser_is_refused_before_it(standards: Standards) -> None:
    # 100,000 brackets: Python's json parser would raise RecursionError (a 500); the scan
    # refuses it first. The limits are raised so only the depth can refuse it.
    app = create_app(ServiceConfig(max_body_bytes=1_000_000), standards=standards)
    app.include_router(_echo_router())
    with TestClient(app, raise_server_exceptions=False) as client:
        response = _post(client, b"[" * 100_000 + b"]" * 100_000)
    _problem(response, 400, "TOO_DEEP")


def test_a_very_long_url_is_414(limited: TestClient) -> None:
    _problem(limited.get("/v1/programs/" + "x" * MAX_URL_BYTES), 414, "URI_TOO_LONG")
    _problem(limited.get("/healthz?" + "a=1&" * MAX_URL_BYTES), 414, "URI_TOO_LONG")


def test_a_long_path_under_the_url_limit_is_an_ordinary_404(limited: TestClient) -> None:
    _problem(limited.get("/v1/" + "x" * 4000), 404, "NOT_FOUND")


def test_an_unknown_query_parameter_is_400(limited: TestClient) -> None:
    assert limited.get("/test/query", params={"state": "submitted"}).json() == {
        "state": "submitted"
    }
    problem = _problem(
        limited.get("/test/query", params={"sate": "submitted"}), 400, "UNKNOWN_QUERY_PARAMETER"
    )
    assert "sate" in problem["detail"]
    assert "state" in problem["detail"]
    _problem(limited.get("/healthz", params={"verbose": "1"}), 400, "UNKNOWN_QUERY_PARAMETER")


def test_the_docs_page_is_not_an_api_route_and_keeps_working(limited: TestClient) -> None:
    assert limited.get("/docs").status_code == 200
    assert limited.get("/openapi.json").status_code == 200


def test_a_get_with_a_body_is_still_size_limited(limited: TestClient) -> None:
    response = limited.request("GET", "/healthz", content=b"x" * (LIMIT + 1))
    _problem(response, 413, "BODY_TOO_LARGE")
    assert limited.request("GET", "/healthz", content=b"ignored").status_code == 200


@given(json_values())
def test_json_depth_is_the_nesting_of_the_parsed_value(value: Any) -> None:
    def depth(v: Any) -> int:
        if isinstance(v, list):
            return 1 + max((depth(x) for x in v), default=0)
        if isinstance(v, dict):
            return 1 + max((depth(x) for x in v.values()), default=0)
        return 0

    assert json_depth(json.dumps(value).encode()) == depth(value)


@given(json_values(), st.integers(min_value=0, max_value=6))
def test_a_body_is_refused_as_too_deep_exactly_when_it_nests_deeper(
    value: Any, max_depth: int
) -> None:
    # check_json_body skips the depth scan when the body has too few brackets to be too deep
    # (the scan was most of what checking a small body cost): whatever the brackets in
    # strings, the refusal must still be exactly "nests deeper than max_depth".
    body = json.dumps(value).encode()
    too_deep = json_depth(body) > max_depth
    try:
        assert check_json_body(body, max_depth) == value
        assert not too_deep
    except ServiceProblem as problem:
        assert problem.code == "TOO_DEEP" and too_deep, problem.detail


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_the_service_app_carries_the_limits(app: FastAPI) -> None:
    assert any(m.cls is RequestLimits for m in app.user_middleware)


def test_serve_passes_its_limits_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from click.testing import CliRunner

    from creditbank.cli import cli

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.append(app))
    result = CliRunner().invoke(cli, ["serve", "--max-body", "2048", "--max-depth", "5"])
    assert result.exit_code == 0, result.output
    (limits,) = [m for m in served[0].user_middleware if m.cls is RequestLimits]
    assert limits.kwargs == {"max_body_bytes": 2048, "max_json_depth": 5}
    refused = CliRunner().invoke(cli, ["serve", "--max-depth", "5000"])
    assert refused.exit_code == 2


def test_the_shared_dependencies_cost_no_thread_pool_hop() -> None:
    # A plain function as a dependency runs on FastAPI's thread pool: a hop of 100-250 µs
    # of CPU per request on the machine of benchmarks/RESULTS.md, for checks that read
    # only the request. Both run on every compute request.
    import inspect

    from creditbank.service.dependencies import standards_reader
    from creditbank.service.limits import known_query_only

    assert inspect.iscoroutinefunction(known_query_only)
    assert inspect.iscoroutinefunction(standards_reader)


def test_a_token_on_public_standards_is_still_checked(standards: Standards) -> None:
    from creditbank.service.principal import Principal
    from creditbank.service.state import ServiceState

    seen: list[str] = []

    class Checking(ServiceState):
        def authenticate(self, secret: str) -> Principal | None:
            seen.append(secret)
            return Principal(token_id="t", name="n", role="bank_operator")

    app = create_app(ServiceConfig(), standards=standards)
    app.state.creditbank = Checking(ServiceConfig(), standards)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/v1/standards").status_code == 200
        assert seen == []
        headers = {"Authorization": "Bearer s3cret"}
        assert client.get("/v1/standards", headers=headers).status_code == 200
    assert seen == ["s3cret"]
