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
list accounts                              school_reviewer, academic_affairs (the accounts
                                           that applied to their school), bank_operator (all)
read an account (summary, statement,       learner (its own), school_reviewer,
events)                                    academic_affairs (an account that applied to
                                           their school), bank_operator (any)
deposit, deposit a credential               issuer
apply                                      learner (its own), bank_operator
review                                     school_reviewer
approve, override                          academic_affairs
reject                                     school_reviewer, academic_affairs
revoke                                     issuer, bank_operator
expire, verify, funding                    bank_operator
profile                                    learner (its own), bank_operator
the review queue                           school_reviewer, academic_affairs (their
                                           school's), bank_operator (every school's)
=========================================  ===============================================

Who may read which account is the ledger's rule (:func:`creditbank.ledger.queue.may_read`,
the school test of the review queue): school staff read an account only once it has applied
to one of their school's programmes (403 ``FORBIDDEN`` otherwise, also for an unknown
account, so a refusal never says whether it exists), and the account list shows them only
those. An issuer reads no account: it deposits what it issued, and revokes it by the id it
gave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from creditbank.ledger import (
    AccountSummary,
    Event,
    Ledger,
    QueueItem,
    Receipt,
    Statement,
    VerifyReport,
)
from creditbank.ledger.events import Actor, ApplicationState, Role
from creditbank.models import Achievement
from creditbank.models.values import Credits
from creditbank.service.auth import (
    caller,
    check_account_access,
    current_state,
    read_refused,
    request_ledger,
    require_roles,
)
from creditbank.service.idempotency import idempotency_key, written
from creditbank.service.inputs import Day
from creditbank.service.principal import Principal
from creditbank.service.routes import credential_deposits
from creditbank.service.state import RequestLedger, ServiceState

__all__ = ["ROLES", "Read", "Write", "router"]

_T = TypeVar("_T")

router = APIRouter(tags=["ledger"])
router.include_router(credential_deposits.router)

_READERS: tuple[Role, ...] = ("learner", "school_reviewer", "academic_affairs", "bank_operator")
_SCHOOL_AND_OPERATOR: tuple[Role, ...] = ("school_reviewer", "academic_affairs", "bank_operator")

ROLES: dict[str, tuple[Role, ...]] = {
    "open_account": ("learner", "bank_operator"),
    "list_accounts": _SCHOOL_AND_OPERATOR,
    "read_account": _READERS,
    "deposit": ("issuer",),
    "apply": ("learner", "bank_operator"),
    "review": ("school_reviewer",),
    "approve": ("academic_affairs",),
    "reject": ("school_reviewer", "academic_affairs"),
    "revoke": ("issuer", "bank_operator"),
    "expire": ("bank_operator",),
    "override": ("academic_affairs",),
    "queue": _SCHOOL_AND_OPERATOR,
    "verify": ("bank_operator",),
    "profile": ("learner", "bank_operator"),
    "funding": ("bank_operator",),
}
"""The roles each route allows (the table above), by action: the routes and the registrar
pages (:mod:`creditbank.web.registrar`) both check these, so the two never disagree."""

AccountId = Annotated[str, Path(description="The learner account (an opaque id).")]
Key = Annotated[str, Depends(idempotency_key)]
State = Annotated[ServiceState, Depends(current_state)]

_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "A repeat of an earlier request (same Idempotency-Key): its receipt."},
    201: {"description": "Written: the receipt of the events the command wrote."},
}


def _on_account(*roles: Role, write: bool = False) -> Callable[[Request, str], Iterator[Principal]]:
    """A dependency: the caller, holding one of ``roles``, and for a learner's token the
    account of the path (403 before the ledger is read otherwise); the request's ledger is
    open for writing when ``write`` (:func:`~creditbank.service.auth.caller`)."""

    def dependency(request: Request, account: AccountId) -> Iterator[Principal]:
        with caller(request, roles, write=write) as principal:
            check_account_access(principal, account)
            yield principal

    return dependency


@contextmanager
def _using(state: ServiceState, held: RequestLedger | None, *, read_only: bool) -> Iterator[Ledger]:
    """The request's own ledger when its route opened one for the token check (``held``),
    else one opened for this call (the registrar pages')."""
    if held is not None:
        yield held.get()
        return
    with state.ledger(read_only=read_only) as opened:
        yield opened


