"""The rules that decide a command: validation, authority and the R5 workflow.

:func:`decide` checks a command against the account's replayed state and the standards and
returns the events to append, or raises :class:`~creditbank.errors.LedgerError` — in which
case nothing is written. It is a pure function: no database, no clock (the day is given).

Who may do what:

========== ===================================================================
command    actor
========== ===================================================================
open       the learner (actor id = account id) or a bank operator
deposit    an issuer whose organisation the standards authorise for the unit (and level,
           on the day it was earned); units no issuer is authorised for are refused
apply      the learner or a bank operator, judged on the day it is made; an earlier
           ``as_of`` (a historical application) only by a bank operator, since an
           earlier day revives expired achievements and superseded rules
review     a school reviewer of the programme's school (R5: 院系审核)
approve    the academic affairs office of that school (R5: 教务处审批), not the reviewer
reject     at ``applied``: a reviewer or academic affairs of the school; at ``reviewed``:
           academic affairs
override   academic affairs of the school, before approval (a registrar's exception,
           never beyond the programme's total credits)
revoke     the issuer of the achievement, or a bank operator
expire     a bank operator, once the achievement's validity has ended
profile    the learner or a bank operator (only non-identifying fields: region, status
           flags, education)
fund       a bank operator: a grant names a ``funding`` eligibility rule of the standards
           for that programme and scheme; a withdrawal needs a place granted before
========== ===================================================================

School staff never review, approve or override on their own account.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pydantic import ValidationError

from creditbank.engine import evaluate
from creditbank.engine.facts import issuer_authorised, make_facts
from creditbank.errors import EvaluationError, LedgerError, LoadError
from creditbank.ledger.commands import (
    Apply,
    Approve,
    Command,
    Deposit,
    Expire,
    Fund,
    OpenAccount,
    Override,
    RecordProfile,
    Reject,
    Review,
    Revoke,
)
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
    Claim,
    CredentialCheck,
    CreditsPosted,
    CreditsReversed,
    FundingDecided,
    Line,
    OverrideRecorded,
    Payload,
    PostedLine,
    ProfileFields,
    ProfileRecorded,
    ReversalCause,
    ReversedLine,
    Role,
)
from creditbank.ledger.state import AccountState, ApplicationRecord
from creditbank.loading.crosscheck import check_portfolio
from creditbank.models import Achievement, CourseUnit, Portfolio, Program, Standards
from creditbank.models.portfolio import is_imported_note
from creditbank.models.values import IssuerRef
from creditbank.suggest import did_you_mean

__all__ = ["Context", "decide"]


@dataclass(frozen=True)
class Context:
    """What decisions may depend on besides the account: the standards and today's date."""

    standards: Standards | None
    today: dt.date
    now: dt.datetime | None = None
    """The moment of the command (timezone-aware), when the caller knows it."""

    def need_standards(self, command: str) -> Standards:
        if self.standards is None:
            raise ValueError(f"{command} needs the standards: open the ledger with standards=")
        return self.standards


# ------------------------------------------------------------------ authority

_ROLE_NAMES: dict[Role, str] = {
    "learner": "the learner",
    "issuer": "an issuer",
    "school_reviewer": "a school reviewer",
    "academic_affairs": "academic affairs",
    "bank_operator": "a bank operator",
}


def _need_role(actor: Actor, roles: Sequence[Role], doing: str) -> None:
    if actor.role not in roles:
        allowed = " or ".join(_ROLE_NAMES[r] for r in roles)
        raise LedgerError(
            "NOT_AUTHORISED",
            f"only {allowed} may {doing}; {actor.id!r} acts as {actor.role}",
            actor=actor.id,
            role=actor.role,
        )


def _need_school(actor: Actor, school: str, roles: Sequence[Role], doing: str) -> None:
    _need_role(actor, roles, doing)
    if actor.organisation != school:
        acting = f"for {actor.organisation!r}" if actor.organisation else "for no organisation"
        raise LedgerError(
            "NOT_AUTHORISED",
            f"only staff of the programme's school {school!r} may {doing}; "
            f"{actor.id!r} acts {acting}",
            actor=actor.id,
            school=school,
        )


def _not_own(actor: Actor, account: str, doing: str) -> None:
    """School staff never decide on their own account (a conflict of interest)."""
    if actor.id == account:
        raise LedgerError(
            "SEPARATION_OF_DUTIES",
            f"{actor.id!r} may not {doing} on their own account",
            actor=actor.id,
        )


