"""Open Badges 3.0 and CLR 2.0 in: verify each credential, map each achievement to a unit.

:func:`import_badge_file` reads one file (JSON, or a VC-JWT), verifies the credential —
and, for a ``ClrCredential``, every credential embedded in it — and maps each earned
achievement to an :class:`~creditbank.models.Achievement` of a portfolio:

* **unit** — by the institution's mapping file (``achievements:`` by achievement id,
  ``alignments:`` by alignment ``targetCode`` / ``targetUrl``), else by the achievement id
  being a unit id (or ``urn:creditbank:unit:ID``, as creditbank exports them), else by an
  alignment naming a unit id, a course or 1+X code, or an occupation code;
* **level** — the mapping's, else a result's achieved rubric level or performance level;
* **dates** — ``awardedDate``, else ``validFrom`` / ``issuanceDate``; ``validUntil`` /
  ``expirationDate`` become the expiry;
* **results** — a ``Percent`` result becomes the score, a ``LetterGrade`` the grade;
* **credits** — ``creditsEarned``; **issuer** — the standards issuer listing the credential
  issuer's id among its ``identifiers``, else the mapping's ``issuers:``, else a standards
  issuer with that id; **evidence** — the first evidence URL, else the
  credential id; **certificate number** — ``licenseNumber``.

The issuer whitelist is the identifiers of the standards' issuers, plus what the caller
trusts explicitly (the mapping's ``issuers:``, ``trust``); ``issuer_check=False`` turns it
off, and each verification says so. Whatever cannot be mapped is reported by name in the
record's ``notes`` (or the import's ``unmapped``); nothing is dropped silently. Only
verified credentials are accepted unless the caller passes ``accept_unverified=True`` —
and then unverified ones are marked in their achievement's ``note``. Invalid credentials
are never accepted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import Field, ValidationError, field_validator, model_validator

from creditbank.errors import LoadError
from creditbank.interop.errors import InteropError
from creditbank.interop.jsonio import DEFAULT_JSON_LIMITS, JsonLimits, parse_json, read_limited
from creditbank.interop.jsonld import ContextLoader
from creditbank.interop.keys import public_key_from_multibase
from creditbank.interop.trust import Trust, annotate_trust, standards_identifiers, whitelist
from creditbank.interop.verify import (
    Verification,
    credential_dates,
    issuer_of,
    parse_datetime,
    verify_credential,
    verify_jwt,
)
from creditbank.loading.crosscheck import unit_framework, unit_levels
from creditbank.loading.yaml_reader import read_yaml_file
from creditbank.models import Achievement, Portfolio, Standards
from creditbank.models.portfolio import IMPORTED_NOTE, ImportedCredential
from creditbank.models.units import CourseUnit, SkillCertificateUnit, XCertificateUnit
from creditbank.models.values import CreditValue, IssuerRef, LevelName, Model, UnitRef, to_decimal

__all__ = [
    "UNIT_URN",
    "Association",
    "BadgeImport",
    "BadgeMapping",
    "BadgeRecord",
    "UnitTarget",
    "import_badge_file",
    "import_badge_text",
    "imported_credential",
    "learner_of",
    "load_mapping",
    "to_portfolio",
    "trusted_issuers",
]

UNIT_URN = "urn:creditbank:unit:"
"""Achievement ids of the form ``urn:creditbank:unit:ID`` name creditbank unit ``ID``."""

_BADGE_TYPES = ("OpenBadgeCredential", "AchievementCredential")
_SCORE_TYPES = ("Percent",)
_GRADE_TYPES = ("LetterGrade",)
_LEVEL_TYPES = ("PerformanceLevel", "RubricCriterionLevel")


# ------------------------------------------------------------------ mapping file


class UnitTarget(Model):
    """Which unit (and, optionally, level) an achievement or alignment stands for."""

    unit: UnitRef
    level: LevelName | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        return {"unit": data} if isinstance(data, str) else data


class TrustedIssuer(Model):
    """An issuer the institution trusts: its creditbank issuer id and pinned keys (z6Mk…).

    A key the credential names only itself (``https://issuer.example#z6Mk…``) binds nothing
    to the issuer: such credentials verify only with the key pinned here."""

    issuer: IssuerRef | None = None
    keys: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if data is None:
            return {}
        return {"issuer": data} if isinstance(data, str) else data

    @field_validator("keys")
    @classmethod
    def _multikeys(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        for key in keys:
            try:
                public_key_from_multibase(key)
            except ValueError as error:
                raise ValueError(f"{key!r} is not an Ed25519 Multikey (z6Mk…): {error}") from None
        return keys


class BadgeMapping(Model):
    """An institution's mapping from badges to its standards (``--map MAPPING.yaml``).

    ``issuers`` adds to the issuer whitelist (whose default is the identifiers of the
    standards' issuers): credentials of an issuer on neither are invalid
    (``ISSUER_NOT_TRUSTED``); its pinned ``keys`` are what binds a key named in a credential
    to its issuer (else ``UNBOUND_KEY``, unless the issuer is a did:key).
    """

    kind: Literal["badge_mapping"] = "badge_mapping"
    note: str | None = None
    issuers: dict[str, TrustedIssuer] | None = Field(
        default=None, description="Credential issuer id -> creditbank issuer and pinned keys."
    )
    achievements: dict[str, UnitTarget] = Field(
        default_factory=dict, description="Achievement id -> unit (and level)."
    )
    alignments: dict[str, UnitTarget] = Field(
        default_factory=dict, description="Alignment targetCode or targetUrl -> unit."
    )
    levels: dict[str, LevelName] = Field(
        default_factory=dict, description="Level names in badges -> level names of the unit."
    )


def load_mapping(path: Path | str) -> BadgeMapping:
    """Read a mapping file (YAML or JSON) with creditbank's safe YAML reader."""
    doc, problems = read_yaml_file(Path(path), display=str(path))
    if doc is None or problems:
        raise LoadError(problems)
    try:
        return BadgeMapping.model_validate(_plain(doc.data))
    except ValidationError as error:
        lines = []
        for item in error.errors():
            where = doc.location(tuple(item["loc"]))
            lines.append(f"{where}: {item['msg']} [{'.'.join(str(p) for p in item['loc'])}]")
        raise InteropError("INVALID_MAPPING", "; ".join(lines), str(path)) from None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def trusted_issuers(
    mapping: BadgeMapping | None,
    standards: Standards,
    trust: Trust | None = None,
    *,
    issuer_check: bool = True,
) -> dict[str, frozenset[str]] | None:
    """The issuer whitelist (issuer id -> keys pinned for it): the identifiers of the
    standards' issuers, plus the mapping's ``issuers`` (each bound to a standards issuer, if
    named) and ``trust``, the issuers the caller trusts explicitly. None when
    ``issuer_check`` is False: then no whitelist applies, and every verification says so."""
    extra: dict[str, frozenset[str]] = {}
    if mapping is not None and mapping.issuers is not None:
        for external, entry in mapping.issuers.items():
            if entry.issuer is None or entry.issuer in standards.issuers:
                extra[external] = frozenset(entry.keys)
    return whitelist(standards, extra, trust, issuer_check=issuer_check)


# --------------------------------------------------------------------- results


@dataclass(frozen=True)
class Association:
    """A CLR association between two achievements (``isParentOf``, ``precedes`` …)."""

    type: str
    source: str
    target: str


@dataclass(frozen=True)
class BadgeRecord:
    """One achievement found in a credential and what became of it."""

    name: str
    achievement_id: str | None
    credential_id: str | None
    verification: Verification
    achievement: Achievement | None
    accepted: bool
    notes: tuple[str, ...] = ()
    subject_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "achievement_id": self.achievement_id,
            "credential": self.credential_id,
            "verification": self.verification.to_dict(),
            "accepted": self.accepted,
            "achievement": self.achievement.model_dump(mode="json", exclude_none=True)
            if self.achievement
            else None,
            "notes": list(self.notes),
            "subject": self.subject_id,
        }


@dataclass(frozen=True)
class BadgeImport:
    """The outcome of importing one file: verifications, records, what was not mapped.

    ``error`` is set when the file could not be processed at all (malformed JSON, too large
    or deep, not a credential): then there are no records and nothing is accepted.
    """

    source: str
    verifications: tuple[Verification, ...] = ()
    records: tuple[BadgeRecord, ...] = ()
    unmapped: tuple[str, ...] = ()
    associations: tuple[Association, ...] = ()
    error: InteropError | None = None
    issuer_check: bool = True
    """False when the caller turned the issuer whitelist off."""
    checked_at: dt.datetime | None = None
    """The moment the credentials were checked as of (validity windows, ``now``)."""

    @property
    def accepted(self) -> tuple[Achievement, ...]:
        """The achievements to deposit: accepted records that map to a unit."""
        return tuple(r.achievement for r in self.records if r.accepted and r.achievement)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "error": {"code": self.error.code, "message": self.error.message}
            if self.error
            else None,
            "verifications": [v.to_dict() for v in self.verifications],
            "records": [r.to_dict() for r in self.records],
            "unmapped": list(self.unmapped),
            "issuer_check": "whitelist" if self.issuer_check else "off",
            "associations": [
                {"type": a.type, "source": a.source, "target": a.target} for a in self.associations
            ],
        }


