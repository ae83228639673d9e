"""The limits on a request, checked before any route sees it: a hostile or broken request is
answered with a 4xx problem document, never a 500, and never costs more than reading
``max_body_bytes``.

:class:`RequestLimits` (ASGI middleware, the outermost of the application's own layers):

* a URL (path and query) over :data:`MAX_URL_BYTES`: 414 ``URI_TOO_LONG``;
* a declared ``Content-Length`` over ``max_body_bytes``: 413 ``BODY_TOO_LARGE`` before a
  byte of the body is read; a body that turns out larger (chunked, or a ``Content-Length``
  that lies) is refused as soon as it passes the limit, the rest unread; a
  ``Content-Length`` that is not a number: 400 ``BAD_CONTENT_LENGTH``;
* POST, PUT and PATCH: (except an HTML form posted to a page: ``/`` and the
  :data:`PAGE_AREAS`) a ``Content-Type`` that is not JSON (``application/json`` or
  ``application/*+json``, UTF-8 if a charset is named), or a body without one: 415
  ``UNSUPPORTED_MEDIA_TYPE``;
* a JSON body must be UTF-8 JSON text (RFC 8259): no ``NaN``/``Infinity`` (which Python's
  parser takes, and pydantic would store as a float that no JSON answer can carry), else 400
  ``MALFORMED_JSON`` (located: line and column). An escaped unpaired surrogate
  (``"\\ud800"``) is valid JSON and passes: it is the reader's to report where a route
  reads text (``POST /v1/validate`` does, located), and a route must not echo it back raw;
  arrays and objects nested deeper than ``max_json_depth``: 400 ``TOO_DEEP``, found by a
  scan of the bytes *before* the parser runs (so its recursion never can fail); a name
  twice in one object: 400 ``DUPLICATE_KEY`` (which of the two counts is not the sender's
  to guess); a number literal longer than
  :data:`MAX_NUMBER_DIGITS` characters, or one that overflows a float: 400
  ``NUMBER_TOO_LARGE``.

The body, once read and checked, is handed to the application unchanged, and its parsed
value with it (the scope's :data:`~creditbank.service.direct.PARSED_BODY`), so a route of
:func:`~creditbank.service.direct.direct_route` does not parse it again.

FastAPI (0.16x) has a body limit of its own (``FastAPI(max_body_size=...)``, Starlette's
``RequestBodyLimitMiddleware``); it is not used because its refusal of a declared
``Content-Length`` on a route that does not read the body is a plain-text 413, not a problem
document, and because these checks read the whole body anyway: the limit comes with them,
and with it no newer lower bound on FastAPI than the ``fastapi>=0.115`` the project has.

:func:`known_query_only` (an application-wide dependency): a query parameter the route does
not declare is refused with 400 ``UNKNOWN_QUERY_PARAMETER``, so a misspelt filter
(``?sate=submitted``) is not silently ignored to answer an unfiltered list.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditbank.service.direct import PARSED_BODY
from creditbank.service.problems import ServiceProblem, problem_response

__all__ = [
    "LIMIT_TITLES",
    "MAX_NUMBER_DIGITS",
    "MAX_URL_BYTES",
    "PAGE_AREAS",
    "RequestLimits",
    "check_json_body",
    "json_depth",
    "known_query_only",
]

MAX_URL_BYTES = 8192
"""The longest path plus query string accepted (the common limit of reverse proxies: a URL
longer than this would not have reached the service behind one either)."""

MAX_NUMBER_DIGITS = 100
"""The longest number literal accepted in a JSON body: credits, hours and scores need a few
digits; a literal of thousands is an attack on the integer parser (CPython refuses more than
4,300 digits with an error that is not a JSON error)."""

LIMIT_TITLES = {
    "URI_TOO_LONG": "the request's URL is longer than the service accepts",
    "BAD_CONTENT_LENGTH": "the Content-Length header is not a number of bytes",
    "DUPLICATE_KEY": "an object in the request body names the same field twice",
    "NUMBER_TOO_LARGE": "a number in the request body is larger than the service accepts",
    "UNKNOWN_QUERY_PARAMETER": "the request names a query parameter the route does not take",
}
"""The titles of the problem codes this module adds to those of
:mod:`creditbank.service.problems`."""

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# A JSON string literal, unrolled so the regex engine never backtracks: used to blank out
# strings before brackets are counted (a "[" inside a string nests nothing).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 and -1 as signed bytes


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in the JSON text ``body`` (0 for a scalar), by
    counting brackets outside strings: linear, no recursion, no parse. For text that is not
    JSON it is an upper bound (an unterminated string's brackets count)."""
    steps = _STRING.sub(b"", body).translate(_STEP, _NOT_BRACKET)
    return max(accumulate(array("b", steps)), default=0)


