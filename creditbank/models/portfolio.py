"""A learner's achievements (学习档案): what they actually earned, with evidence.

>>> p = Portfolio.model_validate({"learner": "w-001", "achievements": [
...     {"id": "a1", "unit": "cert-electrician", "level": "三级", "earned_on": "2023-06-30"}]})
>>> p.achievements[0].earned_on.isoformat()
'2023-06-30'
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import Field, StrictBool, model_validator

from creditbank.models.common import check_unique_local_ids, date_range_error
from creditbank.models.profile import Profile
from creditbank.models.values import (
    Amount,
    CreditValue,
    GradeScaleRef,
    Hours,
    IssuerRef,
    LevelName,
    LocalId,
    Model,
    StrictDate,
    UnitRef,
)

__all__ = ["Achievement", "ImportedCredential", "Portfolio"]


class Achievement(Model):
    """One outcome a learner earned: which unit, at which level, when, from whom, how well."""

    id: LocalId = Field(description="Unique within the portfolio.")
    unit: UnitRef
    level: LevelName | None = Field(
        default=None, description="Level or prize, on the unit's framework."
    )
    earned_on: StrictDate
    expires_on: StrictDate | None = None
    issuer: IssuerRef | None = None
    score: Amount | None = Field(
        default=None, description="A numeric result (percent unless `scale`)."
    )
    grade: LevelName | None = Field(default=None, description="A named result, e.g. 良好 or B+.")
    scale: GradeScaleRef | None = Field(default=None, description="Scale of `grade` or `score`.")
    hours: Hours | None = None
    credits: CreditValue | None = Field(
        default=None, description="Credits it carries, as recorded."
    )
    online: StrictBool | None = None
    assessed: StrictBool | None = None
    certificate_number: str | None = None
    evidence: str | None = Field(
        default=None, description="Where the evidence is: a URL or a file id."
    )
    note: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Achievement:
        date_range_error(self.earned_on, self.expires_on, "earned_on", "expires_on")
        return self


class ImportedCredential(Model):
    """How the credential an achievement was imported from was checked (``creditbank
    import badge -o`` writes it): what ``creditbank ledger deposit`` records as the
    deposit's credential check, under the same rules as ``ledger deposit-badge``."""

    credential: str | None = Field(default=None, description="The credential's id.")
    issuer: str | None = Field(default=None, description="The credential's issuer id.")
    status: Literal["verified", "unverifiable"]
    reason: str = Field(min_length=1, max_length=200, description="VERIFIED, NO_PROOF …")
    message: str | None = None
    method: str | None = None
    issuer_trust: Literal["standards", "caller", "unchecked"] | None = None
    checked_at: dt.datetime = Field(description="When the credential was checked (UTC).")
    subject: str | None = Field(
        default=None,
        description="The credential subject's id (as the credential names it); the ledger "
        "records only its keyed digest.",
    )
    credential_status: Literal["unchecked"] | None = Field(
        default=None,
        description="unchecked: the credential (or the CLR carrying it) has a status "
        "(credentialStatus: revocation, suspension) that was not checked, and was accepted "
        "explicitly (--accept-unchecked-status).",
    )

    @model_validator(mode="after")
    def _aware(self) -> ImportedCredential:
        if self.checked_at.tzinfo is None:
            raise ValueError("checked_at must say its time zone (UTC)")
        return self


IMPORTED_NOTE = "imported from credential "
"""How the note of an achievement ``import badge`` wrote from a credential begins."""

# The whole shape `import badge` writes (imported_note), not just its first words: a
# registrar's own note that happens to begin "imported from credential ..." is no import.
_IMPORTED_SHAPE = re.compile(
    re.escape(IMPORTED_NOTE) + r".+ — .*; (?:verified|UNVERIFIED) \(", re.DOTALL
)


def imported_note(credential: str | None, name: str, status: str) -> str:
    """The note ``import badge`` writes on an achievement imported from a credential;
    ``status`` begins ``verified (`` or ``UNVERIFIED (``."""
    return f"{IMPORTED_NOTE}{credential or '(no id)'} — {name}; {status}"


def is_imported_note(note: str | None) -> bool:
    """Whether ``note`` is one :func:`imported_note` wrote. A marker only: the structured
    record of a credential's check is a portfolio's ``credentials:`` entry, which
    :func:`creditbank.interop.deposit_from_portfolio` deposits."""
    return note is not None and _IMPORTED_SHAPE.match(note) is not None


class Portfolio(Model):
    """A learner's achievements. ``learner`` is an opaque id, never a personal identifier."""

    learner: str = Field(min_length=1, max_length=128)
    description: str | None = None
    example: StrictBool = False
    achievements: tuple[Achievement, ...] = ()
    profile: Profile | None = Field(
        default=None,
        description="Work history, education, titles, status and region, for eligibility "
        "rules (optional; nothing in it identifies the learner).",
    )
    credentials: dict[LocalId, ImportedCredential] = Field(
        default_factory=dict,
        description="For achievements imported from credentials (creditbank import badge -o "
        "writes it): achievement id -> how its credential was checked. `creditbank ledger "
        "deposit` records it as the deposit's credential check.",
    )

    @model_validator(mode="after")
    def _ids_distinct(self) -> Portfolio:
        check_unique_local_ids(self.achievements, "achievements")
        unknown = sorted(set(self.credentials) - {a.id for a in self.achievements})
        if unknown:
            raise ValueError(
                f"credentials names achievements the portfolio does not hold: {', '.join(unknown)}"
            )
        return self