# --------------------------------------------------------------------- reading


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(value: Any) -> list[str]:
    return [t for t in _as_list(value) if isinstance(t, str)]


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):  # a language map
        for key in ("zh", "zh-CN", "en", *value):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def _achievement_label(achievement: Mapping[str, Any]) -> str:
    name = _text(achievement.get("name")) or "(unnamed achievement)"
    ident = achievement.get("id")
    return f"'{name}' ({ident})" if isinstance(ident, str) else f"'{name}'"


@dataclass
class _Context:
    standards: Standards
    mapping: BadgeMapping
    loader: ContextLoader
    now: dt.datetime | None
    whitelist: Mapping[str, frozenset[str]] | None
    keys: Mapping[str, Ed25519PublicKey] | None
    accept_unverified: bool
    identifiers: Mapping[str, str] = field(default_factory=dict)
    records: list[BadgeRecord] = field(default_factory=list)
    verifications: list[Verification] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)


def _acceptable(verification: Verification, accept_unverified: bool) -> bool:
    return verification.verified or (accept_unverified and verification.status == "unverifiable")


def _verify_entry(entry: Any, ctx: _Context) -> tuple[Verification, dict[str, Any] | None]:
    """Verify a credential (a JSON object or a VC-JWT) against the import's whitelist."""
    if isinstance(entry, str):
        verification, document = verify_jwt(
            entry, now=ctx.now, trusted_issuers=ctx.whitelist, keys=ctx.keys
        )
    else:
        verification = verify_credential(
            entry, loader=ctx.loader, now=ctx.now, trusted_issuers=ctx.whitelist, keys=ctx.keys
        )
        document = entry if isinstance(entry, dict) else None
    return annotate_trust(verification, ctx.whitelist, ctx.identifiers), document


