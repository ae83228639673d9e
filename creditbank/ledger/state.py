"""An account's state, derived by replaying its events in order (a pure fold).

Nothing here reads the database, the standards or the clock: the same events always give
the same state. Commands decide against this state (:mod:`creditbank.ledger.commands`);
the statement is rendered from it (:mod:`creditbank.ledger.statement`); and the cached
projection tables must always equal it (:mod:`creditbank.ledger.projection`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from creditbank.ledger.events import (
    AccountOpened,
    AchievementDeposited,
    AchievementExpired,
    AchievementRevoked,
    Actor,
    ApplicationApproved,
    ApplicationRejected,
    ApplicationReviewed,
    ApplicationSubmitted,
    CredentialCheck,
    CreditsPosted,
    CreditsReversed,
    Event,
    FundingDecided,
    Line,
    OverrideRecorded,
    ProfileRecorded,
)
from creditbank.models import Achievement

__all__ = [
    "AccountState",
    "AchievementRecord",
    "ApplicationRecord",
    "ClaimRecord",
    "EntryKind",
    "EntryRecord",
    "FundingRecord",
    "ReplayError",
    "Status",
    "Step",
    "apply_event",
    "replay",
    "replay_account",
]


Status = Literal["active", "revoked", "expired"]
EntryKind = Literal["post", "reversal"]


class ReplayError(ValueError):
    """An event cannot follow the events before it: the ledger is inconsistent."""


@dataclass
class AchievementRecord:
    """A deposited achievement and what became of it."""

    achievement: Achievement
    evidence: str | None
    verification: str
    depositor: Actor
    deposited_seq: int
    deposited_at: dt.datetime
    status: Status = "active"
    status_seq: int | None = None
    status_reason: str | None = None
    credential_check: CredentialCheck | None = None


@dataclass(frozen=True)
class Step:
    """One step of an application's workflow: who, why, when."""

    state: str
    seq: int
    at: dt.datetime
    actor: Actor
    reason: str | None


@dataclass
class ApplicationRecord:
    """An application of the portfolio to a programme, through the R5 workflow."""

    id: str
    program: str
    school: str
    as_of: dt.date
    standards_fingerprint: str
    achievements: tuple[str, ...]
    recognised: Decimal
    evaluation: dict[str, Any]
    applied_seq: int
    state: str = "applied"
    state_seq: int = 0
    reviewed_by: str | None = None
    lines: dict[int, Line] = field(default_factory=dict)
    added: dict[int, int] = field(default_factory=dict)
    denied: dict[int, int] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)

    def open_lines(self) -> list[Line]:
        """Lines not denied by an override, in order."""
        return [line for number, line in sorted(self.lines.items()) if number not in self.denied]

    def granted(self) -> Decimal:
        """What the application recognises: the engine's lines and overrides, less denials."""
        return sum((line.credits for line in self.open_lines()), Decimal(0))


@dataclass(frozen=True)
class EntryRecord:
    """A ledger entry: a posting (positive) or its compensating reversal (negative)."""

    seq: int
    at: dt.datetime
    program: str
    application: str
    line: int
    kind: EntryKind
    amount: Decimal
    cause: str | None = None


@dataclass
class ClaimRecord:
    """An achievement held by one application's posting in one programme."""

    program: str
    achievement: str
    application: str
    claimed_seq: int
    released_seq: int | None = None


@dataclass(frozen=True)
class FundingRecord:
    """A funded place of a programme under a scheme: granted (and perhaps withdrawn)."""

    program: str
    scheme: str
    rule: str | None
    granted_seq: int
    granted_at: dt.datetime
    withdrawn_seq: int | None = None


@dataclass
class AccountState:
    """Everything an account's events say, replayed."""

    account: str
    opened_seq: int
    opened_at: dt.datetime
    opened_by: Actor
    achievements: dict[str, AchievementRecord] = field(default_factory=dict)
    applications: dict[str, ApplicationRecord] = field(default_factory=dict)
    entries: list[EntryRecord] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)
    overrides: list[Event] = field(default_factory=list)
    profile: ProfileRecorded | None = None
    funding: list[FundingRecord] = field(default_factory=list)
    events: int = 0
    last_seq: int = 0

    def reversed_lines(self) -> set[tuple[str, int]]:
        return {(e.application, e.line) for e in self.entries if e.kind == "reversal"}

    def live_posts(self, program: str | None = None) -> list[EntryRecord]:
        """Postings not (yet) reversed, optionally of one programme."""
        gone = self.reversed_lines()
        return [
            e
            for e in self.entries
            if e.kind == "post"
            and (e.application, e.line) not in gone
            and (program is None or e.program == program)
        ]

    def live_claims(self, program: str | None = None) -> list[ClaimRecord]:
        return [
            c
            for c in self.claims
            if c.released_seq is None and (program is None or c.program == program)
        ]

    def posted(self, program: str) -> Decimal:
        """Net credit posted to a programme (postings less reversals)."""
        return sum((e.amount for e in self.entries if e.program == program), Decimal(0))

    def funded(self, program: str | None = None) -> list[FundingRecord]:
        """Funded places granted and not withdrawn, optionally of one programme."""
        return [
            f
            for f in self.funding
            if f.withdrawn_seq is None and (program is None or f.program == program)
        ]

    def programs(self) -> list[str]:
        return sorted(
            {e.program for e in self.entries} | {a.program for a in self.applications.values()}
        )


def _fail(event: Event, why: str) -> ReplayError:
    return ReplayError(f"event {event.account_seq} of account {event.account!r}: {why}")