def _need_learner_or_operator(actor: Actor, account: str, doing: str) -> None:
    _need_role(actor, ("learner", "bank_operator"), doing)
    if actor.role == "learner" and actor.id != account:
        raise LedgerError(
            "NOT_AUTHORISED",
            f"learner {actor.id!r} may {doing} only for their own account, not {account!r}",
            actor=actor.id,
        )


# ------------------------------------------------------------------ lookups


def _account(state: AccountState | None, account: str) -> AccountState:
    if state is None:
        raise LedgerError(
            "UNKNOWN_ACCOUNT", f"no account {account!r}; open it first", account=account
        )
    return state


def _application(state: AccountState, application: str) -> ApplicationRecord:
    record = state.applications.get(application)
    if record is None:
        hint = did_you_mean(application, state.applications)
        raise LedgerError(
            "UNKNOWN_APPLICATION",
            f"account {state.account!r} has no application {application!r};{hint}".rstrip(";"),
            application=application,
        )
    return record


def _active(state: AccountState, achievement: str) -> Achievement:
    record = state.achievements.get(achievement)
    if record is None:
        hint = did_you_mean(achievement, state.achievements)
        raise LedgerError(
            "UNKNOWN_ACHIEVEMENT",
            f"account {state.account!r} holds no achievement {achievement!r};{hint}".rstrip(";"),
            achievement=achievement,
        )
    if record.status != "active":
        raise LedgerError(
            "ACHIEVEMENT_INACTIVE",
            f"achievement {achievement!r} was {record.status}: it can no longer be applied, "
            "posted or changed",
            achievement=achievement,
        )
    return record.achievement


def _still_active(state: AccountState, achievement: str, application: str) -> None:
    """An open line's achievement must still be active when its application is approved."""
    record = state.achievements[achievement]
    if record.status != "active":
        raise LedgerError(
            "ACHIEVEMENT_INACTIVE",
            f"achievement {achievement!r} was {record.status} after application "
            f"{application!r} was made: deny its lines (an override with action deny, "
            "`creditbank ledger override ... --deny`) and approve "
            "the rest, or reject the application",
            achievement=achievement,
            application=application,
        )


def _program(standards: Standards, program_id: str) -> Program:
    program = standards.programs.get(program_id)
    if program is None:
        by_code = [p for p in standards.programs.values() if p.code == program_id]
        if len(by_code) == 1:
            program = by_code[0]
    if program is None:
        hint = did_you_mean(program_id, standards.programs)
        raise LedgerError(
            "UNKNOWN_PROGRAM",
            f"the standards have no programme {program_id!r};{hint}".rstrip(";"),
            program=program_id,
        )
    if program.school is None:
        raise LedgerError(
            "UNKNOWN_PROGRAM",
            f"programme {program.id!r} names no school, so nobody could review or approve "
            "an application to it",
            program=program.id,
        )
    return program


# ------------------------------------------------------------------ deciding


def _open(command: OpenAccount, state: AccountState | None) -> list[Payload]:
    if state is not None:
        raise LedgerError(
            "ACCOUNT_EXISTS",
            f"account {command.account!r} is already open",
            account=command.account,
        )
    _need_learner_or_operator(command.actor, command.account, "open an account")
    return [AccountOpened(note=command.note)]


def _credential_fits(
    check: CredentialCheck, given: Achievement, state: AccountState, ctx: Context
) -> None:
    """The rules for an achievement imported from a credential: the credential has an id
    (the one-account rule is keyed on it), is still valid on the day of the deposit, and
    names the subject of the account's other active credential deposits (the account binds
    the subject of its first one)."""
    if check.credential is None:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"achievement {given.id!r} comes from a credential without an id; the ledger keeps "
            "a credential in one account by its id (Open Badges 3.0 requires one), so it "
            "cannot be deposited",
            achievement=given.id,
        )
    if given.expires_on is not None and given.expires_on < ctx.today:
        raise LedgerError(
            "CREDENTIAL_EXPIRED",
            f"achievement {given.id!r}: its credential {check.credential} was valid until "
            f"{given.expires_on}, before the deposit ({ctx.today}); an expired credential is "
            "not deposited, even when it was checked as of an earlier moment",
            achievement=given.id,
        )
    bound = {
        record.credential_check.subject
        for record in state.achievements.values()
        if record.status == "active"
        and record.credential_check is not None
        and record.credential_check.subject is not None
    }
    if check.subject is not None and bound and check.subject not in bound:
        raise LedgerError(
            "SUBJECT_MISMATCH",
            f"achievement {given.id!r}: its credential {check.credential} names another "
            f"subject ({check.subject}) than the credentials account {state.account!r} holds "
            f"({', '.join(sorted(bound))}); an account is one learner's. A learner with several "
            "subject ids has the other credentials deposited by their issuer with `ledger "
            "deposit` from a portfolio it writes itself (no credential check)",
            achievement=given.id,
        )


