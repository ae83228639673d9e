"""Build the standards graph: a networkx ``MultiDiGraph`` of levels, occupations, units,
programmes and requirements, linked by typed edges (see :mod:`creditbank.graph.edges`).

Every node has ``kind`` (:data:`~creditbank.graph.nodes.NodeKind`), ``item`` (the id of the
standards item it stands for) and ``label``; every edge has ``type``. Attribute values are
text, numbers or booleans only, so the graph exports to GraphML as it is. Credits are
written as exact decimal text (``"1.5"``).

``convertsTo`` edges come from rules, one per (rule, programme, selected unit, target): the
target is a course of the programme (exemption, partial credit) or one of its requirements
(credits, hours); the edge carries ``rule``, ``program``, ``kind``, ``credits``, ``levels``
(the level window), ``conditions`` and, for combinations, ``combination``. A unit whose
credit the credit bank recognised (``recognised_credits``) gets a ``recognition`` node; a
conversion that may give no more than the bank recognised (a ``within_recognised`` cap, or
credits ``from_unit: recognised``) starts there, so rule R3 is a property of the chain
``certificate -> recognised by the bank -> course``.

>>> import creditbank
>>> g = build_graph(creditbank.load_standards(creditbank.bundled_standards_path()))
>>> g.graph.nodes["unit:course:plc-application"]["kind"]
'unit'
>>> sorted({d["rule"] for _, v, d in g.graph.in_edges("unit:course:plc-application", data=True)
...         if d["type"] == "convertsTo"})
['liming:plc-training', 'r4:plc:advanced', 'r4:plc:intermediate']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations, pairwise
from typing import Any, Literal, assert_never

import networkx as nx  # type: ignore[import-untyped]

from creditbank.engine.editions import editions
from creditbank.graph.edges import EdgeType
from creditbank.graph.nodes import (
    framework_node,
    level_node,
    occupation_node,
    program_node,
    recognition_node,
    requirement_node,
    unit_node,
)
from creditbank.graph.select import (
    combination_kind,
    condition_notes,
    course_credits,
    course_requirement,
    level_window_text,
    levels_in_window,
    max_credits_per_use,
    occupations_of,
    selected_units,
    target_courses,
)
from creditbank.graph.serial import text
from creditbank.loading.crosscheck import unit_framework, unit_levels
from creditbank.models import (
    Cap,
    CourseCredits,
    CourseUnit,
    ExemptCourses,
    HoursToCredits,
    Program,
    RequirementCredits,
    Rule,
    Standards,
)
from creditbank.models.units import SkillCertificateUnit, UnitBase

__all__ = ["StandardsGraph", "build_graph", "text"]


@dataclass(frozen=True)
class StandardsGraph:
    """The graph of one set of standards; ``graph`` is a networkx ``MultiDiGraph``."""

    standards: Standards
    graph: Any

    def edges(self, edge_type: EdgeType) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """Every edge of one type as ``(source, target, key, attributes)``."""
        for source, target, key, data in self.graph.edges(keys=True, data=True):
            if data["type"] == edge_type:
                yield source, target, key, data

    def rule_edges(self, program: str | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """``convertsTo`` edges made by rules (of one programme), as ``(source, target, data)``."""
        for source, target, _, data in self.edges("convertsTo"):
            if "rule" in data and (program is None or data["program"] == program):
                yield source, target, data


def build_graph(standards: Standards) -> StandardsGraph:
    """The standards graph of ``standards`` (see the module documentation)."""
    builder = _Builder(standards)
    builder.frameworks()
    builder.occupations()
    builder.units()
    builder.programs()
    builder.rules()
    return StandardsGraph(standards, builder.g)


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if v is not None and v != ""}


class _Builder:
    def __init__(self, standards: Standards) -> None:
        self.s = standards
        self.g = nx.MultiDiGraph(name="creditbank standards", fingerprint=standards.fingerprint())

    def node(self, node: str, **attributes: Any) -> None:
        self.g.add_node(node, **_clean(attributes))

    def edge(self, source: str, target: str, edge_type: EdgeType, key: str, **attrs: Any) -> None:
        self.g.add_edge(source, target, key=key, type=edge_type, **_clean(attrs))

    # ------------------------------------------------------------- frameworks
    def frameworks(self) -> None:
        for framework in self.s.frameworks.values():
            fw = framework_node(framework.id)
            self.node(
                fw,
                kind="framework",
                item=framework.id,
                label=framework.name.text("zh"),
                label_en=framework.name.en,
                scale=framework.scale,
            )
            ordered = framework.ordered()
            for level in ordered:
                node = level_node(framework.id, level.id)
                self.node(
                    node,
                    kind="level",
                    item=framework.id,
                    level=level.id,
                    rank=level.rank,
                    label=level.name.text("zh"),
                    label_en=level.name.en,
                )
                self.edge(node, fw, "isChildOf", "isChildOf")
            for low, high in pairwise(ordered):
                self.edge(
                    level_node(framework.id, low.id),
                    level_node(framework.id, high.id),
                    "precedes",
                    "rank",
                    basis="rank",
                )
        for framework in self.s.frameworks.values():
            for level in framework.levels:
                for pointer in level.same_as:
                    other = self.s.frameworks.get(pointer.framework)
                    found = other.level(pointer.level) if other else None
                    if other is None or found is None:
                        continue
                    self.edge(
                        level_node(framework.id, level.id),
                        level_node(other.id, found.id),
                        "exactMatchOf",
                        "same_as",
                        basis="same_as",
                    )

    # ------------------------------------------------------------ occupations
    def occupations(self) -> None:
        for occupation in self.s.occupations.values():
            node = occupation_node(occupation.id)
            self.node(
                node,
                kind="occupation",
                item=occupation.id,
                code=occupation.code,
                edition=occupation.edition,
                label=occupation.name.text("zh"),
                label_en=occupation.name.en,
                digital=occupation.digital or None,
            )
            framework = (
                self.s.frameworks.get(occupation.framework) if occupation.framework else None
            )
            if framework is not None:
                wanted = {lv.id for n in occupation.levels if (lv := framework.level(n))}
                for level in framework.ordered():
                    if not wanted or level.id in wanted:
                        self.edge(
                            node,
                            level_node(framework.id, level.id),
                            "hasSkillLevel",
                            "hasSkillLevel",
                        )
        for occupation in self.s.occupations.values():
            for successor in occupation.replaced_by:
                if successor in self.s.occupations:
                    self.edge(
                        occupation_node(occupation.id),
                        occupation_node(successor),
                        "replacedBy",
                        "replacedBy",
                    )

    # ------------------------------------------------------------------ units
    def units(self) -> None:
        for unit in self.s.units.values():
            self.unit(unit)
        self.equivalent_units()

    def unit(self, unit: UnitBase) -> None:
        node = unit_node(unit.id)
        credits = unit.credits
        self.node(
            node,
            kind="unit",
            item=unit.id,
            unit_kind=unit.kind,
            label=unit.name.text("zh"),
            label_en=unit.name.en,
            family=unit.family,
            credits=_credit_value(credits.amount, credits.unit) if credits is not None else None,
            hours=text(unit.hours) if unit.hours is not None else None,
            course_type=unit.course_type if isinstance(unit, CourseUnit) else None,
            school=str(unit.school) if isinstance(unit, CourseUnit) and unit.school else None,
            example=unit.example or None,
        )
        framework = unit_framework(self.s, unit.id)
        for level in unit_levels(self.s, unit.id) or ():
            assert framework is not None
            self.edge(node, level_node(framework.id, level), "hasSkillLevel", "hasSkillLevel")
        for occupation in sorted(occupations_of(unit)):
            if occupation in self.s.occupations:
                self.edge(node, occupation_node(occupation), "isRelatedTo", "occupation")
        if isinstance(unit, CourseUnit):
            for before in unit.prerequisites:
                if before in self.s.units:
                    self.edge(
                        unit_node(before), node, "precedes", "prerequisite", basis="prerequisite"
                    )
        if unit.recognised_credits:
            table = ", ".join(
                f"{entry.level}: {text(entry.credits)}" if entry.level else text(entry.credits)
                for entry in unit.recognised_credits
            )
            banks = sorted(i.id for i in self.s.issuers.values() if i.kind == "credit_bank")
            recognised = recognition_node(unit.id)
            self.node(
                recognised,
                kind="recognition",
                item=unit.id,
                label=f"学分银行认定 {table}",
                label_en=f"recognised by the credit bank: {table}",
                credits=table,
            )
            self.edge(
                node,
                recognised,
                "convertsTo",
                "recognised",
                kind="recognised",
                unit=unit.id,
                credits=table,
                by=", ".join(banks),
                label=f"认定 {table}",
            )

    def equivalent_units(self) -> None:
        """Units counted once: one family (similar), or certificates of one occupation under
        codes of different editions (one outcome, see :mod:`creditbank.engine.editions`)."""
        pairs: dict[tuple[str, str], list[str]] = {}
        families: dict[str, list[str]] = {}
        for unit in self.s.units.values():
            if unit.family:
                families.setdefault(unit.family, []).append(unit.id)
        for family, members in families.items():
            for a, b in combinations(sorted(members), 2):
                pairs.setdefault((a, b), []).append(f"family {family}")
        for units in editions(self.s).members.values():  # one outcome: the engine's answer
            for a, b in combinations(units, 2):
                pairs.setdefault((a, b), []).append(_same_occupation_basis(self.s, a, b))
        for (a, b), bases in sorted(pairs.items()):
            basis = "; ".join(bases)
            self.edge(unit_node(a), unit_node(b), "exactMatchOf", "equivalent", basis=basis)

    # --------------------------------------------------------------- programmes
    def programs(self) -> None:
        for program in self.s.programs.values():
            node = program_node(program.id)
            self.node(
                node,
                kind="program",
                item=program.id,
                code=program.code,
                label=program.name.text("zh"),
                label_en=program.name.en,
                total_credits=text(program.total_credits),
                school=str(program.school) if program.school else None,
            )
            for requirement in program.requirements:
                req = requirement_node(program.id, requirement.id)
                minimum = requirement.min_credits
                self.node(
                    req,
                    kind="requirement",
                    item=program.id,
                    requirement=requirement.id,
                    requirement_kind=requirement.kind,
                    label=requirement.name.text("zh"),
                    label_en=requirement.name.en,
                    min_credits=text(minimum) if minimum is not None else None,
                    course_types=", ".join(requirement.course_types),
                )
                self.edge(req, node, "isChildOf", "isChildOf")
                for course in requirement.courses:
                    if course in self.s.units:
                        self.edge(unit_node(course), req, "isPartOf", f"isPartOf:{program.id}")

    # ------------------------------------------------------------------- rules
    def rules(self) -> None:
        for rule in self.s.rules.values():
            for program_id in rule.programs:
                program = self.s.programs.get(program_id)
                if program is not None:
                    self.rule(rule, program)

    def targets(self, rule: Rule, program: Program) -> list[tuple[str, str, Decimal | None]]:
        """(node, kind, credits of this edge) for each target of the rule in the programme."""
        target = rule.then
        match target:
            case ExemptCourses():
                return [
                    (unit_node(c), "exemption", course_credits(self.s, c))
                    for c in target_courses(self.s, program, target)
                ]
            case CourseCredits():
                if course_requirement(program, target.course) is None:
                    return []
                amount = max_credits_per_use(self.s, program, rule)
                return [(unit_node(target.course), "partial", amount)]
            case RequirementCredits():
                kind, amount = "credits", target.credits
            case HoursToCredits():
                kind, amount = "hours", None
            case _:
                assert_never(target)
        if program.requirement(target.requirement) is None:
            return []
        return [(requirement_node(program.id, target.requirement), kind, amount)]

    def rule(self, rule: Rule, program: Program) -> None:
        targets = self.targets(rule, program)
        if not targets:
            return
        target = rule.then
        combination = combination_kind(rule.when)
        matches = rule.when.matches()
        credits_text = _credits_text(rule)
        credits_zh = _credits_text(rule, "zh")
        for index, match in enumerate(matches):
            window = level_window_text(self.s, match)
            for unit_id in selected_units(self.s, match):
                admitted = levels_in_window(self.s, unit_id, match.level)
                if admitted == ():
                    continue
                unit = self.s.units[unit_id]
                bounded = self.bounded_by(rule, program, unit)
                from_recognised = target.kind == "credits" and target.from_unit == "recognised"
                source = (
                    recognition_node(unit_id)
                    if unit.recognised_credits and (bounded or from_recognised)
                    else unit_node(unit_id)
                )
                per_use = max_credits_per_use(self.s, program, rule, unit_id)
                for node, kind, amount in targets:
                    # `label` in Chinese, as the nodes' labels; `label_en` for English pictures
                    label, label_en = (
                        " ".join(part for part in (window or "", short) if part)
                        for short in (
                            _short_amount(kind, amount, credits_zh, "zh"),
                            _short_amount(kind, amount, credits_text, "en"),
                        )
                    )
                    self.edge(
                        source,
                        node,
                        "convertsTo",
                        f"{rule.id}@{program.id}#{index}",
                        rule=rule.id,
                        program=program.id,
                        program_code=program.code,
                        kind=kind,
                        unit=unit_id,
                        credits=text(amount) if amount is not None else credits_text,
                        rule_max=text(per_use) if per_use is not None else None,
                        levels=window,
                        level_ids=", ".join(admitted) if admitted else None,
                        conditions="; ".join(condition_notes(match)),
                        conditions_zh="; ".join(condition_notes(match, "zh")),
                        combination=combination,
                        leaf=index if len(matches) > 1 else None,
                        leaves=len(matches) if len(matches) > 1 else None,
                        choose=target.choose if target.kind == "exempt_courses" else None,
                        bounded_by=bounded,
                        shareable=rule.shareable or None,
                        effective_from=rule.effective_from.isoformat()
                        if rule.effective_from
                        else None,
                        effective_until=rule.effective_until.isoformat()
                        if rule.effective_until
                        else None,
                        label=label,
                        label_en=label_en,
                    )

    def bounded_by(self, rule: Rule, program: Program, unit: UnitBase) -> str | None:
        """The ``within_recognised`` cap that bounds this rule's credit for the unit, if any."""
        for cap in self.s.caps.values():
            if not (cap.within_recognised and _cap_applies(cap, program)):
                continue
            if _cap_counts(cap, rule, unit):
                return cap.id
        return None


