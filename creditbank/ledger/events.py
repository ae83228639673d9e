"""The ledger's events: immutable facts, each with the actor (and role) who caused it.

Every change to an account is one :class:`Event`. Its ``payload`` says what happened; the
envelope says where it sits (``seq`` in the whole ledger, ``account_seq`` in its account),
who did it (``actor``), when (``at``), which command wrote it (the caller's idempotency
``key`` and the hash of the command's content) and the hash of the event before it in the
account (``prev_hash``), which chains the account's events together
(:mod:`creditbank.ledger.chain`).

Payloads are explicit: a posting lists every line and amount it posts, a reversal every
line it compensates, so replaying events never needs the standards or the engine.

>>> actor = Actor(id="w-1", role="learner")
>>> actor.model_dump(exclude_none=True)
{'id': 'w-1', 'role': 'learner'}
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from creditbank.ledger.ids import check_actor_id
from creditbank.models import Achievement
from creditbank.models.profile import EducationLevel, RegionCode
from creditbank.models.values import Credits
from creditbank.models.verification import REASON_STATUS

__all__ = [
    "APPLICATION_STATES",
    "ROLES",
    "AccountOpened",
    "AchievementDeposited",
    "AchievementExpired",
    "AchievementRevoked",
    "Actor",
    "ApplicationApproved",
    "ApplicationRejected",
    "ApplicationReviewed",
    "ApplicationState",
    "ApplicationSubmitted",
    "Claim",
    "CredentialCheck",
    "CreditsPosted",
    "CreditsReversed",
    "Event",
    "FundingDecided",
    "FundingFields",
    "Line",
    "Name",
    "OverrideRecorded",
    "Payload",
    "PostedLine",
    "ProfileFields",
    "ProfileRecorded",
    "ReversalCause",
    "ReversedLine",
    "Role",
    "Text",
    "Verification",
]

Role = Literal["learner", "issuer", "school_reviewer", "academic_affairs", "bank_operator"]
"""Who acts: the learner; an issuer of achievements; a reviewer of a programme's school
(院系审核); the school's academic affairs office (教务处, the registrar); a credit bank operator."""
ROLES: tuple[Role, ...] = get_args(Role)

Verification = Literal["verified", "pending", "unverified"]
"""Whether the issuer checked the evidence of a deposited achievement."""

ApplicationState = Literal["applied", "reviewed", "approved", "posted", "rejected", "superseded"]
"""R5: applied -> reviewed (school) -> approved (academic affairs) -> posted; or rejected.
A posted application is superseded when a later application to the same programme posts."""
APPLICATION_STATES: tuple[ApplicationState, ...] = get_args(ApplicationState)