def _status_checked_or_accepted(
    command: Deposit, check: CredentialCheck, given: Achievement
) -> None:
    """A credential whose status (revocation, suspension) was not checked is never
    verified, and is deposited only when the command accepts unchecked status explicitly
    (fail closed here, whoever builds the command)."""
    if check.credential_status != "unchecked":
        return
    if check.status == "verified":
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"achievement {given.id!r}: its credential's status (credentialStatus: "
            "revocation, suspension) was not checked, so it cannot be recorded as verified "
            "(its check must be unverifiable, STATUS_UNCHECKED)",
            achievement=given.id,
        )
    if not command.accept_unchecked_status:
        raise LedgerError(
            "CREDENTIAL_STATUS_UNCHECKED",
            f"achievement {given.id!r} comes from credential {check.credential or '(no id)'}, "
            "which carries a status (credentialStatus: revocation, suspension) that was not "
            "checked — it may have been revoked; it is deposited only when unchecked status "
            "is accepted explicitly (--accept-unchecked-status), and the deposit then "
            "records that",
            achievement=given.id,
        )


def _deposit(command: Deposit, state: AccountState, ctx: Context) -> list[Payload]:
    standards = ctx.need_standards("deposit")
    actor = command.actor
    _need_role(actor, ("issuer",), "deposit an achievement")
    org = actor.organisation
    if org is None or org not in standards.issuers:
        hint = did_you_mean(org or "", standards.issuers) if org else ""
        raise LedgerError(
            "NOT_AUTHORISED",
            f"issuer {org!r} is not an issuer of the standards;{hint}".rstrip(";"),
            actor=actor.id,
        )
    given = command.achievement
    check = command.credential_check
    if check is None and is_imported_note(given.note):
        # Deposited without its check, it would pass as issuer-verified: the credential's
        # verification (unverifiable, status unchecked …) would be lost.
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"achievement {given.id!r} was imported from a credential, but the deposit holds "
            "no check of it (a portfolio's `credentials:`, which `creditbank import badge -o` "
            "writes); import the credential again or deposit it with `ledger deposit-badge`",
            achievement=given.id,
        )
    if check is not None and given.issuer is None:
        credential_issuer = check.issuer or "(no issuer)"
        raise LedgerError(
            "NOT_AUTHORISED",
            f"achievement {given.id!r} comes from a credential of {credential_issuer}, which "
            "is no issuer of the standards, so the ledger cannot record who issued it (and an "
            f"issuer deposits only what it issued, not {org!r}'s in its name); list "
            f"{credential_issuer} under `identifiers:` of its issuer in the standards, or map "
            "it to one in the mapping file's issuers: (issuer: ID)",
            achievement=given.id,
        )
    if check is not None:
        _status_checked_or_accepted(command, check, given)
        _credential_fits(check, given, state, ctx)
    checked_at = check.checked_at if check is not None else None
    if checked_at is not None and ctx.now is not None and checked_at > ctx.now:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"achievement {given.id!r}: its credential was checked as of "
            f"{checked_at.isoformat()}, after now ({ctx.now.isoformat()}); a "
            "check cannot be dated in the future",
            achievement=given.id,
        )
    if given.issuer is not None and given.issuer != org:
        raise LedgerError(
            "NOT_AUTHORISED",
            f"achievement {given.id!r} names issuer {str(given.issuer)!r}, but {org!r} "
            "deposits it; an issuer deposits only what it issued",
            achievement=given.id,
        )
    achievement = given.model_copy(update={"issuer": IssuerRef(org)})
    if achievement.id in state.achievements:
        raise LedgerError(
            "DUPLICATE_ACHIEVEMENT",
            f"account {state.account!r} already holds an achievement {achievement.id!r}",
            achievement=achievement.id,
        )
    problems = check_portfolio(
        Portfolio(learner=state.account, achievements=(achievement,)), standards, None
    )
    if problems:
        raise LedgerError(
            "INVALID_ACHIEVEMENT",
            "; ".join(f"{p.code} {p.message}" for p in problems),
            achievement=achievement.id,
        )
    if achievement.earned_on > ctx.today:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"achievement {achievement.id!r} is earned on {achievement.earned_on}, after "
            f"today ({ctx.today})",
            achievement=achievement.id,
        )
    unit = str(achievement.unit)
    nobody = achievement.model_copy(update={"issuer": None})
    if issuer_authorised(standards, make_facts(standards, nobody)):
        raise LedgerError(
            "NOT_AUTHORISED",
            f"the standards authorise no issuer for unit {unit!r}; a deposit needs an issuer "
            "the standards authorise for the unit",
            unit=str(unit),
        )
    if not issuer_authorised(standards, make_facts(standards, achievement)):
        level = f" at level {achievement.level}" if achievement.level else ""
        raise LedgerError(
            "NOT_AUTHORISED",
            f"issuer {org!r} is not authorised for unit {unit!r}{level} on {achievement.earned_on}",
            unit=str(unit),
            issuer=org,
        )
    if check is not None and check.verification != command.verification:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"achievement {achievement.id!r}: its credential was {check.status} "
            f"({check.reason}), so its verification is {check.verification!r}, not "
            f"{command.verification!r}",
            achievement=achievement.id,
        )
    return [
        AchievementDeposited(
            achievement=achievement,
            evidence=command.evidence,
            verification=command.verification,
            credential_check=check,
        )
    ]


