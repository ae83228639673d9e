"""Consistency checks over loaded standards (``creditbank check``, ``validate --strict``).

The loader already refuses what is wrong with one file or one reference. These checks look
at the standards as a whole, through the graph, for what no single item shows:

=============================  ========  ==============================================
code                           severity  finds
=============================  ========  ==============================================
``CREDIT_AMPLIFYING_CYCLE``    error     conversions that go round and give back more
                                         credit than they consumed
``CONFLICTING_RULES``          error     same conditions and target, different credit,
                                         overlapping effective dates
``DUPLICATE_RULE``             warning   the same rule twice
``REPLACED_OCCUPATION``        warning   a rule on a replaced occupation code only
``EXCEEDS_RECOGNISED``         warning   a conversion bounded by what the credit bank
                                         recognised (R3) that gives more at some level,
                                         so it is never granted there
``TARGET_NOT_IN_PROGRAM``      error     exempting or crediting a course the programme
                                         does not have (or selecting none)
``RULE_SELECTS_NOTHING``       warning   a condition no unit meets
``UNSATISFIABLE_REQUIREMENT``  error     a requirement no course and no rule can fill
``ORPHAN_UNIT``                warning   a unit nothing refers to
``PREREQUISITE_CYCLE``         error     courses that are each other's prerequisites
``LEVEL_ORDER``                error     same_as links that invert two scales' order
``LEVELS_MERGED``              warning   same_as links that make two levels of one
                                         scale equal
``EMPTY_LEVEL_WINDOW``         error     a level condition no level meets
``CREDITS_FALL_WITH_LEVEL``    warning   a higher level worth less credit
``EXCEEDS_PROGRAM_TOTAL``      warning   a requirement's or cap's max_credits above the
                                         programme total (itself a cap)
``GUARANTEE_IMPOSSIBLE``       error     a guaranteed minimum a statutory cap, the
                                         programme total or the target requirement
                                         can never allow
=============================  ========  ==============================================

>>> import creditbank
>>> findings = run_checks(creditbank.load_standards(creditbank.bundled_standards_path()))
>>> [f.code for f in findings if f.severity == "error"]
[]
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import combinations, pairwise
from typing import Any, assert_never

import networkx as nx  # type: ignore[import-untyped]

from creditbank.engine.editions import outcome_of
from creditbank.graph.build import StandardsGraph, build_graph, text
from creditbank.graph.findings import CheckCode, Finding, Involved, involved
from creditbank.graph.nodes import parse_node
from creditbank.graph.select import (
    course_credits,
    least_credits_per_use,
    levels_in_window,
    max_credits_per_use,
    occupations_of,
    recognised_at_level,
    requirement_courses,
    selected_units,
    target_courses,
    unit_value,
)
from creditbank.loading.crosscheck import unit_framework, unit_levels
from creditbank.models import (
    Cap,
    CourseCredits,
    CourseUnit,
    ExemptCourses,
    HoursToCredits,
    LevelCredits,
    Match,
    Program,
    RequirementCredits,
    Rule,
    Standards,
)
from creditbank.models.common import Item
from creditbank.models.values import share_of
from creditbank.suggest import did_you_mean

__all__ = ["CHECKS", "condition_key", "run_checks"]

CYCLE_LENGTH = 8
"""Conversion cycles longer than this are not followed (none has been seen)."""
CYCLES_PER_COMPONENT = 500


@dataclass(frozen=True)
class _Context:
    s: Standards
    g: StandardsGraph

    def rule(self, rule_id: str) -> Involved:
        return involved(self.s, "rule", rule_id)

    def unit(self, unit_id: str) -> Involved:
        return involved(self.s, "unit", unit_id)


Check = Callable[[_Context], Iterable[Finding]]


def _overlap(a: Item, b: Item) -> bool:
    """Whether two items' effective periods share a day."""
    start = max(a.effective_from or dt.date.min, b.effective_from or dt.date.min)
    end = min(a.effective_until or dt.date.max, b.effective_until or dt.date.max)
    return start <= end


# ------------------------------------------------------------------ conversions


