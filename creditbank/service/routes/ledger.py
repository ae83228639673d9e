"""Accounts and the recognition workflow: every route needs a bearer token, and the ledger's
authority model decides every command.

Each route first checks what :mod:`creditbank.service.auth` can tell from the token alone —
a role the route never allows, a learner's token on another account — and refuses it (403)
before the ledger is opened; everything else is the ledger's to decide
(:func:`creditbank.ledger.decide.decide`: which issuer, which school, separation of duties),
with ``principal.actor()`` as the actor. Writes take an ``Idempotency-Key``
(:mod:`creditbank.service.idempotency`): 201 with the receipt when written, 200 with the first
receipt (``replayed: true``) for a repeat.

Who may call what (the ledger still refuses what its rules refuse):

=========================================  ===============================================
route                                      roles
=========================================  ===============================================
open an account                            learner (its own), bank_operator
list accounts                              school_reviewer, academic_affairs, bank_operator
read an account (summary, statement,       learner (its own), school_reviewer,
events)                                    academic_affairs, bank_operator
deposit, deposit a credential               issuer
apply                                      learner (its own), bank_operator
review                                     school_reviewer
approve, override                          academic_affairs
reject                                     school_reviewer, academic_affairs
revoke                                     issuer, bank_operator
expire, verify                             bank_operator
the review queue                           school_reviewer, academic_affairs (their
                                           school's), bank_operator (every school's)
=========================================  ===============================================

An issuer reads no account: it deposits what it issued, and revokes it by the id it gave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from creditbank.ledger import Event, Receipt, Statement, VerifyReport
from creditbank.ledger.events import ApplicationState, Role
from creditbank.ledger.queue import QueueItem
from creditbank.ledger.summary import AccountSummary
from creditbank.models import Achievement
from creditbank.models.values import Credits
from creditbank.service.auth import check_account_access, require_roles, service_state
from creditbank.service.idempotency import idempotency_key, written
from creditbank.service.principal import Principal
from creditbank.service.routes import credential_deposits
from creditbank.service.state import ServiceState

__all__ = ["router"]

router = APIRouter(tags=["ledger"])
router.include_router(credential_deposits.router)

_READERS: tuple[Role, ...] = ("learner", "school_reviewer", "academic_affairs", "bank_operator")
_SCHOOL_AND_OPERATOR: tuple[Role, ...] = ("school_reviewer", "academic_affairs", "bank_operator")

AccountId = Annotated[str, Path(description="The learner account (an opaque id).")]
Key = Annotated[str, Depends(idempotency_key)]
State = Annotated[ServiceState, Depends(service_state)]

_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "A repeat of an earlier request (same Idempotency-Key): its receipt."},
    201: {"description": "Written: the receipt of the events the command wrote."},
}


def _on_account(*roles: Role) -> Callable[[Request, str], Principal]:
    """A dependency: the caller, holding one of ``roles``, and for a learner's token the
    account of the path (403 before the ledger is read otherwise)."""
    allowed = require_roles(*roles)

    def dependency(request: Request, account: AccountId) -> Principal:
        principal = allowed(request)
        check_account_access(principal, account)
        return principal

    return dependency


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenAccountBody(_Body):
    account: str = Field(description="The new account's id: opaque, never a 身份证号.")
    note: str | None = Field(default=None, description="A note (no personal data).")


class DepositBody(_Body):
    achievement: Achievement
    evidence: str | None = Field(default=None, description="Where the evidence is.")
    verification: Literal["verified", "pending", "unverified"] = "verified"


class ApplyBody(_Body):
    program: str = Field(description="The programme's id (or its code).")
    as_of: dt.date | None = Field(default=None, description="Evaluate as of (default today).")
    achievements: list[str] | None = Field(
        default=None, description="Only these achievements (default: every active one)."
    )


class StepBody(_Body):
    reason: str | None = Field(default=None, description="Why (kept in the ledger).")


class RejectBody(_Body):
    reason: str = Field(description="Why the application is rejected (kept in the ledger).")


class RevokeBody(_Body):
    reason: str


class ExpireBody(_Body):
    as_of: dt.date = Field(description="The day by which the achievement expired.")
    reason: str | None = None


class OverrideBody(_Body):
    application: str
    action: Literal["grant", "deny"]
    achievement: str
    reason: str
    requirement: str | None = Field(default=None, description="grant: the requirement.")
    course: str | None = Field(default=None, description="grant: the course exempted.")
    credits: Credits | None = Field(default=None, description="grant: how many credits.")


class AccountList(BaseModel):
    accounts: list[str] = Field(description="Every account's id, in the order they were opened.")


class ReviewQueue(BaseModel):
    applications: list[QueueItem]


# ------------------------------------------------------------------ accounts


@router.post(
    "/v1/accounts",
    status_code=201,
    summary="Open a learner account",
    responses=_WRITE_RESPONSES,
)
def open_account(
    *,
    body: OpenAccountBody,
    response: Response,
    principal: Annotated[Principal, Depends(require_roles("learner", "bank_operator"))],
    key: Key,
    state: State,
) -> Receipt:
    """A learner opens its own account (the token's), or a bank operator opens one."""
    check_account_access(principal, body.account)
    with state.ledger() as lg:
        return written(
            principal,
            key,
            response,
            lambda k: lg.open_account(body.account, actor=principal.actor(), key=k, note=body.note),
        )


@router.get("/v1/accounts", summary="List the accounts")
def list_accounts(
    *,
    principal: Annotated[Principal, Depends(require_roles(*_SCHOOL_AND_OPERATOR))],
    state: State,
) -> AccountList:
    """Every account's id (school staff and bank operators)."""
    with state.ledger(read_only=True) as lg:
        return AccountList(accounts=lg.accounts())


@router.get("/v1/accounts/{account}", summary="An account at a glance")
def account_summary(
    *,
    account: AccountId,
    principal: Annotated[Principal, Depends(_on_account(*_READERS))],
    state: State,
) -> AccountSummary:
    """Counts of achievements and applications by state, and credit posted per programme."""
    with state.ledger(read_only=True) as lg:
        return lg.summary(account)


@router.get("/v1/accounts/{account}/statement", summary="The learner's statement (学习档案)")
def statement(
    *,
    account: AccountId,
    principal: Annotated[Principal, Depends(_on_account(*_READERS))],
    state: State,
) -> Statement:
    """Exactly what `creditbank ledger statement --format json` prints."""
    with state.ledger(read_only=True) as lg:
        return lg.statement(account)


@router.get("/v1/accounts/{account}/events", summary="The account's events, in order")
def events(
    *,
    account: AccountId,
    principal: Annotated[Principal, Depends(_on_account(*_READERS))],
    state: State,
) -> list[Event]:
    """Every event of the account, with its chain link (404 for an unknown account)."""
    with state.ledger(read_only=True) as lg:
        return lg.account_events(account)


# ------------------------------------------------------------------ commands


@router.post(
    "/v1/accounts/{account}/deposits",
    status_code=201,
    summary="Deposit an achievement",
    responses=_WRITE_RESPONSES,
)
def deposit(
    *,
    account: AccountId,
    body: DepositBody,
    response: Response,
    principal: Annotated[Principal, Depends(_on_account("issuer"))],
    key: Key,
    state: State,
) -> Receipt:
    """An issuer deposits an achievement the standards authorise it to issue."""
    with state.ledger() as lg:
        return written(
            principal,
            key,
            response,
            lambda k: lg.deposit(
                account,
                body.achievement,
                actor=principal.actor(),
                key=k,
                evidence=body.evidence,
                verification=body.verification,
            ),
        )


@router.post(
    "/v1/accounts/{account}/applications",
    status_code=201,
    summary="Apply the account's achievements to a programme",
    responses=_WRITE_RESPONSES,
)
def apply(
    *,
    account: AccountId,
    body: ApplyBody,
    response: Response,
    principal: Annotated[Principal, Depends(_on_account("learner", "bank_operator"))],
    key: Key,
    state: State,
) -> Receipt:
    """The engine evaluates them; the receipt's ``application`` is the new application's id."""
    with state.ledger() as lg:
        return written(
            principal,
            key,
            response,
            lambda k: lg.apply(
                account,
                body.program,
                actor=principal.actor(),
                key=k,
                as_of=body.as_of,
                achievements=body.achievements,
            ),
        )


ApplicationId = Annotated[str, Path(description="The application's id (app-1 …).")]


@router.post(
    "/v1/accounts/{account}/applications/{application}/review",
    status_code=201,
    summary="The school's review of an application",
    responses=_WRITE_RESPONSES,
)
def review(
    *,
    account: AccountId,
    application: ApplicationId,
    response: Response,
    principal: Annotated[Principal, Depends(_on_account("school_reviewer"))],
    key: Key,
    state: State,
    body: Annotated[StepBody | None, Body()] = None,
) -> Receipt:
    """A reviewer of the programme's school reviews it (R5 step 2)."""
    reason = body.reason if body else None
    with state.ledger() as lg:
        return written(
            principal,
            key,
            response,
            lambda k: lg.review(
                account, application, actor=principal.actor(), key=k, reason=reason
            ),
        )


@router.post(
    "/v1/accounts/{account}/applications/{application}/approve",
    status_code=201,
    summary="Academic affairs' approval: posts the credit",
    responses=_WRITE_RESPONSES,
)
def approve(
    *,
    account: AccountId,
    application: ApplicationId,
    response: Response,
    principal: Annotated[Principal, Depends(_on_account("academic_affairs"))],
    key: Key,
    state: State,
    body: Annotated[StepBody | None, Body()] = None,
) -> Receipt:
    """Academic affairs of the programme's school approves a reviewed application (R5 step
    3); its credit is posted."""
    reason = body.reason if body else None
    with state.ledger() as lg:
        return written(
            principal,
            key,
            response,
            lambda k: lg.approve(
                account, application, actor=principal.actor(), key=k, reason=reason
            ),
        )


@router.post(
    "/v1/accounts/{account}/applications/{application}/reject",
    status_code=201,
    summary="Reject an application, with a reason",
    responses=_WRITE_RESPONSES,
)
def reject(
    *,
    account: AccountId,
    application: ApplicationId,
    body: RejectBody,
    response: Response,
    principal: Annotated[Principal, Depends(_on_account("school_reviewer", "academic_affairs"))],
    key: Key,
    state: State,
) -> Receipt:
    """A reviewer (before review) or academic affairs (before approval) rejects it."""
    with state.ledger() as lg:
        return written(
            principal,
            key,
            response,
            lambda k: lg.reject(
                account, application, actor=principal.actor(), key=k, reason=body.reason
            ),
        )


@router.post(
    "/v1/accounts/{account}/achievements/{achievement}/revoke",
    status_code=201,
    summary="Revoke an achievement",
    responses=_WRITE_RESPONSES,
)
def revoke(
    *,
    account: AccountId,
    achievement: Annotated[str, Path(description="The achievement's id in the account.")],
    body: RevokeBody,
    response: Response,
    principal: Annotated[Principal, Depends(_on_account("issuer", "bank_operator"))],
    key: Key,
    state: State,
) -> Receipt:
    """Its issuer or a bank operator revokes it; its postings are reversed, never deleted."""
    with state.ledger() as lg:
        return written(
            principal,
            key,
            response,
            lambda k: lg.revoke(
                account, achievement, actor=principal.actor(), key=k, reason=body.reason
            ),
        )


@router.post(
    "/v1/accounts/{account}/achievements/{achievement}/expire",
    status_code=201,
    summary="Record that an achievement expired",
    responses=_WRITE_RESPONSES,
)
def expire(
    *,
    account: AccountId,
    achievement: Annotated[str, Path(description="The achievement's id in the account.")],
    body: ExpireBody,
    response: Response,
    principal: Annotated[Principal, Depends(_on_account("bank_operator"))],
    key: Key,
    state: State,
) -> Receipt:
    """A bank operator records the expiry; its postings are reversed."""
    with state.ledger() as lg:
        return written(
            principal,
            key,
            response,
            lambda k: lg.expire(
                account,
                achievement,
                actor=principal.actor(),
                key=k,
                as_of=body.as_of,
                reason=body.reason,
            ),
        )


@router.post(
    "/v1/accounts/{account}/overrides",
    status_code=201,
    summary="A registrar's exception before approval",
    responses=_WRITE_RESPONSES,
)
def override(
    *,
    account: AccountId,
    body: OverrideBody,
    response: Response,
    principal: Annotated[Principal, Depends(_on_account("academic_affairs"))],
    key: Key,
    state: State,
) -> Receipt:
    """Grant credits for an achievement into a requirement (or course), or deny every line
    that uses it (as `creditbank ledger override`)."""
    with state.ledger() as lg:
        return written(
            principal,
            key,
            response,
            lambda k: lg.override(
                account,
                body.application,
                actor=principal.actor(),
                key=k,
                action=body.action,
                achievement=body.achievement,
                reason=body.reason,
                requirement=body.requirement,
                course=body.course,
                credits=body.credits,
            ),
        )


# ------------------------------------------------------------------ the bank


@router.get("/v1/applications", summary="The review queue")
def applications(
    *,
    principal: Annotated[Principal, Depends(require_roles(*_SCHOOL_AND_OPERATOR))],
    state: State,
    application_state: Annotated[
        ApplicationState | None,
        Query(alias="state", description="Only applications in this state (e.g. applied)."),
    ] = None,
    program: Annotated[
        str | None, Query(description="Only applications to this programme.")
    ] = None,
) -> ReviewQueue:
    """The applications the token's school may see (a bank operator: every school's),
    oldest first."""
    with state.ledger(read_only=True) as lg:
        return ReviewQueue(
            applications=lg.review_queue(
                principal.actor(), state=application_state, program=program
            )
        )


@router.get("/v1/ledger/verify", summary="Verify the whole ledger")
def verify(
    *,
    principal: Annotated[Principal, Depends(require_roles("bank_operator"))],
    state: State,
) -> VerifyReport:
    """Every hash chain, the chain heads, the projection and the schema checked (as
    `creditbank ledger verify --format json`); ``ok`` false is an answer, not an error."""
    with state.ledger(read_only=True) as lg:
        return lg.verify()