def _apply(command: Apply, state: AccountState, ctx: Context) -> list[Payload]:
    standards = ctx.need_standards("apply")
    _need_learner_or_operator(command.actor, state.account, "apply")
    program = _program(standards, command.program)
    assert program.school is not None
    if command.achievements is None:
        chosen = [k for k, r in state.achievements.items() if r.status == "active"]
    else:
        chosen = list(command.achievements)
        if len(set(chosen)) != len(chosen):
            raise LedgerError("MALFORMED_COMMAND", "an achievement is listed twice")
    achievements = tuple(_active(state, key) for key in chosen)
    if not achievements:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"account {state.account!r} has no active achievement to apply",
            account=state.account,
        )
    as_of = command.as_of or ctx.today
    if as_of > ctx.today:  # rules not yet in force, validity not yet run out
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"cannot apply as of {as_of}, after today ({ctx.today})",
            program=program.id,
        )
    if as_of < ctx.today and command.actor.role != "bank_operator":
        # An earlier day would judge the portfolio under old rules and before its
        # achievements expired: only the bank may record a historical application.
        raise LedgerError(
            "NOT_AUTHORISED",
            f"only a bank operator may record an application as of an earlier day "
            f"({as_of}, before today {ctx.today}); {command.actor.id!r} acts as "
            f"{command.actor.role}",
            actor=command.actor.id,
            program=program.id,
        )
    portfolio = Portfolio(learner=state.account, achievements=achievements)
    try:
        evaluation = evaluate(standards, portfolio, program, as_of)
    except (LoadError, EvaluationError) as error:
        raise LedgerError(
            "EVALUATION_FAILED", str(error).splitlines()[0], program=program.id
        ) from error
    try:
        lines = tuple(
            Line(
                line=number,
                source="engine",
                rule=use.rule,
                requirement=use.requirement,
                course=use.course,
                kind=use.kind,
                credits=use.credits,
                recorded_grade=use.recorded_grade,
                achievements=use.achievements,
            )
            for number, use in enumerate(evaluation.uses(), start=1)
        )
    except ValidationError as error:
        raise LedgerError(
            "AMOUNT_NOT_EXACT", f"the evaluation gives an amount the ledger cannot hold: {error}"
        ) from error
    recognised = evaluation.totals.recognised
    if sum((line.credits for line in lines), Decimal(0)) != recognised:
        raise LedgerError(
            "EVALUATION_FAILED",
            "the evaluation's uses do not add up to its recognised total",
            program=program.id,
        )
    return [
        ApplicationSubmitted(
            application=f"app-{len(state.applications) + 1}",
            program=program.id,
            school=program.school,
            as_of=as_of,
            standards_fingerprint=evaluation.standards_fingerprint,
            achievements=tuple(a.id for a in achievements),
            lines=lines,
            recognised=recognised,
            evaluation=evaluation.model_dump(mode="json", by_alias=True),
        )
    ]


