"""Dependencies the routes share: who may read the standards."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from creditbank.service.auth import Principal, authenticated, optional_principal, service_state

__all__ = ["standards_reader"]


async def standards_reader(request: Request) -> Principal | None:
    """Anyone when the standards are public (an invalid token is still refused), otherwise a
    caller with a valid token of any role.

    A coroutine, so the common call (public standards, no token) costs no hop to the thread
    pool: a hop per dependency was most of what a request cost over the library's own work
    (benchmarks/RESULTS.md, "creditbank serve"). A token is checked on the pool, because
    checking it may read the ledger."""
    state = service_state(request)
    if state.config.public_standards and "authorization" not in request.headers:
        return None
    return await run_in_threadpool(_reader, request)


def _reader(request: Request) -> Principal | None:
    if service_state(request).config.public_standards:
        return optional_principal(request)
    return authenticated(request)