class _Refused(ValueError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(
                    "DUPLICATE_KEY", f"the field {key!r} appears twice in one object of the body"
                )
            seen.add(key)
    return result


def _not_a_constant(name: str) -> Any:
    raise _Refused("MALFORMED_JSON", f"{name} is not a JSON number; send a finite number")


def _short(text: str) -> None:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _Refused(
            "NUMBER_TOO_LARGE",
            f"a number of {len(text):,} characters; at most {MAX_NUMBER_DIGITS} are accepted",
        )


def _integer(text: str) -> int:
    _short(text)
    return int(text)


def _real(text: str) -> float:
    _short(text)
    value = float(text)
    if math.isinf(value):
        raise _Refused("NUMBER_TOO_LARGE", f"the number {text} is too large to be represented")
    return value


def check_json_body(body: bytes, max_depth: int) -> Any:
    """The parsed JSON body, or :class:`ServiceProblem` (400) saying why it is refused: not
    UTF-8, not JSON, nested deeper than ``max_depth``, a duplicate name, an outsized number."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ServiceProblem(
            400,
            "MALFORMED_JSON",
            f"the body is not UTF-8 (byte {error.start}: {body[error.start : error.start + 1]!r});"
            " JSON must be sent as UTF-8",
        ) from None
    # Nesting never exceeds the count of opening brackets, and counting them is a hundredth
    # of the scan's cost (which is most of what checking a small body costs): the scan runs
    # only for a body with enough brackets to be too deep.
    opening = body.count(b"[") + body.count(b"{")
    if opening > max_depth and (depth := json_depth(body)) > max_depth:
        raise ServiceProblem(
            400,
            "TOO_DEEP",
            f"the body nests arrays and objects {depth} deep; at most {max_depth} are accepted",
        )
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_not_a_constant,
            parse_int=_integer,
            parse_float=_real,
        )
    except _Refused as error:
        raise ServiceProblem(
            400, error.code, error.detail, title=LIMIT_TITLES.get(error.code)
        ) from None
    except json.JSONDecodeError as error:
        raise ServiceProblem(
            400,
            "MALFORMED_JSON",
            f"line {error.lineno}, column {error.colno}: {error.msg}",
        ) from None
    return value


def _is_json(content_type: str) -> bool:
    media, _, parameters = content_type.partition(";")
    media = media.strip().lower()
    kind, _, subtype = media.partition("/")
    if not (media == "application/json" or (kind == "application" and subtype.endswith("+json"))):
        return False
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            return False
    return True


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PAGE_AREAS = ("/programmes", "/registrar")
"""The areas of the pages (creditbank.web) besides the home page ``/``: they and the paths
below them take HTML forms; every other path takes JSON only."""


def _is_page_form(scope: Scope, content_type: str | None) -> bool:
    """An HTML form posted to a page (creditbank.web)."""
    media = (content_type or "").partition(";")[0].strip().lower()
    path = str(scope["path"])
    page = path == "/" or any(path == area or path.startswith(area + "/") for area in PAGE_AREAS)
    return media in _FORM_TYPES and page


class RequestLimits:
    """ASGI middleware: the limits of the module docstring, then the application."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_json_depth: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await self._checked_body(scope, receive)
        except ServiceProblem as problem:
            response = problem_response(
                Request(scope),
                problem.status,
                problem.code,
                problem.detail,
                title=problem.title or LIMIT_TITLES.get(problem.code),
                headers={"Connection": "close"} if problem.status == 413 else None,
            )
            await response(scope, receive, send)
            return
        if body is None:
            await self.app(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _checked_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The request's body, read and checked (None: the application reads it itself,
        a request without a body)."""
        url_bytes = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string", b"")
        )
        if url_bytes > MAX_URL_BYTES:
            raise ServiceProblem(
                414,
                "URI_TOO_LONG",
                f"the URL is {url_bytes:,} bytes; at most {MAX_URL_BYTES:,} are accepted",
            )
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope.get("headers", ())
        }
        length = headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                raise ServiceProblem(
                    400, "BAD_CONTENT_LENGTH", f"Content-Length {length!r} is not a number"
                )
            self._check_size(int(length))
        content_type = headers.get("content-type")
        # the pages take HTML forms; the size limit still holds for them
        wants_json = scope["method"] in _BODY_METHODS and not _is_page_form(scope, content_type)
        if wants_json and content_type is not None and not _is_json(content_type):
            raise ServiceProblem(
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                f"the body is {content_type!r}; send JSON (Content-Type: application/json)",
            )
        no_body = length == "0" or (length is None and "transfer-encoding" not in headers)
        if no_body and not wants_json:
            return None
        body = await self._read(receive)
        if not body:
            return body
        if wants_json:
            if content_type is None:
                raise ServiceProblem(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "the body has no Content-Type; send JSON (Content-Type: application/json)",
                )
            scope[PARSED_BODY] = check_json_body(body, self.max_json_depth)
        return body

    def _check_size(self, size: int) -> None:
        if size > self.max_body_bytes:
            raise ServiceProblem(
                413,
                "BODY_TOO_LARGE",
                f"the body is {size:,} bytes or more; at most {self.max_body_bytes:,} are "
                "accepted (creditbank serve --max-body)",
            )

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                raise ServiceProblem(400, "MALFORMED_JSON", "the body ended before it was sent")
            chunk = message.get("body", b"")
            size += len(chunk)
            self._check_size(size)  # stops reading here: the rest is never received
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the disconnect, when it comes

    return replay


def _query_names(dependant: Dependant) -> Iterator[str]:
    for param in dependant.query_params:
        yield param.alias
    for dependency in dependant.dependencies:
        yield from _query_names(dependency)


def _declared_query(route: APIRoute) -> frozenset[str]:
    # Not cached: a walk of a few dependants costs less than keeping a cache right (an id()
    # of a route outlives the route, and the next one may reuse it).
    return frozenset(_query_names(route.dependant))


async def known_query_only(request: Request) -> None:
    """400 ``UNKNOWN_QUERY_PARAMETER`` when the query names a parameter the route does not
    declare (an application-wide dependency; a coroutine, so it costs no hop to the thread
    pool, as a plain function would on every request)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params.keys()) - _declared_query(route))
    if unknown:
        known = ", ".join(sorted(_declared_query(route))) or "none"
        raise ServiceProblem(
            400,
            "UNKNOWN_QUERY_PARAMETER",
            f"unknown query parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}; this route takes: {known}",
            title=LIMIT_TITLES["UNKNOWN_QUERY_PARAMETER"],
        )
