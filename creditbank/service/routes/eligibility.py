"""Eligibility (贯通、入学、资助) and "where can this worker go" over HTTP.

``POST /v1/eligibility`` answers the ``creditbank.eligibility/1`` document ``creditbank
eligibility PORTFOLIO --for F --as-of D --format json`` prints, and ``POST
/v1/eligibility/where`` the ``creditbank.tracks/1`` document of ``… --where --format
json``: the library's own JSON, the same text. Public like the other computations (they
need the standards, no ledger); bad input is 422 with located problems.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import Field

from creditbank.engine import Eligibility, eligibility
from creditbank.graph.where import Where, where
from creditbank.models.eligibility import OUTCOME_KINDS
from creditbank.service.auth import current_state
from creditbank.service.inputs import (
    Lang,
    PortfolioInput,
    Responses,
    day_of,
    engine_problems,
    request_portfolio,
)
from creditbank.service.state import ServiceState

__all__ = ["EligibilityRequest", "WhereRequest", "router"]

router = APIRouter(tags=["compute"])

State = Annotated[ServiceState, Depends(current_state)]

_UNPROCESSABLE: Responses = {
    422: {"description": "The input has problems (each located), or a bad date."}
}


class WhereRequest(PortfolioInput):
    """A portfolio (with its profile) and the day to judge it on."""

    as_of: str | None = Field(
        default=None,
        description="The day to decide on, YYYY-MM-DD (default: today, as the CLI).",
        examples=["2026-12-07"],
    )
    lang: Lang = Field(
        default="zh",
        description="As `creditbank eligibility --lang`: each outcome's `name` in this "
        "language; every reason and `name_zh`/`name_en` come in both languages.",
    )


class EligibilityRequest(WhereRequest):
    """A portfolio, the outcomes asked about and the day."""

    wanted: Literal["title", "admission", "funding", "all"] = Field(
        default="all",
        alias="for",
        description="As `creditbank eligibility --for`: titles and other bridges (贯通), "
        "admission, funding, or all.",
    )


@router.post(
    "/v1/eligibility",
    summary="Which titles, admissions and funded places a portfolio opens",
    response_model=Eligibility,
    responses=_UNPROCESSABLE,
)
async def create_eligibility(body: EligibilityRequest, state: State) -> Response:
    """One result per eligibility rule: eligible, eligible from a later day, or not, with
    every unmet condition — exactly the ``creditbank.eligibility/1`` document ``creditbank
    eligibility PORTFOLIO --for F --as-of D --format json`` prints."""
    # ``async`` as /v1/evaluations: a millisecond of CPU work on a bounded body
    standards = state.standards
    day = day_of(body.as_of)
    portfolio = request_portfolio(body, standards)
    kinds = OUTCOME_KINDS if body.wanted == "all" else (body.wanted,)
    with engine_problems():
        result = eligibility(standards, portfolio, day, kinds)
    return Response(
        result.in_language(body.lang).to_json(indent=None), media_type="application/json"
    )


@router.post(
    "/v1/eligibility/where",
    summary="Where a worker stands on the three tracks and where they can go",
    response_model=Where,
    responses=_UNPROCESSABLE,
)
async def where_next(body: WhereRequest, state: State) -> Response:
    """The highest skill level and titles the worker holds, and every level a bridge
    (贯通) or the next step of a track leads to, with each rule's result — the
    ``creditbank.tracks/1`` document of ``creditbank eligibility PORTFOLIO --where
    --format json``."""
    standards = state.standards
    day = day_of(body.as_of)
    portfolio = request_portfolio(body, standards)
    with engine_problems():
        found = where(standards, portfolio, day)
    return Response(found.to_json(indent=None), media_type="application/json")
