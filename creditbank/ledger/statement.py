"""The learner's statement (学习档案): outcomes, applications and posted credit, from events.

A :class:`Statement` is rendered from an account's replayed state
(:mod:`creditbank.ledger.state`): every deposited achievement and what became of it, every
application with its workflow steps (who, why, when), every ledger entry (postings and
their compensating reversals), the registrar's overrides, and the net credit posted per
programme. It is immutable and JSON-serialisable (credits as exact decimal strings).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from creditbank.ledger.events import Actor, CredentialCheck, Line, OverrideRecorded
from creditbank.ledger.state import AccountState

__all__ = [
    "CHECK_LAG",
    "STATEMENT_SCHEMA",
    "AchievementLine",
    "ApplicationLine",
    "EntryLine",
    "OverrideLine",
    "ProgramBalance",
    "Statement",
    "StepLine",
    "statement_of",
]

STATEMENT_SCHEMA = "creditbank.ledger-statement/1"
CHECK_LAG = dt.timedelta(minutes=5)
"""How much earlier than its deposit a credential may have been checked and still count as
checked at the deposit (importing and depositing are separate steps, moments apart)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AchievementLine(_Frozen):
    id: str
    unit: str
    level: str | None
    earned_on: dt.date
    expires_on: dt.date | None
    issuer: str | None
    verification: str
    evidence: str | None
    status: Literal["active", "revoked", "expired"]
    status_reason: str | None
    deposited_at: dt.datetime
    deposited_by: Actor
    credential_check: CredentialCheck | None = None
    """For an achievement imported from a credential: how that credential was verified."""

    @property
    def checked_before_deposit(self) -> dt.datetime | None:
        """When its credential was checked, if that was more than :data:`CHECK_LAG` before
        the deposit (``import badge --at`` an earlier moment): the check says nothing about
        the days between, when the credential may have expired or been revoked, so a
        statement says so. None otherwise, and for an achievement without a credential."""
        check = self.credential_check
        when = check.checked_at if check is not None else None
        if when is not None and when < self.deposited_at - CHECK_LAG:
            return when
        return None


class StepLine(_Frozen):
    state: str
    at: dt.datetime
    actor: Actor
    reason: str | None


class ApplicationLine(_Frozen):
    id: str
    program: str
    school: str
    as_of: dt.date
    state: str
    standards_fingerprint: str
    achievements: tuple[str, ...]
    recognised: Decimal
    granted: Decimal
    posted: Decimal
    lines: tuple[Line, ...]
    denied: tuple[int, ...]
    steps: tuple[StepLine, ...]


class EntryLine(_Frozen):
    at: dt.datetime
    program: str
    application: str
    line: int
    kind: Literal["post", "reversal"]
    amount: Decimal
    cause: str | None
    achievements: tuple[str, ...]
    requirement: str
    course: str | None


class OverrideLine(_Frozen):
    at: dt.datetime
    actor: Actor
    application: str
    action: Literal["grant", "deny"]
    achievement: str
    reason: str
    credits: Decimal | None
    lines: tuple[int, ...]


class ProgramBalance(_Frozen):
    program: str
    posted: Decimal
    courses_exempted: tuple[str, ...]
    applications: tuple[str, ...]


class Statement(_Frozen):
    """One learner's 学习档案."""

    schema_version: Literal["creditbank.ledger-statement/1"] = "creditbank.ledger-statement/1"
    account: str
    opened_at: dt.datetime
    events: int
    achievements: tuple[AchievementLine, ...]
    applications: tuple[ApplicationLine, ...]
    programs: tuple[ProgramBalance, ...]
    entries: tuple[EntryLine, ...]
    overrides: tuple[OverrideLine, ...]

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)


def _programs(state: AccountState) -> tuple[ProgramBalance, ...]:
    out = []
    for program in state.programs():
        live = state.live_posts(program)
        courses = sorted(
            {
                course
                for e in live
                if (course := state.applications[e.application].lines[e.line].course)
                and state.applications[e.application].lines[e.line].kind == "exemption"
            }
        )
        out.append(
            ProgramBalance(
                program=program,
                posted=state.posted(program),
                courses_exempted=tuple(courses),
                applications=tuple(
                    a.id for a in state.applications.values() if a.program == program
                ),
            )
        )
    return tuple(out)


def statement_of(state: AccountState) -> Statement:
    """The statement of a replayed account."""
    applications = []
    for app in state.applications.values():
        posted = sum((e.amount for e in state.entries if e.application == app.id), Decimal(0))
        applications.append(
            ApplicationLine(
                id=app.id,
                program=app.program,
                school=app.school,
                as_of=app.as_of,
                state=app.state,
                standards_fingerprint=app.standards_fingerprint,
                achievements=app.achievements,
                recognised=app.recognised,
                granted=app.granted(),
                posted=posted,
                lines=tuple(line for _, line in sorted(app.lines.items())),
                denied=tuple(sorted(app.denied)),
                steps=tuple(
                    StepLine(state=s.state, at=s.at, actor=s.actor, reason=s.reason)
                    for s in app.steps
                ),
            )
        )
    entries = []
    for e in state.entries:
        line = state.applications[e.application].lines[e.line]
        entries.append(
            EntryLine(
                at=e.at,
                program=e.program,
                application=e.application,
                line=e.line,
                kind=e.kind,
                amount=e.amount,
                cause=e.cause,
                achievements=line.achievements,
                requirement=line.requirement,
                course=line.course,
            )
        )
    overrides = []
    for event in state.overrides:
        payload = event.payload
        assert isinstance(payload, OverrideRecorded)
        overrides.append(
            OverrideLine(
                at=event.at,
                actor=event.actor,
                application=payload.application,
                action=payload.action,
                achievement=payload.achievement,
                reason=payload.reason,
                credits=payload.grant.credits if payload.grant else None,
                lines=(payload.grant.line,) if payload.grant else payload.denied,
            )
        )
    return Statement(
        account=state.account,
        opened_at=state.opened_at,
        events=state.events,
        achievements=tuple(
            AchievementLine(
                id=r.achievement.id,
                unit=str(r.achievement.unit),
                level=r.achievement.level,
                earned_on=r.achievement.earned_on,
                expires_on=r.achievement.expires_on,
                issuer=str(r.achievement.issuer) if r.achievement.issuer else None,
                verification=r.verification,
                evidence=r.evidence,
                status=r.status,
                status_reason=r.status_reason,
                deposited_at=r.deposited_at,
                deposited_by=r.depositor,
                credential_check=r.credential_check,
            )
            for r in state.achievements.values()
        ),
        applications=tuple(applications),
        programs=_programs(state),
        entries=tuple(entries),
        overrides=tuple(overrides),
    )
