"""Credential Engine CTDL (JSON-LD): programmes, certificates and conversion rules.

:func:`export_ctdl` writes a ``@graph`` of CTDL resources:

* each programme as a credential — ``ceterms:AssociateDegree`` (高职专科),
  ``ceterms:BachelorDegree`` (职业本科, 本科), ``ceterms:MasterDegree``, otherwise
  ``ceterms:Certificate`` — owned by its school (``ceterms:CredentialOrganization``), whose
  requirement groups are ``ceterms:requires`` ConditionProfiles naming their courses and the
  credits they need;
* each course as ``ceterms:Course`` with ``ceterms:creditValue``, a ValueProfile whose
  ``ceterms:creditUnitType`` is ``creditUnit:DegreeCredit`` (学分; also used for ECTS, with
  a description saying so) or ``creditUnit:ClockHour`` (学时);
* certificates the rules accept: skill certificates as ``ceterms:Certification``, 1+X
  certificates, awards and other units as ``ceterms:Certificate``, training as
  ``ceterms:LearningOpportunityProfile``;
* each conversion rule as a ``ceterms:TransferValueProfile``: ``ceterms:transferValue``
  (ValueProfiles of the credit it grants), ``ceterms:transferValueFrom`` (the units its
  condition selects), ``ceterms:transferValueFor`` (the courses it exempts, or the
  programme), ``ceterms:startDate`` / ``ceterms:endDate`` (the rule's effective dates).

CTIDs are ``ce-`` + UUIDv5 of the creditbank id, stable across exports. Resource ids are
``id_base`` + CTID (default ``urn:ctid:``); pass the registry's resource URL to publish.
Names are language maps (``zh-CN``, ``en-US``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any, assert_never

from creditbank.engine.index import selects_unit
from creditbank.interop.errors import InteropError
from creditbank.models import (
    AllOf,
    AnyOf,
    AwardUnit,
    Condition,
    CourseCredits,
    CourseUnit,
    ExemptCourses,
    HoursToCredits,
    Label,
    Match,
    NOf,
    Program,
    RequirementCredits,
    Rule,
    SkillCertificateUnit,
    Standards,
    TrainingUnit,
    Unit,
    XCertificateUnit,
)
from creditbank.models.values import CreditValue, share_of, share_text

__all__ = ["CTDL_CONTEXT", "ctid", "export_ctdl"]

CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
_NAMESPACE = uuid.UUID("0b8d6a55-4a5e-5c39-8f0e-3c2f9d7e1a21")
_CREDENTIAL_TYPES = {
    "higher_vocational": "ceterms:AssociateDegree",
    "vocational_bachelor": "ceterms:BachelorDegree",
    "bachelor": "ceterms:BachelorDegree",
    "master": "ceterms:MasterDegree",
}


def ctid(kind: str, ident: str) -> str:
    """The CTID creditbank gives an item: ``ce-`` + UUIDv5 of ``kind:id``.

    >>> ctid("program", "demo-college:460301")[:3]
    'ce-'
    """
    return "ce-" + str(uuid.uuid5(_NAMESPACE, f"{kind}:{ident}"))


def _lang(label: Label | str | None) -> dict[str, str] | None:
    if label is None:
        return None
    if isinstance(label, str):
        return {"zh-CN": label}
    out = {}
    if label.zh:
        out["zh-CN"] = label.zh
    if label.en:
        out["en-US"] = label.en
    return out


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _unit_type(unit: str) -> dict[str, Any]:
    node, name = ("creditUnit:ClockHour", "Clock Hour") if unit == "hour" else (
        "creditUnit:DegreeCredit", "Degree Credit")  # fmt: skip
    return {
        "@type": "ceterms:CredentialAlignmentObject",
        "ceterms:framework": "https://credreg.net/ctdl/terms/CreditUnit",
        "ceterms:frameworkName": {"en-US": "Credit Unit"},
        "ceterms:targetNode": node,
        "ceterms:targetNodeName": {"en-US": name},
    }


def _value(
    value: Decimal | None = None,
    unit: str = "credit",
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "@type": "ceterms:ValueProfile",
        "ceterms:creditUnitType": [_unit_type(unit)],
    }
    if value is not None:
        profile["schema:value"] = _number(value)
    if minimum is not None:
        profile["schema:minValue"] = _number(minimum)
    if maximum is not None:
        profile["schema:maxValue"] = _number(maximum)
    notes = [description] if description else []
    if unit == "ects":
        notes.append("ECTS credits")
    if notes:
        profile["ceterms:description"] = {"en-US": "; ".join(notes)}
    return profile


def _credit_value(credits: CreditValue) -> dict[str, Any]:
    return _value(credits.amount, credits.unit)


class _Graph:
    def __init__(
        self, standards: Standards, id_base: str, only: frozenset[str] | None = None
    ) -> None:
        self.standards = standards
        self.id_base = id_base
        self.only = only  # the programmes a shared rule may name (None: all of them)
        self.resources: dict[str, dict[str, Any]] = {}

    def ref(self, kind: str, ident: str) -> str:
        return self.id_base + ctid(kind, ident)

    def organization(self, issuer_id: str | None) -> str | None:
        if issuer_id is None:
            return None
        ref = self.ref("issuer", issuer_id)
        if ref not in self.resources:
            issuer = self.standards.issuers.get(issuer_id)
            self.resources[ref] = {
                "@id": ref,
                "@type": "ceterms:CredentialOrganization",
                "ceterms:ctid": ctid("issuer", issuer_id),
                "ceterms:name": _lang(issuer.name if issuer else issuer_id),
            }
        return ref

    def unit(self, unit: Unit) -> str:
        ref = self.ref("unit", unit.id)
        if ref in self.resources:
            return ref
        resource: dict[str, Any] = {
            "@id": ref,
            "ceterms:ctid": ctid("unit", unit.id),
            "ceterms:name": _lang(unit.name),
        }
        if unit.description is not None:
            resource["ceterms:description"] = _lang(unit.description)
        if isinstance(unit, CourseUnit):
            resource["@type"] = "ceterms:Course"
            if unit.code:
                resource["ceterms:codedNotation"] = unit.code
            owner = self.organization(unit.school)
        elif isinstance(unit, SkillCertificateUnit):
            resource["@type"] = "ceterms:Certification"
            occupation = self.standards.occupations.get(unit.occupation)
            if occupation is not None:
                resource["ceterms:occupationType"] = [
                    {
                        "@type": "ceterms:CredentialAlignmentObject",
                        "ceterms:frameworkName": {
                            "zh-CN": f"中华人民共和国职业分类大典（{occupation.edition}年版）"
                        },
                        "ceterms:codedNotation": occupation.code,
                        "ceterms:targetNodeName": _lang(occupation.name),
                    }
                ]
            owner = None
        elif isinstance(unit, TrainingUnit):
            resource["@type"] = "ceterms:LearningOpportunityProfile"
            owner = self.organization(unit.provider)
        else:
            resource["@type"] = "ceterms:Certificate"
            owner = self.organization(
                unit.awarding_body if isinstance(unit, XCertificateUnit) else
                unit.organiser if isinstance(unit, AwardUnit) else None
            )  # fmt: skip
        if owner is not None:
            resource["ceterms:ownedBy"] = [owner]
        if unit.credits is not None:
            resource["ceterms:creditValue"] = [_credit_value(unit.credits)]
        elif unit.hours is not None:
            resource["ceterms:creditValue"] = [_value(unit.hours, "hour")]
        source = unit.source
        if source is not None and source.url:
            resource["ceterms:subjectWebpage"] = source.url
        self.resources[ref] = resource
        return ref

    def program(self, program: Program) -> str:
        ref = self.ref("program", program.id)
        requires = []
        for requirement in program.requirements:
            condition: dict[str, Any] = {
                "@type": "ceterms:ConditionProfile",
                "ceterms:name": _lang(requirement.name),
                "ceterms:description": {
                    "en-US": f"requirement {requirement.id} ({requirement.kind})"
                },
            }
            if requirement.courses:
                condition["ceterms:targetLearningOpportunity"] = [
                    self.unit(self.standards.units[c])
                    for c in requirement.courses
                    if c in self.standards.units
                ]
            if requirement.min_credits is not None:
                condition["ceterms:creditValue"] = [
                    _value(
                        minimum=requirement.min_credits,
                        maximum=requirement.max_credits,
                        unit=_program_unit(program),
                    )
                ]
            requires.append(condition)
        resource: dict[str, Any] = {
            "@id": ref,
            "@type": _CREDENTIAL_TYPES.get(program.education_level, "ceterms:Certificate"),
            "ceterms:ctid": ctid("program", program.id),
            "ceterms:name": _lang(program.name),
            "ceterms:inLanguage": ["zh"],
            "ceterms:credentialStatusType": {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:framework": "https://credreg.net/ctdl/terms/CredentialStatus",
                "ceterms:targetNode": "credentialStat:Active",
            },
            "ceterms:creditValue": [_value(program.total_credits, _program_unit(program))],
            "ceterms:requires": requires,
        }
        if program.code:
            resource["ceterms:identifier"] = [
                {
                    "@type": "ceterms:IdentifierValue",
                    "ceterms:identifierTypeName": {"zh-CN": "专业代码", "en-US": "Programme code"},
                    "ceterms:identifierValueCode": program.code,
                }
            ]
        if program.description is not None:
            resource["ceterms:description"] = _lang(program.description)
        owner = self.organization(program.school)
        if owner is not None:
            resource["ceterms:ownedBy"] = [owner]
            resource["ceterms:offeredBy"] = [owner]
        if program.source is not None and program.source.url:
            resource["ceterms:subjectWebpage"] = program.source.url
        self.resources[ref] = resource
        return ref

    def rule(self, rule: Rule) -> None:
        ref = self.ref("rule", rule.id)
        programs = [
            self.standards.programs[p]
            for p in rule.programs
            if p in self.standards.programs and (self.only is None or p in self.only)
        ]
        for program in programs:  # a rule shared by several programmes names each of them
            if self.ref("program", program.id) not in self.resources:
                self.program(program)
        resource: dict[str, Any] = {
            "@id": ref,
            "@type": "ceterms:TransferValueProfile",
            "ceterms:ctid": ctid("rule", rule.id),
            "ceterms:name": _lang(rule.name),
            "ceterms:description": {"en-US": _describe_condition(rule.when)},
            "ceterms:transferValue": _transfer_value(rule, programs, self.standards),
            "ceterms:transferValueFrom": [
                self.unit(unit) for unit in _selected_units(rule.when, self.standards)
            ],
            "ceterms:transferValueFor": [
                *(
                    self.unit(self.standards.units[c])
                    for c in _target_courses(rule, programs, self.standards)
                ),
                *(
                    self.ref("program", p.id)
                    for p in programs
                    if rule.then.credited_requirement() is not None
                ),
            ],
        }
        if rule.effective_from is not None:
            resource["ceterms:startDate"] = rule.effective_from.isoformat()
        if rule.effective_until is not None:
            resource["ceterms:endDate"] = rule.effective_until.isoformat()
        owners = [self.organization(p.school) for p in programs if p.school]
        if owners:
            resource["ceterms:ownedBy"] = sorted({o for o in owners if o})
        if rule.source is not None and rule.source.url:
            resource["ceterms:subjectWebpage"] = rule.source.url
        self.resources[ref] = resource


def _program_unit(program: Program) -> str:
    return "ects" if program.credit_unit == "ects" else "credit"


def _selected_units(condition: Condition, standards: Standards) -> list[Unit]:
    found: dict[str, Unit] = {}
    for match in condition.matches():
        for unit in standards.units.values():
            if selects_unit(match, unit, standards):
                found.setdefault(unit.id, unit)
    return list(found.values())


def _describe_condition(condition: Condition) -> str:
    match condition:
        case Match():
            return _describe_match(condition)
        case AllOf():
            return "all of (" + ") and (".join(map(_describe_condition, condition.all_of)) + ")"
        case AnyOf():
            return "any of (" + ") or (".join(map(_describe_condition, condition.any_of)) + ")"
        case NOf():
            return f"{condition.n} of (" + "), (".join(map(_describe_condition, condition.of)) + ")"
        case _:
            assert_never(condition)


def _describe_match(condition: Match) -> str:
    parts = []
    for name in ("units", "unit_kinds", "occupations", "families", "tags"):
        value = getattr(condition, name)
        if value:
            parts.append(f"{name}: {', '.join(map(str, value))}")
    if condition.level is not None:
        level = condition.level
        if level.one_of:
            parts.append(f"level one of {', '.join(level.one_of)}")
        if level.at_least:
            parts.append(f"level at least {level.at_least}")
        if level.at_most:
            parts.append(f"level at most {level.at_most}")
    if condition.grade is not None:
        parts.append(f"grade {condition.grade.band()}")
    if condition.earned_within is not None:
        within = condition.earned_within
        parts.append(f"earned within {within.years} years {within.months} months")
    if condition.min_hours is not None:
        parts.append(f"at least {condition.min_hours} hours")
    return "; ".join(parts) or "any achievement"


def _program_courses(programs: list[Program], standards: Standards) -> list[CourseUnit]:
    out: dict[str, CourseUnit] = {}
    for program in programs:
        for course in program.course_ids():
            unit = standards.units.get(course)
            if isinstance(unit, CourseUnit):
                out.setdefault(course, unit)
    return list(out.values())


def _target_courses(rule: Rule, programs: list[Program], standards: Standards) -> list[str]:
    target = rule.then
    chosen = [c for c in target.named_courses() if c in standards.units]
    if target.kind != "exempt_courses":
        return chosen
    for course in _program_courses(programs, standards):
        in_requirement = any(
            (r := p.requirement(req)) is not None and course.id in r.courses
            for p in programs
            for req in target.requirements
        )
        if (target.course_types and course.course_type in target.course_types) or in_requirement:
            chosen.append(course.id)
    return list(dict.fromkeys(chosen))


def _transfer_value(
    rule: Rule, programs: list[Program], standards: Standards
) -> list[dict[str, Any]]:
    target = rule.then
    unit = _program_unit(programs[0]) if programs else "credit"
    match target:
        case ExemptCourses():
            return _exemption_value(target, unit, rule, programs, standards)
        case RequirementCredits():
            return _credits_value(target, unit)
        case HoursToCredits():
            return _hours_value(target, unit, programs)
        case CourseCredits():
            return _partial_value(target, unit, standards)
        case _:
            assert_never(target)


def _exemption_value(
    target: ExemptCourses, unit: str, rule: Rule, programs: list[Program], standards: Standards
) -> list[dict[str, Any]]:
    """The credits of the courses an exemption completes: all, or a range of up to some."""
    credits = sorted(
        (
            standards.units[c].credits.amount  # type: ignore[union-attr]
            for c in _target_courses(rule, programs, standards)
            if getattr(standards.units[c], "credits", None) is not None
        ),
        reverse=True,
    )
    if target.choose == "all":
        return [_value(sum(credits, Decimal(0)), unit, description="course exemption")]
    count = target.max_courses or len(credits)
    return [
        _value(
            minimum=credits[-1] if credits else Decimal(0),
            maximum=sum(credits[:count], Decimal(0)),
            unit=unit,
            description=f"exemption of up to {count} of the courses",
        )
    ]


def _credits_value(target: RequirementCredits, unit: str) -> list[dict[str, Any]]:
    """Credits into a requirement: fixed, per level, or the unit's own."""
    if target.credits is not None:
        return [_value(target.credits, unit, description=f"credits into {target.requirement}")]
    if target.credits_by_level:
        return [
            _value(
                entry.credits,
                unit,
                description=f"credits into {target.requirement} at level {entry.level}",
            )
            for entry in target.credits_by_level
        ]
    return [
        _value(
            unit=unit,
            description=(
                f"credits into {target.requirement}: the unit's {target.from_unit} credits"
            ),
        )
    ]