def _consumed(ctx: _Context, rule: Rule, unit: str) -> Fraction | None:
    """What one use of the rule consumes: the unit's value plus its partners' (the least)."""
    own = unit_value(ctx.s, unit)
    if own is None:
        return None
    total = Fraction(own)
    matches = rule.when.matches()
    if len(matches) > 1:
        for match in matches:
            units = selected_units(ctx.s, match)
            if unit in units:
                continue
            values = [v for u in units if (v := unit_value(ctx.s, u)) is not None]
            total += Fraction(min(values)) if values else 0
            break  # the unit takes one place; count one partner as the least it could be
    return total


def amplifying_cycles(ctx: _Context) -> Iterator[Finding]:
    """A cycle course -> course -> … -> course whose credit gains multiply to more than 1."""
    gains: dict[tuple[str, str], tuple[Fraction | None, str, str]] = {}
    for source, target, data in ctx.g.rule_edges():
        if parse_node(target)[0] != "unit":
            continue
        unit, course = data["unit"], parse_node(target)[1]
        program = ctx.s.programs[data["program"]]
        rule = ctx.s.rules[data["rule"]]
        given = max_credits_per_use(ctx.s, program, rule, unit)
        if given is None or given == 0:
            continue
        if parse_node(source)[0] == "recognition" and data.get("bounded_by"):
            ceiling = max((e.credits for e in ctx.s.units[unit].recognised_credits), default=given)
            given = min(given, ceiling)
        consumed = _consumed(ctx, rule, unit)
        gain = None if not consumed else Fraction(given) / consumed
        known = gains.get((unit, course))
        if known is None or _more(gain, known[0]):
            gains[(unit, course)] = (gain, rule.id, program.id)
    graph = nx.DiGraph()
    for (unit, course), (gain, rule_id, program_id) in gains.items():
        graph.add_edge(unit, course, gain=gain, rule=rule_id, program=program_id)
    for component in nx.strongly_connected_components(graph):
        sub = graph.subgraph(component)
        if len(component) == 1 and not sub.number_of_edges():
            continue
        worst: tuple[Fraction | None, list[str]] | None = None
        for count, cycle in enumerate(nx.simple_cycles(sub, length_bound=CYCLE_LENGTH)):
            if count >= CYCLES_PER_COMPONENT:
                break
            product: Fraction | None = Fraction(1)
            for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
                gain = sub.edges[a, b]["gain"]
                product = None if product is None or gain is None else product * gain
            if (product is None or product > 1) and (worst is None or _more(product, worst[0])):
                worst = (product, cycle)
        if worst is None:
            continue
        product, cycle = worst
        start = cycle.index(min(cycle))
        cycle = cycle[start:] + cycle[:start]
        steps = []
        rules = []
        for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
            edge = sub.edges[a, b]
            rules.append(edge["rule"])
            steps.append(f"{a} -> {b} (rule {edge['rule']!r}, {edge['program']})")
        factor = "without limit" if product is None else f"{float(product):.3g} times"
        yield Finding(
            "CREDIT_AMPLIFYING_CYCLE",
            f"converting round the cycle {'; '.join(steps)} gives back {factor} the "
            "credit it consumes; remove one of the rules or make them give no more than "
            "the course they take",
            tuple(ctx.rule(r) for r in dict.fromkeys(rules)) + tuple(ctx.unit(u) for u in cycle),
        )


def _more(a: Fraction | None, b: Fraction | None) -> bool:
    """``a > b`` where None stands for an unbounded gain."""
    if a is None:
        return b is not None
    return b is not None and a > b


# ----------------------------------------------------------------- rule pairs


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_normal(v) for v in value]
        if all(isinstance(v, str) for v in items):
            return sorted(items)
        return items
    return value


def _level_key(standards: Standards, match: Match, name: str) -> str:
    for unit in selected_units(standards, match):
        framework = unit_framework(standards, unit)
        level = framework.level(name) if framework else None
        if framework is not None and level is not None:
            return f"{framework.id}#{level.id}"
    return name