def _import_credential(
    document: dict[str, Any], verification: Verification, ctx: _Context, outer: str | None
) -> None:
    types = _types(document.get("type"))
    label = document.get("id") or _text(document.get("name")) or "(credential without id)"
    if "ClrCredential" in types:
        _import_clr(document, verification, ctx)
        return
    if not any(t in types for t in _BADGE_TYPES):
        ctx.unmapped.append(
            f"credential {label}: type {types} is neither an OpenBadgeCredential / "
            "AchievementCredential nor a ClrCredential; not imported"
        )
        return
    subjects = _as_list(document.get("credentialSubject"))
    if verification.status == "invalid" and not any(
        isinstance(s, dict) and isinstance(s.get("achievement"), dict) for s in subjects
    ):
        return  # nothing to report beyond the verification itself
    if not subjects:
        ctx.unmapped.append(f"credential {label}: no credentialSubject; nothing to import")
    for subject in subjects:
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        if not isinstance(achievement, dict):
            ctx.unmapped.append(
                f"credential {label}: its subject names no achievement; nothing to import"
            )
            continue
        ctx.records.append(
            _record(_Found(document, subject, achievement, verification), ctx, outer)
        )


def _import_clr(document: dict[str, Any], verification: Verification, ctx: _Context) -> None:
    label = document.get("id") or "(CLR without id)"
    outer_problem = None if verification.status != "invalid" else verification.reason
    for subject in _as_list(document.get("credentialSubject")):
        if not isinstance(subject, dict):
            continue
        embedded = _as_list(subject.get("verifiableCredential"))
        for index, entry in enumerate(embedded):
            try:
                inner_verification, inner = _verify_entry(entry, ctx)
            except InteropError as error:
                ctx.unmapped.append(
                    f"CLR {label}: embedded credential #{index + 1} cannot be read: {error.message}"
                )
                continue
            ctx.verifications.append(inner_verification)
            if inner is None:
                ctx.unmapped.append(
                    f"CLR {label}: embedded credential #{index + 1} is not a credential"
                )
                continue
            _import_credential(inner, inner_verification, ctx, outer_problem)
        for achievement in _as_list(subject.get("achievement")):
            if isinstance(achievement, dict):
                ctx.unmapped.append(
                    f"CLR {label}: achievement {_achievement_label(achievement)} is listed "
                    "without a credential asserting it; not imported as earned"
                )
        for association in _as_list(subject.get("association")):
            if not isinstance(association, dict):
                continue
            kind, source, target = (
                association.get("associationType"),
                association.get("sourceId"),
                association.get("targetId"),
            )
            if isinstance(kind, str) and isinstance(source, str) and isinstance(target, str):
                ctx.associations.append(Association(kind, source, target))
            else:
                ctx.unmapped.append(f"CLR {label}: an association lacks type, sourceId or targetId")