ReversalCause = Literal["revoked", "expired", "superseded"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Text = Annotated[str, Field(min_length=1, max_length=2000)]
"""Free text kept in the ledger (a reason, a note): 1 to 2000 characters."""
Name = Annotated[str, Field(min_length=1, max_length=200)]
"""A name the ledger refers to (an application, programme, achievement): 1 to 200 characters."""


class Actor(_Frozen):
    """Who gave a command: an opaque person id, a role, and the organisation acted for.

    ``organisation`` is the issuer id (in the standards) of the issuer or school the actor
    works for; learners have none.
    """

    id: str
    role: Role
    organisation: Name | None = None

    @field_validator("id")
    @classmethod
    def _opaque(cls, value: str) -> str:
        return check_actor_id(value)


class CredentialCheck(_Frozen):
    """How the credential an achievement was imported from was verified, as the importer
    said (:class:`creditbank.interop.verify.Verification`; its reasons:
    :data:`creditbank.models.verification.REASON_STATUS`): only a ``verified`` or an
    ``unverifiable`` credential is ever deposited, never an invalid one.

    ``reason`` must be one of the verifier's reasons, and ``status`` the status the verifier
    gives it (``VERIFIED`` is verified; ``NO_PROOF`` … unverifiable). ``checked_at`` is the
    moment the credential's validity window was checked as of (never after the deposit);
    ``subject`` a keyed digest of the credential subject's id, never the id itself;
    ``credential_status`` ``unchecked`` when the credential (or the CLR carrying it) has a
    status — revocation, suspension — that was not checked (``STATUS_UNCHECKED``): it was
    deposited only because the depositor accepted that explicitly."""

    status: Literal["verified", "unverifiable"]
    reason: Name = Field(description="The verification's stable reason (VERIFIED, NO_PROOF …).")
    message: Text
    method: Name | None = Field(default=None, description="eddsa-rdfc-2022 or vc-jwt.")
    credential: Text | None = Field(default=None, description="The credential's id.")
    issuer: Text | None = Field(default=None, description="The credential's issuer id.")
    issuer_trust: Literal["standards", "caller", "unchecked"] | None = Field(
        default=None,
        description="How the issuer passed the whitelist; unchecked: the caller turned it off.",
    )
    checked_at: dt.datetime | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="When the credential was checked (its validity window as of this moment).",
    )
    subject: Name | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Keyed digest of the credential subject's id (creditbank.ledger.ids."
        "subject_digest); the same subject gives the same digest within an account.",
    )
    credential_status: Literal["unchecked"] | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="unchecked: the credential carries a status (credentialStatus: "
        "revocation, suspension) that was not checked when it was deposited.",
    )

    @model_validator(mode="after")
    def _reason_fits_status(self) -> CredentialCheck:
        expected = REASON_STATUS.get(self.reason)  # type: ignore[call-overload]
        if expected is None:
            raise ValueError(
                f"reason {self.reason!r} is not a reason of the verifier "
                f"({', '.join(REASON_STATUS)})"
            )
        if expected != self.status:
            raise ValueError(
                f"reason {self.reason} means the credential is {expected}, not {self.status}"
            )
        if self.reason == "STATUS_UNCHECKED" and self.credential_status != "unchecked":
            raise ValueError("reason STATUS_UNCHECKED means credential_status is unchecked")
        if self.checked_at is not None and self.checked_at.tzinfo is None:
            raise ValueError("checked_at must say its time zone (UTC)")
        return self

    @property
    def verification(self) -> Verification:
        """The ledger's verification status this check stands for."""
        return "verified" if self.status == "verified" else "unverified"


def _absent(value: object) -> bool:
    return value is None


class Line(_Frozen):
    """One proposed use of achievements in an application: credits into a requirement.

    Lines come from the engine's evaluation (``source="engine"``, one per use) or from a
    registrar's override (``source="override"``); posting posts lines, never more.
    """

    line: int = Field(ge=1)
    source: Literal["engine", "override"]
    rule: Name | None = None
    requirement: Name
    course: Name | None = None
    kind: Literal["exemption", "credits", "partial"]
    credits: Credits
    recorded_grade: Name | None = None
    achievements: tuple[Name, ...] = Field(min_length=1)


class PostedLine(_Frozen):
    """A line posted to the account, for its exact credits."""

    line: int = Field(ge=1)
    credits: Credits


class ReversedLine(_Frozen):
    """A posted line compensated by a reversal entry of the same amount."""

    application: Name
    line: int = Field(ge=1)
    credits: Credits


class Claim(_Frozen):
    """An achievement held by an application's posting in one programme."""

    application: Name
    achievement: Name


class AccountOpened(_Frozen):
    type: Literal["account_opened"] = "account_opened"
    note: Text | None = None


class AchievementDeposited(_Frozen):
    """An achievement deposited; ``credential_check`` when it was imported from a credential
    (left out of the stored event when absent, so events written before it hash the same)."""

    type: Literal["achievement_deposited"] = "achievement_deposited"
    achievement: Achievement
    evidence: Text | None = None
    verification: Verification
    credential_check: CredentialCheck | None = Field(default=None, exclude_if=_absent)


class ApplicationSubmitted(_Frozen):
    type: Literal["application_submitted"] = "application_submitted"
    application: Name
    program: Name
    school: Name
    as_of: dt.date
    standards_fingerprint: Name
    achievements: tuple[Name, ...] = Field(min_length=1)
    lines: tuple[Line, ...]
    recognised: Credits
    evaluation: dict[str, Any] = Field(description="The engine's Evaluation, as JSON.")


class ApplicationReviewed(_Frozen):
    type: Literal["application_reviewed"] = "application_reviewed"
    application: Name
    reason: Text | None = None


