"""schemathesis against the service's own OpenAPI document (issue 17 item 7): requests
generated from the document for every operation, in process (ASGI), on a seeded ledger, each
sent with the token of a role the route ALLOWS, so the ledger handlers run their code under
generated input rather than stopping at a 403 or a 404.

The ledger is the world of the role matrix (:func:`tests.service.ledger_world.build_world`:
accounts ``w-001``/``w-002``, three deposits, an applied and a reviewed application, a token
for every caller), one fresh copy per operation. Hooks on the schema mix the seeded ids into
what schemathesis generates, part of the time: path parameters (account, application,
achievement) and the fields of a body that name something in the ledger (the programme of an
application, the achievement of a deposit, the application of an override), and draw the
caller among the roles the route allows (:data:`ALLOWED`, the matrix of docs/service.md).

Invariants for every generated request: no 5xx; the status is one the document gives for the
operation (a success explicitly, an error at least through its ``default`` problem response);
the body matches the documented schema and media type; an error is
``application/problem+json`` with a ``code``. After each operation's run the ledger still
verifies (:meth:`Ledger.verify`). Examples are bounded and derandomised (hypothesis
``derandomize=True``): the same requests on every run, so a CI failure reproduces.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.core.transport import Response

from creditbank.ledger import Ledger
from creditbank.service import ServiceConfig, create_app
from creditbank.service.problems import PROBLEM_MEDIA_TYPE
from creditbank.service.state import ServiceState
from creditbank.testing.ledger import MENU, PROGRAMS
from tests.bundled import bundled_standards
from tests.service.ledger_world import DEPOSITED, OTHER, OWN, Callers, World, build_world

MAX_EXAMPLES = int(os.environ.get("CREDITBANK_SCHEMATHESIS_EXAMPLES", "12"))
"""Examples per operation: 12 keeps the run of the 29 operations near 40 s on 2 shared
cores; ``CREDITBANK_SCHEMATHESIS_EXAMPLES=200`` for a deeper hunt by hand."""


APP = create_app(ServiceConfig(), standards=bundled_standards())
"""The application whose OpenAPI document generates the requests. Built at import because
schemathesis reads the document at collection (its lazy ``from_fixture`` loader fails on
pytest 9); each test gives it its own copy of the seeded ledger (:func:`seeded`)."""

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)

_ACCOUNT = "/v1/accounts/{account}"
_STEP = f"{_ACCOUNT}/applications/{{application}}"
_READERS = ("learner_own", "school_reviewer", "academic_affairs", "bank_operator")
_SCHOOL = ("school_reviewer", "academic_affairs", "bank_operator")

ALLOWED: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/v1/accounts"): ("learner_own", "bank_operator"),
    ("GET", "/v1/accounts"): _SCHOOL,
    ("GET", _ACCOUNT): _READERS,
    ("GET", f"{_ACCOUNT}/statement"): _READERS,
    ("GET", f"{_ACCOUNT}/events"): _READERS,
    ("POST", f"{_ACCOUNT}/deposits"): ("issuer",),
    ("POST", f"{_ACCOUNT}/deposits/credential"): ("issuer",),
    ("POST", f"{_ACCOUNT}/applications"): ("learner_own", "bank_operator"),
    ("POST", f"{_STEP}/review"): ("school_reviewer",),
    ("POST", f"{_STEP}/approve"): ("academic_affairs",),
    ("POST", f"{_STEP}/reject"): ("school_reviewer", "academic_affairs"),
    ("POST", f"{_ACCOUNT}/achievements/{{achievement}}/revoke"): ("issuer", "bank_operator"),
    ("POST", f"{_ACCOUNT}/achievements/{{achievement}}/expire"): ("bank_operator",),
    ("POST", f"{_ACCOUNT}/overrides"): ("academic_affairs",),
    ("GET", "/v1/applications"): _SCHOOL,
    ("GET", "/v1/ledger/verify"): ("bank_operator",),
}
"""Who may call each ledger route (docs/service.md, creditbank/service/routes/ledger.py): the
callers of :data:`tests.service.ledger_world.CALLERS` a request is sent as."""

PUBLIC = (None, "learner_own", "bank_operator")
"""The callers of every other route (public standards and computations): none, or a token
(which the service then checks against the ledger)."""

SEEDED_PATH: dict[str, tuple[str, ...]] = {
    "account": (OWN, OWN, OTHER),
    "application": ("app-1", "app-2"),
    "achievement": DEPOSITED,
    "program": PROGRAMS,
}
"""Ids of the seeded ledger (and standards) that path parameters take, two times in three
(``OWN`` twice: the account where the learner's token, the applications and the deposits
are)."""

SEEDED_BODY: dict[tuple[str, str], dict[str, tuple[Any, ...]]] = {
    ("POST", "/v1/accounts"): {"account": ("w-003", OWN)},
    ("POST", f"{_ACCOUNT}/deposits"): {"achievement": tuple(MENU.values())},
    ("POST", f"{_ACCOUNT}/applications"): {"program": PROGRAMS},
    ("POST", f"{_ACCOUNT}/overrides"): {
        "application": ("app-1", "app-2"),
        "achievement": DEPOSITED,
    },
}
"""Fields of a body that name something in the ledger, and the seeded values they take part
of the time (the rest of the generated body is kept)."""

CALLER = "X-Test-Caller"
"""The header the hook puts the caller's name in; the test sends that caller's token instead
(the tokens exist only once the fixture has made the ledger)."""


def _mixed(value: Any, seeded: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``value`` as generated one time in three, else a draw from ``seeded``."""
    return st.sampled_from((False, True, True)).flatmap(
        lambda use_seeded: seeded if use_seeded else st.just(value)
    )