def condition_key(standards: Standards, rule: Rule) -> str:
    """The rule's conditions as canonical text: equal text, equal conditions (lists in any
    order, levels by any of their names)."""
    data = rule.when.model_dump(mode="json", exclude_defaults=True)

    def resolve(node: Any, match: Match | None) -> Any:
        if isinstance(node, dict):
            if "level" in node and match is not None and match.level is not None:
                window = match.level
                node = dict(node)
                node["level"] = {
                    "at_least": _level_key(standards, match, window.at_least)
                    if window.at_least
                    else None,
                    "at_most": _level_key(standards, match, window.at_most)
                    if window.at_most
                    else None,
                    "one_of": sorted(_level_key(standards, match, n) for n in window.one_of),
                }
            return node
        return node

    matches = iter(rule.when.matches())

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if any(k in node for k in ("all_of", "any_of", "of")):
                return {k: walk(v) for k, v in node.items()}
            return resolve(node, next(matches, None))
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return json.dumps(_normal(walk(data)), sort_keys=True, ensure_ascii=False)


def _target(standards: Standards, program: Program, rule: Rule) -> tuple[str, frozenset[str], str]:
    """(kind, targets, credit) of a rule in a programme, to compare rules."""
    target = rule.then
    match target:
        case ExemptCourses():
            courses = frozenset(target_courses(standards, program, target))
            amount = max_credits_per_use(standards, program, rule)
            return "exemption", courses, f"{target.choose}:{target.max_courses}:{amount}"
        case CourseCredits():
            amount = max_credits_per_use(standards, program, rule)
            return "exemption", frozenset({target.course}), f"partial:{amount}"
        case RequirementCredits() | HoursToCredits():
            data = target.model_dump(mode="json", exclude={"requirement"})
            requirement = frozenset({f"#{target.requirement}"})
            return "credits", requirement, json.dumps(data, sort_keys=True)
        case _:
            assert_never(target)


def rule_pairs(ctx: _Context) -> Iterator[Finding]:
    """Rules with the same conditions and overlapping targets in one programme."""
    groups: dict[tuple[str, str], list[Rule]] = {}
    for rule in ctx.s.rules.values():
        key = condition_key(ctx.s, rule)
        for program_ref in rule.programs:
            if program_ref in ctx.s.programs:
                groups.setdefault((str(program_ref), key), []).append(rule)
    reported: dict[tuple[str, str], tuple[CheckCode, list[str]]] = {}
    for (program_id, _), rules in groups.items():
        program = ctx.s.programs[program_id]
        for a, b in combinations(sorted(rules, key=lambda r: r.id), 2):
            if not _overlap(a, b):
                continue
            kind_a, targets_a, credit_a = _target(ctx.s, program, a)
            kind_b, targets_b, credit_b = _target(ctx.s, program, b)
            shared = targets_a & targets_b
            if not shared:
                continue
            same = kind_a == kind_b and targets_a == targets_b and credit_a == credit_b
            code: CheckCode = "DUPLICATE_RULE" if same else "CONFLICTING_RULES"
            where = f"{program_id} ({', '.join(sorted(t.lstrip('#') for t in shared))})"
            known, places = reported.get((a.id, b.id), (code, []))
            if "CONFLICTING_RULES" in (known, code):  # a conflict in one programme is one
                code = "CONFLICTING_RULES"
            reported[(a.id, b.id)] = (code, [*places, where])
    for (first, second), (code, places) in sorted(reported.items()):
        if code == "DUPLICATE_RULE":
            message = (
                f"rules {first!r} and {second!r} have the same conditions and give the same "
                f"credit to "
                f"the same target in {'; '.join(places)}; keep one"
            )
        else:
            message = (
                f"rules {first!r} and {second!r} have the same conditions and target "
                f"{'; '.join(places)} but give different credit, and both are in force on "
                "some day; give them different conditions or dates, or remove one"
            )
        yield Finding(code, message, (ctx.rule(first), ctx.rule(second)))


# ---------------------------------------------------------------- references