# --------------------------------------------------------------------- mapping


def _unit_for(achievement: Mapping[str, Any], ctx: _Context) -> tuple[UnitTarget | None, str]:
    """The unit an achievement stands for, and how it was found (or why not)."""
    units = ctx.standards.units
    ident = achievement.get("id")
    if isinstance(ident, str):
        if ident in ctx.mapping.achievements:
            return ctx.mapping.achievements[ident], "mapping file (achievements)"
        candidate = ident.removeprefix(UNIT_URN)
        if candidate in units:
            return UnitTarget(unit=candidate), "achievement id"
    alignments = [a for a in _as_list(achievement.get("alignment")) if isinstance(a, dict)]
    for alignment in alignments:
        for key in ("targetCode", "targetUrl"):
            value = alignment.get(key)
            if isinstance(value, str) and value in ctx.mapping.alignments:
                return ctx.mapping.alignments[value], f"mapping file (alignments, {key})"
    for alignment in alignments:
        url, code = alignment.get("targetUrl"), alignment.get("targetCode")
        if (
            isinstance(url, str)
            and url.removeprefix(UNIT_URN) in units
            and url.startswith(UNIT_URN)
        ):
            return UnitTarget(unit=url.removeprefix(UNIT_URN)), "alignment targetUrl"
        if not isinstance(code, str):
            continue
        if code in units:
            return UnitTarget(unit=code), "alignment targetCode (unit id)"
        by_code = [
            u.id
            for u in units.values()
            if isinstance(u, CourseUnit | XCertificateUnit) and u.code == code
        ]
        by_occupation = [
            u.id
            for u in units.values()
            if isinstance(u, SkillCertificateUnit)
            and (occ := ctx.standards.occupations.get(u.occupation)) is not None
            and occ.code == code
        ]
        found = by_code or by_occupation
        if len(found) == 1:
            return UnitTarget(unit=found[0]), "alignment targetCode"
        if len(found) > 1:
            return None, (
                f"alignment targetCode {code!r} matches several units ({', '.join(found)}); "
                "choose one in the mapping file's alignments: section"
            )
    return None, (
        "matches no unit of the standards; add it to the mapping file's achievements: "
        "(by achievement id) or alignments: (by targetCode/targetUrl) section"
    )


