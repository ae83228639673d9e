"""Credential checks and exports: ``creditbank import badge`` and ``creditbank export
case|ctdl|clr`` over HTTP.

The service never fetches a URL a request names: JSON-LD contexts come from the bundled
copies only (a credential naming another context is reported ``UNKNOWN_CONTEXT``, not
fetched), and exports are unsigned (the service holds no issuer key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from creditbank.engine import evaluate
from creditbank.interop.case import export_case
from creditbank.interop.ctdl import export_ctdl
from creditbank.interop.errors import InteropError
from creditbank.interop.export import evaluation_clr, evaluation_credentials
from creditbank.interop.jsonld import ContextLoader
from creditbank.interop.openbadges import (
    IMPORTED_LEARNER,
    import_badge_text,
    portfolio_learner,
    to_portfolio,
)
from creditbank.interop.trust import parse_trust
from creditbank.serialize import dump_portfolio
from creditbank.service.auth import current_state
from creditbank.service.inputs import (
    CredentialInput,
    ProgramInput,
    Responses,
    day_of,
    engine_problems,
    request_portfolio,
)
from creditbank.service.problems import ServiceProblem
from creditbank.service.state import ServiceState

__all__ = ["ClrRequest", "CredentialCheck", "CredentialRequest", "router"]

router = APIRouter(tags=["interop"])

State = Annotated[ServiceState, Depends(current_state)]
CREDENTIAL_SOURCE = "credential"
"""How a credential sent in a request is named in its check (the CLI names the file)."""
_UNKNOWN: Responses = {404: {"description": "No such programme, framework or certificate family."}}


@contextmanager
def _unknown_items() -> Iterator[None]:
    """An export of something the standards lack is 404 (the code stays the library's)."""
    try:
        yield
    except InteropError as error:
        if error.code != "UNKNOWN_ITEM":
            raise
        raise ServiceProblem(
            404, error.code, error.message, title="the standards have no such item"
        ) from None


# ----------------------------------------------------------------- credentials


class CredentialRequest(CredentialInput):
    """One Open Badges 3.0 / CLR 2.0 credential and how to check it."""

    issuer_check: bool = Field(
        default=True, description="False turns the issuer whitelist off (`--no-issuer-check`)."
    )
    at: dt.datetime | None = Field(
        default=None,
        description="Check validity windows as of this moment (UTC when no offset; default: now).",
    )
    learner: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,  # as Portfolio.learner: the portfolio is built with it
        description="Learner id of the portfolio (default: the subject).",
    )


class CredentialCheck(BaseModel):
    """The checks of ``creditbank import badge --format json`` for the credential, and the
    portfolio of what was accepted."""

    result: dict[str, Any] = Field(
        description="Verifications, records (accepted or why not), unmapped achievements."
    )
    accepted: int
    portfolio: dict[str, Any] = Field(description="A `kind: portfolio` document.")


@router.post("/v1/credentials/verify", summary="Verify a credential and map it to units")
def verify_credential(body: CredentialRequest, state: State) -> CredentialCheck:
    """Verify the credential (Data Integrity eddsa-rdfc-2022 or VC-JWT, validity window,
    the issuer whitelist) and map each achievement to a unit of the standards, as
    ``creditbank import badge``. A credential that fails is an answer, not an error: the
    result says why. No URL the credential names is fetched."""
    data = body.text()
    moment = body.at.replace(tzinfo=dt.UTC) if body.at and body.at.tzinfo is None else body.at
    result = import_badge_text(
        data,
        state.standards,
        source=CREDENTIAL_SOURCE,
        loader=ContextLoader(allow_network=False),
        now=moment,
        accept_unverified=body.accept_unverified,
        trust=parse_trust(body.trust_issuers),
        issuer_check=body.issuer_check,
        accept_unchecked_status=body.accept_unchecked_status,
    )
    try:
        owner = portfolio_learner([result], body.learner)
    except InteropError:
        owner = IMPORTED_LEARNER
    portfolio = to_portfolio([result], owner)
    return CredentialCheck(
        result=result.to_dict(),
        accepted=len(portfolio.achievements),
        portfolio=dump_portfolio(portfolio, "json"),
    )


# --------------------------------------------------------------------- exports


@router.get("/v1/exports/case", summary="A CASE 1.1 package", responses=_UNKNOWN)
def case_package(
    state: State,
    item: Annotated[
        str,
        Query(
            description="A framework id, a programme id (or catalogue code) or a certificate "
            "family (`family:NAME`).",
            max_length=300,
        ),
    ],
    base_uri: Annotated[
        str, Query(description="Prefix of every URI.", max_length=300)
    ] = "urn:uuid:",
) -> dict[str, Any]:
    """A framework, a programme with its courses, or a certificate family as a CASE 1.1
    CFPackage (as ``creditbank export case``)."""
    with _unknown_items():
        return export_case(state.standards, item, base_uri=base_uri)


@router.get("/v1/exports/ctdl/{program}", summary="A programme as CTDL", responses=_UNKNOWN)
def ctdl_graph(
    program: str,
    state: State,
    certificates: Annotated[
        bool, Query(description="Every skill and 1+X certificate, not only those accepted.")
    ] = False,
    id_base: Annotated[
        str, Query(description="Prefix of every resource id.", max_length=300)
    ] = "urn:ctid:",
) -> dict[str, Any]:
    """The programme, its courses, certificates and conversion rules as Credential Engine
    CTDL JSON-LD (as ``creditbank export ctdl PROGRAM``)."""
    with _unknown_items():
        return export_ctdl(state.standards, [program], certificates=certificates, id_base=id_base)


class ClrRequest(ProgramInput):
    """A portfolio to evaluate, and how to export the recognised credit."""

    issuer: str | None = Field(
        default=None, description="Issuer id (default: urn:creditbank:issuer:…).", max_length=300
    )
    per_course: bool = Field(
        default=False,
        description="A list of AchievementCredentials, one per converted course, instead.",
    )


@router.post(
    "/v1/exports/clr",
    summary="Recognised credit as a CLR 2.0 credential (unsigned)",
    responses={
        422: {"description": "An unknown programme (UNKNOWN_PROGRAM), a bad date, bad input."}
    },
)
def clr_export(body: ClrRequest, state: State) -> Any:
    """Evaluate the portfolio and export the recognised credit as an unsigned CLR 2.0
    ClrCredential (as ``creditbank export clr`` without ``--key``)."""
    standards = state.standards
    day = day_of(body.as_of)
    portfolio = request_portfolio(body, standards)
    with engine_problems():
        evaluation = evaluate(standards, portfolio, body.program, day)
    if body.per_course:
        return evaluation_credentials(evaluation, standards, issuer=body.issuer)
    return evaluation_clr(evaluation, standards, issuer=body.issuer)
