"""Bearer tokens and roles: who is calling, and whether they may.

A request names its caller with ``Authorization: Bearer SECRET``, a token issued by
``creditbank ledger token issue`` (stored in the ledger only as a hash). A token carries one
of the ledger's roles (:data:`creditbank.ledger.ROLES`), the actor id it acts as, the
organisation it acts for, and, for role ``learner``, the one account it is. The ledger's own
authority model (:func:`creditbank.ledger.decide.decide`) still decides every command; these
checks only stop a request earlier, before it reads what it may not see:

* no token: 401 ``UNAUTHENTICATED`` (with ``WWW-Authenticate: Bearer``);
* a token that is malformed, unknown or revoked: 401 ``INVALID_TOKEN``;
* a role the route does not allow, or a learner's token on another account: 403 ``FORBIDDEN``;
* school staff reading an account that never applied to their school: 403 ``FORBIDDEN``
  (:func:`read_refused`; the ledger decides who may read what,
  :func:`creditbank.ledger.queue.may_read`).

Every decision fails closed: anything but a valid token of an allowed role is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi import Request

from creditbank.ledger.events import Role
from creditbank.service.principal import Principal
from creditbank.service.problems import ServiceProblem
from creditbank.service.state import RequestLedger, ServiceState

__all__ = [
    "Principal",
    "authenticated",
    "caller",
    "check_account_access",
    "check_role",
    "current_state",
    "optional_principal",
    "read_refused",
    "request_ledger",
    "require_roles",
    "service_state",
]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="creditbank"'}


def service_state(request: Request) -> ServiceState:
    """The running service's state (a FastAPI dependency)."""
    state: ServiceState = request.app.state.creditbank
    return state


async def current_state(request: Request) -> ServiceState:
    """:func:`service_state` as a FastAPI dependency. ``async`` on purpose: FastAPI runs a
    plain ``def`` dependency on its thread pool, and that hop cost more than the lookup
    (benchmarks/serve.py, "asgi, no thread pool")."""
    return service_state(request)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ServiceProblem(
            401,
            "INVALID_TOKEN",
            "the Authorization header must be `Bearer TOKEN`",
            headers=_CHALLENGE,
        )
    return secret.strip()


_LEDGER = "creditbank_ledger"
"""Where a ledger route keeps its :class:`RequestLedger` (``request.state``)."""


def request_ledger(request: Request) -> RequestLedger:
    """The ledger of this request to a ledger route (opened by :func:`caller`)."""
    held: RequestLedger = getattr(request.state, _LEDGER)
    return held


def optional_principal(request: Request) -> Principal | None:
    """The caller, if the request carries a token (an invalid one is still refused). On a
    ledger route the token is checked in the request's own ledger (:func:`caller`)."""
    secret = _bearer(request)
    if secret is None:
        return None
    held: RequestLedger | None = getattr(request.state, _LEDGER, None)
    state = service_state(request)
    principal = state.authenticate(secret) if held is None else state.authenticate(secret, held.get)
    if principal is None:
        raise ServiceProblem(
            401,
            "INVALID_TOKEN",
            "the bearer token is unknown, revoked or malformed; ask for a new one",
            headers=_CHALLENGE,
        )
    return principal


def authenticated(request: Request) -> Principal:
    """The caller; 401 without a valid token (a FastAPI dependency)."""
    principal = optional_principal(request)
    if principal is None:
        raise ServiceProblem(
            401,
            "UNAUTHENTICATED",
            "this route needs a bearer token: send `Authorization: Bearer TOKEN` "
            "(issued by `creditbank ledger token issue`)",
            headers=_CHALLENGE,
        )
    return principal


def _article(word: str) -> str:
    """'an issuer', 'a learner': the article English puts before ``word``."""
    return "an" if word[:1] in "aeiou" else "a"


@contextmanager
def caller(request: Request, roles: tuple[Role, ...], *, write: bool) -> Iterator[Principal]:
    """The caller of a ledger route, who must hold one of ``roles`` (403 otherwise), for as
    long as the request lasts: its ledger (:func:`request_ledger`), opened once for the
    token check and the handler (for writing when ``write``), is closed at the end."""
    held = RequestLedger(service_state(request), read_only=not write)
    setattr(request.state, _LEDGER, held)
    try:
        principal = authenticated(request)
        check_role(principal, roles)
        yield principal
    finally:
        held.close()


def require_roles(*roles: Role, write: bool = False) -> Callable[[Request], Iterator[Principal]]:
    """A dependency: the caller, who must hold one of ``roles`` (403 otherwise); the
    route's ledger is :func:`request_ledger` (open for writing when ``write``)."""

    def dependency(request: Request) -> Iterator[Principal]:
        with caller(request, roles, write=write) as principal:
            yield principal

    return dependency


def check_role(principal: Principal, roles: tuple[Role, ...]) -> None:
    """403 unless ``principal`` holds one of ``roles`` (the check of :func:`require_roles`,
    also made by the pages, whose caller comes from a cookie rather than a header)."""
    if principal.role not in roles:
        raise ServiceProblem(
            403,
            "FORBIDDEN",
            f"{_article(principal.role)} {principal.role} token may not do this; "
            f"it needs one of: {', '.join(roles)}",
        )


def check_account_access(principal: Principal, account: str) -> None:
    """403 when a learner's token names an account that is not its own."""
    if principal.role == "learner" and principal.learner != account:
        raise ServiceProblem(
            403, "FORBIDDEN", "a learner's token may see and act on its own account only"
        )


def read_refused(principal: Principal) -> ServiceProblem:
    """The 403 for a caller whose role may read accounts, but not this one
    (:func:`creditbank.ledger.queue.may_read` said no)."""
    return ServiceProblem(
        403,
        "FORBIDDEN",
        f"{_article(principal.role)} {principal.role} token may not read this account: a "
        "learner reads its own, school staff the accounts that applied to their school's "
        "programmes",
    )