def replaced_occupations(ctx: _Context) -> Iterator[Finding]:
    """A rule selects certificates of a replaced occupation code but none of its successor.

    A one-to-one replacement (a renumbered code) is the same occupation, which rules follow
    by themselves; so only a split or merge can leave a successor out."""
    for rule in ctx.s.rules.values():
        named: dict[str, None] = {}
        for match in rule.when.matches():
            for occupation_ref in match.occupations:
                named[str(occupation_ref)] = None
            for unit_id in match.units:
                unit = ctx.s.units.get(unit_id)
                if unit is not None:
                    named.update(dict.fromkeys(sorted(occupations_of(unit))))
        covered = {
            o
            for match in rule.when.matches()
            for u in selected_units(ctx.s, match)
            for o in occupations_of(ctx.s.units[u])
        }
        for occupation_id in named:
            occupation = ctx.s.occupations.get(occupation_id)
            if occupation is None or not occupation.replaced_by:
                continue
            missing = [str(s) for s in occupation.replaced_by if str(s) not in covered]
            if not missing:
                continue
            successors = [ctx.s.occupations[s] for s in missing if s in ctx.s.occupations]
            if rule.effective_until is not None and all(
                rule.effective_until < dt.date(s.edition, 1, 1) for s in successors
            ):
                continue
            yield Finding(
                "REPLACED_OCCUPATION",
                f"rule {rule.id!r} takes certificates of occupation {occupation_id!r} (code "
                f"{occupation.code}, {occupation.edition} edition), which was split or merged into "
                f"{', '.join(repr(m) for m in missing)} (not the same occupation, so not "
                "followed); certificates issued under the new code will not convert: select "
                "them too if they should (a shared `family` does it)",
                (ctx.rule(rule.id), involved(ctx.s, "occupation", occupation_id)),
            )


