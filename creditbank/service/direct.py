"""The direct way through FastAPI for a route's plainest request: the body the request limits
already parsed, validated once by the route's own model, and the handler called with it.

FastAPI answers every request the same way: it reads the body again, parses the media type
with ``email.message``, parses the JSON a second time (after :class:`RequestLimits` parsed it
strictly), solves the route's dependencies (the application's query check, the standards
reader, the service state, the body) and validates the body through its own field wrapper.
For an evaluation, about a millisecond of the library's work, that was most of what the
service cost over the library (benchmarks/RESULTS.md, "creditbank serve").

A route of :func:`direct_route` is a FastAPI route (routing, the middleware, the exception handlers
and the OpenAPI document stay FastAPI's) whose handler takes the direct way only when every
dependency is known to give nothing but the service state:

* the limits middleware parsed the body (:data:`PARSED_BODY` in the scope: a JSON body,
  checked, of a JSON media type);
* the request has no query string (nothing for :func:`known_query_only` to refuse);
* the standards are public and the request carries no ``Authorization`` header (the
  standards reader gives ``None`` without checking anything);
* the parsed body is valid for the route's model.

Anything else, including an invalid body, goes FastAPI's usual way, so every refusal is
exactly the one FastAPI gives (the same problem document, located the same way).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from creditbank.service.auth import service_state
from creditbank.service.state import ServiceState

__all__ = ["PARSED_BODY", "direct_route"]

PARSED_BODY = "creditbank.parsed_body"
"""The scope key under which :class:`~creditbank.service.limits.RequestLimits` leaves the
JSON body it parsed and checked (only it sets this key: a client cannot)."""

DirectHandler = Callable[[Any, ServiceState], Awaitable[Response]]


def direct_route(model: type[BaseModel], direct: DirectHandler) -> type[APIRoute]:
    """A route class (``route_class_override``) with FastAPI's handler and, in front of it,
    the direct way of the module docstring: ``direct(body, state)`` with the body validated
    by ``model`` (the route's body parameter, so its OpenAPI schema is unchanged)."""

    class DirectJsonRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            usual = super().get_route_handler()

            async def handler(request: Request) -> Response:
                scope = request.scope
                parsed = scope.get(PARSED_BODY)
                state = service_state(request)
                if (
                    parsed is None
                    or scope.get("query_string")
                    or not state.config.public_standards
                    or "authorization" in request.headers
                ):
                    return await usual(request)
                try:
                    body = model.model_validate(parsed)
                except ValidationError:  # FastAPI's own refusal, located as it locates it
                    return await usual(request)
                return await direct(body, state)

            return handler

    return DirectJsonRoute