def _credit_value(amount: Decimal, unit: str) -> str:
    return text(amount) if unit == "credit" else f"{text(amount)} {unit}"


def _cap_applies(cap: Cap, program: Program) -> bool:
    return (not cap.programs or program.id in cap.programs) and (
        cap.school is None or cap.school == program.school
    )


def _cap_counts(cap: Cap, rule: Rule, unit: UnitBase) -> bool:
    """Whether a cap counts a rule's credit for a unit, as far as the standards alone tell."""
    sel = cap.counts
    return all(
        (
            not sel.rules or rule.id in sel.rules,
            not sel.units or unit.id in sel.units,
            not sel.unit_kinds or unit.kind in sel.unit_kinds,
            not sel.tags or set(sel.tags) <= set(unit.tags),
            not sel.families or unit.family in sel.families,
            not sel.scopes or getattr(unit, "scope", None) in sel.scopes,
        )
    )


def _credits_text(rule: Rule, lang: Literal["zh", "en"] = "en") -> str:
    """The rule's credit as written, in ``lang`` (``hours / 16, ≤ 4`` or ``学时 / 16，≤ 4``)."""
    target = rule.then
    zh = lang == "zh"
    match target:
        case RequirementCredits():
            if target.credits is not None:
                return text(target.credits)
            if target.credits_by_level:
                return ", ".join(
                    f"{entry.level}: {text(entry.credits)}" for entry in target.credits_by_level
                )
            if zh:
                return "按认定学分" if target.from_unit == "recognised" else "按证书学分"
            return f"as {target.from_unit}"
        case HoursToCredits():
            rate = text(target.hours_per_credit) if target.hours_per_credit else None
            rate = rate or ("专业折算" if zh else "programme rate")
            if target.max_credits is None:
                cap = ""
            else:
                cap = f"{'，' if zh else ', '}≤ {text(target.max_credits)}"
            return f"{'学时' if zh else 'hours'} / {rate}{cap}"
        case ExemptCourses() | CourseCredits():
            return ""
        case _:
            assert_never(target)


def _short_amount(
    kind: str, amount: Decimal | None, credits_text: str, lang: Literal["zh", "en"] = "zh"
) -> str:
    if kind == "exemption":
        word = "免修" if lang == "zh" else "exempt"
        return f"{word} {text(amount)}" if amount is not None else word
    if amount is not None:
        return f"+{text(amount)}"
    return credits_text


def _same_occupation_basis(standards: Standards, a: str, b: str) -> str:
    """Why two skill certificates are one outcome: their occupation, under which codes."""
    first, second = (standards.units[u] for u in (a, b))
    assert isinstance(first, SkillCertificateUnit) and isinstance(second, SkillCertificateUnit)
    one, other = str(first.occupation), str(second.occupation)
    if one == other:
        return f"one occupation {one}"
    links = set(editions(standards).links)
    if (other, one) in links:
        one, other = other, one
    if (one, other) in links:
        return f"occupation {one} replaced by {other} (the same occupation)"
    return f"the same occupation as {one} and {other} (through other editions)"