class ApplicationApproved(_Frozen):
    type: Literal["application_approved"] = "application_approved"
    application: Name
    reason: Text | None = None


class ApplicationRejected(_Frozen):
    type: Literal["application_rejected"] = "application_rejected"
    application: Name
    step: Literal["applied", "reviewed"]
    reason: Text


class CreditsPosted(_Frozen):
    type: Literal["credits_posted"] = "credits_posted"
    application: Name
    program: Name
    lines: tuple[PostedLine, ...]
    claims: tuple[Name, ...] = Field(description="Achievements the posting holds.")
    total: Credits


class CreditsReversed(_Frozen):
    type: Literal["credits_reversed"] = "credits_reversed"
    program: Name
    cause: ReversalCause
    lines: tuple[ReversedLine, ...]
    released: tuple[Claim, ...] = Field(description="Claims no posted line holds any more.")
    superseded: tuple[Name, ...] = Field(default=(), description="Applications superseded.")
    total: Credits


class AchievementRevoked(_Frozen):
    type: Literal["achievement_revoked"] = "achievement_revoked"
    achievement: Name
    reason: Text


class AchievementExpired(_Frozen):
    type: Literal["achievement_expired"] = "achievement_expired"
    achievement: Name
    as_of: dt.date
    expires_on: dt.date
    reason: Text | None = None


class OverrideRecorded(_Frozen):
    """A registrar's manual exception to the engine's proposal, before approval.

    ``grant`` adds a line for the achievement; ``deny`` withdraws every line that uses it.
    """

    type: Literal["override_recorded"] = "override_recorded"
    application: Name
    action: Literal["grant", "deny"]
    achievement: Name
    reason: Text
    grant: Line | None = None
    denied: tuple[int, ...] = ()


class ProfileFields(_Frozen):
    """The non-identifying part of a learner's profile, as the report counts it: region (a
    GB/T 2260 code, never an address), migrant-worker status, union membership and the
    highest education; never a name, an employer or a work history."""

    region: RegionCode | None = None
    migrant_worker: StrictBool | None = None
    union_member: StrictBool | None = None
    education: EducationLevel | None = None


class ProfileRecorded(ProfileFields):
    """The learner's profile recorded; a later one replaces the earlier one whole (a field
    left out is unknown again, not kept)."""

    type: Literal["profile_recorded"] = "profile_recorded"


class FundingFields(_Frozen):
    """A funded place (资助) of a programme under a scheme, granted or withdrawn.

    ``rule`` is the ``funding`` eligibility rule of the standards the grant is made under;
    a withdrawal names none and gives its reason."""

    program: Name
    scheme: Name
    decision: Literal["granted", "withdrawn"]
    rule: Name | None = None
    reason: Text | None = None


class FundingDecided(FundingFields):
    """A funded place granted (its rule checked against the standards then) or withdrawn."""

    type: Literal["funding_decided"] = "funding_decided"


Payload = Annotated[
    AccountOpened
    | AchievementDeposited
    | ApplicationSubmitted
    | ApplicationReviewed
    | ApplicationApproved
    | ApplicationRejected
    | CreditsPosted
    | CreditsReversed
    | AchievementRevoked
    | AchievementExpired
    | OverrideRecorded
    | ProfileRecorded
    | FundingDecided,
    Field(discriminator="type"),
]


class Event(_Frozen):
    """One immutable event of one account, with its place in the ledger and its chain link."""

    format: Literal["creditbank.ledger-event/1"] = "creditbank.ledger-event/1"
    seq: int = Field(ge=1, description="Position in the whole ledger.")
    account: Name
    account_seq: int = Field(ge=1, description="Position in the account, from 1.")
    at: dt.datetime = Field(description="When it was recorded (UTC).")
    actor: Actor
    command: Name = Field(description="The command that wrote it (deposit, apply, …).")
    key: Name = Field(description="The caller's idempotency key of that command.")
    command_hash: Name = Field(description="sha256 of the command's canonical JSON.")
    index: int = Field(ge=0, description="Position among the command's events.")
    size: int = Field(ge=1, description="How many events the command wrote.")
    prev_hash: Name = Field(description="Hash of the account's previous event (or genesis).")
    payload: Payload

    @property
    def type(self) -> str:
        return self.payload.type
