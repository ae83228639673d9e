"""Questions the standards graph answers: what converts into what, and what is the same.

* :func:`converts_to` — what a unit (at a level) or an achievement can convert into: which
  programmes, courses or requirements, how much credit, by which rules, and on along
  chains (a course exempted at one school converts on at another);
* :func:`leads_into` — what converts into a programme or a course (and what precedes it);
* :func:`equivalents` — the units counted once with a unit: one outcome, or one family;
* :func:`occupation_editions` — how an occupation code maps across classification editions.

Unknown ids raise :class:`~creditbank.errors.EvaluationError` with a "did you mean".

>>> import creditbank
>>> sg = build_graph(creditbank.load_standards(creditbank.bundled_standards_path()))
>>> found = converts_to(sg, "skill:csco2022:6-31-01-03", "三级", program="demo-college:460301")
>>> found[0].rule, str(found[0].credits), found[0].targets  # doctest: +NORMALIZE_WHITESPACE
('liming:electrician-level-3', '6',
 ('course:electrician-skills-training', 'course:electrical-engineering-basics'))
>>> sorted(c.rule for c in found)[-1]
'zhujiang:electrician-and-fitter'
>>> [e.edition for e in occupation_editions(sg, "6-31-01-10").editions]
[2015, 2022]
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from creditbank.engine.editions import outcome_of
from creditbank.engine.evaluate import resolve_program
from creditbank.errors import EvaluationError
from creditbank.graph.build import StandardsGraph, build_graph
from creditbank.graph.nodes import parse_node, recognition_node, unit_node
from creditbank.graph.select import course_requirement, credits_at_level, recognised_at_level
from creditbank.loading.crosscheck import unit_framework, unit_levels
from creditbank.models import Portfolio, Standards
from creditbank.suggest import did_you_mean

__all__ = [
    "Conversion",
    "EquivalenceClass",
    "Equivalent",
    "LeadsInto",
    "OccupationEdition",
    "OccupationMapping",
    "achievement_unit",
    "build_graph",
    "converts_to",
    "equivalents",
    "leads_into",
    "occupation_editions",
    "resolve_level",
    "resolve_program",
    "resolve_unit",
]

MAX_CHAIN = 4
"""How many conversions a chain may have (a course exempted here converts on elsewhere)."""


@dataclass(frozen=True)
class Conversion:
    """One way a unit converts under one rule into one programme."""

    unit: str
    rule: str
    program: str
    kind: str
    """``exemption``, ``credits``, ``hours`` or ``partial``."""
    targets: tuple[str, ...]
    """Courses (exemption, partial credit) or requirement ids (credits, hours)."""
    requirements: tuple[str, ...]
    """The requirement each target counts in."""
    credits: Decimal | None
    """Credit of one use at the level asked (else the most); None: as the achievement states."""
    ceiling: Decimal | None
    """What the credit bank recognised for the unit (at the level), when that bounds it (R3)."""
    stated: str
    """The rule's credit as written (``3``, ``一等奖: 4, …``, ``hours / 16, ≤ 4``)."""
    levels: str | None
    conditions: tuple[str, ...]
    """In English (``grade ≥ 60``); ``conditions_zh`` the same in Chinese."""
    combination: str | None
    """``all_of`` / ``n_of`` when other achievements must come along."""
    chain: tuple[str, ...] = ()
    """Units converted before this step, first the one asked about (empty: direct)."""
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    conditions_zh: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        """Whether the credit bank's ceiling refuses this conversion: a use is granted whole or
        not at all, and this one gives more than the bank recognised (rule R3)."""
        return self.credits is not None and self.ceiling is not None and self.credits > self.ceiling

    @property
    def effective(self) -> Decimal | None:
        """The credit one use can actually give: 0 when the bank's ceiling refuses it."""
        return Decimal(0) if self.refused else self.credits


@dataclass(frozen=True)
class LeadsInto:
    """What converts into a programme or a course, and what precedes a course."""

    target: str
    kind: Literal["program", "course"]
    conversions: tuple[Conversion, ...]
    upstream: tuple[Conversion, ...]
    """Conversions into the sources of ``conversions`` (chains), nearest first."""
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Equivalent:
    """A unit counted once with the unit asked about, and why."""

    unit: str
    name: str
    basis: str
    via: str
    same_outcome: bool = False
    """One learning outcome (a certificate of the same occupation under another edition's
    code): ``evaluate`` converts only one of them, whatever the caps (``DUPLICATE``). False:
    only similar (one ``family``), counted once where a highest-only cap applies."""