def exceeding_recognised(ctx: _Context) -> Iterator[Finding]:
    """Chains unit -> recognised by the bank -> target where the target asks for more than the
    bank recognised: under a within_recognised cap (R3) such a use is refused whole."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for source, _, data in ctx.g.rule_edges():
        if parse_node(source)[0] != "recognition" or not data.get("bounded_by"):
            continue
        unit, rule_id, program_id = data["unit"], data["rule"], data["program"]
        rule, program = ctx.s.rules[rule_id], ctx.s.programs[program_id]
        for level in data.get("level_ids", "").split(", "):
            if not level:
                continue
            least = least_credits_per_use(ctx.s, program, rule, unit, level)
            ceiling = recognised_at_level(ctx.s, unit, level)
            if least is None or ceiling is None or least <= ceiling:
                continue
            entry = found.setdefault(
                (rule_id, unit, level),
                {"least": least, "ceiling": ceiling, "cap": data["bounded_by"], "programs": []},
            )
            if program_id not in entry["programs"]:
                entry["programs"].append(program_id)
    for (rule_id, unit, level), entry in sorted(found.items()):
        framework = unit_framework(ctx.s, unit)
        shown = framework.level(level) if framework else None
        name = shown.name.text() if shown else level
        yield Finding(
            "EXCEEDS_RECOGNISED",
            f"rule {rule_id!r} gives {text(entry['least'])} credits for {unit!r} at {name}, but "
            f"the credit bank recognised only {text(entry['ceiling'])} at {name} and cap "
            f"{entry['cap']!r} allows no more; a conversion is granted whole or not at all, "
            f"so in {', '.join(entry['programs'])} the rule never applies at {name}",
            (ctx.rule(rule_id), ctx.unit(unit)),
        )


def targets_in_programs(ctx: _Context) -> Iterator[Finding]:
    """Courses a rule exempts or credits must be in each programme the rule is for."""
    for rule in ctx.s.rules.values():
        target = rule.then
        for program_id in rule.programs:
            program = ctx.s.programs.get(program_id)
            if program is None:
                continue
            in_program = {str(c) for c in program.course_ids()}
            for course in target.named_courses():
                if course in in_program:
                    continue
                hint = did_you_mean(course, in_program)
                yield Finding(
                    "TARGET_NOT_IN_PROGRAM",
                    f"rule {rule.id!r} converts into course {course!r}, which programme "
                    f"{str(program_id)!r} does not have;"
                    + (hint or " remove the programme from the rule or the course from it"),
                    (ctx.rule(rule.id), involved(ctx.s, "program", program_id)),
                )
            if (
                target.kind == "exempt_courses"
                and not target.courses
                and not target_courses(ctx.s, program, target)
            ):
                chosen = ", ".join([*target.course_types, *target.requirements])
                yield Finding(
                    "TARGET_NOT_IN_PROGRAM",
                    f"rule {rule.id!r} exempts courses by {chosen}, but programme "
                    f"{str(program_id)!r} has no such course",
                    (ctx.rule(rule.id), involved(ctx.s, "program", program_id)),
                )


def rules_selecting_nothing(ctx: _Context) -> Iterator[Finding]:
    """A condition that selects no unit (so an achievement can never meet it)."""
    for rule in ctx.s.rules.values():
        empty = [
            index for index, m in enumerate(rule.when.matches()) if not selected_units(ctx.s, m)
        ]
        if empty:
            where = "its condition" if len(rule.when.matches()) == 1 else "a part of its condition"
            yield Finding(
                "RULE_SELECTS_NOTHING",
                f"rule {rule.id!r}: {where} selects no unit of the standards (check its units, "
                "kinds, occupations, families, tags, scopes and tiers), so it never applies",
                (ctx.rule(rule.id),),
            )


# ---------------------------------------------------------------- programmes


def _rule_capacity(standards: Standards, program: Program, rule: Rule) -> Decimal | None:
    """The most credit a rule can put into its requirement: per use, times how many units
    can use it (one outcome converts once; any part of the condition may select it); None
    when unbounded."""
    units = {
        unit
        for match in rule.when.matches()
        for unit in selected_units(standards, match)
        if levels_in_window(standards, unit, match.level) != ()
    }
    best: dict[str, Decimal] = {}  # per outcome: units of one outcome convert once
    for unit in sorted(units):
        per_use = max_credits_per_use(standards, program, rule, unit)
        if per_use is None:
            return None
        outcome = outcome_of(standards, unit)
        best[outcome] = max(best.get(outcome, per_use), per_use)
    return sum(best.values(), Decimal(0))


def unsatisfiable_requirements(ctx: _Context) -> Iterator[Finding]:
    """A category or pool needs more than its courses plus every rule into it can give.

    A category or pool that names no courses (nor course types) is taught outside the
    standards — the school's own electives — so there is nothing to add up: it is skipped.
    """
    for program in ctx.s.programs.values():
        for req in program.requirements:
            if req.kind == "required_courses" or not req.min_credits:
                continue
            if not req.courses and not req.course_types:
                continue
            courses = requirement_courses(ctx.s, program, req)
            available = sum((course_credits(ctx.s, c) for c in courses), Decimal(0))
            rules = [
                r
                for r in ctx.s.rules.values()
                if program.id in r.programs and r.then.credited_requirement() == req.id
            ]
            unbounded = False
            for rule in rules:
                capacity = _rule_capacity(ctx.s, program, rule)
                if capacity is None:
                    unbounded = True
                    break
                available += capacity
            if unbounded or available >= req.min_credits:
                continue
            yield Finding(
                "UNSATISFIABLE_REQUIREMENT",
                f"requirement {req.id!r} of programme {program.id!r} needs "
                f"{text(req.min_credits)} credits, but its {len(courses)} courses and "
                f"{len(rules)} rules can give at most {text(available)}; add courses or lower "
                "min_credits",
                (involved(ctx.s, "program", program.id), *(ctx.rule(r.id) for r in rules)),
            )


def orphan_units(ctx: _Context) -> Iterator[Finding]:
    """Units no programme (by name or course type), rule (condition or target), cap or course
    prerequisite names."""
    used: set[str] = set()
    for program in ctx.s.programs.values():
        for requirement in program.requirements:
            used.update(requirement_courses(ctx.s, program, requirement))
    for rule in ctx.s.rules.values():
        for match in rule.when.matches():
            used.update(selected_units(ctx.s, match))
        target = rule.then
        used.update(target.named_courses())
        if target.kind == "exempt_courses":
            for program_id in rule.programs:
                if program_id in ctx.s.programs:
                    used.update(target_courses(ctx.s, ctx.s.programs[program_id], target))
    for cap in ctx.s.caps.values():
        used.update(str(u) for u in cap.counts.units)
    for unit in ctx.s.units.values():
        if isinstance(unit, CourseUnit):
            used.update(str(c) for c in unit.prerequisites)
    for unit in ctx.s.units.values():
        if unit.id not in used:
            what = "course" if unit.kind == "course" else f"{unit.kind} unit"
            yield Finding(
                "ORPHAN_UNIT",
                f"{what} {unit.id!r} is in no programme and no rule selects it; it can "
                "never count towards anything",
                (ctx.unit(unit.id),),
            )


def prerequisite_cycles(ctx: _Context) -> Iterator[Finding]:
    """Courses that are, directly or through others, their own prerequisites."""
    graph = nx.DiGraph()
    for source, target, _, data in ctx.g.edges("precedes"):
        if data.get("basis") == "prerequisite":
            graph.add_edge(parse_node(source)[1], parse_node(target)[1])
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        sub = graph.subgraph(component)
        if len(component) == 1 and not sub.number_of_edges():
            continue
        cycle = [a for a, _ in nx.find_cycle(sub, source=min(component))]
        path = " -> ".join([*cycle, cycle[0]])
        yield Finding(
            "PREREQUISITE_CYCLE",
            f"courses are each other's prerequisites: {path} (each precedes the next); "
            "no one could ever take them, remove one prerequisite",
            tuple(ctx.unit(c) for c in sorted(component)),
        )


# --------------------------------------------------------------------- levels


def _level_name(node: str) -> str:
    _, framework, level = parse_node(node)
    return f"{framework}:{level}"


def level_order(ctx: _Context) -> Iterator[Finding]:
    """same_as links must keep the rank order of both scales (and not merge levels)."""
    same = nx.Graph()
    for source, target, _, _ in ctx.g.edges("exactMatchOf"):
        if parse_node(source)[0] == "level":
            same.add_edge(source, target)
    classes: dict[str, int] = {}
    for index, component in enumerate(sorted(nx.connected_components(same), key=sorted)):
        for node in component:
            classes[node] = index
        by_framework: dict[str, list[str]] = {}
        for node in sorted(component):
            _, framework, level = parse_node(node)
            by_framework.setdefault(framework, []).append(str(level))
        for framework, levels in sorted(by_framework.items()):
            if len(levels) > 1:
                others = sorted(_level_name(n) for n in component if parse_node(n)[1] != framework)
                yield Finding(
                    "LEVELS_MERGED",
                    f"same_as links make levels {', '.join(map(repr, levels))} of framework "
                    f"{framework!r} equal (through {', '.join(others) or 'each other'}); "
                    "levels of one scale have different ranks, link each to one level",
                    tuple(
                        involved(ctx.s, "framework", f)
                        for f in sorted({parse_node(n)[1] for n in component})
                    ),
                )
    order = nx.DiGraph()
    for source, target, _, data in ctx.g.edges("precedes"):
        if data.get("basis") == "rank":
            a, b = classes.get(source, source), classes.get(target, target)
            if a != b:
                order.add_edge(a, b, low=source, high=target)
    for component in sorted(
        nx.strongly_connected_components(order), key=lambda c: sorted(map(str, c))
    ):
        if len(component) < 2:
            continue
        sub = order.subgraph(component)
        cycle = nx.find_cycle(sub)
        steps = [
            f"{_level_name(sub.edges[a, b]['low'])} < {_level_name(sub.edges[a, b]['high'])}"
            for a, b in cycle
        ]
        links = sorted(
            f"{_level_name(s)} = {_level_name(t)}"
            for s, t, _, _ in ctx.g.edges("exactMatchOf")
            if parse_node(s)[0] == "level" and classes.get(s) in component
        )
        frameworks = sorted(
            {parse_node(str(n))[1] for n, index in classes.items() if index in component}
        )
        yield Finding(
            "LEVEL_ORDER",
            f"the same_as links {'; '.join(links)} contradict the rank order "
            f"{'; '.join(steps)} (each '<' by rank): one scale is read the wrong way round, "
            "or a link points at the wrong level",
            tuple(involved(ctx.s, "framework", f) for f in frameworks),
        )


def empty_level_windows(ctx: _Context) -> Iterator[Finding]:
    """A level condition that admits no level of any unit it selects."""
    for rule in ctx.s.rules.values():
        for match in rule.when.matches():
            if match.level is None:
                continue
            units = [u for u in selected_units(ctx.s, match) if unit_levels(ctx.s, u)]
            if units and all(levels_in_window(ctx.s, u, match.level) == () for u in units):
                window = match.level
                shown = ", ".join(
                    f"{name} {value}"
                    for name, value in (
                        ("at_least", window.at_least),
                        ("at_most", window.at_most),
                        ("one_of", "/".join(window.one_of)),
                    )
                    if value
                )
                yield Finding(
                    "EMPTY_LEVEL_WINDOW",
                    f"rule {rule.id!r} asks for level {shown}, which no level of "
                    f"{', '.join(units[:3])}{' …' if len(units) > 3 else ''} meets (ranks run "
                    "lowest to highest); the rule can never apply",
                    (ctx.rule(rule.id),),
                )


def _falls(standards: Standards, unit_ids: Iterable[str], table: Iterable[LevelCredits]) -> str:
    """'' when credits never fall as the level rises, else the first fall as text."""
    entries = [e for e in table if e.level is not None]
    for unit in unit_ids:
        framework = unit_framework(standards, unit)
        if framework is None:
            continue
        ranked = []
        for entry in entries:
            level = framework.level(str(entry.level))
            if level is not None:
                ranked.append((level.rank, str(entry.level), entry.credits))
        ranked.sort()
        for (_, low, low_credits), (_, high, high_credits) in pairwise(ranked):
            if high_credits < low_credits:
                return (
                    f"{high} ({text(high_credits)}) is worth less than {low} ({text(low_credits)})"
                )
        if ranked:
            return ""
    return ""


def level_credits(ctx: _Context) -> Iterator[Finding]:
    """Credits by level (a rule's table, a unit's recognised credits) never fall as rank rises."""
    for rule in ctx.s.rules.values():
        target = rule.then
        table = target.credits_by_level if target.kind == "credits" else ()
        if not table:
            continue
        units = [u for m in rule.when.matches() for u in selected_units(ctx.s, m)]
        fall = _falls(ctx.s, units, table)
        if fall:
            yield Finding(
                "CREDITS_FALL_WITH_LEVEL",
                f"rule {rule.id!r}: {fall}; a higher level normally converts to at least as "
                "much (check the order of the table, or whether the levels are mixed up)",
                (ctx.rule(rule.id),),
            )
    for unit in ctx.s.units.values():
        fall = _falls(ctx.s, [unit.id], unit.recognised_credits)
        if fall:
            yield Finding(
                "CREDITS_FALL_WITH_LEVEL",
                f"unit {unit.id!r} recognised_credits: {fall}",
                (ctx.unit(unit.id),),
            )


def _programs_of(standards: Standards, cap: Cap) -> list[Program]:
    """The programmes a cap applies to (named, else all of its school, else all)."""
    return [
        p
        for p in standards.programs.values()
        if (not cap.programs or p.id in cap.programs)
        and (cap.school is None or p.school == cap.school)
    ]


def exceeding_program_total(ctx: _Context) -> Iterator[Finding]:
    """A requirement's or a cap's ``max_credits`` above the programme total (itself a cap)."""
    for program in ctx.s.programs.values():
        total = program.total_credits
        for req in program.requirements:
            if req.max_credits is not None and req.max_credits > total:
                yield Finding(
                    "EXCEEDS_PROGRAM_TOTAL",
                    f"requirement {req.id!r} of programme {program.id!r} takes at most "
                    f"{text(req.max_credits)} credits, more than the programme's total "
                    f"{text(total)}; nothing recognises more than the total",
                    (involved(ctx.s, "program", program.id),),
                )
    for cap in ctx.s.caps.values():
        if cap.max_credits is None:
            continue
        for program in _programs_of(ctx.s, cap):
            if cap.max_credits > program.total_credits:
                yield Finding(
                    "EXCEEDS_PROGRAM_TOTAL",
                    f"cap {cap.id!r} allows {text(cap.max_credits)} credits, more than the "
                    f"total {text(program.total_credits)} of programme {program.id!r}; "
                    "the total binds first",
                    (involved(ctx.s, "cap", cap.id), involved(ctx.s, "program", program.id)),
                )


def _surely_counts(cap: Cap, rule: Rule, requirement: str) -> bool:
    """Whether a cap counts every use of a rule into ``requirement`` (only its rule and
    requirement filters are read: a cap filtering by unit, course type or online is not
    surely counting)."""
    sel = cap.counts
    if sel.units or sel.unit_kinds or sel.tags or sel.families or sel.scopes or sel.tiers:
        return False
    if sel.online is not None or sel.course_types:
        return False
    return (not sel.rules or rule.id in sel.rules) and (
        not sel.requirements or requirement in sel.requirements
    )


def _cap_room(cap: Cap, program: Program) -> Decimal | None:
    """The most credit one use can have under a cap (None: the cap does not say)."""
    if cap.max_credits is not None:
        return cap.max_credits
    if cap.max_share is not None and cap.share_of == "program":
        return share_of(program.total_credits, cap.max_share)
    if cap.max_count == 0:
        return Decimal(0)
    return None


def impossible_guarantees(ctx: _Context) -> Iterator[Finding]:
    """A rule's guaranteed minimum that a statutory cap counting the rule, the programme
    total or its target requirement (when it cannot overflow) never allows."""
    for rule in ctx.s.rules.values():
        target = rule.then.credited_requirement()
        if rule.guarantee is None or target is None:
            continue
        floor = rule.guarantee.min_credits
        for program_id in rule.programs:
            program = ctx.s.programs.get(str(program_id))
            if program is None:
                continue
            blockers: list[tuple[str, Involved, Decimal]] = []
            if program.total_credits < floor:
                total = involved(ctx.s, "program", program.id)
                blockers.append(("the programme total", total, program.total_credits))
            req = program.requirement(target)
            if req is not None and program.overflow_of(req.id) == "none":
                room = (
                    None if req.kind == "required_courses" else req.max_credits or req.min_credits
                )
                if room is not None and room < floor:
                    where = involved(ctx.s, "program", program.id)
                    blockers.append((f"requirement {req.id!r}", where, room))
            for cap in ctx.s.caps.values():
                if cap.authority != "statutory" or program not in _programs_of(ctx.s, cap):
                    continue
                room = _cap_room(cap, program) if _surely_counts(cap, rule, target) else None
                if room is not None and room < floor:
                    where = involved(ctx.s, "cap", cap.id)
                    blockers.append((f"statutory cap {cap.id!r}", where, room))
            for what, where, room in blockers:
                yield Finding(
                    "GUARANTEE_IMPOSSIBLE",
                    f"rule {rule.id!r} guarantees at least {text(floor)} credits in programme "
                    f"{program.id!r}, but {what} allows at most {text(room)}; lower the "
                    "guarantee, or mark the cap `authority: institutional` if the school "
                    "set it",
                    (ctx.rule(rule.id), where),
                )


CHECKS: dict[str, Check] = {
    "amplifying_cycles": amplifying_cycles,
    "rule_pairs": rule_pairs,
    "replaced_occupations": replaced_occupations,
    "exceeding_recognised": exceeding_recognised,
    "targets_in_programs": targets_in_programs,
    "rules_selecting_nothing": rules_selecting_nothing,
    "unsatisfiable_requirements": unsatisfiable_requirements,
    "orphan_units": orphan_units,
    "prerequisite_cycles": prerequisite_cycles,
    "level_order": level_order,
    "empty_level_windows": empty_level_windows,
    "level_credits": level_credits,
    "exceeding_program_total": exceeding_program_total,
    "impossible_guarantees": impossible_guarantees,
}
"""Every check, by name, in the order they run."""


def run_checks(standards: Standards, graph: StandardsGraph | None = None) -> list[Finding]:
    """Every finding of every check, errors first, then by file and line."""
    ctx = _Context(standards, graph or build_graph(standards))
    found = [finding for check in CHECKS.values() for finding in check(ctx)]
    return sorted(dict.fromkeys(found), key=Finding.sort_key)
