"""Imported credentials into the ledger: each accepted achievement, with how it was verified.

:func:`deposit_badges` deposits the achievements of :class:`BadgeImport` results into a
learner's account. The ledger records which were verified: a verified credential's
achievement is deposited ``verified``, an unverifiable one's ``unverified`` — and only when
the caller explicitly accepts unverified credentials, at the import and here — and each
deposit keeps the verification's reason and message, when the credential was checked and
a keyed digest of its subject (:class:`CredentialCheck`). Invalid credentials are never
deposited, whatever the flags; nor is anything the importer did not accept (an achievement
no unit matches, one inside an invalid CLR). One run deposits the credentials of one
subject; a credential already in another account, or whose issuer is no issuer of the
standards, is refused by the ledger. A credential that carries a status that was not
checked (``STATUS_UNCHECKED``; status lists are not checked yet) is deposited only when the
caller accepts unchecked status explicitly, here and at the import, and its deposit
records ``credential_status: unchecked``.

:func:`deposit_from_portfolio` deposits one achievement of a portfolio file (``ledger
deposit``): an achievement ``import badge -o`` wrote from a credential goes in with the
check the portfolio's ``credentials:`` keeps, under the rules above, so a portfolio cannot
turn an unverifiable credential into an issuer-verified deposit.

:func:`deposits_done` says whether a deposit of credentials is complete, partial or
deposited nothing: the one rule ``ledger deposit-badge`` (its exit status) and ``POST
/v1/accounts/{account}/deposits/credential`` (its status and ``complete``) both follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from creditbank.errors import LedgerError
from creditbank.interop.openbadges import BadgeImport, BadgeRecord, imported_credential
from creditbank.interop.verify import why_not_accepted
from creditbank.ledger import Actor, Ledger, Receipt
from creditbank.ledger.events import CredentialCheck, Verification
from creditbank.ledger.ids import check_subject_salt, subject_digest
from creditbank.ledger.service import MAX_KEY
from creditbank.models import Achievement
from creditbank.models.portfolio import ImportedCredential, Portfolio

__all__ = [
    "BadgeDeposit",
    "DepositRefusal",
    "DepositsDone",
    "PortfolioDeposit",
    "credential_check",
    "deposit_badges",
    "deposit_from_portfolio",
    "deposit_imported",
    "deposits_done",
    "key_room",
    "portfolio_deposit",
]


def credential_check(imported: ImportedCredential, *, subject: str | None) -> CredentialCheck:
    """What the ledger keeps of an imported credential's check; ``subject`` is the
    subject's digest, never its id. Raises :class:`LedgerError` (``MALFORMED_COMMAND``)
    when the check cannot be kept (a reason that contradicts its status …)."""
    try:
        return CredentialCheck(
            status=imported.status,
            reason=imported.reason,
            message=imported.message or imported.reason,
            method=imported.method,
            credential=imported.credential or None,
            issuer=imported.issuer or None,
            issuer_trust=imported.issuer_trust,
            checked_at=imported.checked_at,
            subject=subject,
            credential_status=imported.credential_status,
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "credential check"
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"the credential's check cannot be recorded: {where}: {first['msg']}",
        ) from error


def deposit_imported(
    ledger: Ledger,
    account: str,
    achievement: Achievement,
    imported: ImportedCredential,
    *,
    actor: Actor,
    key: str,
    evidence: str | None = None,
    subject_salt: bytes | str | None = None,
    accept_unchecked_status: bool = False,
) -> Receipt:
    """Deposit one achievement imported from a credential, recording the credential's check
    (``ledger deposit-badge`` and ``ledger deposit`` of an ``import badge -o`` portfolio
    both come here, so the same rules hold on both paths).

    The deposit's verification is the check's (verified -> verified, unverifiable ->
    unverified). The subject's id is recorded only as its digest, keyed with the ledger's
    own secret (:meth:`Ledger.subject_digest`) or, when given, ``subject_salt`` (16+ bytes;
    the same for every deposit, or the accounts' subject bindings break). The ledger then
    refuses a credential without an id, one active in another account, one whose subject
    is not the account's, an expired one, and one whose issuer is no issuer of the
    standards. A credential whose status was not checked (``credential_status``
    ``unchecked``) is refused (``CREDENTIAL_STATUS_UNCHECKED``) unless
    ``accept_unchecked_status``; then the deposit records it. Raises :class:`LedgerError`."""
    subject: str | None = None
    if imported.subject is not None:
        subject = (
            subject_digest(imported.subject, check_subject_salt(subject_salt))
            if subject_salt is not None
            else ledger.subject_digest(imported.subject)
        )
    check = credential_check(imported, subject=subject)
    return ledger.deposit(
        account,
        achievement,
        actor=actor,
        key=key,
        evidence=evidence if evidence is not None else achievement.evidence,
        verification=check.verification,
        credential_check=check,
        accept_unchecked_status=accept_unchecked_status,
    )


@dataclass(frozen=True)
class PortfolioDeposit:
    """One achievement of a portfolio, chosen for a deposit, with the check of the
    credential it was imported from (``imported``), if any, or else the ``verification``
    the depositor states."""

    achievement: Achievement
    imported: ImportedCredential | None
    verification: Verification = "verified"

    def deposit(
        self,
        ledger: Ledger,
        account: str,
        *,
        actor: Actor,
        key: str,
        evidence: str | None = None,
        subject_salt: bytes | str | None = None,
        accept_unchecked_status: bool = False,
    ) -> Receipt:
        """Deposit it into ``account``: an imported one by :func:`deposit_imported`, any
        other one as its ``verification`` says. Raises :class:`LedgerError`."""
        if self.imported is not None:
            return deposit_imported(
                ledger,
                account,
                self.achievement,
                self.imported,
                actor=actor,
                key=key,
                evidence=evidence,
                subject_salt=subject_salt,
                accept_unchecked_status=accept_unchecked_status,
            )
        # accept_unchecked_status concerns a credential's status only: without a credential
        # the command is left without it, as `ledger deposit` always gave it (its hash, and
        # so its idempotency key, stay the same)
        return ledger.deposit(
            account,
            self.achievement,
            actor=actor,
            key=key,
            evidence=evidence,
            verification=self.verification,
        )


def portfolio_deposit(
    portfolio: Portfolio,
    *,
    achievement: str | None = None,
    verification: Verification | None = None,
    source: str = "the portfolio",
) -> PortfolioDeposit:
    """Choose the achievement of ``portfolio`` to deposit: the one named ``achievement``,
    or the only one. Nothing is written, no ledger is needed.

    Raises :class:`LedgerError` (``MALFORMED_COMMAND``, ``detail["parameter"]`` naming the
    argument at fault) when no achievement or several match, or when ``verification`` is
    given for an achievement imported from a credential: its deposit records the
    credential's own check, which the depositor cannot change. ``source`` names the
    portfolio in messages (its file)."""
    found = [a for a in portfolio.achievements if achievement in (None, a.id)]
    if len(found) != 1:
        ids = ", ".join(a.id for a in portfolio.achievements) or "none"
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"choose one achievement of {source} (it holds: {ids})",
            parameter="achievement",
        )
    chosen = found[0]
    imported = portfolio.credentials.get(chosen.id)
    if imported is not None and verification is not None:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"achievement {chosen.id!r} was imported from a credential that was "
            f"{imported.status} ({imported.reason}); its deposit records that check, "
            "so a verification given with it cannot change it",
            parameter="verification",
            achievement=chosen.id,
        )
    return PortfolioDeposit(chosen, imported, verification or "verified")


def deposit_from_portfolio(
    ledger: Ledger,
    account: str,
    portfolio: Portfolio,
    *,
    actor: Actor,
    key: str,
    achievement: str | None = None,
    verification: Verification | None = None,
    evidence: str | None = None,
    subject_salt: bytes | str | None = None,
    accept_unchecked_status: bool = False,
    source: str = "the portfolio",
) -> Receipt:
    """Deposit one achievement of ``portfolio`` into ``account`` (``creditbank ledger
    deposit``): :func:`portfolio_deposit` chooses it, :meth:`PortfolioDeposit.deposit`
    deposits it. An achievement imported from a credential is deposited with the check
    the portfolio's ``credentials:`` keeps (verified or unverified as it says, one account
    per credential, one subject per account, its status unchecked only with
    ``accept_unchecked_status``); one whose note says it was imported but whose check is
    missing is refused by the ledger. Raises :class:`LedgerError`."""
    chosen = portfolio_deposit(
        portfolio, achievement=achievement, verification=verification, source=source
    )
    return chosen.deposit(
        ledger,
        account,
        actor=actor,
        key=key,
        evidence=evidence,
        subject_salt=subject_salt,
        accept_unchecked_status=accept_unchecked_status,
    )


def key_room(achievement_ids: Iterable[str] = ("badge-000000000000",)) -> int:
    """How long a deposit-badge idempotency key may be: each deposit's key is
    ``KEY:ACHIEVEMENT`` and the ledger takes keys of at most 200 characters."""
    return MAX_KEY - 1 - max((len(a) for a in achievement_ids), default=0)


@dataclass(frozen=True)
class BadgeDeposit:
    """What became of one imported record: deposited (``receipt``), skipped (``skipped``
    says why) or refused by the ledger (``error``)."""

    source: str
    record: BadgeRecord
    outcome: Literal["deposited", "replayed", "skipped", "refused"]
    receipt: Receipt | None = None
    skipped: str | None = None
    error: LedgerError | None = None

    @property
    def deposited(self) -> bool:
        """Its achievement is in the account (now, or by an earlier run with the same key)."""
        return self.outcome in ("deposited", "replayed")

    @property
    def failed(self) -> bool:
        """The ledger refused it, its credential is invalid or its achievement ambiguous."""
        return (
            self.outcome == "refused"
            or self.record.verification.status == "invalid"
            or self.record.error is not None
        )

    def to_dict(self) -> dict[str, Any]:
        achievement = self.record.achievement
        return {
            "source": self.source,
            "name": self.record.name,
            "achievement": achievement.id if achievement else None,
            "unit": str(achievement.unit) if achievement else None,
            "verification": self.record.verification.status,
            "reason": self.record.verification.reason,
            "credential_status": self.record.credential_status,
            "outcome": self.outcome,
            "skipped": self.skipped,
            "error": {"code": self.error.code, "message": self.error.message}
            if self.error
            else None,
        }


def _why_not(
    record: BadgeRecord, accept_unverified: bool, accept_unchecked_status: bool
) -> str | None:
    """Why a record is not deposited, or None when it is."""
    verification = record.verification
    if verification.status == "invalid":
        return f"the credential is invalid ({verification.reason}): never deposited"
    if record.error is not None:
        return f"{record.error.code}: {record.error.message}"
    if record.achievement is None:
        return "it maps to no achievement of the standards (see the import's notes)"
    why = why_not_accepted(
        verification,
        accept_unverified=accept_unverified,
        accept_unchecked_status=accept_unchecked_status,
        credential_status=record.credential_status,
    )
    if why is not None:
        return why
    if not record.accepted:
        return "the import did not accept it (see the import's notes)"
    return None


def _one_subject(candidates: Sequence[BadgeRecord]) -> str | None:
    """Why the candidates cannot go into one account (several subjects), or None."""
    subjects = {record.subject_id for record in candidates}
    if len(subjects) <= 1:
        return None
    named = ", ".join(sorted(s or "(no subject id)" for s in subjects))
    return (
        f"the credentials belong to {len(subjects)} subjects ({named}); one account is one "
        "learner's: deposit each learner's credentials separately. Nothing was deposited"
    )


def deposit_badges(
    ledger: Ledger,
    account: str,
    imports: Iterable[BadgeImport],
    *,
    actor: Actor,
    key: str,
    accept_unverified: bool = False,
    subject_salt: bytes | str | None = None,
    accept_unchecked_status: bool = False,
) -> tuple[BadgeDeposit, ...]:
    """Deposit every accepted achievement of ``imports`` into ``account``, as ``actor``.

    Each deposit is its own ledger command, with the idempotency key ``KEY:ACHIEVEMENT``
    (achievement ids are derived from the credential, so depositing the same files again
    changes nothing). A deposit the ledger refuses (an issuer not authorised for the unit,
    a credential already in another account …) is reported in its :class:`BadgeDeposit`
    and the others go on. The credentials must name one subject: otherwise nothing is
    deposited and every record says why. Each deposit records when its credential was
    checked (the import's moment) and the subject's digest, keyed with the ledger's own
    secret or ``subject_salt`` (see :func:`deposit_imported`). A credential whose status
    was not checked is deposited only with ``accept_unchecked_status`` (and an unverifiable
    one only with ``accept_unverified``), as the import accepts them.

    Raises :class:`LedgerError` (``MALFORMED_COMMAND``), before anything is written, when
    ``key`` leaves no room for ``:ACHIEVEMENT`` (``detail["parameter"]`` ``key``), when a
    credential was checked after the ledger's now (``at``: a check cannot be dated in the
    future) or ``subject_salt`` is too short.
    """
    results = list(imports)
    planned: list[tuple[BadgeImport, BadgeRecord, str | None]] = [
        (result, record, _why_not(record, accept_unverified, accept_unchecked_status))
        for result in results
        for record in result.records
    ]
    candidates = [record for _, record, why in planned if why is None]
    room = key_room(r.achievement.id for r in candidates if r.achievement is not None)
    if len(key) > room:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"the key is {len(key)} characters long; with ':ACHIEVEMENT' appended to it for "
            f"each deposit it may have at most {room}",
            parameter="key",
        )
    now = ledger.now()
    future = max((r.checked_at for r in results if r.checked_at is not None), default=None)
    if future is not None and future > now:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"the credentials were checked as of {future.isoformat()}, in the future (now: "
            f"{now.isoformat(timespec='seconds')}); a deposit records when its credential "
            "was checked, which cannot be later than the deposit",
            parameter="at",
        )
    if subject_salt is not None:
        check_subject_salt(subject_salt)
    mixed = _one_subject(candidates)
    done: list[BadgeDeposit] = []
    for result, record, why_not in planned:
        achievement = record.achievement
        why = mixed if why_not is None and mixed is not None else why_not
        if why is not None or achievement is None:
            done.append(BadgeDeposit(result.source, record, "skipped", skipped=why))
            continue
        imported = imported_credential(
            record.verification,
            result.checked_at,
            record.subject_id,
            credential_status=record.credential_status,
        )
        if imported is None:  # an invalid credential: _why_not said so already
            done.append(BadgeDeposit(result.source, record, "skipped", skipped=why))
            continue
        try:
            receipt = deposit_imported(
                ledger,
                account,
                achievement,
                imported,
                actor=actor,
                key=f"{key}:{achievement.id}",
                subject_salt=subject_salt,
                accept_unchecked_status=accept_unchecked_status,
            )
        except LedgerError as error:
            done.append(BadgeDeposit(result.source, record, "refused", error=error))
            continue
        outcome: Literal["deposited", "replayed"] = "replayed" if receipt.replayed else "deposited"
        done.append(BadgeDeposit(result.source, record, outcome, receipt=receipt))
    return tuple(done)


@dataclass(frozen=True)
class DepositRefusal:
    """Why one credential, or one achievement of a credential, was not deposited although
    it should have been: its file was rejected, its credential is invalid, its achievement
    ambiguous, or the ledger refused it. ``code`` is the stable code (an error code, or the
    verification's reason for an invalid credential)."""

    source: str
    name: str | None
    achievement: str | None
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "name": self.name,
            "achievement": self.achievement,
            "code": self.code,
            "message": self.message,
        }


