"""Commands: what a caller can ask the ledger to do, and as which actor.

Each command is an immutable pydantic model with the account it is about and the
:class:`~creditbank.ledger.events.Actor` who gives it. :func:`command_hash` is what "the same
content" means for an idempotency key. The rules that decide a command are in
:mod:`creditbank.ledger.decide`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from creditbank.ledger.chain import canonical_json
from creditbank.ledger.events import (
    Actor,
    CredentialCheck,
    FundingFields,
    Name,
    ProfileFields,
    Text,
    Verification,
)
from creditbank.ledger.ids import check_account_id
from creditbank.models import Achievement
from creditbank.models.values import Credits

__all__ = [
    "Apply",
    "Approve",
    "Command",
    "Deposit",
    "Expire",
    "Fund",
    "OpenAccount",
    "Override",
    "RecordProfile",
    "Reject",
    "Review",
    "Revoke",
    "command_hash",
]


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str
    actor: Actor

    @field_validator("account")
    @classmethod
    def _opaque(cls, value: str) -> str:
        return check_account_id(value)


class OpenAccount(_Command):
    """Open a learner account."""

    command: Literal["open"] = "open"
    note: Text | None = None


class Deposit(_Command):
    """Deposit an achievement (认定、积累), with its evidence reference and verification.

    ``credential_check`` records how the credential it was imported from was verified; its
    status must agree with ``verification`` (verified -> verified, unverifiable ->
    unverified). Absent, it is left out of the command's hash. A check whose credential
    status was not checked (``credential_status: unchecked``) is never verified, and is
    deposited only when ``accept_unchecked_status`` says the depositor accepts that
    explicitly (a permission, not content: left out of the command's hash)."""

    command: Literal["deposit"] = "deposit"
    achievement: Achievement
    evidence: Text | None = None
    verification: Verification = "verified"
    credential_check: CredentialCheck | None = Field(
        default=None, exclude_if=lambda value: value is None
    )
    accept_unchecked_status: StrictBool = Field(default=False, exclude_if=lambda value: not value)


class Apply(_Command):
    """Apply the account's achievements (all active ones by default) to a programme."""

    command: Literal["apply"] = "apply"
    program: Name
    as_of: dt.date | None = None
    achievements: tuple[Name, ...] | None = None


class Review(_Command):
    """The school's review of an application (R5 step 2)."""

    command: Literal["review"] = "review"
    application: Name
    reason: Text | None = None


class Approve(_Command):
    """Academic affairs' approval (R5 step 3); posts the application's credit."""

    command: Literal["approve"] = "approve"
    application: Name
    reason: Text | None = None


class Reject(_Command):
    """Reject an application at its current step, with a reason."""

    command: Literal["reject"] = "reject"
    application: Name
    reason: Text


class Revoke(_Command):
    """Revoke an achievement: its posted conversions are reversed by compensating entries."""

    command: Literal["revoke"] = "revoke"
    achievement: Name
    reason: Text


class Expire(_Command):
    """Record that an achievement expired: its posted conversions are reversed likewise."""

    command: Literal["expire"] = "expire"
    achievement: Name
    as_of: dt.date
    reason: Text | None = None


class Override(_Command):
    """A registrar's exception before approval: grant credit for, or deny, an achievement."""

    command: Literal["override"] = "override"
    application: Name
    action: Literal["grant", "deny"]
    achievement: Name
    reason: Text
    requirement: Name | None = None
    course: Name | None = None
    credits: Credits | None = None


class RecordProfile(_Command, ProfileFields):
    """Record the non-identifying part of the learner's profile (the learner, or a bank
    operator): region, migrant-worker status, union membership, highest education. It
    replaces the profile recorded before, whole."""

    command: Literal["profile"] = "profile"


class Fund(_Command, FundingFields):
    """Grant or withdraw a funded place of a programme under a scheme (a bank operator).

    A grant names the ``funding`` eligibility rule of the standards it is made under; a
    withdrawal gives its reason."""

    command: Literal["fund"] = "fund"


Command = (
    OpenAccount
    | Deposit
    | Apply
    | Review
    | Approve
    | Reject
    | Revoke
    | Expire
    | Override
    | RecordProfile
    | Fund
)


def command_hash(command: Command) -> str:
    """sha256 of the command's canonical JSON: what "the same content" means for a key.

    A deposit's ``credential_check.checked_at`` and ``accept_unchecked_status`` are left
    out: depositing the same credential again later, with the same outcome, is the same
    command (the first receipt stands)."""
    data = command.model_dump(mode="json")
    data.pop("accept_unchecked_status", None)
    check = data.get("credential_check")
    if isinstance(check, dict):
        check.pop("checked_at", None)
    body = canonical_json(data)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