@dataclass(frozen=True)
class Write:
    """One write request: who sends it, with which Idempotency-Key, on which service (and
    ledger: the request's own, which checked the token, when ``held``)."""

    principal: Principal
    key: str
    response: Response
    state: ServiceState
    held: RequestLedger | None = None

    def __call__(self, command: Callable[[Ledger, Actor, str], Receipt]) -> Receipt:
        """Give ``command`` (a call of a :class:`Ledger` method with the actor and the ledger
        key) and answer its receipt (201 written, 200 replayed)."""
        actor = self.principal.actor()
        with _using(self.state, self.held, read_only=False) as lg:
            return written(self.principal, self.key, self.response, lambda k: command(lg, actor, k))


def _writer(*roles: Role) -> Callable[..., Write]:
    """A dependency: a :class:`Write` by a caller holding one of ``roles`` (and for a
    learner's token, on its own account). The caller is checked first: a request without a
    valid token is 401 whatever its Idempotency-Key."""

    # The caller first (FastAPI resolves dependencies in this order), as a default rather
    # than an Annotated[...] annotation: annotations are strings here (``from __future__
    # import annotations``) and FastAPI cannot see this function's locals.
    def dependency(
        *,
        request: Request,
        principal: Principal = Depends(_on_account(*roles, write=True)),  # noqa: B008
        key: Key,
        response: Response,
        state: State,
    ) -> Write:
        return Write(principal, key, response, state, request_ledger(request))

    return dependency


@dataclass(frozen=True)
class Read:
    """One read request: who sends it, on which service (and ledger: the request's own,
    which checked the token, when ``held``)."""

    principal: Principal
    state: ServiceState
    held: RequestLedger | None = None

    def __call__(self, query: Callable[[Ledger], _T]) -> _T:
        """Answer ``query`` on the ledger, opened for reading."""
        with _using(self.state, self.held, read_only=True) as lg:
            return query(lg)

    def account(self, account: str, query: Callable[[Ledger], _T]) -> _T:
        """Answer ``query`` about ``account`` if the caller may read it
        (:meth:`Ledger.may_read`); 403 ``FORBIDDEN`` otherwise, before ``query`` runs."""
        actor = self.principal.actor()

        def checked(lg: Ledger) -> _T:
            if not lg.may_read(actor, account):
                raise read_refused(self.principal)
            return query(lg)

        return self(checked)


def _reader(*roles: Role, account: bool = True) -> Callable[..., Read]:
    """A dependency: a :class:`Read` by a caller holding one of ``roles`` (with ``account``,
    for a learner's token, of its own account)."""
    who = _on_account(*roles) if account else require_roles(*roles)

    def dependency(
        *,
        request: Request,
        principal: Principal = Depends(who),  # noqa: B008
        state: State,
    ) -> Read:
        return Read(principal, state, request_ledger(request))

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
    as_of: Day | None = Field(
        default=None, description="Evaluate as of, YYYY-MM-DD (default today)."
    )
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
    as_of: Day = Field(description="The day by which the achievement expired, YYYY-MM-DD.")
    reason: str | None = None


class OverrideBody(_Body):
    application: str
    action: Literal["grant", "deny"]
    achievement: str
    reason: str
    requirement: str | None = Field(default=None, description="grant: the requirement.")
    course: str | None = Field(default=None, description="grant: the course exempted.")
    credits: Credits | None = Field(default=None, description="grant: how many credits.")


class ProfileBody(_Body):
    """Only the non-identifying part of the profile; it replaces the one recorded before."""

    region: str | None = Field(default=None, description="A GB/T 2260 code, e.g. 440300.")
    migrant_worker: bool | None = Field(default=None, description="农民工")
    union_member: bool | None = Field(default=None, description="工会会员")
    education: str | None = Field(default=None, description="The highest education completed.")


class FundingBody(_Body):
    program: str = Field(description="The programme's id.")
    scheme: str = Field(description="The funding scheme, e.g. 求学圆梦行动.")
    decision: Literal["granted", "withdrawn"] = "granted"
    rule: str | None = Field(
        default=None, description="granted: the funding eligibility rule it is granted under."
    )
    reason: str | None = Field(default=None, description="withdrawn: why (required).")


