"""Imported credentials into the ledger: each accepted achievement, with how it was verified.

:func:`deposit_badges` deposits the achievements of :class:`BadgeImport` results into a
learner's account. The ledger records which were verified: a verified credential's
achievement is deposited ``verified``, an unverifiable one's ``unverified`` — and only when
the caller explicitly accepts unverified credentials, at the import and here — and each
deposit keeps the verification's reason and message (:class:`CredentialCheck`). Invalid
credentials are never deposited, whatever the flags; nor is anything the importer did not
accept (an achievement no unit matches, one inside an invalid CLR).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from creditbank.errors import LedgerError
from creditbank.interop.openbadges import BadgeImport, BadgeRecord
from creditbank.interop.verify import Verification
from creditbank.ledger import Actor, Ledger, Receipt
from creditbank.ledger.events import CredentialCheck

__all__ = ["BadgeDeposit", "credential_check", "deposit_badges"]

_TEXT_MAX = 2000


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    return value if len(value) <= _TEXT_MAX else value[: _TEXT_MAX - 1] + "…"


def credential_check(verification: Verification) -> CredentialCheck | None:
    """What the ledger keeps of a verification; None for an invalid credential."""
    if verification.status == "invalid":
        return None
    return CredentialCheck(
        status=verification.status,
        reason=verification.reason,
        message=_text(verification.message) or verification.reason,
        method=verification.method,
        credential=_text(verification.credential_id),
        issuer=_text(verification.issuer),
        issuer_trust=verification.issuer_trust,
    )


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

    def to_dict(self) -> dict[str, Any]:
        achievement = self.record.achievement
        return {
            "source": self.source,
            "name": self.record.name,
            "achievement": achievement.id if achievement else None,
            "unit": str(achievement.unit) if achievement else None,
            "verification": self.record.verification.status,
            "reason": self.record.verification.reason,
            "outcome": self.outcome,
            "skipped": self.skipped,
            "error": {"code": self.error.code, "message": self.error.message}
            if self.error
            else None,
        }


def _why_not(record: BadgeRecord, accept_unverified: bool) -> str | None:
    """Why a record is not deposited, or None when it is."""
    verification = record.verification
    if verification.status == "invalid":
        return f"the credential is invalid ({verification.reason}): never deposited"
    if record.achievement is None:
        return "it maps to no achievement of the standards (see the import's notes)"
    if not verification.verified and not accept_unverified:
        return (
            f"the credential is unverifiable ({verification.reason}); deposit it only by "
            "accepting unverified credentials explicitly"
        )
    if not record.accepted:
        return "the import did not accept it (see the import's notes)"
    return None


def deposit_badges(
    ledger: Ledger,
    account: str,
    imports: Iterable[BadgeImport],
    *,
    actor: Actor,
    key: str,
    accept_unverified: bool = False,
) -> tuple[BadgeDeposit, ...]:
    """Deposit every accepted achievement of ``imports`` into ``account``, as ``actor``.

    Each deposit is its own ledger command, with the idempotency key ``KEY:ACHIEVEMENT``
    (achievement ids are derived from the credential, so depositing the same files again
    changes nothing). A deposit the ledger refuses (an issuer not authorised for the unit
    …) is reported in its :class:`BadgeDeposit` and the others go on.
    """
    done: list[BadgeDeposit] = []
    for result in imports:
        for record in result.records:
            why = _why_not(record, accept_unverified)
            achievement = record.achievement
            check = credential_check(record.verification)
            if why is not None or achievement is None or check is None:
                done.append(BadgeDeposit(result.source, record, "skipped", skipped=why))
                continue
            try:
                receipt = ledger.deposit(
                    account,
                    achievement,
                    actor=actor,
                    key=f"{key}:{achievement.id}",
                    evidence=achievement.evidence,
                    verification=check.verification,
                    credential_check=check,
                )
            except LedgerError as error:
                done.append(BadgeDeposit(result.source, record, "refused", error=error))
                continue
            outcome: Literal["deposited", "replayed"] = (
                "replayed" if receipt.replayed else "deposited"
            )
            done.append(BadgeDeposit(result.source, record, outcome, receipt=receipt))
    return tuple(done)