@schema.hook
def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    if not path_parameters:
        return st.just(path_parameters)
    seeded = st.fixed_dictionaries(
        {
            name: st.sampled_from(SEEDED_PATH[name]) if name in SEEDED_PATH else st.just(value)
            for name, value in path_parameters.items()
        }
    )
    return _mixed(path_parameters, seeded)


@schema.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    operation = context.operation
    fields = (
        {} if operation is None else SEEDED_BODY.get((operation.method.upper(), operation.path))
    )
    if not fields or not isinstance(body, dict):
        return st.just(body)
    return st.fixed_dictionaries(
        {
            **{name: st.just(value) for name, value in body.items()},
            **{
                name: _mixed(body.get(name), st.sampled_from(seeded))
                for name, seeded in fields.items()
            },
        }
    ).map(lambda drawn: {k: v for k, v in drawn.items() if k in body or v is not None})


@schema.hook
def flatmap_case(context: schemathesis.HookContext, case: schemathesis.Case) -> Any:
    callers = ALLOWED.get((case.method.upper(), case.path), PUBLIC)

    def as_caller(name: str | None) -> schemathesis.Case:
        if name is not None:
            case.headers[CALLER] = name
        return case

    return st.sampled_from(callers).map(as_caller)


SEEN: Counter[tuple[str, str, int, str | None]] = Counter()
"""Every (method, path, status, problem code) the run answered:
:func:`test_the_run_reached_the_handlers` checks that the ledger routes got past their
guards."""

GUARDS = frozenset(
    {
        "UNAUTHENTICATED",
        "INVALID_TOKEN",
        "FORBIDDEN",
        "INVALID_IDEMPOTENCY_KEY",
        "MALFORMED_JSON",
        "UNSUPPORTED_MEDIA_TYPE",
        "INVALID_REQUEST",
        "UNKNOWN_QUERY_PARAMETER",
        "METHOD_NOT_ALLOWED",
        "NOT_FOUND",
    }
)
"""The problem codes a request gets before a route's handler runs (the token, the role, the
Idempotency-Key, the body's syntax and shape, the method)."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(str(tmp_path_factory.mktemp("world") / "world.db"), bundled_standards())


@pytest.fixture
def seeded(world: World, tmp_path: Path) -> Iterator[Callers]:
    """``APP`` on a fresh copy of the seeded ledger; the callers whose tokens it holds. The
    copy must still verify once the operation's run is over."""
    ledger = str(tmp_path / "bank.db")
    shutil.copyfile(world.location, ledger)
    without_ledger = APP.state.creditbank
    APP.state.creditbank = ServiceState(ServiceConfig(ledger=ledger), bundled_standards())
    try:
        yield world.callers
    finally:
        APP.state.creditbank = without_ledger
    with Ledger.open(ledger, bundled_standards(), read_only=True) as opened:
        report = opened.verify()
    assert report.ok, report