def _result_descriptions(achievement: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        rd["id"]: rd
        for rd in _as_list(achievement.get("resultDescription"))
        if isinstance(rd, dict) and isinstance(rd.get("id"), str)
    }


def _level_name(raw: str, unit_id: str, ctx: _Context) -> str | None:
    name = ctx.mapping.levels.get(raw, raw)
    framework = unit_framework(ctx.standards, unit_id)
    if framework is None:
        return None
    level = framework.level(name)
    allowed = unit_levels(ctx.standards, unit_id) or ()
    return level.id if level is not None and level.id in allowed else None


def _grade_scale(grade: str, ctx: _Context) -> tuple[bool, str | None]:
    scales = [
        s.id
        for s in ctx.standards.grade_scales.values()
        if s.kind == "ordinal" and s.grade(grade) is not None
    ]
    return bool(scales), scales[0] if len(scales) == 1 else None


def _map_results(
    subject: Mapping[str, Any],
    achievement: Mapping[str, Any],
    *,
    unit_id: str,
    level: str | None,
    ctx: _Context,
    notes: list[str],
) -> tuple[dict[str, Any], str | None]:
    """Score, grade and level from the subject's results; what cannot be used goes to notes."""
    fields: dict[str, Any] = {}
    descriptions = _result_descriptions(achievement)
    for result in _as_list(subject.get("result")):
        if not isinstance(result, dict):
            continue
        rd = descriptions.get(str(result.get("resultDescription")), {})
        kind = rd.get("resultType")
        label = _text(rd.get("name")) or str(result.get("resultDescription") or "result")
        value = result.get("value")
        achieved = result.get("achievedLevel")
        if isinstance(achieved, str) or kind in _LEVEL_TYPES:
            rubric = {
                lvl["id"]: lvl
                for lvl in _as_list(rd.get("rubricCriterionLevel"))
                if isinstance(lvl, dict) and isinstance(lvl.get("id"), str)
            }
            entry = rubric.get(achieved, {}) if isinstance(achieved, str) else {}
            raw = entry.get("level") or _text(entry.get("name")) or value
            found = _level_name(str(raw), unit_id, ctx) if raw is not None else None
            if found is None:
                notes.append(f"result {label!r}: level {raw!r} is not a level of unit {unit_id}")
            level = level or found
        elif kind in _SCORE_TYPES and value is not None:
            try:
                fields["score"] = to_decimal(str(value).strip().rstrip("%"), what="score")
            except ValueError as error:
                notes.append(f"result {label!r}: score {value!r} not usable ({error})")
        elif kind in _GRADE_TYPES and isinstance(value, str):
            known, scale = _grade_scale(value, ctx)
            if not known:
                notes.append(
                    f"result {label!r}: grade {value!r} is on no grade scale of the standards"
                )
                continue
            fields["grade"] = value
            if scale:
                fields["scale"] = scale
        else:
            notes.append(
                f"result {label!r} ({kind or 'no resultType'}: {value!r}) not mapped: creditbank "
                "records percent scores, named grades and levels"
            )
    return fields, level


def _map_dates(document: Mapping[str, Any], notes: list[str]) -> dict[str, Any] | None:
    """earned_on (award date, else valid from) and expires_on; None when there is no date."""
    try:
        start, end = credential_dates(document)
        awarded = document.get("awardedDate")
        earned = parse_datetime(awarded) if awarded is not None else start
    except ValueError as error:
        notes.append(f"dates not usable: {error}")
        return None
    if earned is None:
        notes.append("the credential states no award or validity date; earned_on is unknown")
        return None
    fields: dict[str, Any] = {"earned_on": earned.date()}
    if end is not None:
        if end.date() < earned.date():
            notes.append(f"validUntil {end.date()} is before the award date; expiry not recorded")
        else:
            fields["expires_on"] = end.date()
    return fields