def _hours_value(
    target: HoursToCredits, unit: str, programs: list[Program]
) -> list[dict[str, Any]]:
    """Hours converted at a rate, up to the rule's maximum."""
    rate = target.hours_per_credit or (programs[0].hours_per_credit if programs else None)
    return [
        _value(
            unit=unit,
            maximum=target.max_credits,
            description=f"hours converted at {rate} hours per credit into {target.requirement}"
            f" (rounded {target.rounding} to {target.step})",
        )
    ]


def _partial_value(target: CourseCredits, unit: str, standards: Standards) -> list[dict[str, Any]]:
    """Partial credit towards a course: fixed, or a share of the course's credits."""
    if target.credits is not None:
        return [_value(target.credits, unit, description=f"partial credit towards {target.course}")]
    course = standards.units.get(target.course)
    base = course.credits.amount if course is not None and course.credits is not None else None
    share = target.share or Fraction(0)
    return [
        _value(
            share_of(base, share) if base is not None else None,
            unit,
            description=f"{share_text(share)} of {target.course}",
        )
    ]


def export_ctdl(
    standards: Standards,
    programs: Iterable[str] | None = None,
    *,
    certificates: bool = False,
    id_base: str = "urn:ctid:",
    related: bool = False,
) -> dict[str, Any]:
    """A CTDL JSON-LD graph of programmes (default: all), their courses and rules.

    With ``certificates=True`` every skill and 1+X certificate of the standards is included,
    not only those the rules accept. A rule shared with programmes not asked for is
    exported for the chosen ones only, unless ``related=True``: then those programmes are
    exported too, and the rule names them all.
    """
    chosen = list(programs) if programs is not None else list(standards.programs)
    resolved = [_program_id(standards, wanted) for wanted in chosen]
    graph = _Graph(standards, id_base, None if related else frozenset(resolved))
    for program_id in resolved:
        graph.program(standards.programs[program_id])
        for rule in standards.rules.values():
            if program_id in rule.programs:
                graph.rule(rule)
    if certificates:
        for unit in standards.units.values():
            if isinstance(unit, SkillCertificateUnit | XCertificateUnit):
                graph.unit(unit)
    return {"@context": CTDL_CONTEXT, "@graph": list(graph.resources.values())}


def _program_id(standards: Standards, wanted: str) -> str:
    """A programme id, or the id of the one programme with catalogue code ``wanted``."""
    if wanted in standards.programs:
        return wanted
    coded = [p.id for p in standards.programs.values() if p.code == wanted]
    if len(coded) != 1:
        raise InteropError("UNKNOWN_ITEM", f"{wanted!r} is not a programme of the standards")
    return coded[0]
