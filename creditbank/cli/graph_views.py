"""Rich tables for the graph commands (presentation only; the answers come from the library)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from creditbank.graph.build import text
from creditbank.graph.pathway import Pathway, Step
from creditbank.graph.queries import (
    Conversion,
    EquivalenceClass,
    LeadsInto,
    OccupationMapping,
)
from creditbank.loading.crosscheck import unit_framework
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


def _level(standards: Standards, unit: str, level: str | None, lang: Lang) -> str:
    framework = unit_framework(standards, unit)
    found = framework.level(level) if framework and level else None
    return found.name.text(lang) if found else (level or "—")


def _program(standards: Standards, program: str, lang: Lang = "zh") -> str:
    item = standards.programs.get(program)
    return f"{item.code} {item.name.text(lang)}" if item is not None and item.code else program


def _amount(value: Decimal | None) -> str:
    return text(value) if value is not None else "as stated"


def _credit(c: Conversion) -> str:
    shown = _amount(c.credits)
    if c.refused and c.ceiling is not None:
        shown += f" > bank's {text(c.ceiling)}: refused (R3)"
    elif c.ceiling is not None:
        shown += f" (≤ {text(c.ceiling)} bank)"
    return shown


def _targets(standards: Standards, c: Conversion, lang: Lang) -> str:
    if c.kind in ("credits", "hours"):
        return ", ".join(f"requirement {t}" for t in c.targets)
    return ", ".join(_name(standards, t, lang) for t in c.targets)


def conversions_view(
    conversions: Sequence[Conversion], standards: Standards, title: str, lang: Lang
) -> Table:
    """One row per conversion: programme, rule, what it converts into, credits, conditions."""
    table = Table(title=title, title_justify="left")
    for header in ("programme", "rule", "from", "into", "credits", "levels", "conditions"):
        table.add_column(header, overflow="fold")
    for c in conversions:
        start = _name(standards, c.unit, lang)
        if c.chain:
            start = " → ".join([*c.chain, c.unit])
        conditions = "; ".join(c.conditions)
        if c.combination:
            conditions = f"{c.combination} (with other achievements)" + (
                f"; {conditions}" if conditions else ""
            )
        if c.effective_from or c.effective_until:
            span = f"{c.effective_from or '…'} to {c.effective_until or '…'}"
            conditions = f"{conditions}; in force {span}" if conditions else f"in force {span}"
        table.add_row(
            _program(standards, c.program, lang),
            c.rule,
            start,
            f"{c.kind}: {_targets(standards, c, lang)}",
            _credit(c),
            c.levels or "—",
            conditions or "—",
        )
    return table


def leads_into_view(result: LeadsInto, standards: Standards, lang: Lang) -> Group:
    parts: list[Table | Text] = [
        conversions_view(result.conversions, standards, f"what converts into {result.target}", lang)
    ]
    if result.prerequisites:
        names = ", ".join(_name(standards, p, lang) for p in result.prerequisites)
        parts.append(Text(f"prerequisites: {names}"))
    if result.upstream:
        parts.append(conversions_view(result.upstream, standards, "further up the chains", lang))
    return Group(*parts)


def equivalents_view(result: EquivalenceClass, standards: Standards, lang: Lang) -> Table:
    table = Table(
        title=f"counted once with {result.unit} ({_name(standards, result.unit, lang)})",
        title_justify="left",
    )
    for header in ("unit", "name", "counted", "because", "via"):
        table.add_column(header, overflow="fold")
    for member in result.members:
        counted = "one outcome" if member.same_outcome else "similar (highest-only caps)"
        name = _name(standards, member.unit, lang)
        table.add_row(member.unit, name, counted, member.basis, member.via)
    if not result.members:
        table.add_row("—", "no other unit", "", "", "")
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
        title=f"least-effort pathway to {_program(standards, result.program, lang)} for "
        f"{result.learner}, as of {result.as_of.isoformat()}",
        title_justify="left",
    )
    for header in ("step", "unit or course", "level", "hours", "credits", "for"):
        table.add_column(header, overflow="fold", justify="right" if header == "hours" else "left")
    number = 0
    for step in result.additions:
        number += 1
        table.add_row(
            f"{number}. obtain",
            _name(standards, step.unit, lang),
            _level(standards, step.unit, step.level, lang),
            text(step.hours),
            text(step.credits),
            ", ".join(_name(standards, t, lang) if ":" in t else t for t in step.into) or "—",
        )
    taken: dict[str, list[Step]] = {}
    for step in result.steps:
        if step.action == "take":
            taken.setdefault(step.into[0], []).append(step)
    for requirement, steps in taken.items():
        number += 1
        names = ", ".join(_name(standards, s.unit, lang) for s in steps)
        table.add_row(
            f"{number}. take",
            f"{len(steps)} course{'s' if len(steps) != 1 else ''}: {names}",
            "—",
            text(sum((s.hours for s in steps), Decimal(0))),
            text(sum((s.credits for s in steps), Decimal(0))),
            requirement,
        )
    lines = [
        f"{text(result.hours)} study hours in all: {text(result.obtain_hours)} to obtain "
        f"{len(result.additions)} certificate(s) or training, {text(result.course_hours)} of "
        f"courses; conversion recognises {text(result.recognised_after)} credits "
        f"(now {text(result.recognised_before)})",
    ]
    if result.uncovered:
        short = ", ".join(f"{r} {text(c)}" for r, c in result.uncovered)
        lines.append(f"not completable: no course or candidate covers {short}")
    if not result.exhaustive:
        lines.append("too many candidates: the least promising were left out (not exhaustive)")
    if result.uncosted:
        lines.append(
            f"{len(result.uncosted)} obtainable units have no study hours and were left out; "
            "give them with --cost UNIT[@LEVEL]=HOURS, e.g. " + result.uncosted[0]
        )
    return Group(table, *(Text(line) for line in lines))