class AccountList(BaseModel):
    accounts: list[str] = Field(
        description="The ids of the accounts the caller may read, in the order they were opened."
    )


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
    request: Request,
    response: Response,
    principal: Annotated[Principal, Depends(require_roles(*ROLES["open_account"], write=True))],
    key: Key,
    state: State,
) -> Receipt:
    """A learner opens its own account (the token's), or a bank operator opens one."""
    check_account_access(principal, body.account)
    write = Write(principal, key, response, state, request_ledger(request))
    return write(
        lambda lg, actor, k: lg.open_account(body.account, actor=actor, key=k, note=body.note)
    )


@router.get("/v1/accounts", summary="List the accounts")
def list_accounts(
    read: Annotated[Read, Depends(_reader(*ROLES["list_accounts"], account=False))],
) -> AccountList:
    """The ids of the accounts the caller may read: every account for a bank operator, those
    that applied to their school's programmes for school staff."""
    actor = read.principal.actor()
    return AccountList(accounts=read(lambda lg: lg.readable_accounts(actor)))


@router.get("/v1/accounts/{account}", summary="An account at a glance")
def account_summary(
    account: AccountId, read: Annotated[Read, Depends(_reader(*ROLES["read_account"]))]
) -> AccountSummary:
    """Counts of achievements and applications by state, and credit posted per programme."""
    return read.account(account, lambda lg: lg.summary(account))


@router.get("/v1/accounts/{account}/statement", summary="The learner's statement (学习档案)")
def statement(
    account: AccountId, read: Annotated[Read, Depends(_reader(*ROLES["read_account"]))]
) -> Statement:
    """Exactly what `creditbank ledger statement --format json` prints."""
    return read.account(account, lambda lg: lg.statement(account))


@router.get("/v1/accounts/{account}/events", summary="The account's events, in order")
def events(
    account: AccountId, read: Annotated[Read, Depends(_reader(*ROLES["read_account"]))]
) -> list[Event]:
    """Every event of the account, with its chain link (404 for an unknown account)."""
    return read.account(account, lambda lg: lg.account_events(account))


# ------------------------------------------------------------------ commands

ApplicationId = Annotated[str, Path(description="The application's id (app-1 …).")]
AchievementId = Annotated[str, Path(description="The achievement's id in the account.")]


def _post(path: str, summary: str) -> Callable[[Callable[..., Receipt]], Callable[..., Receipt]]:
    """A write route: 201 with the receipt, 200 with the first one for a repeated key."""
    return router.post(path, status_code=201, summary=summary, responses=_WRITE_RESPONSES)


@_post("/v1/accounts/{account}/deposits", "Deposit an achievement")
def deposit(
    *,
    account: AccountId,
    body: DepositBody,
    write: Annotated[Write, Depends(_writer(*ROLES["deposit"]))],
) -> Receipt:
    """An issuer deposits an achievement the standards authorise it to issue."""
    return write(
        lambda lg, actor, key: lg.deposit(
            account,
            body.achievement,
            actor=actor,
            key=key,
            evidence=body.evidence,
            verification=body.verification,
        )
    )


@_post("/v1/accounts/{account}/applications", "Apply the account's achievements to a programme")
def apply(
    *,
    account: AccountId,
    body: ApplyBody,
    write: Annotated[Write, Depends(_writer(*ROLES["apply"]))],
) -> Receipt:
    """The engine evaluates them; the receipt's ``application`` is the new application's id."""
    return write(
        lambda lg, actor, key: lg.apply(
            account,
            body.program,
            actor=actor,
            key=key,
            as_of=body.as_of,
            achievements=body.achievements,
        )
    )


_STEPS = "/v1/accounts/{account}/applications/{application}"


@_post(f"{_STEPS}/review", "The school's review of an application")
def review(
    *,
    account: AccountId,
    application: ApplicationId,
    write: Annotated[Write, Depends(_writer(*ROLES["review"]))],
    body: Annotated[StepBody | None, Body()] = None,
) -> Receipt:
    """A reviewer of the programme's school reviews it (R5 step 2)."""
    reason = body.reason if body else None
    return write(
        lambda lg, actor, key: lg.review(account, application, actor=actor, key=key, reason=reason)
    )


@_post(f"{_STEPS}/approve", "Academic affairs' approval: posts the credit")
def approve(
    *,
    account: AccountId,
    application: ApplicationId,
    write: Annotated[Write, Depends(_writer(*ROLES["approve"]))],
    body: Annotated[StepBody | None, Body()] = None,
) -> Receipt:
    """Academic affairs of the programme's school approves a reviewed application (R5 step
    3); its credit is posted."""
    reason = body.reason if body else None
    return write(
        lambda lg, actor, key: lg.approve(account, application, actor=actor, key=key, reason=reason)
    )