def _step(record: ApplicationRecord, expected: Sequence[str], doing: str) -> None:
    if record.state not in expected:
        raise LedgerError(
            "INVALID_TRANSITION",
            f"application {record.id!r} is {record.state}; it can {doing} only when "
            + " or ".join(expected),
            application=record.id,
            state=record.state,
        )


def _review(command: Review, state: AccountState) -> list[Payload]:
    record = _application(state, command.application)
    _step(record, ("applied",), "be reviewed")
    _need_school(command.actor, record.school, ("school_reviewer",), "review an application")
    _not_own(command.actor, state.account, "review an application")
    return [ApplicationReviewed(application=record.id, reason=command.reason)]


def _releases(state: AccountState, program: str, gone: set[tuple[str, int]]) -> tuple[Claim, ...]:
    """Live claims of a programme that no live posted line holds once ``gone`` is reversed."""
    still: set[tuple[str, str]] = set()
    for entry in state.live_posts(program):
        if (entry.application, entry.line) in gone:
            continue
        line = state.applications[entry.application].lines[entry.line]
        still.update((entry.application, a) for a in line.achievements)
    return tuple(
        Claim(application=c.application, achievement=c.achievement)
        for c in state.live_claims(program)
        if (c.application, c.achievement) not in still
    )


def _reversal(
    state: AccountState,
    program: str,
    cause: ReversalCause,
    posts: Sequence[tuple[str, int, Decimal]],
    superseded: tuple[str, ...] = (),
) -> CreditsReversed:
    gone = {(application, line) for application, line, _ in posts}
    return CreditsReversed(
        program=program,
        cause=cause,
        lines=tuple(ReversedLine(application=a, line=n, credits=c) for a, n, c in posts),
        released=_releases(state, program, gone),
        superseded=superseded,
        total=sum((c for _, _, c in posts), Decimal(0)),
    )


def _approve(command: Approve, state: AccountState) -> list[Payload]:
    record = _application(state, command.application)
    _step(record, ("reviewed",), "be approved")
    actor = command.actor
    _need_school(actor, record.school, ("academic_affairs",), "approve an application")
    _not_own(actor, state.account, "approve an application")
    if actor.id == record.reviewed_by:
        raise LedgerError(
            "SEPARATION_OF_DUTIES",
            f"{actor.id!r} reviewed application {record.id!r} and may not approve it too",
            actor=actor.id,
        )
    lines = [line for line in record.open_lines() if line.credits > 0]
    for line in lines:
        for achievement in line.achievements:
            _still_active(state, achievement, record.id)
    out: list[Payload] = [ApplicationApproved(application=record.id, reason=command.reason)]
    program = record.program
    earlier = tuple(
        a.id for a in state.applications.values() if a.program == program and a.state == "posted"
    )
    live = [(e.application, e.line, e.amount) for e in state.live_posts(program)]
    if earlier or live:
        out.append(_reversal(state, program, "superseded", live, earlier))
    out.append(
        CreditsPosted(
            application=record.id,
            program=program,
            lines=tuple(PostedLine(line=line.line, credits=line.credits) for line in lines),
            claims=tuple(sorted({a for line in lines for a in line.achievements})),
            total=sum((line.credits for line in lines), Decimal(0)),
        )
    )
    return out


def _reject(command: Reject, state: AccountState) -> list[Payload]:
    record = _application(state, command.application)
    _step(record, ("applied", "reviewed"), "be rejected")
    roles: tuple[Role, ...] = (
        ("school_reviewer", "academic_affairs")
        if record.state == "applied"
        else ("academic_affairs",)
    )
    _need_school(command.actor, record.school, roles, f"reject an application {record.state}")
    step: Literal["applied", "reviewed"] = "applied" if record.state == "applied" else "reviewed"
    return [ApplicationRejected(application=record.id, step=step, reason=command.reason)]


def _compensate(state: AccountState, achievement: str, cause: ReversalCause) -> list[Payload]:
    """Reversals of every live posting that uses the achievement, one event per programme."""
    by_program: dict[str, list[tuple[str, int, Decimal]]] = defaultdict(list)
    for entry in state.live_posts():
        line = state.applications[entry.application].lines[entry.line]
        if achievement in line.achievements:
            by_program[entry.program].append((entry.application, entry.line, entry.amount))
    return [
        _reversal(state, program, cause, posts) for program, posts in sorted(by_program.items())
    ]