def _map_issuer(document: Mapping[str, Any], ctx: _Context, notes: list[str]) -> dict[str, Any]:
    """The standards issuer the credential's issuer is: the one listing it among its
    ``identifiers``, else the mapping file's, else a standards issuer with that very id."""
    issuer = issuer_of(document)
    mapped: str | None = None
    by_mapping: str | None = None
    if issuer is not None and ctx.mapping.issuers and issuer in ctx.mapping.issuers:
        by_mapping = ctx.mapping.issuers[issuer].issuer
    if issuer is not None and issuer in ctx.identifiers:
        mapped = ctx.identifiers[issuer]
        if by_mapping is not None and by_mapping != mapped:
            notes.append(
                f"the mapping file maps issuer {issuer} to {by_mapping}, but the standards "
                f"list it as an identifier of {mapped}; {mapped} is used"
            )
    mapped = mapped or by_mapping
    if mapped is None and issuer in ctx.standards.issuers:
        mapped = issuer
    if mapped is not None:
        return {"issuer": mapped}
    profile = document.get("issuer")
    name = profile.get("name") if isinstance(profile, dict) else None
    notes.append(
        f"issuer {_text(name) or ''} ({issuer}) is not an issuer of the standards; list it "
        "under `identifiers:` of its issuer in the standards, or map it in the mapping "
        "file's issuers: section"
    )
    return {}


def _map_details(
    document: Mapping[str, Any],
    subject: Mapping[str, Any],
    verification: Verification,
    name: str,
    notes: list[str],
) -> dict[str, Any]:
    """Credits, evidence, certificate number and the provenance note."""
    fields: dict[str, Any] = {}
    credits = subject.get("creditsEarned")
    if credits is not None:
        try:
            fields["credits"] = CreditValue(amount=to_decimal(credits, what="creditsEarned"))
        except (ValueError, ValidationError) as error:
            notes.append(f"creditsEarned {credits!r} not usable ({error})")
    credential_id = document.get("id") if isinstance(document.get("id"), str) else None
    evidence = [e.get("id") for e in _as_list(document.get("evidence")) if isinstance(e, dict)]
    evidence_url = next((e for e in evidence if isinstance(e, str)), None) or credential_id
    if evidence_url:
        fields["evidence"] = evidence_url
    if isinstance(subject.get("licenseNumber"), str):
        fields["certificate_number"] = subject["licenseNumber"]
    status = (
        f"verified ({verification.method}, key from {verification.key_source})"
        if verification.verified
        else f"UNVERIFIED ({verification.reason}): {verification.message}"
    )
    fields["note"] = f"{IMPORTED_NOTE}{credential_id or '(no id)'} — {name}; {status}"
    return fields


@dataclass(frozen=True)
class _Found:
    """An achievement found in a credential, with the credential around it."""

    document: Mapping[str, Any]
    subject: Mapping[str, Any]
    achievement: Mapping[str, Any]
    verification: Verification


