"""Every error the service gives, as an RFC 9457 problem document
(``application/problem+json``) that carries creditbank's stable code.

The document: ``type`` (``urn:creditbank:problem:CODE``), ``title`` (the code's sentence),
``status``, ``detail`` (what went wrong this time and how to fix it), ``code`` (the stable
code a program branches on), and, where an input file or body had problems, ``problems``: each
located as the CLI prints it (``file``, ``line``, ``column``, ``path``). Nothing else leaks:
an unexpected exception is logged with its traceback on the server and answered 500
``INTERNAL_ERROR`` with no detail of the code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from creditbank.errors import (
    LEDGER_ERROR_CODES,
    CreditbankError,
    FileError,
    LedgerError,
    LoadError,
)
from creditbank.errors import (
    Problem as LocatedProblem,
)

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "ProblemDocument",
    "ProblemItem",
    "ServiceProblem",
    "install_problem_handlers",
    "problem_response",
    "status_of_ledger_error",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"

_log = logging.getLogger("creditbank.service")

# The status of each ledger code that is not 422 (a command the ledger understood and refused).
_LEDGER_STATUS: Mapping[str, int] = {
    "NOT_AUTHORISED": 403,
    "SEPARATION_OF_DUTIES": 403,
    "UNKNOWN_ACCOUNT": 404,
    "UNKNOWN_APPLICATION": 404,
    "UNKNOWN_ACHIEVEMENT": 404,
    "UNKNOWN_TOKEN": 404,
    "ACCOUNT_EXISTS": 409,
    "DUPLICATE_ACHIEVEMENT": 409,
    "IDEMPOTENCY_CONFLICT": 409,
    "INVALID_TRANSITION": 409,
    "LEDGER_BUSY": 503,
    "LEDGER_UNREACHABLE": 503,
    "LEDGER_NOT_FOUND": 503,
    "NOT_A_LEDGER": 503,
    "SCHEMA_TOO_NEW": 503,
    "CORRUPT_SCHEMA": 503,
    "NOT_A_FILE": 503,
    "BAD_LEDGER_URL": 503,
    "BACKEND_MISSING": 503,
    "READ_ONLY": 503,
    "DISK_FULL": 507,
    "LEDGER_IO_ERROR": 503,
    "STORE_REFUSED": 500,
}


def status_of_ledger_error(code: str) -> int:
    """The HTTP status of a refused ledger command or an unusable ledger."""
    return _LEDGER_STATUS.get(code, 422)


DATE_ERROR_TYPES = frozenset(
    {
        "INVALID_DATE",  # Day, and the models' own dates (an achievement's earned_on …)
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
        "datetime_parsing",
        "datetime_from_date_parsing",
    }
)
"""The validation errors of a date or moment that does not parse or does not exist: a
request whose only errors are these is 422 ``INVALID_DATE`` (a value of the wrong JSON
type, a list for a date, stays ``INVALID_REQUEST``)."""


class ProblemItem(BaseModel):
    """One located problem of an input (a portfolio, a standards fragment)."""

    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: list[str | int] = Field(default_factory=list)

    @classmethod
    def of(cls, problem: LocatedProblem) -> ProblemItem:
        where = problem.location
        return cls(
            code=problem.code,
            message=problem.message,
            file=where.file,
            line=where.line,
            column=where.column,
            path=list(where.path),
        )


class ProblemDocument(BaseModel):
    """An RFC 9457 problem document with creditbank's stable ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    problems: list[ProblemItem] | None = None
    context: dict[str, str] | None = None


class ServiceProblem(Exception):
    """Raised by the service's own checks (no token, a body too large …): answered as a
    problem document with ``status`` and ``code``."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        problems: Sequence[LocatedProblem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title
        self.problems = tuple(problems)
        self.headers = dict(headers or {})


_TITLES: Mapping[str, str] = {
    "UNAUTHENTICATED": "a bearer token is required",
    "INVALID_TOKEN": "the bearer token is not valid (unknown, revoked or malformed)",
    "FORBIDDEN": "the token's role or learner may not do this",
    "NOT_FOUND": "no such resource",
    "METHOD_NOT_ALLOWED": "the resource does not accept this method",
    "BODY_TOO_LARGE": "the request body is larger than the service accepts",
    "UNSUPPORTED_MEDIA_TYPE": "the request body must be JSON (Content-Type: application/json)",
    "MALFORMED_JSON": "the request body is not valid JSON",
    "TOO_DEEP": "the request body nests arrays and objects too deeply",
    "INVALID_REQUEST": "the request's fields are missing, of the wrong type or out of range",
    "LEDGER_NOT_CONFIGURED": "the service was started without a ledger (creditbank serve --db)",
    "INTERNAL_ERROR": "the service failed unexpectedly; the error was logged",
}


def _title(code: str, fallback: str) -> str:
    return _TITLES.get(code) or LEDGER_ERROR_CODES.get(code, fallback)  # type: ignore[call-overload]


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    problems: Sequence[LocatedProblem] = (),
    context: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The problem document for one error, as a response."""
    document = ProblemDocument(
        type=f"urn:creditbank:problem:{code}",
        title=title or _title(code, detail),
        status=status,
        detail=detail,
        code=code,
        instance=request.url.path,
        problems=[ProblemItem.of(p) for p in problems] or None,
        context=dict(context) if context else None,
    )
    return JSONResponse(
        document.model_dump(mode="json", exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def _validation_detail(errors: Sequence[Any]) -> str:
    parts = []
    for error in list(errors)[:10]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is invalid"


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error the application can raise as a problem document."""

    @app.exception_handler(ServiceProblem)
    async def _service(request: Request, error: ServiceProblem) -> JSONResponse:
        return problem_response(
            request,
            error.status,
            error.code,
            error.detail,
            title=error.title,
            problems=error.problems,
            headers=error.headers,
        )

    @app.exception_handler(LoadError)
    async def _load(request: Request, error: LoadError) -> JSONResponse:
        first = error.problems[0].code if error.problems else "INVALID_INPUT"
        count = len(error.problems)
        return problem_response(
            request,
            422,
            first,
            f"the input has {count} problem{'s' if count != 1 else ''}; each is listed, located",
            title="the input has problems",
            problems=error.problems,
        )

    @app.exception_handler(LedgerError)
    async def _ledger(request: Request, error: LedgerError) -> JSONResponse:
        return problem_response(
            request,
            status_of_ledger_error(error.code),
            error.code,
            error.message,
            context=error.detail,
        )

    @app.exception_handler(FileError)
    async def _file(request: Request, error: FileError) -> JSONResponse:
        # A file the service itself reads or writes (never one named by the request).
        return problem_response(request, 503, error.code, str(error))

    @app.exception_handler(CreditbankError)
    async def _creditbank(request: Request, error: CreditbankError) -> JSONResponse:
        code = str(getattr(error, "code", "") or "INVALID_INPUT")
        return problem_response(request, 422, code, str(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = error.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem_response(
                request, 400, "MALFORMED_JSON", "the request body is not valid JSON"
            )
        # one code for a bad date on every route (DATE_ERROR_TYPES)
        dates = bool(errors) and all(e.get("type") in DATE_ERROR_TYPES for e in errors)
        code = "INVALID_DATE" if dates else "INVALID_REQUEST"
        return problem_response(request, 422, code, _validation_detail(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(error.status_code, "HTTP_ERROR")
        detail = str(error.detail) if error.detail else _title(code, "the request failed")
        return problem_response(
            request, error.status_code, code, detail, headers=getattr(error, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        _log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            500,
            "INTERNAL_ERROR",
            "the service failed unexpectedly; the error was logged on the server",
        )