@dataclass(frozen=True)
class EquivalenceClass:
    unit: str
    members: tuple[Equivalent, ...]

    def ids(self) -> tuple[str, ...]:
        """The unit and its equivalents, sorted."""
        return tuple(sorted({self.unit, *(m.unit for m in self.members)}))


@dataclass(frozen=True)
class OccupationEdition:
    """An occupation of one classification edition and where it leads in others."""

    id: str
    code: str
    edition: int
    name: str
    replaced_by: tuple[str, ...]
    """Successors in later editions, transitively, nearest first."""
    replaces: tuple[str, ...]
    """Predecessors in earlier editions, transitively, nearest first."""
    certificates: tuple[str, ...]


@dataclass(frozen=True)
class OccupationMapping:
    query: str
    editions: tuple[OccupationEdition, ...]
    notes: tuple[str, ...] = ()


# ------------------------------------------------------------------- look-ups


def resolve_unit(standards: Standards, unit_id: str) -> str:
    """``unit_id`` if the unit exists, else :class:`EvaluationError` with a suggestion."""
    if unit_id in standards.units:
        return unit_id
    hint = did_you_mean(unit_id, standards.units) or " see `creditbank graph` for the units"
    raise EvaluationError(f"unknown unit {unit_id!r};{hint}", "UNKNOWN_UNIT")


def resolve_level(standards: Standards, unit_id: str, level: str | None) -> str | None:
    """The id of a level of the unit named any way its scale knows, else an error."""
    if level is None:
        return None
    framework = unit_framework(standards, unit_id)
    allowed = unit_levels(standards, unit_id) or ()
    found = framework.level(level) if framework is not None else None
    if found is None or found.id not in allowed:
        names = [n for lv in (framework.levels if framework else ()) for n in lv.names()]
        hint = did_you_mean(level, names) or (
            f" its levels: {', '.join(allowed)}" if allowed else " it has no levels"
        )
        raise EvaluationError(f"unit {unit_id!r} has no level {level!r};{hint}", "UNKNOWN_LEVEL")
    return found.id


def achievement_unit(portfolio: Portfolio, achievement_id: str) -> tuple[str, str | None]:
    """(unit, level) of an achievement of the portfolio, else :class:`EvaluationError`."""
    for achievement in portfolio.achievements:
        if achievement.id == achievement_id:
            return str(achievement.unit), achievement.level
    ids = [a.id for a in portfolio.achievements]
    hint = did_you_mean(achievement_id, ids) or f" it has {', '.join(ids) or 'none'}"
    raise EvaluationError(
        f"the portfolio has no achievement {achievement_id!r};{hint}", "UNKNOWN_ACHIEVEMENT"
    )


# ------------------------------------------------------------------ conversions


def _in_force(sg: StandardsGraph, rule: str, as_of: dt.date | None) -> bool:
    return as_of is None or sg.standards.rules[rule].in_force(as_of)


def _conversion(
    sg: StandardsGraph,
    items: list[tuple[str, str, dict[str, Any]]],
    level: str | None,
    chain: tuple[str, ...],
) -> Conversion:
    source, _, data = items[0]
    standards = sg.standards
    program = standards.programs[data["program"]]
    rule = standards.rules[data["rule"]]
    unit = data["unit"]
    targets: list[str] = []
    requirements: list[str] = []
    for _, target, _ in items:
        kind, item, local = parse_node(target)
        if kind == "unit":
            targets.append(item)
            requirements.append(course_requirement(program, item) or "")
        else:
            assert local is not None
            targets.append(local)
            requirements.append(local)
    bounded = parse_node(source)[0] == "recognition"
    return Conversion(
        unit=unit,
        rule=rule.id,
        program=program.id,
        kind=data["kind"],
        targets=tuple(targets),
        requirements=tuple(requirements),
        credits=credits_at_level(standards, program, rule, unit, level),
        ceiling=recognised_at_level(standards, unit, level) if bounded else None,
        stated=data.get("credits", ""),
        levels=data.get("levels"),
        conditions=tuple(c for c in data.get("conditions", "").split("; ") if c),
        conditions_zh=tuple(c for c in data.get("conditions_zh", "").split("; ") if c),
        combination=data.get("combination"),
        chain=chain,
        effective_from=rule.effective_from,
        effective_until=rule.effective_until,
    )


def _grouped(
    sg: StandardsGraph,
    edges: Iterable[tuple[str, str, dict[str, Any]]],
    level: str | None,
    chain: tuple[str, ...],
) -> list[Conversion]:
    groups: dict[tuple[str, str, str, int], list[tuple[str, str, dict[str, Any]]]] = {}
    for source, target, data in edges:
        key = (data["program"], data["rule"], data["unit"], int(data.get("leaf", 0)))
        groups.setdefault(key, []).append((source, target, data))
    return [_conversion(sg, items, level, chain) for _, items in sorted(groups.items())]


