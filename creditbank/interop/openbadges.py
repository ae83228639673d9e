"""Open Badges 3.0 and CLR 2.0 in: verify each credential, map each achievement to a unit.

:func:`import_badge_file` reads one file (JSON, or a VC-JWT), verifies the credential —
and, for a ``ClrCredential``, every credential embedded in it — and maps each earned
achievement to an :class:`~creditbank.models.Achievement` of a portfolio:

* **unit** — by the institution's mapping file (``achievements:`` by achievement id,
  ``alignments:`` by alignment ``targetCode`` / ``targetUrl``), else by the achievement id
  being a unit id (or ``urn:creditbank:unit:ID``, as creditbank exports them), else by an
  alignment naming a unit id, a course or 1+X code, or an occupation code;
* **level** — the mapping's, else a result's achieved rubric level or performance level;

``alignment[]`` and ``result[]`` are JSON-LD sets, so their order means nothing (reordering
them keeps a signature valid): every alignment and every result is considered, in a
canonical order, and the outcome never depends on the order they are written in. Among
the alignments of one tier (the mapping file's ``alignments:``, else the built-in ways),
those that map to different units (or levels) make the achievement ambiguous
(``AMBIGUOUS_UNIT``, naming each unit and the alignment values behind it); results that
disagree — two scores, grades or levels — make it ambiguous (``AMBIGUOUS_RESULT``, naming
the values). An ambiguous achievement is reported, never guessed, and never accepted; the
mapping file's ``achievements:`` entry for its id settles a unit.

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
and then unverified ones are marked in their achievement's ``note``. A credential that
carries a ``credentialStatus`` (``STATUS_UNCHECKED``: status lists are not checked yet), or
sits in a CLR that carries one, is accepted only with ``accept_unchecked_status=True``, and
its achievement's ``note`` and check (``credential_status: unchecked``) say so. Invalid
credentials are never accepted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from creditbank.interop.badge_mapping import (
    UNIT_URN,
    BadgeMapping,
    UnitTarget,
    as_list,
    level_name,
    load_mapping,
    read_results,
    text_of,
    unit_for,
)
from creditbank.interop.errors import InteropError
from creditbank.interop.jsonio import DEFAULT_JSON_LIMITS, JsonLimits, parse_json, read_limited
from creditbank.interop.jsonld import ContextLoader
from creditbank.interop.trust import Trust, annotate_trust, standards_identifiers, whitelist
from creditbank.interop.verify import (
    CredentialStatus,
    Verification,
    credential_dates,
    issuer_of,
    parse_datetime,
    verify_credential,
    verify_jwt,
    why_not_accepted,
)
from creditbank.loading.crosscheck import unit_levels
from creditbank.models import Achievement, Portfolio, Standards
from creditbank.models.portfolio import ImportedCredential, imported_note
from creditbank.models.values import CreditValue, to_decimal

__all__ = [
    "IMPORTED_LEARNER",
    "UNIT_URN",
    "Association",
    "BadgeImport",
    "BadgeMapping",
    "BadgeRecord",
    "UnitTarget",
    "import_badge_file",
    "import_badge_text",
    "import_portfolio",
    "imported_credential",
    "learner_of",
    "load_mapping",
    "portfolio_learner",
    "to_portfolio",
    "trusted_issuers",
]

_BADGE_TYPES = ("OpenBadgeCredential", "AchievementCredential")


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
    credential_status: CredentialStatus | None = None
    """``"unchecked"`` when the credential, or the CLR carrying it, has a status that was
    not checked: then it is accepted only when unchecked status is accepted explicitly."""
    error: InteropError | None = None
    """Why the achievement could not be mapped unambiguously (``AMBIGUOUS_UNIT``,
    ``AMBIGUOUS_RESULT``); such a record is never accepted."""

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
            "credential_status": self.credential_status,
            "error": {"code": self.error.code, "message": self.error.message}
            if self.error
            else None,
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

    @property
    def failed(self) -> bool:
        """The file was rejected, a credential in it is invalid or an achievement ambiguous
        (``AMBIGUOUS_UNIT``, ``AMBIGUOUS_RESULT``): a failed import, whatever was accepted
        besides (an unverifiable credential not accepted is no failure)."""
        return (
            self.error is not None
            or any(v.status == "invalid" for v in self.verifications)
            or any(record.error is not None for record in self.records)
        )

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


def _types(value: Any) -> list[str]:
    return [t for t in as_list(value) if isinstance(t, str)]


def _achievement_label(achievement: Mapping[str, Any]) -> str:
    name = text_of(achievement.get("name")) or "(unnamed achievement)"
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
    accept_unchecked_status: bool = False
    identifiers: Mapping[str, str] = field(default_factory=dict)
    records: list[BadgeRecord] = field(default_factory=list)
    verifications: list[Verification] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)


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
    document: dict[str, Any],
    verification: Verification,
    ctx: _Context,
    outer: Verification | None,
) -> None:
    types = _types(document.get("type"))
    label = document.get("id") or text_of(document.get("name")) or "(credential without id)"
    if "ClrCredential" in types:
        _import_clr(document, verification, ctx)
        return
    if not any(t in types for t in _BADGE_TYPES):
        ctx.unmapped.append(
            f"credential {label}: type {types} is neither an OpenBadgeCredential / "
            "AchievementCredential nor a ClrCredential; not imported"
        )
        return
    subjects = as_list(document.get("credentialSubject"))
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
    for subject in as_list(document.get("credentialSubject")):
        if not isinstance(subject, dict):
            continue
        embedded = as_list(subject.get("verifiableCredential"))
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
            _import_credential(inner, inner_verification, ctx, verification)
        for achievement in as_list(subject.get("achievement")):
            if isinstance(achievement, dict):
                ctx.unmapped.append(
                    f"CLR {label}: achievement {_achievement_label(achievement)} is listed "
                    "without a credential asserting it; not imported as earned"
                )
        for association in as_list(subject.get("association")):
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
        f"issuer {text_of(name) or ''} ({issuer}) is not an issuer of the standards; list it "
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
    *,
    credential_status: CredentialStatus | None = None,
) -> dict[str, Any]:
    """Credits, evidence (the least evidence URL: ``evidence`` is a set), certificate
    number and the provenance note."""
    fields: dict[str, Any] = {}
    credits = subject.get("creditsEarned")
    if credits is not None:
        try:
            fields["credits"] = CreditValue(amount=to_decimal(credits, what="creditsEarned"))
        except (ValueError, ValidationError) as error:
            notes.append(f"creditsEarned {credits!r} not usable ({error})")
    credential_id = document.get("id") if isinstance(document.get("id"), str) else None
    evidence = [e.get("id") for e in as_list(document.get("evidence")) if isinstance(e, dict)]
    evidence_url = min((e for e in evidence if isinstance(e, str)), default=None) or credential_id
    if evidence_url:
        fields["evidence"] = evidence_url
    if isinstance(subject.get("licenseNumber"), str):
        fields["certificate_number"] = subject["licenseNumber"]
    if verification.verified or verification.reason == "STATUS_UNCHECKED":
        status = f"verified ({verification.method}, key from {verification.key_source})"
    else:
        status = f"UNVERIFIED ({verification.reason}): {verification.message}"
    if credential_status == "unchecked":
        status += (
            "; STATUS NOT CHECKED (STATUS_UNCHECKED): its credentialStatus (revocation, "
            "suspension) was not checked, accepted explicitly"
        )
    fields["note"] = imported_note(credential_id, name, status)
    return fields


@dataclass(frozen=True)
class _Found:
    """An achievement found in a credential, with the credential around it."""

    document: Mapping[str, Any]
    subject: Mapping[str, Any]
    achievement: Mapping[str, Any]
    verification: Verification


def _record(found: _Found, ctx: _Context, outer: Verification | None) -> BadgeRecord:
    """What becomes of one achievement of a credential (``outer``: the CLR carrying it)."""
    document, achievement, verification = found.document, found.achievement, found.verification
    name = text_of(achievement.get("name")) or "(unnamed achievement)"
    achievement_id = achievement.get("id") if isinstance(achievement.get("id"), str) else None
    credential_id = document.get("id") if isinstance(document.get("id"), str) else None
    subject_id = found.subject.get("id") if isinstance(found.subject.get("id"), str) else None
    notes: list[str] = []
    unchecked = verification.credential_status == "unchecked" or (
        outer is not None and outer.credential_status == "unchecked"
    )
    status: CredentialStatus | None = "unchecked" if unchecked else None
    why_not = why_not_accepted(
        verification,
        accept_unverified=ctx.accept_unverified,
        accept_unchecked_status=ctx.accept_unchecked_status,
        credential_status=status,
    )
    conflict: InteropError | None = None

    def finish(mapped: Achievement | None) -> BadgeRecord:
        accepted = why_not is None and mapped is not None and conflict is None
        if why_not is not None and mapped is not None and verification.status != "invalid":
            notes.append(f"not accepted: {why_not}")
        return BadgeRecord(
            name,
            achievement_id,
            credential_id,
            verification,
            mapped if conflict is None else None,
            accepted,
            tuple(notes),
            subject_id,
            status,
            conflict,
        )

    if outer is not None and outer.status == "invalid":
        notes.append(f"the CLR that carries it is invalid ({outer.reason}); not accepted")
        why_not = why_not or f"the CLR that carries it is invalid ({outer.reason})"
    if outer is not None and outer.credential_status == "unchecked":
        notes.append("the status (credentialStatus) of the CLR that carries it was not checked")
    if verification.status == "invalid":
        notes.append(f"not imported: the credential is invalid ({verification.reason})")
        return finish(None)
    match = unit_for(achievement, ctx.standards, ctx.mapping)
    if match.target is None:
        conflict = match.conflict
        label = _achievement_label(achievement)
        notes.append(
            f"achievement {label} {match.how}"
            if conflict is None
            else f"{conflict.code}: achievement {label}: {match.how}"
        )
        return finish(None)
    target = match.target
    unit_id = str(target.unit)
    if unit_id not in ctx.standards.units:
        notes.append(f"the mapping names unit {unit_id!r}, which the standards do not have")
        return finish(None)
    level = (
        level_name(str(target.level), unit_id, ctx.standards, ctx.mapping)
        if target.level is not None
        else None
    )
    if target.level is not None and level is None:
        notes.append(f"level {target.level!r} from the mapping is not a level of unit {unit_id}")
    results = read_results(
        found.subject,
        achievement,
        unit_id=unit_id,
        level=level,
        standards=ctx.standards,
        mapping=ctx.mapping,
        notes=notes,
    )
    if results.conflict is not None:
        conflict = results.conflict
        notes.append(
            f"{conflict.code}: achievement {_achievement_label(achievement)}: {conflict.message}"
        )
        return finish(None)
    level = results.level
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
        **results.fields,
        **dates,
        **_map_issuer(document, ctx, notes),
        **_map_details(
            document, found.subject, verification, name, notes, credential_status=status
        ),
    }
    try:
        mapped = Achievement.model_validate(fields)
    except ValidationError as error:
        notes.append(f"cannot form an achievement: {error.errors()[0]['msg']}")
        return finish(None)
    notes.insert(0, f"unit {unit_id} by {match.how}")
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
    accept_unchecked_status: bool = False,
) -> BadgeImport:
    """Verify and map one credential (JSON or VC-JWT text). Never raises for bad input:
    a document that cannot be processed comes back with ``error`` set and no records.

    The issuer whitelist is the identifiers of the standards' issuers, plus the mapping
    file's ``issuers`` and ``trust`` (issuer ids, or ids -> pinned Multikeys) — or none
    at all when ``issuer_check`` is False, which each verification then says
    (``issuer_trust="unchecked"``).

    A credential carrying a ``credentialStatus`` (``STATUS_UNCHECKED``), or inside a CLR
    that carries one, is accepted only with ``accept_unchecked_status=True``, and its
    record says ``credential_status="unchecked"``; an unverifiable one that carries a
    status needs both ``accept_unverified`` and ``accept_unchecked_status``."""
    moment = now or dt.datetime.now(dt.UTC)
    ctx = _Context(
        standards,
        mapping or BadgeMapping(),
        loader or ContextLoader(),
        moment,
        trusted_issuers(mapping, standards, trust, issuer_check=issuer_check),
        keys,
        accept_unverified,
        accept_unchecked_status,
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
    accept_unchecked_status: bool = False,
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
        accept_unchecked_status=accept_unchecked_status,
    )


_CHECK_TEXT = 2000


def imported_credential(
    verification: Verification,
    checked_at: dt.datetime | None,
    subject: str | None,
    *,
    credential_status: CredentialStatus | None = None,
) -> ImportedCredential | None:
    """What a portfolio and the ledger keep of a credential's check (``checked_at``: the
    import's moment, default now; ``credential_status``: the record's, when the CLR
    carrying the credential has a status that was not checked); None for an invalid
    credential. A credential whose status was not checked is never kept as verified: when
    its own check passed but the CLR carrying it has a status, the check kept is
    ``unverifiable`` (``STATUS_UNCHECKED``), so the ledger records an unverified deposit."""
    if verification.status == "invalid":
        return None
    if checked_at is None:
        checked_at = dt.datetime.now(dt.UTC)
    unchecked = credential_status or verification.credential_status
    status, reason, message = verification.status, verification.reason, verification.message
    if unchecked == "unchecked" and status == "verified":
        status, reason = "unverifiable", "STATUS_UNCHECKED"
        message = (
            f"{message}, but the status (credentialStatus) of the CLR that carries it was "
            "not checked; accepted only because unchecked status was accepted explicitly"
        )

    def text(value: str | None) -> str | None:
        if not value:
            return None
        return value if len(value) <= _CHECK_TEXT else value[: _CHECK_TEXT - 1] + "…"

    return ImportedCredential(
        credential=text(verification.credential_id),
        issuer=text(verification.issuer),
        status=status,
        reason=reason,
        message=text(message),
        method=verification.method,
        issuer_trust=verification.issuer_trust,
        checked_at=checked_at.replace(tzinfo=dt.UTC) if checked_at.tzinfo is None else checked_at,
        subject=subject,
        credential_status=unchecked,
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
                record.verification,
                result.checked_at,
                record.subject_id,
                credential_status=record.credential_status,
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


def _accepted_subjects(imports: Iterable[BadgeImport]) -> set[str | None]:
    return {r.subject_id for i in imports for r in i.records if r.accepted and r.achievement}


def learner_of(imports: Iterable[BadgeImport]) -> str | None:
    """The one credential subject id all accepted achievements share, else None."""
    found = _accepted_subjects(imports)
    return found.pop() if len(found) == 1 and None not in found else None


IMPORTED_LEARNER = "imported-learner"
"""The learner of a portfolio of credentials that name no subject id."""


def import_portfolio(
    imports: Iterable[BadgeImport],
    learner: str | None = None,
    *,
    description: str | None = None,
) -> Portfolio:
    """The portfolio an import may write (``import badge -o``): every accepted
    achievement, of :func:`portfolio_learner`, with how each credential was checked.

    Raises :class:`InteropError` when none may be written: ``SEVERAL_SUBJECTS`` (see
    :func:`portfolio_learner`), ``IMPORT_FAILED`` when a file was rejected, a credential is
    invalid or an achievement ambiguous (a partial portfolio would hide it), and
    ``NOTHING_ACCEPTED`` when no achievement was accepted."""
    results = list(imports)
    owner = portfolio_learner(results, learner)
    if any(r.failed for r in results):
        raise InteropError(
            "IMPORT_FAILED",
            "a file was rejected, a credential is invalid or an achievement ambiguous",
        )
    portfolio = to_portfolio(results, owner, description=description)
    if not portfolio.achievements:
        raise InteropError(
            "NOTHING_ACCEPTED",
            "no achievement was accepted (see above why each was not), so there is no "
            "portfolio to write",
        )
    return portfolio


def portfolio_learner(imports: Iterable[BadgeImport], learner: str | None = None) -> str:
    """Whose portfolio the accepted achievements of ``imports`` make (``import badge -o``).

    ``learner`` when the caller names one (vouching that the subjects are one person);
    else the one credential subject all accepted achievements share, or
    :data:`IMPORTED_LEARNER` when they name no subject id. A portfolio is one learner's:
    accepted achievements of several subjects raise :class:`InteropError`
    (``SEVERAL_SUBJECTS``) unless ``learner`` is given."""
    if learner is not None:
        return learner
    results = list(imports)
    subjects = _accepted_subjects(results)
    if len(subjects) > 1:
        raise InteropError(
            "SEVERAL_SUBJECTS",
            f"the accepted achievements belong to {len(subjects)} credential subjects "
            f"({', '.join(sorted(str(s) for s in subjects))})",
        )
    return learner_of(results) or IMPORTED_LEARNER