def _revoke(command: Revoke, state: AccountState) -> list[Payload]:
    achievement = _active(state, command.achievement)
    actor = command.actor
    _need_role(actor, ("issuer", "bank_operator"), "revoke an achievement")
    if actor.role == "issuer" and actor.organisation != achievement.issuer:
        raise LedgerError(
            "NOT_AUTHORISED",
            f"only its issuer {str(achievement.issuer)!r} or a bank operator may revoke "
            f"achievement {achievement.id!r}",
            actor=actor.id,
        )
    return [
        AchievementRevoked(achievement=achievement.id, reason=command.reason),
        *_compensate(state, achievement.id, "revoked"),
    ]


def _expire(command: Expire, state: AccountState, ctx: Context) -> list[Payload]:
    standards = ctx.need_standards("expire")
    achievement = _active(state, command.achievement)
    _need_role(command.actor, ("bank_operator",), "record an expiry")
    if command.as_of > ctx.today:
        raise LedgerError(
            "MALFORMED_COMMAND", f"cannot record an expiry as of {command.as_of}, after today"
        )
    facts = make_facts(standards, achievement)
    if facts.expires_on is None or not facts.expired(command.as_of):
        until = f"valid until {facts.expires_on}" if facts.expires_on else "without expiry"
        raise LedgerError(
            "NOT_EXPIRED",
            f"achievement {achievement.id!r} is {until}; on {command.as_of} it has not expired",
            achievement=achievement.id,
        )
    return [
        AchievementExpired(
            achievement=achievement.id,
            as_of=command.as_of,
            expires_on=facts.expires_on,
            reason=command.reason,
        ),
        *_compensate(state, achievement.id, "expired"),
    ]


def _grant_line(command: Override, record: ApplicationRecord, ctx: Context) -> Line:
    standards = ctx.need_standards("override")
    program = _program(standards, record.program)
    if command.requirement is None or command.credits is None or command.credits <= 0:
        raise LedgerError(
            "MALFORMED_COMMAND", "a grant needs a requirement and credits more than 0"
        )
    if program.requirement(command.requirement) is None:
        hint = did_you_mean(command.requirement, [r.id for r in program.requirements])
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"programme {program.id!r} has no requirement {command.requirement!r};{hint}".rstrip(
                ";"
            ),
        )
    if command.course is not None and not isinstance(
        standards.units.get(command.course), CourseUnit
    ):
        raise LedgerError(
            "MALFORMED_COMMAND", f"{command.course!r} is not a course of the standards"
        )
    if record.granted() + command.credits > program.total_credits:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"granting {command.credits} more would give application {record.id!r} "
            f"{record.granted() + command.credits} credits, more than programme "
            f"{program.id!r} has in all ({program.total_credits})",
        )
    return Line(
        line=max(record.lines, default=0) + 1,
        source="override",
        requirement=command.requirement,
        course=command.course,
        kind="exemption" if command.course else "credits",
        credits=command.credits,
        achievements=(command.achievement,),
    )


def _override(command: Override, state: AccountState, ctx: Context) -> list[Payload]:
    record = _application(state, command.application)
    _step(record, ("applied", "reviewed"), "take an override")
    _need_school(command.actor, record.school, ("academic_affairs",), "override a decision")
    _not_own(command.actor, state.account, "override a decision")
    if command.action == "grant" or command.achievement not in state.achievements:
        _active(state, command.achievement)
    # A denial needs no active achievement: lines of one revoked or expired while the
    # application waits must be deniable, or the rest of the application could never pass.
    if command.achievement not in record.achievements:
        raise LedgerError(
            "UNKNOWN_ACHIEVEMENT",
            f"achievement {command.achievement!r} is not part of application {record.id!r}",
            achievement=command.achievement,
        )
    if command.action == "grant":
        grant = _grant_line(command, record, ctx)
        return [
            OverrideRecorded(
                application=record.id,
                action="grant",
                achievement=command.achievement,
                reason=command.reason,
                grant=grant,
            )
        ]
    if command.requirement or command.course or command.credits is not None:
        raise LedgerError("MALFORMED_COMMAND", "a denial takes no requirement, course or credits")
    denied = tuple(
        number
        for number, line in sorted(record.lines.items())
        if command.achievement in line.achievements and number not in record.denied
    )
    if not denied:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"no open line of application {record.id!r} uses {command.achievement!r}",
        )
    return [
        OverrideRecorded(
            application=record.id,
            action="deny",
            achievement=command.achievement,
            reason=command.reason,
            denied=denied,
        )
    ]