@_post(f"{_STEPS}/reject", "Reject an application, with a reason")
def reject(
    *,
    account: AccountId,
    application: ApplicationId,
    body: RejectBody,
    write: Annotated[Write, Depends(_writer(*ROLES["reject"]))],
) -> Receipt:
    """A reviewer (before review) or academic affairs (before approval) rejects it."""
    return write(
        lambda lg, actor, key: lg.reject(
            account, application, actor=actor, key=key, reason=body.reason
        )
    )


@_post("/v1/accounts/{account}/achievements/{achievement}/revoke", "Revoke an achievement")
def revoke(
    *,
    account: AccountId,
    achievement: AchievementId,
    body: RevokeBody,
    write: Annotated[Write, Depends(_writer(*ROLES["revoke"]))],
) -> Receipt:
    """Its issuer or a bank operator revokes it; its postings are reversed, never deleted."""
    return write(
        lambda lg, actor, key: lg.revoke(
            account, achievement, actor=actor, key=key, reason=body.reason
        )
    )


@_post(
    "/v1/accounts/{account}/achievements/{achievement}/expire",
    "Record that an achievement expired",
)
def expire(
    *,
    account: AccountId,
    achievement: AchievementId,
    body: ExpireBody,
    write: Annotated[Write, Depends(_writer(*ROLES["expire"]))],
) -> Receipt:
    """A bank operator records the expiry; its postings are reversed."""
    return write(
        lambda lg, actor, key: lg.expire(
            account, achievement, actor=actor, key=key, as_of=body.as_of, reason=body.reason
        )
    )


@_post("/v1/accounts/{account}/profile", "Record the learner's profile")
def profile(
    *,
    account: AccountId,
    body: ProfileBody,
    write: Annotated[Write, Depends(_writer(*ROLES["profile"]))],
) -> Receipt:
    """The learner (its own) or a bank operator records the non-identifying profile the
    progress report counts (as `creditbank ledger profile`)."""
    return write(
        lambda lg, actor, key: lg.record_profile(
            account,
            actor=actor,
            key=key,
            region=body.region,
            migrant_worker=body.migrant_worker,
            union_member=body.union_member,
            education=body.education,
        )
    )


@_post("/v1/accounts/{account}/funding", "Grant or withdraw a funded place")
def funding(
    *,
    account: AccountId,
    body: FundingBody,
    write: Annotated[Write, Depends(_writer(*ROLES["funding"]))],
) -> Receipt:
    """A bank operator grants a funded place under a funding eligibility rule, or withdraws
    it (as `creditbank ledger fund`)."""
    return write(
        lambda lg, actor, key: lg.fund(
            account,
            body.program,
            actor=actor,
            key=key,
            scheme=body.scheme,
            decision=body.decision,
            rule=body.rule,
            reason=body.reason,
        )
    )


@_post("/v1/accounts/{account}/overrides", "A registrar's exception before approval")
def override(
    *,
    account: AccountId,
    body: OverrideBody,
    write: Annotated[Write, Depends(_writer(*ROLES["override"]))],
) -> Receipt:
    """Grant credits for an achievement into a requirement (or course), or deny every line
    that uses it (as `creditbank ledger override`)."""
    return write(
        lambda lg, actor, key: lg.override(
            account,
            body.application,
            actor=actor,
            key=key,
            action=body.action,
            achievement=body.achievement,
            reason=body.reason,
            requirement=body.requirement,
            course=body.course,
            credits=body.credits,
        )
    )


# ------------------------------------------------------------------ the bank


@router.get("/v1/applications", summary="The review queue")
def applications(
    read: Annotated[Read, Depends(_reader(*ROLES["queue"], account=False))],
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
    actor = read.principal.actor()
    queue = read(lambda lg: lg.review_queue(actor, state=application_state, program=program))
    return ReviewQueue(applications=queue)


@router.get("/v1/ledger/verify", summary="Verify the whole ledger")
def verify(
    read: Annotated[Read, Depends(_reader(*ROLES["verify"], account=False))],
) -> VerifyReport:
    """Every hash chain, the chain heads, the projection and the schema checked (as
    `creditbank ledger verify --format json`); ``ok`` false is an answer, not an error."""
    return read(lambda lg: lg.verify())