def _record(found: _Found, ctx: _Context, outer_problem: str | None) -> BadgeRecord:
    document, achievement, verification = found.document, found.achievement, found.verification
    name = _text(achievement.get("name")) or "(unnamed achievement)"
    achievement_id = achievement.get("id") if isinstance(achievement.get("id"), str) else None
    credential_id = document.get("id") if isinstance(document.get("id"), str) else None
    subject_id = found.subject.get("id") if isinstance(found.subject.get("id"), str) else None
    notes: list[str] = []
    accepted = _acceptable(verification, ctx.accept_unverified)

    def finish(mapped: Achievement | None) -> BadgeRecord:
        return BadgeRecord(
            name,
            achievement_id,
            credential_id,
            verification,
            mapped,
            accepted and mapped is not None,
            tuple(notes),
            subject_id,
        )

    if outer_problem is not None:
        notes.append(f"the CLR that carries it is invalid ({outer_problem}); not accepted")
        accepted = False
    if verification.status == "invalid":
        notes.append(f"not imported: the credential is invalid ({verification.reason})")
        return finish(None)
    target, how = _unit_for(achievement, ctx)
    if target is None:
        notes.append(f"achievement {_achievement_label(achievement)} {how}")
        return finish(None)
    unit_id = str(target.unit)
    if unit_id not in ctx.standards.units:
        notes.append(f"the mapping names unit {unit_id!r}, which the standards do not have")
        return finish(None)
    level = _level_name(str(target.level), unit_id, ctx) if target.level is not None else None
    if target.level is not None and level is None:
        notes.append(f"level {target.level!r} from the mapping is not a level of unit {unit_id}")
    results, level = _map_results(
        found.subject, achievement, unit_id=unit_id, level=level, ctx=ctx, notes=notes
    )
    if level is None and unit_levels(ctx.standards, unit_id):
        notes.append(f"the badge states no level, but unit {unit_id} is graded by level")
    dates = _map_dates(document, notes)
    if dates is None:
        return finish(None)
    seed = f"{credential_id}|{achievement_id}|{name}".encode()
    fields: dict[str, Any] = {
        "id": "badge-" + hashlib.sha256(seed).hexdigest()[:12],
        "unit": unit_id,
        **({"level": level} if level is not None else {}),
        **results,
        **dates,
        **_map_issuer(document, ctx, notes),
        **_map_details(document, found.subject, verification, name, notes),
    }
    try:
        mapped = Achievement.model_validate(fields)
    except ValidationError as error:
        notes.append(f"cannot form an achievement: {error.errors()[0]['msg']}")
        return finish(None)
    notes.insert(0, f"unit {unit_id} by {how}")
    return finish(mapped)


# --------------------------------------------------------------------- entry points