def _profile(command: RecordProfile, state: AccountState) -> list[Payload]:
    _need_learner_or_operator(command.actor, state.account, "record a profile")
    return [
        ProfileRecorded.model_validate(command.model_dump(include=set(ProfileFields.model_fields)))
    ]


def _funding_rule(command: Fund, ctx: Context) -> str:
    """The grant's rule must be a ``funding`` eligibility rule of the standards for the
    programme and scheme granted (fail closed: an unknown or other rule is refused)."""
    standards = ctx.need_standards("fund")
    program = _program(standards, command.program)
    rules = standards.eligibility_rules
    if command.rule is None:
        raise LedgerError(
            "MALFORMED_COMMAND",
            "a funded place is granted under a funding eligibility rule: name it (--rule)",
            program=program.id,
        )
    rule = rules.get(command.rule)
    outcome = rule.outcome if rule is not None else None
    if (
        outcome is None
        or outcome.kind != "funding"
        or str(outcome.program) != program.id
        or outcome.scheme != command.scheme
    ):
        fitting = sorted(
            r.id
            for r in rules.values()
            if r.outcome.kind == "funding"
            and str(r.outcome.program) == program.id
            and r.outcome.scheme == command.scheme
        )
        hint = f" (the standards have {', '.join(fitting)})" if fitting else ""
        raise LedgerError(
            "UNKNOWN_FUNDING_RULE",
            f"{command.rule!r} is not a funding eligibility rule of programme {program.id!r} "
            f"under scheme {command.scheme!r}{hint}",
            rule=command.rule,
            program=program.id,
        )
    return program.id


def _fund(command: Fund, state: AccountState, ctx: Context) -> list[Payload]:
    _need_role(command.actor, ("bank_operator",), "grant or withdraw a funded place")
    if command.decision == "withdrawn":
        program = command.program
        if not state.funded(program):
            # named by its catalogue code, as a grant may be: the place is held under the id
            with contextlib.suppress(LedgerError):
                program = _program(ctx.need_standards("fund"), command.program).id
        held = [f for f in state.funded(program) if f.scheme == command.scheme]
        if not held:
            raise LedgerError(
                "INVALID_TRANSITION",
                f"account {state.account!r} holds no funded place of {command.program!r} "
                f"under {command.scheme!r} to withdraw",
                program=command.program,
            )
        if command.reason is None:
            raise LedgerError(
                "MALFORMED_COMMAND", "a withdrawal of a funded place gives its reason (--reason)"
            )
        return [
            FundingDecided(
                program=program,
                scheme=command.scheme,
                decision="withdrawn",
                reason=command.reason,
            )
        ]
    program = _funding_rule(command, ctx)
    if any(f.program == program and f.scheme == command.scheme for f in state.funded()):
        raise LedgerError(
            "INVALID_TRANSITION",
            f"account {state.account!r} already holds a funded place of {program!r} under "
            f"{command.scheme!r}",
            program=program,
        )
    return [
        FundingDecided(
            program=program,
            scheme=command.scheme,
            decision="granted",
            rule=command.rule,
            reason=command.reason,
        )
    ]


def decide(command: Command, state: AccountState | None, ctx: Context) -> list[Payload]:
    """The events a command writes, or :class:`LedgerError` saying why it is refused."""
    if isinstance(command, OpenAccount):
        return _open(command, state)
    account = _account(state, command.account)
    if isinstance(command, Deposit):
        return _deposit(command, account, ctx)
    if isinstance(command, Apply):
        return _apply(command, account, ctx)
    if isinstance(command, Review):
        return _review(command, account)
    if isinstance(command, Approve):
        return _approve(command, account)
    if isinstance(command, Reject):
        return _reject(command, account)
    if isinstance(command, Revoke):
        return _revoke(command, account)
    if isinstance(command, Expire):
        return _expire(command, account, ctx)
    if isinstance(command, RecordProfile):
        return _profile(command, account)
    if isinstance(command, Fund):
        return _fund(command, account, ctx)
    return _override(command, account, ctx)