def _out_rule_edges(sg: StandardsGraph, unit_id: str) -> Iterable[tuple[str, str, dict[str, Any]]]:
    for source in (unit_node(unit_id), recognition_node(unit_id)):
        if source in sg.graph:
            for _, target, data in sg.graph.out_edges(source, data=True):
                if data["type"] == "convertsTo" and "rule" in data:
                    yield source, target, data


def converts_to(
    sg: StandardsGraph,
    unit: str,
    level: str | None = None,
    *,
    program: str | None = None,
    as_of: dt.date | None = None,
) -> list[Conversion]:
    """What ``unit`` (at ``level``, any way its scale names it) can convert into.

    Conversions of the rules in force on ``as_of`` (any date when None), into ``program``
    when given, the most credit first; then conversions further along chains (a course
    this unit exempts, converting on under another programme's rules).
    """
    standards = sg.standards
    unit_id = resolve_unit(standards, unit)
    level_id = resolve_level(standards, unit_id, level)
    program_id = resolve_program(standards, program).id if program is not None else None
    found: list[Conversion] = []
    queue: deque[tuple[str, str | None, tuple[str, ...]]] = deque([(unit_id, level_id, ())])
    seen = {unit_id}
    while queue:
        current, current_level, chain = queue.popleft()
        edges = [
            (s, t, d)
            for s, t, d in _out_rule_edges(sg, current)
            if _in_force(sg, d["rule"], as_of)
            and (
                current_level is None
                or current_level in d.get("level_ids", "").split(", ")
                or "level_ids" not in d
            )
        ]
        step = _grouped(sg, edges, current_level, chain)
        found.extend(c for c in step if program_id is None or c.program == program_id or c.chain)
        if len(chain) + 1 >= MAX_CHAIN:
            continue
        for conversion in step:
            if conversion.kind != "exemption":
                continue
            for course in conversion.targets:
                if course not in seen:
                    seen.add(course)
                    queue.append((course, None, (*chain, current)))
    direct = [c for c in found if not c.chain]
    chained = [c for c in found if c.chain and (program_id is None or c.program == program_id)]
    return sorted(direct, key=_order) + chained


def _order(c: Conversion) -> tuple[Any, ...]:
    amount = c.effective
    return (c.program, -(amount if amount is not None else Decimal(-1)), c.rule, c.targets)


def leads_into(sg: StandardsGraph, target: str, *, as_of: dt.date | None = None) -> LeadsInto:
    """What converts into a programme (id or catalogue code) or a course, rules in force on
    ``as_of`` (any date when None); for a course also its prerequisites."""
    standards = sg.standards
    program = None
    if target in standards.programs or any(p.code == target for p in standards.programs.values()):
        program = resolve_program(standards, target)
    elif target not in standards.units:
        pool = [*standards.programs, *standards.units]
        hint = did_you_mean(target, pool) or " give a programme id, a catalogue code or a unit id"
        raise EvaluationError(f"unknown programme or course {target!r};{hint}", "UNKNOWN_PROGRAM")
    if program is not None:
        edges = [
            (s, t, d) for s, t, d in sg.rule_edges(program.id) if _in_force(sg, d["rule"], as_of)
        ]
        direct = sorted(_grouped(sg, edges, None, ()), key=_order)
        return LeadsInto(program.id, "program", tuple(direct), _upstream(sg, direct, as_of))
    node = unit_node(target)
    edges = [
        (s, node, d)
        for s, _, d in sg.graph.in_edges(node, data=True)
        if d["type"] == "convertsTo" and "rule" in d and _in_force(sg, d["rule"], as_of)
    ]
    direct = sorted(_grouped(sg, edges, None, ()), key=_order)
    prerequisites = tuple(
        sorted(
            parse_node(s)[1]
            for s, _, d in sg.graph.in_edges(node, data=True)
            if d["type"] == "precedes" and d.get("basis") == "prerequisite"
        )
    )
    return LeadsInto(target, "course", tuple(direct), _upstream(sg, direct, as_of), prerequisites)