def _documented(case: schemathesis.Case, response: Response) -> None:
    """The status is one the document gives the operation (a success by its number, an
    error by its number or the ``default`` problem response), and an error is a problem
    document with a stable code."""
    responses = case.operation.definition.raw["responses"]
    status = response.status_code
    assert str(status) in responses or (status >= 400 and "default" in responses), (
        f"{case.method} {case.path}: {status} is not in the document"
    )
    if status >= 400:
        media_type = response.headers.get("content-type", [""])[0]
        assert media_type.startswith(PROBLEM_MEDIA_TYPE), media_type
        code = response.json().get("code")
        assert isinstance(code, str) and code, response.content


_TURNS: Counter[tuple[str, str]] = Counter()


def _in_turn(case: schemathesis.Case) -> str | None:
    """The caller of a case the hooks did not make (schemathesis's coverage phase draws no
    strategy): the operation's allowed callers in turn, so these cases also reach the
    handlers (the order of the cases, hence the callers, is the same on every run)."""
    callers = ALLOWED.get((case.method.upper(), case.path), PUBLIC)
    turn = _TURNS[(case.method.upper(), case.path)]
    _TURNS[(case.method.upper(), case.path)] += 1
    return callers[turn % len(callers)]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_5xx(case: schemathesis.Case, seeded: Callers) -> None:
    made = case.headers is not None and CALLER in case.headers
    caller = case.headers.pop(CALLER) if made else _in_turn(case)
    headers = {} if caller is None else seeded.headers(caller)
    response = case.call_and_validate(
        headers=headers,
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.response_schema_conformance,
            checks.content_type_conformance,
        ],
    )
    _documented(case, response)
    code = response.json().get("code") if response.status_code >= 400 else None
    SEEN[(case.method.upper(), case.path, response.status_code, code)] += 1


def test_the_run_reached_the_handlers() -> None:
    # The point of the seeded ledger and the allowed callers: every ledger route answered
    # some generated requests from its handler (a receipt, a read, or the ledger's own
    # refusal), not only from the guards in front of it, and several write routes wrote.
    if not SEEN:
        pytest.skip("run with the schemathesis test above (it records what it saw)")
    reached = {(method, path) for method, path, _, code in SEEN if code not in GUARDS}
    assert set(ALLOWED) <= reached, sorted(set(ALLOWED) - reached)
    written = {
        (method, path)
        for method, path, status, _ in SEEN
        if (method, path) in ALLOWED and method == "POST" and status in (200, 201)
    }
    assert len(written) >= 5, sorted(written)


def test_the_run_fails_on_a_route_that_fails() -> None:
    # The harness itself: in process, schemathesis's client raises the route's exception
    # (the 500 the service would answer is never silently accepted).
    app = create_app(ServiceConfig(), standards=bundled_standards())

    @app.get("/test/boom")
    def boom() -> dict[str, str]:
        raise RuntimeError("a bug")

    operation = schemathesis.openapi.from_asgi("/openapi.json", app)["/test/boom"]["GET"]
    with pytest.raises(RuntimeError, match="a bug"):
        operation.Case().call_and_validate(checks=[checks.not_a_server_error])


def test_a_learner_no_portfolio_can_hold_is_an_invalid_request(seeded: Callers) -> None:
    # Found by the run above: "learner": "" (or one over 128 characters) passed the request
    # model and failed building the portfolio: a 500.
    from fastapi.testclient import TestClient

    body: dict[str, object] = {"credential": {}}
    with TestClient(APP, raise_server_exceptions=False) as client:
        for learner in ("", "x" * 129):
            response = client.post("/v1/credentials/verify", json={**body, "learner": learner})
            assert response.status_code == 422, response.text
            assert response.json()["code"] == "INVALID_REQUEST"
