"""From an achievement of a credential to a unit of the standards, its level and results.

The institution's mapping file (:class:`BadgeMapping`, ``--map MAPPING.yaml``) and the
rules that read an Open Badges 3.0 achievement with it. Its spec:

* **Order means nothing.** ``alignment[]`` and ``result[]`` (and ``resultDescription[]``)
  are JSON-LD sets: reordering them keeps a credential's signature valid, so nothing read
  from them may depend on their order. Each is read in a canonical order (by its canonical
  JSON text) and every member is considered; the outcome — unit, level, score, grade,
  notes — is the same for every order.
* **The unit**, in tiers, the first that names one deciding: the mapping file's
  ``achievements:`` entry for the achievement id; the achievement id itself being a unit
  id (or ``urn:creditbank:unit:ID``); the mapping file's ``alignments:`` entries of any
  alignment's ``targetCode`` / ``targetUrl``; the built-in reading of every alignment
  (a ``urn:creditbank:unit:ID`` targetUrl, a targetCode that is a unit id, a course or
  1+X code, an occupation code). Within a tier, alignments that name different units
  (or one unit at different levels), or one targetCode that matches several units, make
  the achievement ambiguous: ``AMBIGUOUS_UNIT``, naming each unit and the alignment
  values behind it. Alignments that name no unit are no conflict.
* **Results**: a ``Percent`` result is the score, a ``LetterGrade`` the grade, an achieved
  rubric or performance level the level (unless the mapping file gives the level). Two
  results that disagree — different scores, grades or levels — make the achievement
  ambiguous: ``AMBIGUOUS_RESULT``, naming the values. Equal values (``87`` and ``87.0``)
  agree.
* An ambiguous achievement is reported, never guessed, and never accepted; an
  ``achievements:`` entry of the mapping file settles its unit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from creditbank.errors import LoadError
from creditbank.interop.errors import InteropError
from creditbank.interop.keys import public_key_from_multibase
from creditbank.loading.crosscheck import unit_framework, unit_levels
from creditbank.loading.yaml_reader import read_yaml_file
from creditbank.models import Standards
from creditbank.models.units import CourseUnit, SkillCertificateUnit, XCertificateUnit
from creditbank.models.values import IssuerRef, LevelName, Model, UnitRef, to_decimal

__all__ = [
    "UNIT_URN",
    "BadgeMapping",
    "ResultMatch",
    "TrustedIssuer",
    "UnitMatch",
    "UnitTarget",
    "as_list",
    "as_set",
    "load_mapping",
    "read_results",
    "text_of",
    "unit_for",
]

UNIT_URN = "urn:creditbank:unit:"
"""Achievement ids of the form ``urn:creditbank:unit:ID`` name creditbank unit ``ID``."""

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

    def label(self) -> str:
        """``UNIT`` or ``UNIT@LEVEL``."""
        return f"{self.unit}@{self.level}" if self.level is not None else str(self.unit)


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


# --------------------------------------------------------------------- reading


def as_list(value: Any) -> list[Any]:
    """A JSON-LD value as a list (absent: empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_set(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON-LD set (``alignment``, ``result`` …) in canonical order, so
    that nothing read from them depends on the order they are written in.

    >>> as_set([{"b": 1}, "x", {"a": 2}])
    [{'a': 2}, {'b': 1}]
    """
    objects = (v for v in as_list(value) if isinstance(v, dict))
    return sorted(objects, key=lambda v: json.dumps(v, sort_keys=True, default=str))


def text_of(value: Any) -> str | None:
    """A string, or the zh (else en, else any) string of a language map."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):  # a language map
        for key in ("zh", "zh-CN", "en", *value):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


# --------------------------------------------------------------------- the unit


@dataclass(frozen=True)
class UnitMatch:
    """The unit an achievement stands for and how it was found; or, with no target, why
    not (``how``) and, when the alignments disagree, the ``AMBIGUOUS_UNIT`` error."""

    target: UnitTarget | None
    how: str
    conflict: InteropError | None = None


def _decide(found: _Found, tier: str, achievement_id: str | None) -> UnitMatch | None:
    """One tier's answer: its one target, an ambiguity, or None when it names no unit."""
    if not found:
        return None
    if len(found) == 1:
        ((target, how),) = found.items()
        return UnitMatch(target, tier.format(", ".join(sorted(how))))
    named = "; ".join(
        f"{target.label()} (by {', '.join(sorted(how))})"
        for target, how in sorted(found.items(), key=lambda item: item[0].label())
    )
    settle = (
        f"map achievement {achievement_id} to its unit in the mapping file's achievements: section"
        if achievement_id is not None
        else "the achievement has no id, so ask its issuer to align it with one unit"
    )
    message = (
        f"its alignments name {len(found)} different units — {named}; it is not imported "
        f"(the order of alignments means nothing, so none is chosen): {settle}"
    )
    return UnitMatch(None, message, InteropError("AMBIGUOUS_UNIT", message))


_Found = dict[UnitTarget, set[str]]
"""Each unit an alignment names, with the alignment values that name it."""


def _by_mapping(alignments: list[dict[str, Any]], mapping: BadgeMapping) -> _Found:
    found: _Found = {}
    for alignment in alignments:
        for key in ("targetCode", "targetUrl"):
            value = alignment.get(key)
            if isinstance(value, str) and value in mapping.alignments:
                found.setdefault(mapping.alignments[value], set()).add(f"{key} {value!r}")
    return found


def _by_reading(alignments: list[dict[str, Any]], standards: Standards) -> _Found:
    """The units the alignments name by themselves: a unit URN, a unit id, a course or 1+X
    code, an occupation code (a code that matches several units names them all)."""
    units = standards.units
    found: _Found = {}
    for alignment in alignments:
        url, code = alignment.get("targetUrl"), alignment.get("targetCode")
        named = url.removeprefix(UNIT_URN) if isinstance(url, str) else None
        if named is not None and named != url and named in units:
            found.setdefault(UnitTarget(unit=named), set()).add(f"targetUrl {url!r}")
        if not isinstance(code, str):
            continue
        if code in units:
            found.setdefault(UnitTarget(unit=code), set()).add(f"targetCode {code!r} (unit id)")
            continue
        by_code = [
            u.id
            for u in units.values()
            if isinstance(u, CourseUnit | XCertificateUnit) and u.code == code
        ]
        by_occupation = [
            u.id
            for u in units.values()
            if isinstance(u, SkillCertificateUnit)
            and (occ := standards.occupations.get(u.occupation)) is not None
            and occ.code == code
        ]
        for unit in by_code or by_occupation:
            found.setdefault(UnitTarget(unit=unit), set()).add(f"targetCode {code!r}")
    return found


def unit_for(
    achievement: Mapping[str, Any], standards: Standards, mapping: BadgeMapping
) -> UnitMatch:
    """The unit an achievement stands for, by the tiers of the module's spec: the same for
    every order of its alignments, or ``AMBIGUOUS_UNIT`` when they disagree."""
    units = standards.units
    ident = achievement.get("id")
    achievement_id = ident if isinstance(ident, str) else None
    if achievement_id is not None:
        if achievement_id in mapping.achievements:
            return UnitMatch(mapping.achievements[achievement_id], "mapping file (achievements)")
        candidate = achievement_id.removeprefix(UNIT_URN)
        if candidate in units:
            return UnitMatch(UnitTarget(unit=candidate), "achievement id")
    alignments = as_set(achievement.get("alignment"))
    for tier, found in (
        ("mapping file (alignments, {})", _by_mapping(alignments, mapping)),
        ("alignment {}", _by_reading(alignments, standards)),
    ):
        decided = _decide(found, tier, achievement_id)
        if decided is not None:
            return decided
    return UnitMatch(
        None,
        "matches no unit of the standards; add it to the mapping file's achievements: "
        "(by achievement id) or alignments: (by targetCode/targetUrl) section",
    )


# --------------------------------------------------------------------- results


@dataclass
class ResultMatch:
    """Score, grade and level read from every result; ``conflict`` when they disagree."""

    fields: dict[str, Any] = field(default_factory=dict)
    level: str | None = None
    conflict: InteropError | None = None


def level_name(raw: str, unit_id: str, standards: Standards, mapping: BadgeMapping) -> str | None:
    """The level id of unit ``unit_id`` that ``raw`` names (through the mapping's
    ``levels:``), or None."""
    name = mapping.levels.get(raw, raw)
    framework = unit_framework(standards, unit_id)
    if framework is None:
        return None
    level = framework.level(name)
    allowed = unit_levels(standards, unit_id) or ()
    return level.id if level is not None and level.id in allowed else None


def _grade_scale(grade: str, standards: Standards) -> tuple[bool, str | None]:
    scales = [
        s.id
        for s in standards.grade_scales.values()
        if s.kind == "ordinal" and s.grade(grade) is not None
    ]
    return bool(scales), scales[0] if len(scales) == 1 else None


@dataclass
class _Seen:
    """Each value a result gave, with the results that gave it (insertion: canonical order)."""

    levels: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[Decimal, list[str]] = field(default_factory=dict)
    grades: dict[str, list[str]] = field(default_factory=dict)
    scales: dict[str, str | None] = field(default_factory=dict)


def read_results(
    subject: Mapping[str, Any],
    achievement: Mapping[str, Any],
    *,
    unit_id: str,
    level: str | None,
    standards: Standards,
    mapping: BadgeMapping,
    notes: list[str],
) -> ResultMatch:
    """Score, grade and level from every result of the subject (``level``: the mapping's,
    which results do not override); what cannot be used goes to ``notes``. Results that
    disagree give ``AMBIGUOUS_RESULT``, naming the values."""
    descriptions: dict[str, dict[str, Any]] = {}
    for rd in as_set(achievement.get("resultDescription")):
        if isinstance(rd.get("id"), str):
            descriptions.setdefault(rd["id"], rd)
    seen = _Seen()
    for result in as_set(subject.get("result")):
        rd = descriptions.get(str(result.get("resultDescription")), {})
        kind = rd.get("resultType")
        label = text_of(rd.get("name")) or str(result.get("resultDescription") or "result")
        value = result.get("value")
        achieved = result.get("achievedLevel")
        if isinstance(achieved, str) or kind in _LEVEL_TYPES:
            rubric: dict[str, dict[str, Any]] = {}
            for lvl in as_set(rd.get("rubricCriterionLevel")):
                if isinstance(lvl.get("id"), str):
                    rubric.setdefault(lvl["id"], lvl)
            entry = rubric.get(achieved, {}) if isinstance(achieved, str) else {}
            raw = entry.get("level") or text_of(entry.get("name")) or value
            found = level_name(str(raw), unit_id, standards, mapping) if raw is not None else None
            if found is None:
                notes.append(f"result {label!r}: level {raw!r} is not a level of unit {unit_id}")
            else:
                seen.levels.setdefault(found, []).append(f"{label!r} {raw!r}")
        elif kind in _SCORE_TYPES and value is not None:
            try:
                score = to_decimal(str(value).strip().rstrip("%"), what="score")
            except ValueError as error:
                notes.append(f"result {label!r}: score {value!r} not usable ({error})")
            else:
                seen.scores.setdefault(score, []).append(f"{label!r} {value!r}")
        elif kind in _GRADE_TYPES and isinstance(value, str):
            known, scale = _grade_scale(value, standards)
            if not known:
                notes.append(
                    f"result {label!r}: grade {value!r} is on no grade scale of the standards"
                )
                continue
            seen.grades.setdefault(value, []).append(f"{label!r} {value!r}")
            seen.scales[value] = scale
        else:
            notes.append(
                f"result {label!r} ({kind or 'no resultType'}: {value!r}) not mapped: creditbank "
                "records percent scores, named grades and levels"
            )
    return _settle(seen, level, unit_id, notes)


def _settle(seen: _Seen, level: str | None, unit_id: str, notes: list[str]) -> ResultMatch:
    match = ResultMatch(level=level)
    disagreements: list[str] = []
    if level is not None and set(seen.levels) - {level}:
        notes.append(
            f"the results name level {', '.join(sorted(seen.levels))}; the mapping file's "
            f"level {level} of unit {unit_id} is used"
        )
    elif len(seen.levels) > 1:
        disagreements.append(_named("levels", seen.levels))
    elif seen.levels:
        match.level = next(iter(seen.levels))
    if len(seen.scores) > 1:
        disagreements.append(_named("scores", seen.scores))
    elif seen.scores:
        match.fields["score"] = next(iter(seen.scores))
    if len(seen.grades) > 1:
        disagreements.append(_named("grades", seen.grades))
    elif seen.grades:
        (grade,) = seen.grades
        match.fields["grade"] = grade
        if seen.scales[grade]:
            match.fields["scale"] = seen.scales[grade]
    if disagreements:
        message = (
            f"its results disagree — {'; '.join(disagreements)}; it is not imported (the "
            "order of results means nothing, so none is chosen): ask its issuer for a "
            "credential whose results agree"
        )
        match.conflict = InteropError("AMBIGUOUS_RESULT", message)
    return match


def _named(what: str, values: Mapping[Any, list[str]]) -> str:
    shown = [
        f"{value} (from {', '.join(sources)})"
        for value, sources in sorted(values.items(), key=lambda item: str(item[0]))
    ]
    return f"{len(values)} different {what}: {', '.join(shown)}"