def _refusal(done: BadgeDeposit) -> DepositRefusal:
    record = done.record
    achievement = record.achievement.id if record.achievement is not None else None
    code: str
    if done.error is not None:
        code, message = done.error.code, done.error.message
    elif record.error is not None:
        code, message = record.error.code, record.error.message
    else:  # an invalid credential (failed says so)
        code = record.verification.reason
        message = done.skipped or f"the credential is invalid ({code})"
    return DepositRefusal(done.source, record.name, achievement, code, message)


@dataclass(frozen=True)
class DepositsDone:
    """What a deposit of credentials came to (:func:`deposits_done`)."""

    deposits: tuple[BadgeDeposit, ...]
    rejected: tuple[BadgeImport, ...]

    @property
    def refused(self) -> tuple[DepositRefusal, ...]:
        """Every credential rejected and every achievement that failed (refused by the
        ledger, its credential invalid, itself ambiguous), in order; an achievement merely
        skipped (no unit matches it, an unverifiable credential not accepted …) is not one."""
        rejected = tuple(
            DepositRefusal(r.source, None, None, r.error.code, r.error.message)
            for r in self.rejected
            if r.error is not None
        )
        return rejected + tuple(_refusal(d) for d in self.deposits if d.failed)

    @property
    def state(self) -> Literal["complete", "partial", "nothing"]:
        """``nothing`` when no achievement is in the account; ``partial`` when some are but
        a credential was rejected or an achievement failed; ``complete`` otherwise."""
        if not any(d.deposited for d in self.deposits):
            return "nothing"
        if self.rejected or any(d.failed for d in self.deposits):
            return "partial"
        return "complete"

    @property
    def complete(self) -> bool:
        return self.state == "complete"


def deposits_done(
    deposits: Iterable[BadgeDeposit], imports: Iterable[BadgeImport] = ()
) -> DepositsDone:
    """What :func:`deposit_badges` came to, over its ``deposits`` and the ``imports`` it was
    given (those whose file was rejected count against completeness)."""
    return DepositsDone(tuple(deposits), tuple(i for i in imports if i.error is not None))
