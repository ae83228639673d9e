"""Validation, evaluation, what-if, pathways, credential checks and exports: computations on
the standards that need no ledger.

Each answers what the CLI prints with ``--format json`` for the same input: the evaluation
is the ``creditbank.evaluation/1`` document of ``creditbank evaluate``, byte for byte the
same data. The searches (what-if suggestions, pathways) are plain CPU work, so their
handlers are ``def``: FastAPI runs them on its thread pool, and the event loop keeps
answering other requests meanwhile. The credential checks and exports are in
:mod:`~creditbank.service.routes.interop`, eligibility in
:mod:`~creditbank.service.routes.eligibility`, both included here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from creditbank.engine import evaluate, evaluate_with, hypothetical, suggest
from creditbank.engine.evaluate import resolve_program
from creditbank.engine.result import Evaluation
from creditbank.engine.whatif import parse_addition
from creditbank.errors import LoadError
from creditbank.graph.pathway import MAX_PLANS, pathway
from creditbank.service.auth import current_state
from creditbank.service.dependencies import standards_reader
from creditbank.service.direct import direct_route
from creditbank.service.inputs import (
    Lang,
    PortfolioFields,
    ProgramInput,
    Responses,
    day_of,
    engine_problems,
    request_portfolio,
)
from creditbank.service.problems import ProblemItem, ServiceProblem
from creditbank.service.routes import eligibility as eligibility_routes
from creditbank.service.routes import interop
from creditbank.service.state import ServiceState
from creditbank.validation import FILE_NAME, validate_texts

__all__ = [
    "EvaluationRequest",
    "PathwayDocument",
    "PathwayRequest",
    "ValidationRequest",
    "ValidationResult",
    "WhatIfRequest",
    "WhatIfResult",
    "router",
]

router = APIRouter(tags=["compute"], dependencies=[Depends(standards_reader)])

State = Annotated[ServiceState, Depends(current_state)]
_UNPROCESSABLE: Responses = {
    422: {
        "description": "The input has problems (each located), a bad date (INVALID_DATE) "
        "or an unknown programme (UNKNOWN_PROGRAM)."
    }
}

# ------------------------------------------------------------------------- validate

FileName = Annotated[str, StringConstraints(pattern=f"^{FILE_NAME.pattern}$", max_length=200)]


class StandardsFragment(BaseModel):
    """Standards files given as text, by name (``rules/my-rules.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    files: dict[FileName, str] = Field(
        min_length=1,
        max_length=200,
        description="File name (relative, ending .yaml, .yml or .json) -> its text.",
    )


class ValidationRequest(PortfolioFields):
    """A portfolio, a standards fragment, or both, to check."""

    standards: StandardsFragment | None = Field(
        default=None,
        description="Standards files, checked together on their own as `creditbank "
        "validate FILE ...` checks them (not layered over the service's standards).",
    )
    strict: bool = Field(
        default=False,
        description="Also run the consistency checks of `creditbank check` on the fragment.",
    )

    @model_validator(mode="after")
    def _something(self) -> ValidationRequest:
        if self.portfolio is not None and self.portfolio_text is not None:
            raise ValueError("give `portfolio` (JSON) or `portfolio_text` (text), not both")
        if self.portfolio is None and self.portfolio_text is None and self.standards is None:
            raise ValueError(
                "give a portfolio (`portfolio` or `portfolio_text`), `standards`, or both"
            )
        return self


class ValidationResult(BaseModel):
    """Whether everything given is valid, and every problem, located as the CLI prints it."""

    valid: bool
    problems: list[ProblemItem]
    files: list[str] = Field(default_factory=list, description="The fragment's files read.")
    counts: dict[str, int] = Field(
        default_factory=dict, description="Items of each kind the fragment holds."
    )
    findings: list[dict[str, Any]] | None = Field(
        default=None, description="With `strict`: the consistency findings (errors and warnings)."
    )


@router.post("/v1/validate", summary="Check a portfolio or standards files")
def validate_input(body: ValidationRequest, state: State) -> ValidationResult:
    """The problems ``creditbank validate`` reports for the same input: a portfolio is
    checked against the service's standards; a standards fragment on its own. Answers 200
    whether or not the input is valid: the answer is the validation."""
    result = ValidationResult(valid=True, problems=[])
    if body.standards is not None:
        try:
            checked = validate_texts(body.standards.files, strict=body.strict)
        except ValueError as error:  # names that clash (a file and a folder of another)
            raise ServiceProblem(422, "INVALID_REQUEST", str(error)) from None
        report = checked.report
        result.problems += [ProblemItem.of(p) for p in report.problems]
        result.files = report.files
        result.counts = report.standards.counts() if report.standards is not None else {}
        if checked.findings is not None:
            result.findings = [f.to_dict() for f in checked.findings]
        result.valid = checked.ok
    if body.portfolio is not None or body.portfolio_text is not None:
        try:
            request_portfolio(body, state.standards)
        except LoadError as error:
            result.problems += [ProblemItem.of(p) for p in error.problems]
            result.valid = False
    return result


# ------------------------------------------------------------------------- evaluate


class EvaluationRequest(ProgramInput):
    """A portfolio to evaluate against a programme."""

    lang: Lang = Field(
        default="zh",
        description="As `creditbank evaluate --lang`; the JSON document carries every "
        "message in both languages (`message_zh`, `message_en`) whichever is chosen.",
    )


async def _evaluation(body: EvaluationRequest, state: ServiceState) -> Response:
    standards = state.standards
    day = day_of(body.as_of)
    portfolio = request_portfolio(body, standards)
    with engine_problems():
        evaluation = evaluate(standards, portfolio, body.program, day)
    # the library's own JSON, not a re-serialisation: the same text the CLI prints
    return Response(evaluation.to_json(indent=None), media_type="application/json")


async def create_evaluation(body: EvaluationRequest, state: State) -> Response:
    """Convert the portfolio into credits of the programme on ``as_of`` and explain every
    decision: exactly the ``creditbank.evaluation/1`` document ``creditbank evaluate
    PORTFOLIO --program P --as-of D --format json`` prints."""
    # ``async`` on purpose, unlike what-if and pathways: an evaluation is a millisecond of
    # pure CPU work, which a thread of the pool could not run beside the event loop anyway
    # (one interpreter lock per worker process; parallelism comes from --workers), while the
    # hop to the pool and back cost more than the framework itself (benchmarks/serve.py,
    # "asgi" against "asgi, no thread pool"). The body's size is bounded (--max-body).
    return await _evaluation(body, state)


# The service's most frequent request: its plainest form (public standards, no query, a body
# the limits parsed) skips FastAPI's second parse and dependency solving (service.direct).
router.add_api_route(
    "/v1/evaluations",
    create_evaluation,
    methods=["POST"],
    summary="Evaluate a portfolio against a programme",
    response_model=Evaluation,
    responses=_UNPROCESSABLE,
    route_class_override=direct_route(EvaluationRequest, _evaluation),
)


# -------------------------------------------------------------------------- what-if

Addition = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class WhatIfRequest(ProgramInput):
    """A portfolio, a programme, and hypothetical achievements (or none: suggestions)."""

    add: list[Addition] = Field(
        default_factory=list,
        max_length=50,
        description="Hypothetical achievements `UNIT` or `UNIT@LEVEL`, earned on the as-of "
        "day from an authorised issuer. Without any, the obtainable units are ranked.",
        examples=[["skill:csco2022:6-31-01-03@二级"]],
    )
    top: int = Field(default=10, ge=1, le=100, description="Without `add`: how many to rank.")


class Suggestion(BaseModel):
    """An obtainable unit (at a level) and how much it alone would add."""

    unit: str
    level: str | None
    gain: Decimal
    total: Decimal
    hours: Decimal | None
    per_hour: Decimal | None = None
    """Credit gained per hour of study (4 decimals), when the hours are known: the ranking's
    key (options with hours first, most credit per hour first)."""


class WhatIfResult(BaseModel):
    """With ``add``: the evaluation with the additions (``evaluation``, as ``creditbank
    whatif --add … --format json`` prints it) and what they gain over the portfolio alone.
    Without: the ranked suggestions (as ``creditbank whatif --format json`` prints them)."""

    evaluation: Evaluation | None = None
    recognised_before: Decimal | None = None
    gain: Decimal | None = None
    suggestions: list[Suggestion] | None = None


@router.post(
    "/v1/whatif",
    summary="What if the learner also had …",
    response_model=WhatIfResult,
    responses=_UNPROCESSABLE,
)
def what_if(body: WhatIfRequest, state: State) -> dict[str, Any]:
    """Evaluate the portfolio with hypothetical achievements added; without any, rank the
    obtainable certificates and training by how much each alone would reduce the gap."""
    standards = state.standards
    day = day_of(body.as_of)
    portfolio = request_portfolio(body, standards)
    with engine_problems():
        program = resolve_program(standards, body.program)  # once, for every evaluation
        if not body.add:
            ranked = suggest(standards, portfolio, program, day, limit=body.top)
            return {"suggestions": [s.to_dict() for s in ranked]}
        extra = [
            hypothetical(standards, *parse_addition(text), day, index)
            for index, text in enumerate(body.add)
        ]
        before = evaluate(standards, portfolio, program, day)
        after = evaluate_with(standards, portfolio, program, extra, day)
    return {
        "evaluation": after.model_dump(mode="json", by_alias=True),
        "recognised_before": str(before.totals.recognised),
        "gain": str(after.totals.recognised - before.totals.recognised),
    }


# ------------------------------------------------------------------------- pathways


class PathwayRequest(ProgramInput):
    """A portfolio and the programme to complete."""

    max_plans: int = Field(
        default=MAX_PLANS,
        ge=1,
        le=MAX_PLANS,
        description="Combinations of candidates tried at most (each is one evaluation).",
    )


class PathwayStep(BaseModel):
    """One thing to do: obtain a unit (at a level), or take a course."""

    action: str = Field(description="`obtain` or `take`.")
    unit: str
    level: str | None
    hours: Decimal
    credits: Decimal
    into: list[str]


class PathwayCandidate(BaseModel):
    """Something the learner could obtain, and its cost in study hours."""

    model_config = ConfigDict(extra="allow")

    unit: str
    level: str | None
    hours: Decimal


class PathwayDocument(BaseModel):
    """The least-effort plan, as ``creditbank query pathway --format json`` prints it."""

    program: str
    learner: str
    as_of: str
    steps: list[PathwayStep]
    hours: Decimal
    obtain_hours: Decimal
    course_hours: Decimal
    recognised_before: Decimal
    recognised_after: Decimal
    uncovered: list[list[str]] = Field(description="[requirement, credits] left uncovered.")
    exhaustive: bool
    candidates: list[PathwayCandidate]
    uncosted: list[str]
    evaluations: int
    complete: bool


@router.post(
    "/v1/pathways",
    summary="The least-effort pathway to complete a programme",
    response_model=PathwayDocument,
    responses=_UNPROCESSABLE,
)
def find_pathway(body: PathwayRequest, state: State) -> dict[str, Any]:
    """The cheapest mix, in study hours, of certificates and training to obtain and
    courses to take that completes the programme, every addition valued by the engine (as
    ``creditbank query pathway``)."""
    standards = state.standards
    day = day_of(body.as_of)
    portfolio = request_portfolio(body, standards)
    with engine_problems():
        found = pathway(standards, portfolio, body.program, day, max_plans=body.max_plans)
    return found.to_dict()


# Included last: a request is matched against the routes in order, and each one tried costs
# (FastAPI walks included routers route by route), so the evaluation, the service's most
# frequent request, is tried before the credential checks, exports and eligibility.
router.include_router(interop.router)
router.include_router(eligibility_routes.router)
