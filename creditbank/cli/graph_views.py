"""Rich tables for the graph commands (presentation only; the answers come from the library)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from creditbank.cli.labels import LABELS, label
from creditbank.cli.render import level_name
from creditbank.graph.build import text
from creditbank.graph.pathway import Pathway, Step
from creditbank.graph.queries import (
    Conversion,
    EquivalenceClass,
    LeadsInto,
    OccupationMapping,
)
from creditbank.models import Standards

__all__ = [
    "conversions_view",
    "equivalents_view",
    "leads_into_view",
    "occupation_view",
    "pathway_view",
]

Lang = Literal["zh", "en"]


def _name(standards: Standards, unit: str, lang: Lang) -> str:
    item = standards.units.get(unit)
    return item.name.text(lang) if item is not None else unit


def _program(standards: Standards, program: str, lang: Lang = "zh") -> str:
    item = standards.programs.get(program)
    return f"{item.code} {item.name.text(lang)}" if item is not None and item.code else program


def _credit(c: Conversion, lang: Lang) -> str:
    shown = text(c.credits) if c.credits is not None else label(lang, "q_as_stated")
    if c.refused and c.ceiling is not None:
        shown += label(lang, "q_bank_refused", ceiling=text(c.ceiling))
    elif c.ceiling is not None:
        shown += label(lang, "q_bank_ceiling", ceiling=text(c.ceiling))
    return shown


def _requirement(standards: Standards, program: str, requirement: str, lang: Lang) -> str:
    item = standards.programs.get(program)
    found = item.requirement(requirement) if item is not None else None
    return found.name.text(lang) if found is not None else requirement


def _targets(standards: Standards, c: Conversion, lang: Lang) -> str:
    if c.kind in ("credits", "hours"):
        return ", ".join(
            label(lang, "q_requirement", name=_requirement(standards, c.program, t, lang))
            for t in c.targets
        )
    return ", ".join(_name(standards, t, lang) for t in c.targets)


def _kind(kind: str, lang: Lang) -> str:
    key = f"kind_{kind}"
    return label(lang, key) if key in LABELS[lang] else kind


def _conditions(c: Conversion, lang: Lang) -> str:
    conditions = "; ".join(c.conditions_zh if lang == "zh" and c.conditions_zh else c.conditions)
    if c.combination:
        together = label(lang, "q_with_others", combination=c.combination)
        conditions = f"{together}; {conditions}" if conditions else together
    if c.effective_from or c.effective_until:
        span = label(
            lang, "q_in_force", start=c.effective_from or "…", end=c.effective_until or "…"
        )
        conditions = f"{conditions}; {span}" if conditions else span
    return conditions


def conversions_view(
    conversions: Sequence[Conversion], standards: Standards, title: str, lang: Lang
) -> Table:
    """One row per conversion: programme, rule, what it converts into, credits, conditions."""
    table = Table(title=title, title_justify="left")
    headers = ("q_programme", "q_rule", "q_from", "q_into", "credits", "q_levels", "q_conditions")
    for key in headers:
        # a rule id is a code: kept whole, never broken inside
        table.add_column(label(lang, key), no_wrap=key == "q_rule")
    for c in conversions:
        start = _name(standards, c.unit, lang)
        if c.chain:
            start = " → ".join([*c.chain, c.unit])
        table.add_row(
            _program(standards, c.program, lang),
            c.rule,
            start,
            f"{_kind(c.kind, lang)}: {_targets(standards, c, lang)}",
            _credit(c, lang),
            c.levels or "—",
            _conditions(c, lang) or "—",
        )
    return table


def leads_into_view(result: LeadsInto, standards: Standards, lang: Lang) -> Group:
    title = label(lang, "q_leads_into", item=result.target)
    parts: list[Table | Text] = [conversions_view(result.conversions, standards, title, lang)]
    if result.prerequisites:
        names = ", ".join(_name(standards, p, lang) for p in result.prerequisites)
        parts.append(Text(label(lang, "q_prerequisites", names=names)))
    if result.upstream:
        upstream = label(lang, "q_upstream")
        parts.append(conversions_view(result.upstream, standards, upstream, lang))
    return Group(*parts)


def equivalents_view(result: EquivalenceClass, standards: Standards, lang: Lang) -> Table:
    name = _name(standards, result.unit, lang)
    table = Table(
        title=label(lang, "q_counted_once", unit=result.unit, name=name), title_justify="left"
    )
    for key in ("unit", "name", "q_counted", "q_because", "q_via"):
        table.add_column(label(lang, key), no_wrap=key == "unit")
    for member in result.members:
        counted = label(lang, "q_same_outcome" if member.same_outcome else "q_similar")
        table.add_row(
            member.unit, _name(standards, member.unit, lang), counted, member.basis, member.via
        )
    if not result.members:
        table.add_row("—", label(lang, "q_no_other"), "", "", "")
    return table


def occupation_view(result: OccupationMapping) -> Group:
    table = Table(title=f"occupation {result.query} across editions", title_justify="left")
    for header in ("edition", "id", "name", "replaced by", "replaces", "certificates"):
        table.add_column(header, overflow="fold")
    for e in result.editions:
        table.add_row(
            str(e.edition),
            e.id,
            e.name,
            ", ".join(e.replaced_by) or "—",
            ", ".join(e.replaces) or "—",
            ", ".join(e.certificates) or "—",
        )
    return Group(table, *(Text(f"note: {n}") for n in result.notes))


def pathway_view(result: Pathway, standards: Standards, lang: Lang) -> Group:
    table = Table(
        title=label(
            lang,
            "p_title",
            program=_program(standards, result.program, lang),
            learner=result.learner,
            as_of=result.as_of.isoformat(),
        ),
        title_justify="left",
    )
    for key in ("p_step", "p_unit_or_course", "level", "hours", "credits", "p_for"):
        table.add_column(
            label(lang, key),
            justify="right" if key == "hours" else "left",
            no_wrap=key in ("p_step", "level"),
        )
    number = 0
    for step in result.additions:
        number += 1
        table.add_row(
            label(lang, "p_obtain", number=number),
            _name(standards, step.unit, lang),
            level_name(standards, step.unit, step.level, lang),
            text(step.hours),
            text(step.credits),
            ", ".join(
                _name(standards, t, lang)
                if ":" in t
                else _requirement(standards, result.program, t, lang)
                for t in step.into
            )
            or "—",
        )
    taken: dict[str, list[Step]] = {}
    for step in result.steps:
        if step.action == "take":
            taken.setdefault(step.into[0], []).append(step)
    for requirement, steps in taken.items():
        number += 1
        names = ", ".join(_name(standards, s.unit, lang) for s in steps)
        table.add_row(
            label(lang, "p_take", number=number),
            label(lang, "p_courses", count=len(steps), names=names),
            "—",
            text(sum((s.hours for s in steps), Decimal(0))),
            text(sum((s.credits for s in steps), Decimal(0))),
            _requirement(standards, result.program, requirement, lang),
        )
    lines = [
        label(
            lang,
            "p_summary",
            hours=text(result.hours),
            obtain=text(result.obtain_hours),
            additions=len(result.additions),
            courses=text(result.course_hours),
            after=text(result.recognised_after),
            before=text(result.recognised_before),
        )
    ]
    if result.uncovered:
        short = ", ".join(
            f"{_requirement(standards, result.program, r, lang)} {text(c)}"
            for r, c in result.uncovered
        )
        lines.append(label(lang, "p_uncovered", short=short))
    if not result.exhaustive:
        lines.append(label(lang, "p_not_exhaustive"))
    if result.uncosted:
        lines.append(
            label(lang, "p_uncosted", count=len(result.uncosted), example=result.uncosted[0])
        )
    return Group(table, *(Text(line) for line in lines))