def _looks_like_jwt(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith("ey") and stripped.count(".") == 2 and " " not in stripped


def import_badge_text(
    data: bytes | str,
    standards: Standards,
    *,
    source: str = "<input>",
    mapping: BadgeMapping | None = None,
    loader: ContextLoader | None = None,
    now: dt.datetime | None = None,
    accept_unverified: bool = False,
    keys: Mapping[str, Ed25519PublicKey] | None = None,
    limits: JsonLimits = DEFAULT_JSON_LIMITS,
    trust: Trust | None = None,
    issuer_check: bool = True,
) -> BadgeImport:
    """Verify and map one credential (JSON or VC-JWT text). Never raises for bad input:
    a document that cannot be processed comes back with ``error`` set and no records.

    The issuer whitelist is the identifiers of the standards' issuers, plus the mapping
    file's ``issuers`` and ``trust`` (issuer ids, or ids -> pinned Multikeys) — or none
    at all when ``issuer_check`` is False, which each verification then says
    (``issuer_trust="unchecked"``)."""
    moment = now or dt.datetime.now(dt.UTC)
    ctx = _Context(
        standards,
        mapping or BadgeMapping(),
        loader or ContextLoader(),
        moment,
        trusted_issuers(mapping, standards, trust, issuer_check=issuer_check),
        keys,
        accept_unverified,
        standards_identifiers(standards),
    )
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        text = None
    try:
        if text is not None and _looks_like_jwt(text):
            if len(text) > limits.max_bytes:
                raise InteropError("DOCUMENT_TOO_LARGE", "the JWT is above the size limit", source)
            verification, document = _verify_entry(text, ctx)
        else:
            parsed = parse_json(data, source=source, limits=limits)
            if not isinstance(parsed, dict):
                raise InteropError("NOT_A_CREDENTIAL", "the document is not a JSON object", source)
            verification, document = _verify_entry(parsed, ctx)
    except InteropError as error:
        if error.source is None:
            error = InteropError(error.code, error.message, source)
        return BadgeImport(source, error=error, issuer_check=issuer_check, checked_at=moment)
    ctx.verifications.append(verification)
    if verification.reason == "NOT_A_CREDENTIAL" or document is None:
        return BadgeImport(
            source,
            (verification,),
            error=InteropError("NOT_A_CREDENTIAL", verification.message, source),
            issuer_check=issuer_check,
            checked_at=moment,
        )
    _import_credential(document, verification, ctx, None)
    return BadgeImport(
        source,
        tuple(ctx.verifications),
        tuple(ctx.records),
        tuple(ctx.unmapped),
        tuple(ctx.associations),
        issuer_check=issuer_check,
        checked_at=moment,
    )


def import_badge_file(
    path: Path | str,
    standards: Standards,
    *,
    mapping: BadgeMapping | None = None,
    loader: ContextLoader | None = None,
    now: dt.datetime | None = None,
    accept_unverified: bool = False,
    keys: Mapping[str, Ed25519PublicKey] | None = None,
    limits: JsonLimits = DEFAULT_JSON_LIMITS,
    trust: Trust | None = None,
    issuer_check: bool = True,
) -> BadgeImport:
    """:func:`import_badge_text` for a file, of which at most the size limit is read."""
    where = str(path)
    try:
        data = read_limited(path, limits=limits)
    except InteropError as error:
        return BadgeImport(where, error=error, issuer_check=issuer_check)
    return import_badge_text(
        data,
        standards,
        source=where,
        mapping=mapping,
        loader=loader,
        now=now,
        accept_unverified=accept_unverified,
        keys=keys,
        limits=limits,
        trust=trust,
        issuer_check=issuer_check,
    )


_CHECK_TEXT = 2000


def imported_credential(
    verification: Verification, checked_at: dt.datetime | None, subject: str | None
) -> ImportedCredential | None:
    """What a portfolio and the ledger keep of a credential's check (``checked_at``: the
    import's moment, default now); None for an invalid credential."""
    if verification.status == "invalid":
        return None
    if checked_at is None:
        checked_at = dt.datetime.now(dt.UTC)

    def text(value: str | None) -> str | None:
        if not value:
            return None
        return value if len(value) <= _CHECK_TEXT else value[: _CHECK_TEXT - 1] + "…"

    return ImportedCredential(
        credential=text(verification.credential_id),
        issuer=text(verification.issuer),
        status=verification.status,
        reason=verification.reason,
        message=text(verification.message),
        method=verification.method,
        issuer_trust=verification.issuer_trust,
        checked_at=checked_at.replace(tzinfo=dt.UTC) if checked_at.tzinfo is None else checked_at,
        subject=subject,
    )


def to_portfolio(
    imports: Iterable[BadgeImport], learner: str, *, description: str | None = None
) -> Portfolio:
    """A portfolio of every accepted achievement (each credential once), with how its
    credential was checked (``Portfolio.credentials``), which ``ledger deposit`` records."""
    seen: dict[str, Achievement] = {}
    credentials: dict[str, ImportedCredential] = {}
    for result in imports:
        for record in result.records:
            achievement = record.achievement
            if not record.accepted or achievement is None or achievement.id in seen:
                continue
            imported = imported_credential(
                record.verification, result.checked_at, record.subject_id
            )
            if imported is None:
                continue
            seen[achievement.id] = achievement
            credentials[achievement.id] = imported
    return Portfolio(
        learner=learner,
        description=description,
        achievements=tuple(seen.values()),
        credentials=credentials,
    )


def learner_of(imports: Iterable[BadgeImport]) -> str | None:
    """The one credential subject id all accepted achievements share, else None."""
    found = {r.subject_id for i in imports for r in i.records if r.accepted and r.achievement}
    return found.pop() if len(found) == 1 and None not in found else None
