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
standards, is refused by the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from creditbank.errors import LedgerError
from creditbank.interop.openbadges import BadgeImport, BadgeRecord
from creditbank.interop.verify import Verification
from creditbank.ledger import Actor, Ledger, Receipt
from creditbank.ledger.events import CredentialCheck
from creditbank.ledger.ids import subject_digest
from creditbank.ledger.service import MAX_KEY

__all__ = ["BadgeDeposit", "credential_check", "deposit_badges", "key_room"]

_TEXT_MAX = 2000


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    return value if len(value) <= _TEXT_MAX else value[: _TEXT_MAX - 1] + "…"


def credential_check(
    verification: Verification,
    *,
    checked_at: dt.datetime | None = None,
    subject: str | None = None,
) -> CredentialCheck | None:
    """What the ledger keeps of a verification; None for an invalid credential.

    ``subject`` is the subject's digest (:func:`creditbank.ledger.ids.subject_digest`),
    never its id. Raises pydantic's ValidationError when the verification cannot be kept
    (:func:`deposit_badges` reports that as a refused deposit)."""
    if verification.status == "invalid":
        return None
    return CredentialCheck(
        status=verification.status,
        reason=verification.reason,
        message=_text(verification.message) or verification.reason,
        method=verification.method,
        credential=_text(verification.credential_id) or None,
        issuer=_text(verification.issuer) or None,
        issuer_trust=verification.issuer_trust,
        checked_at=checked_at,
        subject=subject,
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


def _subject_salt(account: str, salt: bytes | str | None) -> bytes | str:
    return salt if salt is not None else f"creditbank credential subject, account {account}"


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
) -> tuple[BadgeDeposit, ...]:
    """Deposit every accepted achievement of ``imports`` into ``account``, as ``actor``.

    Each deposit is its own ledger command, with the idempotency key ``KEY:ACHIEVEMENT``
    (achievement ids are derived from the credential, so depositing the same files again
    changes nothing). A deposit the ledger refuses (an issuer not authorised for the unit,
    a credential already in another account …) is reported in its :class:`BadgeDeposit`
    and the others go on. The credentials must name one subject: otherwise nothing is
    deposited and every record says why. Each deposit records when its credential was
    checked (the import's moment) and the subject's digest, keyed with ``subject_salt``
    (a secret of the platform, 16+ bytes; by default one derived from the account id,
    which only keeps digests of different accounts apart).

    Raises :class:`LedgerError` (``MALFORMED_COMMAND``), before anything is written, when
    ``key`` leaves no room for ``:ACHIEVEMENT``.
    """
    results = list(imports)
    planned: list[tuple[BadgeImport, BadgeRecord, str | None]] = [
        (result, record, _why_not(record, accept_unverified))
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
            field="key",
        )
    mixed = _one_subject(candidates)
    salt = _subject_salt(account, subject_salt)
    done: list[BadgeDeposit] = []
    for result, record, why_not in planned:
        achievement = record.achievement
        why = mixed if why_not is None and mixed is not None else why_not
        if why is not None or achievement is None:
            done.append(BadgeDeposit(result.source, record, "skipped", skipped=why))
            continue
        try:
            subject = (
                subject_digest(record.subject_id, salt) if record.subject_id is not None else None
            )
            check = credential_check(
                record.verification, checked_at=result.checked_at, subject=subject
            )
            if check is None:  # an invalid credential: _why_not said so already
                done.append(BadgeDeposit(result.source, record, "skipped", skipped=why))
                continue
            receipt = ledger.deposit(
                account,
                achievement,
                actor=actor,
                key=f"{key}:{achievement.id}",
                evidence=achievement.evidence,
                verification=check.verification,
                credential_check=check,
            )
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "credential check"
            refused = LedgerError(
                "MALFORMED_COMMAND",
                f"the credential's check cannot be recorded: {where}: {first['msg']}",
            )
            done.append(BadgeDeposit(result.source, record, "refused", error=refused))
            continue
        except LedgerError as error:
            done.append(BadgeDeposit(result.source, record, "refused", error=error))
            continue
        outcome: Literal["deposited", "replayed"] = "replayed" if receipt.replayed else "deposited"
        done.append(BadgeDeposit(result.source, record, outcome, receipt=receipt))
    return tuple(done)
