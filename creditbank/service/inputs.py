"""The parts of a computation request the routes share, and how each becomes what the
library takes: a portfolio (as JSON data or as YAML/JSON text), an as-of day, a language,
and the engine's refusals as problem documents.

A portfolio is read by the library's own loader, so a request gets the located problems
``creditbank validate`` and ``creditbank evaluate`` print for the same portfolio: sent as
text (``portfolio_text``), each problem names file ``portfolio`` with its line and column in
that text; sent as data (``portfolio``), file ``request`` and no line. The YAML path inside
the portfolio is always there.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from creditbank.errors import EVALUATION_ERROR_CODES, EvaluationError
from creditbank.loading import load_portfolio_data, load_portfolio_text
from creditbank.models import Portfolio, Standards
from creditbank.service.problems import ServiceProblem

Responses = dict[int | str, dict[str, Any]]
"""The type of a route's ``responses`` (documented statuses)."""

__all__ = [
    "DATA_FILE",
    "TEXT_FILE",
    "CredentialInput",
    "Day",
    "Lang",
    "PortfolioFields",
    "PortfolioInput",
    "ProgramInput",
    "Responses",
    "day_of",
    "engine_problems",
    "request_portfolio",
]

Lang = Literal["zh", "en"]
TEXT_FILE = "portfolio"
"""The file name problems of a portfolio sent as text are located in."""
DATA_FILE = "request"
"""The file name problems of a portfolio sent as JSON data are located in."""

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_EXAMPLE_PORTFOLIO: dict[str, Any] = {
    "learner": "demo-worker-001",
    "achievements": [
        {
            "id": "a1",
            "unit": "skill:csco2022:6-31-01-03",
            "level": "三级",
            "earned_on": "2023-06-30",
            "issuer": "demo-employer",
        }
    ],
}


class PortfolioFields(BaseModel):
    """The two ways a request gives a portfolio (at most one of them)."""

    model_config = ConfigDict(extra="forbid")

    portfolio: dict[str, Any] | None = Field(
        default=None,
        description="The portfolio document as JSON (as `creditbank schema portfolio` "
        "describes it); `kind: portfolio` may be left out.",
        examples=[_EXAMPLE_PORTFOLIO],
    )
    portfolio_text: str | None = Field(
        default=None,
        description="The text of a portfolio file (YAML or JSON); its problems are located "
        "by line and column in this text.",
    )


class PortfolioInput(PortfolioFields):
    """A learner's portfolio: exactly one of ``portfolio`` (the portfolio document as a JSON
    object) or ``portfolio_text`` (the text of a portfolio file, YAML or JSON)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> PortfolioInput:
        if (self.portfolio is None) == (self.portfolio_text is None):
            raise ValueError("give exactly one of `portfolio` (JSON) or `portfolio_text` (text)")
        return self


class ProgramInput(PortfolioInput):
    """A portfolio, a programme and the day to judge it on."""

    program: str = Field(
        max_length=300,
        description="Programme id (or its unique catalogue code, e.g. 460301).",
        examples=["demo-college:460301"],
    )
    as_of: str | None = Field(
        default=None,
        description="The day to evaluate on, YYYY-MM-DD (default: today, as the CLI).",
        examples=["2026-11-29"],
    )


def request_portfolio(body: PortfolioFields, standards: Standards) -> Portfolio:
    """The portfolio of a request (one of its fields is set), checked against ``standards``;
    :class:`~creditbank.errors.LoadError` (422 with the located problems) otherwise."""
    if body.portfolio_text is not None:
        return load_portfolio_text(body.portfolio_text, standards, file=TEXT_FILE)
    return load_portfolio_data(body.portfolio, standards, file=DATA_FILE)


def day_of(text: str | None, field: str = "as_of") -> dt.date:
    """The day ``text`` names (YYYY-MM-DD), or today when None; 422 ``INVALID_DATE`` for
    text that is not a date of that form or a day the calendar lacks (2026-02-30): one
    code and one status for a bad date on every route (the ledger routes' dates are
    answered alike, :func:`creditbank.service.problems.install_problem_handlers`)."""
    if text is None:
        return dt.date.today()
    if not _DAY.fullmatch(text):
        raise ServiceProblem(
            422,
            "INVALID_DATE",
            f"{field} {text!r} is not a date; write it YYYY-MM-DD, e.g. 2026-11-29",
        )
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ServiceProblem(
            422,
            "INVALID_DATE",
            f"{field} {text!r} is not a day of the calendar; check the month and the day",
        ) from None


def _day(value: object) -> dt.date:
    if not isinstance(value, str):
        raise PydanticCustomError("INVALID_DATE", "a date is written as text, YYYY-MM-DD")
    try:
        return day_of(value, "the date")
    except ServiceProblem as problem:
        raise PydanticCustomError("INVALID_DATE", problem.detail) from None


Day = Annotated[dt.date, BeforeValidator(_day)]
"""A day in a JSON body, YYYY-MM-DD exactly (not a number, not a moment): a bad one is 422
``INVALID_DATE``, as the computation routes' ``as_of``."""


@contextmanager
def engine_problems(*, program_in_path: bool = False) -> Iterator[None]:
    """Answer the engine's refusals as problem documents, with the engine's code: an
    unknown programme named in the URL's path is 404 ``UNKNOWN_PROGRAM`` (the resource
    does not exist), one named in a JSON body 422 ``UNKNOWN_PROGRAM`` (the request is
    wrong, as an application to an unknown programme is); anything else it cannot answer
    (an unknown unit or level in the request …) is 422."""
    try:
        yield
    except EvaluationError as error:
        status = 404 if program_in_path and error.code == "UNKNOWN_PROGRAM" else 422
        title = EVALUATION_ERROR_CODES[error.code]
        raise ServiceProblem(status, error.code, error.message, title=title) from None


class CredentialInput(BaseModel):
    """One Open Badges 3.0 / CLR 2.0 credential, and which credentials the caller accepts:
    what checking one (``POST /v1/credentials/verify``) and depositing one (``POST
    /v1/accounts/{account}/deposits/credential``) both take."""

    model_config = ConfigDict(extra="forbid")

    credential: dict[str, Any] | None = Field(
        default=None, description="The credential as a JSON object."
    )
    credential_text: str | None = Field(
        default=None, description="The credential as text: JSON, or a VC-JWT."
    )
    trust_issuers: list[Annotated[str, StringConstraints(max_length=2000)]] = Field(
        default_factory=list,
        max_length=100,
        description="Also trust these issuer ids, `ID` or `ID#z6Mk…` (pinning its key), as "
        "`--trust-issuer`; the standards' issuers are always trusted.",
    )
    accept_unverified: bool = Field(
        default=False, description="Also accept credentials that cannot be verified."
    )
    accept_unchecked_status: bool = Field(
        default=False, description="Also accept credentials whose status was not checked."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> CredentialInput:
        if (self.credential is None) == (self.credential_text is None):
            raise ValueError("give exactly one of `credential` (JSON) or `credential_text`")
        return self

    def text(self) -> str:
        """The credential as the text the importer reads."""
        if self.credential_text is not None:
            return self.credential_text
        return json.dumps(self.credential, ensure_ascii=False)