def _upstream(
    sg: StandardsGraph, direct: list[Conversion], as_of: dt.date | None
) -> tuple[Conversion, ...]:
    found: list[Conversion] = []
    frontier: list[tuple[str, tuple[str, ...]]] = [(c.unit, (c.unit,)) for c in direct]
    seen = {c.unit for c in direct}
    for _ in range(MAX_CHAIN - 1):
        following: list[tuple[str, tuple[str, ...]]] = []
        for unit, chain in frontier:
            edges = [
                (s, unit_node(unit), d)
                for s, _, d in sg.graph.in_edges(unit_node(unit), data=True)
                if d["type"] == "convertsTo"
                and "rule" in d
                and d["kind"] == "exemption"
                and _in_force(sg, d["rule"], as_of)
            ]
            for conversion in _grouped(sg, edges, None, chain):
                found.append(conversion)
                if conversion.unit not in seen:
                    seen.add(conversion.unit)
                    following.append((conversion.unit, (conversion.unit, *chain)))
        frontier = following
    return tuple(found)


# ----------------------------------------------------------------- equivalence


def equivalents(sg: StandardsGraph, unit: str) -> EquivalenceClass:
    """Units counted once with ``unit``: one learning outcome (certificates of one occupation
    under codes of different editions, as :func:`creditbank.engine.editions.outcome_of` — the
    engine's ``DUPLICATE`` — decides), or similar (one family, transitively)."""
    standards = sg.standards
    unit_id = resolve_unit(standards, unit)
    mine = outcome_of(standards, unit_id)
    start = unit_node(unit_id)
    found: dict[str, Equivalent] = {}
    queue = deque([start])
    seen = {start}
    while queue:
        node = queue.popleft()
        links = [
            (other, data)
            for _, other, data in sg.graph.out_edges(node, data=True)
            if data["type"] == "exactMatchOf"
        ] + [
            (other, data)
            for other, _, data in sg.graph.in_edges(node, data=True)
            if data["type"] == "exactMatchOf"
        ]
        for other, data in sorted(links, key=lambda x: x[0]):
            if other in seen or parse_node(other)[0] != "unit":
                continue
            seen.add(other)
            queue.append(other)
            other_id = parse_node(other)[1]
            found[other_id] = Equivalent(
                unit=other_id,
                name=standards.units[other_id].name.text("zh"),
                basis=data.get("basis", ""),
                via=parse_node(node)[1],
                same_outcome=outcome_of(standards, other_id) == mine,
            )
    return EquivalenceClass(unit_id, tuple(found[k] for k in sorted(found)))


# ----------------------------------------------------------------- occupations


def _walk(sg: StandardsGraph, occupation: str, forward: bool) -> tuple[str, ...]:
    start = f"occupation:{occupation}"
    order: list[str] = []
    queue = deque([start])
    seen = {start}
    while queue:
        node = queue.popleft()
        edges = (
            sg.graph.out_edges(node, data=True) if forward else sg.graph.in_edges(node, data=True)
        )
        for a, b, data in edges:
            other = b if forward else a
            if data["type"] == "replacedBy" and other not in seen:
                seen.add(other)
                order.append(parse_node(other)[1])
                queue.append(other)
    return tuple(order)


def occupation_editions(sg: StandardsGraph, query: str) -> OccupationMapping:
    """How an occupation maps across editions; ``query`` is an occupation id, a code
    (``6-31-01-10``: every edition that uses it) or a name (``电工``)."""
    standards = sg.standards
    occupations = standards.occupations
    if query in occupations:
        matches = [occupations[query]]
    else:
        matches = [o for o in occupations.values() if o.code == query.strip()] or [
            o for o in occupations.values() if query.strip() in (o.name.zh, o.name.en)
        ]
    if not matches:
        pool = [*occupations, *(o.code for o in occupations.values())]
        pool += [n for o in occupations.values() for n in (o.name.zh, o.name.en) if n]
        hint = did_you_mean(query, pool) or " give an occupation id, a code or a name"
        raise EvaluationError(f"unknown occupation {query!r};{hint}", "UNKNOWN_OCCUPATION")
    certificates: dict[str, list[str]] = {}
    for source, target, _, _ in sg.edges("isRelatedTo"):
        certificates.setdefault(parse_node(target)[1], []).append(parse_node(source)[1])
    editions = tuple(
        OccupationEdition(
            id=o.id,
            code=o.code,
            edition=o.edition,
            name=o.name.text("zh"),
            replaced_by=_walk(sg, o.id, forward=True),
            replaces=_walk(sg, o.id, forward=False),
            certificates=tuple(sorted(certificates.get(o.id, []))),
        )
        for o in sorted(matches, key=lambda o: (o.edition, o.id))
    )
    notes: list[str] = []
    names = {e.name for e in editions}
    if len({e.code for e in editions}) == 1 and len(names) > 1:
        shown = ", ".join(f"{e.name} ({e.edition})" for e in editions)
        notes.append(
            f"the code {editions[0].code} names different occupations in different "
            f"editions: {shown}; always read a code together with its edition"
        )
    return OccupationMapping(query, editions, tuple(notes))