def _application(state: AccountState, event: Event, application: str) -> ApplicationRecord:
    record = state.applications.get(application)
    if record is None:
        raise _fail(event, f"unknown application {application!r}")
    return record


def _move(record: ApplicationRecord, event: Event, to: str, reason: str | None) -> None:
    record.state = to
    record.state_seq = event.seq
    record.steps.append(Step(to, event.seq, event.at, event.actor, reason))


def _post(state: AccountState, event: Event, payload: CreditsPosted) -> None:
    record = _application(state, event, payload.application)
    if record.state != "approved":
        raise _fail(event, f"posting for application in state {record.state}")
    for achievement in payload.claims:
        state.claims.append(ClaimRecord(payload.program, achievement, record.id, event.seq))
    for line in payload.lines:
        state.entries.append(
            EntryRecord(
                event.seq, event.at, payload.program, record.id, line.line, "post", line.credits
            )
        )
    _move(record, event, "posted", None)


def _reverse(state: AccountState, event: Event, payload: CreditsReversed) -> None:
    for line in payload.lines:
        state.entries.append(
            EntryRecord(
                event.seq,
                event.at,
                payload.program,
                line.application,
                line.line,
                "reversal",
                -line.credits,
                payload.cause,
            )
        )
    for claim in payload.released:
        for held in state.live_claims(payload.program):
            if held.achievement == claim.achievement and held.application == claim.application:
                held.released_seq = event.seq
    for application in payload.superseded:
        _move(_application(state, event, application), event, "superseded", None)


def _override(state: AccountState, event: Event, payload: OverrideRecorded) -> None:
    record = _application(state, event, payload.application)
    if payload.grant is not None:
        record.lines[payload.grant.line] = payload.grant
        record.added[payload.grant.line] = event.seq
    for number in payload.denied:
        record.denied[number] = event.seq
    state.overrides.append(event)


def _fund(state: AccountState, event: Event, payload: FundingDecided) -> None:
    held = [
        (i, f)
        for i, f in enumerate(state.funding)
        if f.withdrawn_seq is None and (f.program, f.scheme) == (payload.program, payload.scheme)
    ]
    if payload.decision == "granted":
        if held:
            raise _fail(event, f"programme {payload.program!r} is funded twice")
        state.funding.append(
            FundingRecord(payload.program, payload.scheme, payload.rule, event.seq, event.at)
        )
        return
    if not held:
        raise _fail(event, f"no funded place of {payload.program!r} to withdraw")
    index, record = held[0]
    state.funding[index] = FundingRecord(
        record.program,
        record.scheme,
        record.rule,
        record.granted_seq,
        record.granted_at,
        event.seq,
    )


def apply_event(states: dict[str, AccountState], event: Event) -> None:
    """Fold one event into the states of all accounts (in place)."""
    payload = event.payload
    if isinstance(payload, AccountOpened):
        if event.account in states:
            raise _fail(event, "the account is opened twice")
        states[event.account] = AccountState(event.account, event.seq, event.at, event.actor)
    state = states.get(event.account)
    if state is None:
        raise _fail(event, "the account was never opened")
    state.events += 1
    state.last_seq = event.seq
    if isinstance(payload, AchievementDeposited):
        state.achievements[payload.achievement.id] = AchievementRecord(
            payload.achievement,
            payload.evidence,
            payload.verification,
            event.actor,
            event.seq,
            event.at,
            credential_check=payload.credential_check,
        )
    elif isinstance(payload, ApplicationSubmitted):
        record = ApplicationRecord(
            id=payload.application,
            program=payload.program,
            school=payload.school,
            as_of=payload.as_of,
            standards_fingerprint=payload.standards_fingerprint,
            achievements=payload.achievements,
            recognised=payload.recognised,
            evaluation=payload.evaluation,
            applied_seq=event.seq,
            state_seq=event.seq,
            lines={line.line: line for line in payload.lines},
            added={line.line: event.seq for line in payload.lines},
        )
        record.steps.append(Step("applied", event.seq, event.at, event.actor, None))
        state.applications[payload.application] = record
    elif isinstance(payload, ApplicationReviewed):
        record = _application(state, event, payload.application)
        record.reviewed_by = event.actor.id
        _move(record, event, "reviewed", payload.reason)
    elif isinstance(payload, ApplicationApproved):
        _move(_application(state, event, payload.application), event, "approved", payload.reason)
    elif isinstance(payload, ApplicationRejected):
        _move(_application(state, event, payload.application), event, "rejected", payload.reason)
    elif isinstance(payload, CreditsPosted):
        _post(state, event, payload)
    elif isinstance(payload, CreditsReversed):
        _reverse(state, event, payload)
    elif isinstance(payload, AchievementRevoked | AchievementExpired):
        held = state.achievements.get(payload.achievement)
        if held is None or held.status != "active":
            raise _fail(event, f"achievement {payload.achievement!r} is not active")
        held.status = "revoked" if isinstance(payload, AchievementRevoked) else "expired"
        held.status_seq = event.seq
        held.status_reason = payload.reason
    elif isinstance(payload, OverrideRecorded):
        _override(state, event, payload)
    elif isinstance(payload, ProfileRecorded):
        state.profile = payload
    elif isinstance(payload, FundingDecided):
        _fund(state, event, payload)


def replay(events: Iterable[Event]) -> dict[str, AccountState]:
    """The state of every account, from all events in ledger order."""
    states: dict[str, AccountState] = {}
    for event in events:
        apply_event(states, event)
    return states


def replay_account(account: str, events: Iterable[Event]) -> AccountState | None:
    """The state of one account from its events (None when it was never opened)."""
    return replay(events).get(account)
