"""Explain an allocation: every achievement's decision, every requirement's progress, totals.

The explainer reads what :func:`~creditbank.engine.evaluate.plan` worked out — the rule
scans, the options and budgets, the chosen allocation — and says for each achievement what
it was used for or why not, with a stable reason code and a sentence in Chinese and English.

What it needs per achievement (the chosen uses, every rule that mentions it, the options it
could have taken) is gathered in one pass over the scans and options, so explaining costs
what the scans and options cost, not achievements times rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from creditbank.engine.cache import EngineCache
from creditbank.engine.conditions import Failure
from creditbank.engine.constraints import BudgetLabel, Compiled
from creditbank.engine.facts import Facts
from creditbank.engine.index import rule_index
from creditbank.engine.options import Option, RuleScan, tidy, unconverted_credits
from creditbank.engine.overflow import Placement, place
from creditbank.engine.problem import Problem, Usage
from creditbank.engine.reasons import ReasonCode, Step, sentences
from creditbank.engine.result import Decision, RequirementProgress, RuleOutcome, Totals, Use
from creditbank.models import Cap, Program, Requirement, Standards

__all__ = ["Explainer", "placement", "progress", "scan_failure", "totals"]

_BLOCK_ORDER = {
    "unit": 0,
    "course": 1,
    "requirement": 2,
    "cap": 3,
    "total": 4,  # the programme total: named when no stated cap says more
    "use": 5,
    "in-use": 6,
}


def _figures(usage: Usage[Decimal], problem: Problem, budget: int, option: int) -> dict[str, str]:
    """A budget's limit, what the allocation already takes from it and what ``option``
    would need, as text: credits for a sum budget, achievements for a count."""
    limit = problem.budgets[budget].limit
    draws = [value for index, value in problem.draws[option] if index == budget]
    if problem.budgets[budget].distinct:
        held = usage.tokens.get(budget, _NO_TOKENS).keys()
        return {
            "limit": str(tidy(limit)),
            "used": str(len(held)),
            "needed": str(len(set(draws) - held)),
            "measure": "achievements",
        }
    needed = sum((v for v in draws if isinstance(v, Decimal)), Decimal(0))
    return {
        "limit": str(tidy(limit)),
        "used": str(tidy(usage.used.get(budget, Decimal(0)))),
        "needed": str(tidy(needed)),
        "measure": "credits",
    }


_NO_TOKENS: dict[object, int] = {}


def _own(label: BudgetLabel, figures: dict[str, str]) -> dict[str, str]:
    """A subset budget's figures as its requirement's (or cap's) own: the members'
    capacities (:attr:`BudgetLabel.offset`) taken off its limit and its use."""
    if label.offset:
        for name in ("limit", "used"):
            figures[name] = str(tidy(max(Decimal(figures[name]) - label.offset, Decimal(0))))
    return figures


_CUTTING = frozenset({"cap", "requirement", "total", "course"})
"""Budgets that can hold a guaranteed use below its full credits."""


def _most_telling(budgets: Sequence[int], labels: Sequence[BudgetLabel]) -> int | None:
    """A duplicate outcome is named before a full course, a full course before a cap."""
    return min(budgets, key=lambda b: _BLOCK_ORDER.get(labels[b].kind, 9), default=None)


def scan_failure(achievement: str, scan: RuleScan) -> Failure | None:
    """How one rule failed an achievement: its combination, target or credit, else a condition."""
    if achievement in scan.incomplete:
        return Failure("COMBINATION_INCOMPLETE", Step.COMBINATION, {"rule": scan.rule.id})
    if achievement in scan.no_target:
        return Failure("NO_TARGET", Step.TARGET, {"rule": scan.rule.id})
    if achievement in scan.no_credit:
        return Failure("NO_CREDIT", Step.CREDIT, {"rule": scan.rule.id})
    return scan.failures.get(achievement)


_Mention = tuple[str, bool, Failure | None]
"""A rule that looked at an achievement: its id, whether one of its options binds the
achievement, and how it failed the achievement (:func:`scan_failure`)."""


def _mentions(scans: Sequence[RuleScan]) -> dict[str, list[_Mention]]:
    """Achievement -> the rules that looked at it, in the order of the scans."""
    out: dict[str, list[_Mention]] = {}
    for scan in scans:
        rule = scan.rule.id
        bound = {a for option in scan.options for a in option.binding}
        named = bound.union(scan.failures)
        if scan.no_credit or scan.no_target or scan.incomplete:
            named.update(scan.no_credit, scan.no_target, scan.incomplete)
            for achievement in named:
                failure = scan_failure(achievement, scan)
                out.setdefault(achievement, []).append((rule, achievement in bound, failure))
        else:  # the usual case: a condition failed, or nothing did
            failures = scan.failures
            for achievement in named:
                failure = failures.get(achievement)
                out.setdefault(achievement, []).append((rule, achievement in bound, failure))
    return out


class Explainer:
    """Builds each achievement's decision from the scans and the chosen allocation."""

    def __init__(
        self,
        *,
        as_of: dt.date,
        facts: dict[str, Facts],
        options: Sequence[Option],
        compiled: Compiled,
        chosen: Sequence[int],
        superseded: dict[str, tuple[str, str]],
        scans: Sequence[RuleScan],
        not_in_force: dict[str, str],
        selected: set[str],
        highest_only: frozenset[str] = frozenset(),
        relaxed_for: frozenset[str] = frozenset(),
        placed: Placement | None = None,
        caps: Mapping[str, Cap] | None = None,
        set_aside: Mapping[str, tuple[str, str, str, str]] | None = None,
        program: Program | None = None,
    ) -> None:
        self.as_of = as_of
        self.facts = facts
        self.options = options
        self.compiled = compiled
        self.chosen = chosen
        self.superseded = superseded
        self.not_in_force = not_in_force
        self.selected = selected
        self.highest_only = highest_only
        """Ids of the highest-only caps in force."""
        self.relaxed_for = relaxed_for
        """Lower certificates counted although a higher one of their family is held."""
        self.caps = caps or {}
        """The caps in force by id (their names and limits explain CAP_REACHED)."""
        self.set_aside = set_aside or {}
        """Achievements whose combinations highest-only set aside for a partner."""
        self.program = program
        self.chosen_options = [options[i] for i in chosen]
        self.placed = placed
        """How the chosen entries were split with their requirements' overflow."""
        self.position = {id(o): p for p, o in enumerate(self.chosen_options)}
        self.uses_of: dict[str, list[Option]] = {}
        for option in self.chosen_options:
            for achievement in dict.fromkeys(option.binding):
                self.uses_of.setdefault(achievement, []).append(option)
        self._options_of: dict[str, list[tuple[int, Option]]] | None = None
        self.mentions = _mentions(scans)
        self.usage: Usage[Decimal] | None = None
        """What the allocation takes from each budget (worked out when first asked)."""

    @property
    def options_of(self) -> dict[str, list[tuple[int, Option]]]:
        """Achievement -> the options (with their positions) that use it (made when asked:
        only an achievement not recognised needs it)."""
        if self._options_of is None:
            self._options_of = {}
            for index, option in enumerate(self.options):
                for achievement in dict.fromkeys(option.binding):
                    self._options_of.setdefault(achievement, []).append((index, option))
        return self._options_of

    def decide(self, achievement: str) -> Decision:
        fact = self.facts[achievement]
        chosen = self.uses_of.get(achievement, [])
        uses = tuple(
            Use(
                rule=o.rule.id,
                achievements=o.binding,
                requirement=e.requirement,
                course=e.course,
                kind=e.kind,
                credits=e.credits,
                recorded_grade=o.recorded_grade if e.kind == "exemption" else None,
                **self.overflow(o, at),
            )
            for o in chosen
            for at, e in enumerate(o.entries)
        )
        base = {
            "achievement": achievement,
            "unit": fact.unit.id,
            "level": fact.achievement.level,
            "rules": self.outcomes(achievement, chosen),
        }
        if uses:
            credits = sum((u.credits for u in uses), Decimal(0))
            cut = self.guarantee_cut(achievement, chosen)
            if cut is None:
                return Decision(**base, recognised=True, credits=credits, uses=uses)
            zh, en = sentences("CAP_REACHED", cut)
            return Decision(
                **base,
                recognised=True,
                credits=credits,
                uses=uses,
                reason="CAP_REACHED",
                detail=cut,
                message_zh=zh,
                message_en=en,
            )
        reason, detail = self.why_not(achievement)
        detail = {
            **detail,
            "as_of": self.as_of.isoformat(),
            "earned_on": fact.achievement.earned_on.isoformat(),
        }
        zh, en = sentences(reason, detail)
        return Decision(
            **base,
            recognised=False,
            credits=Decimal(0),
            reason=reason,
            detail=detail,
            message_zh=zh,
            message_en=en,
        )

    def guarantee_cut(self, achievement: str, chosen: Sequence[Option]) -> dict[str, str] | None:
        """Why a guaranteed use got less than its full credits: the cap that blocked the
        next amount up, with the full amount, the floor and the amount granted (None when
        no guaranteed use of ``achievement`` was cut)."""
        for option in chosen:
            guarantee = option.rule.guarantee
            if guarantee is None:
                continue
            larger = [
                (position, other)
                for position, other in self.options_of.get(achievement, ())
                if other.use == option.use and other.credits > option.credits
            ]
            if not larger:
                continue
            full = max(other.credits for _, other in larger)
            position, _ = min(larger, key=lambda pair: pair[1].credits)
            # the allocation without this use: what the next amount up would have met
            problem, labels = self.compiled.problem, self.compiled.labels
            mine = self.options.index(option)
            usage = Usage.of_problem(problem, [c for c in self.chosen if c != mine])
            found = [b for b in usage.overflows(position) if labels[b].kind in _CUTTING]
            budget = _most_telling(found, labels)
            detail: dict[str, str] = {}
            if budget is not None:
                label = labels[budget]
                figures = _own(label, _figures(usage, problem, budget, position))
                if label.kind == "cap":
                    detail = {**self.cap_detail(budget, position), **figures}
                else:
                    detail = {"target": label.name, **figures}
            return {
                **detail,
                "rule": option.rule.id,
                "full": str(tidy(full)),
                "floor": str(tidy(guarantee.min_credits)),
                "granted": str(tidy(option.credits)),
            }
        return None

    def overflow(self, option: Option, at: int) -> dict[str, Any]:
        """The part of an entry that went on to its requirement's overflow, if any."""
        if self.placed is None:
            return {}
        found = self.placed.surplus.get((self.position[id(option)], at))
        if found is None:
            return {}
        return {"overflow": found[0], "overflow_credits": found[1]}

    def outcomes(self, achievement: str, chosen: Sequence[Option]) -> tuple[RuleOutcome, ...]:
        used_rules = {o.rule.id for o in chosen}
        out = []
        for rule, bound, failure in self.mentions.get(achievement, ()):
            if rule in used_rules:
                out.append(RuleOutcome(rule=rule, outcome="used"))
            elif bound:
                out.append(RuleOutcome(rule=rule, outcome="eligible"))
            elif failure is not None:
                out.append(
                    RuleOutcome(
                        rule=rule, outcome="failed", reason=failure.reason, detail=failure.detail
                    )
                )
        if achievement in self.not_in_force:
            rule = self.not_in_force[achievement]
            out.append(
                RuleOutcome(
                    rule=rule, outcome="failed", reason="RULE_NOT_IN_FORCE", detail={"rule": rule}
                )
            )
        return tuple(out)

    def scan_reason(self, achievement: str) -> tuple[ReasonCode, dict[str, str]] | None:
        """The failure of the rule that came closest (the first of the furthest), else
        a rule not in force, else None."""
        best: Failure | None = None
        for _, _, failure in self.mentions.get(achievement, ()):
            if failure is not None and (best is None or failure.step > best.step):
                best = failure
        if best is not None:
            return best.reason, dict(best.detail)
        if achievement in self.not_in_force:
            return "RULE_NOT_IN_FORCE", {"rule": self.not_in_force[achievement]}
        return None

    def why_not(self, achievement: str) -> tuple[ReasonCode, dict[str, str]]:
        if achievement in self.superseded:
            cap, other = self.superseded[achievement]
            level = self.facts[other].achievement.level or "—"
            return "SUPERSEDED_BY_HIGHER", {"cap": cap, "other": other, "other_level": level}
        blocked = [
            (index, option, found)
            for index, option in self.options_of.get(achievement, ())
            if (found := self.overflows(index))
        ]
        if blocked:
            # Name what stops *every* use of the achievement when one budget does (the
            # highest-only cap, not the course its best option would have taken); else
            # what stops its best option.
            labels = self.compiled.labels
            position, best, found = blocked[0]
            common = [
                b
                for b in found
                if all(labels[b] in {labels[i] for i in other} for _, _, other in blocked)
            ]
            family = next(
                (
                    b
                    for b in common
                    if labels[b].kind == "cap" and labels[b].name in self.highest_only
                ),
                None,
            )
            lower = (
                self.lower_users(labels[family], best, achievement) if family is not None else ""
            )
            if family is not None and lower:  # a lower certificate of its family counts instead
                return "CAP_REACHED", {**self.cap_detail(family, position), "other": lower}
            budget = _most_telling(common, labels)
            if budget is None:
                budget = _most_telling(found, labels)
            assert budget is not None
            return self.blocked(budget, achievement, position, best)
        if achievement in self.set_aside:
            cap, rule, partner, higher = self.set_aside[achievement]
            level = self.facts[partner].achievement.level or "—"
            return "PARTNER_SUPERSEDED", {
                "cap": cap,
                "rule": rule,
                "other": partner,
                "other_level": level,
                "higher": higher,
            }
        scanned = self.scan_reason(achievement)
        if scanned is not None:
            return scanned
        if achievement not in self.selected:
            return "NO_RULE", {}
        # not reached by any case known: still name the rules that looked at it
        rules = ", ".join(dict.fromkeys(r for r, _, _ in self.mentions.get(achievement, ())))
        return "NO_CREDIT", {"rule": rules or "—"}

    def lower_users(self, label: BudgetLabel, option: Option, achievement: str) -> str:
        """Chosen members of the highest-only family of ``option`` below ``achievement``'s level
        that count only because they recognise more than the letter allows."""
        rank = self.facts[achievement].rank
        unit = self.outcome(achievement)
        if not self.relaxed_for or any(
            self.outcome(a) == unit and (self.facts[a].rank or -(10**9)) >= (rank or -(10**9))
            for o in self.chosen_options
            for a in o.binding
        ):  # the letter held, or a certificate as high of the same unit counts: a duplicate
            return ""
        problem, labels = self.compiled.problem, self.compiled.labels
        mine = {i for i, _ in problem.draws[self.options.index(option)] if labels[i] == label}
        names = {
            str(token)
            for picked in self.chosen
            for i, token in problem.draws[picked]
            if i in mine
            and token in self.relaxed_for
            and rank is not None
            and (self.facts[str(token)].rank or -(10**9)) < rank
        }
        return ", ".join(sorted(names))

    def _usage(self) -> Usage[Decimal]:
        if self.usage is None:
            self.usage = Usage.of_problem(self.compiled.problem, self.chosen)
        return self.usage

    def overflows(self, option: int) -> list[int]:
        """The budgets (indices) that adding ``option`` would overflow."""
        return self._usage().overflows(option)

    def cap_detail(self, budget: int, option: int) -> dict[str, str]:
        """A cap that blocks ``option``: its id and names, limit, use, and the option's need."""
        cap_id = self.compiled.labels[budget].name
        cap = self.caps.get(cap_id)
        names = {}
        if cap is not None:
            names = {
                k: v for k, v in (("cap_name_zh", cap.name.zh), ("cap_name_en", cap.name.en)) if v
            }
        return {"cap": cap_id, **names, **self.figures(budget, option)}

    def figures(self, budget: int, option: int) -> dict[str, str]:
        """A budget's figures (:func:`_figures`), those of a budget over a requirement
        and the requirements overflowing into it given as the requirement's own: its own
        limit, and what is in it (the members' use beyond their capacities)."""
        figures = _figures(self._usage(), self.compiled.problem, budget, option)
        return _own(self.compiled.labels[budget], figures)

    def undeclared_source(self, budget: int) -> dict[str, str] | None:
        """A ``share_of: source`` cap's budget that is nil because the source states its
        credits in a unit the programme has no factor for: the figures saying so."""
        cap = self.caps.get(self.compiled.labels[budget].name)
        key = self.compiled.problem.budgets[budget].key
        if cap is None or cap.share_of != "source" or self.program is None or len(key) < 3:
            return None
        fact = self.facts.get(str(key[2]))
        found = None if fact is None else unconverted_credits(self.program, fact)
        return None if found is None else {**found, "by": cap.id}

    def outcome(self, achievement: str) -> str:
        """The unit standing for the achievement's outcome (its unit budget's name)."""
        unit = self.facts[achievement].unit.id
        return self.compiled.outcomes.get(unit, unit)

    def users_of(self, label: BudgetLabel) -> str:
        names: set[str] = set()
        for option in self.chosen_options:
            for at, entry in enumerate(option.entries):
                if (label.kind == "course" and entry.course == label.name) or (
                    label.kind == "requirement"
                    and (
                        entry.requirement == label.name
                        or self.overflow(option, at).get("overflow") == label.name
                    )
                ):
                    names.update(option.binding)
            if label.kind == "unit":
                names.update(a for a in option.binding if self.outcome(a) == label.name)
            if label.kind == "total":
                names.update(option.binding)
        return ", ".join(sorted(names))

    def blocked(
        self, budget: int, achievement: str, position: int, option: Option
    ) -> tuple[ReasonCode, dict[str, str]]:
        label = self.compiled.labels[budget]
        if label.kind == "cap":
            undeclared = self.undeclared_source(budget)
            if undeclared is not None:
                return "UNIT_NOT_DECLARED", undeclared
            return "CAP_REACHED", self.cap_detail(budget, position)
        if label.kind == "unit":
            return "DUPLICATE", {"other": self.users_of(label)}
        if label.kind in ("course", "requirement", "total"):
            figures = self.figures(budget, position)
            del figures["measure"]
            users = self.users_of(label)
            if not users:  # nothing took it: the option alone is more than it can take
                return "TARGET_TOO_SMALL", {"target": label.name, **figures}
            return "TARGET_FILLED", {"target": label.name, "other": users, **figures}
        if label.kind == "use":  # a partner of the combination is used by another rule
            return "COMBINATION_INCOMPLETE", {"rule": option.rule.id, "other": label.name}
        return "COMBINATION_INCOMPLETE", {"rule": option.rule.id, "other": achievement}


def placement(standards: Standards, program: Program, chosen: Sequence[Option]) -> Placement:
    """How the chosen options' entries split between requirements and their overflow."""
    capacity = rule_index(standards).program(program).capacity
    entries = [[(e.requirement, e.credits) for e in option.entries] for option in chosen]
    return place(program, capacity, entries)


def progress(
    standards: Standards,
    program: Program,
    chosen: Sequence[Option],
    placed: Placement | None = None,
) -> tuple[RequirementProgress, ...]:
    """Credits of the chosen options towards each requirement of the programme (what each
    took itself and what overflowed into it, see :mod:`creditbank.engine.overflow`)."""
    by_requirement: dict[str, list[tuple[str | None, Decimal, str]]] = {}
    for option in chosen:
        for e in option.entries:
            by_requirement.setdefault(e.requirement, []).append((e.course, e.credits, e.kind))
    if placed is None:
        placed = placement(standards, program, chosen)
    for target in placed.received:
        by_requirement.setdefault(target, [])
    untouched = _untouched(standards, program)
    return tuple(
        untouched[position]  # nothing converted into it: the same for every learner
        if (entries := by_requirement.get(requirement.id)) is None
        else _requirement_progress(
            standards, program, requirement, entries, placed.received.get(requirement.id)
        )
        for position, requirement in enumerate(program.requirements)
    )


def _requirement_progress(
    standards: Standards,
    program: Program,
    requirement: Requirement,
    entries: Sequence[tuple[str | None, Decimal, str]],
    received: Decimal | None = None,
) -> RequirementProgress:
    """One requirement's progress from the (course, credits, kind) converted into it, or
    what it ``received`` when overflow moved some of that on or brought some in."""
    satisfied = (
        sum((credits for _, credits, _ in entries), Decimal(0)) if received is None else received
    )
    required = (
        rule_index(standards).program(program).capacity[requirement.id]
        if requirement.kind == "required_courses"
        else requirement.min_credits or Decimal(0)
    )
    return RequirementProgress(
        requirement=requirement.id,
        name_zh=requirement.name.zh,
        name_en=requirement.name.en,
        kind=requirement.kind,
        required=required,
        satisfied=satisfied,
        remaining=max(required - satisfied, Decimal(0)),
        courses_exempted=tuple(sorted(c for c, _, kind in entries if c and kind == "exemption")),
    )


def _untouched(standards: Standards, program: Program) -> tuple[RequirementProgress, ...]:
    """Each requirement's progress (in order) when nothing is converted into it: immutable,
    so every evaluation of the programme shares them."""
    memo = standards.cache(EngineCache).untouched
    found = memo.get(program.id)
    if found is None or found[0] is not program:
        made = tuple(
            _requirement_progress(standards, program, requirement, ())
            for requirement in program.requirements
        )
        found = memo[program.id] = (program, made)
    return found[1]


def totals(program: Program, chosen: Sequence[Option], decisions: Sequence[Decision]) -> Totals:
    """Sums over the evaluation."""
    recognised = sum((o.credits for o in chosen), Decimal(0))
    total = program.total_credits
    share = (recognised / total).quantize(Decimal("0.0001")) if total else Decimal(0)
    return Totals(
        recognised=recognised,
        program_total=total,
        remaining=max(total - recognised, Decimal(0)),
        share=share,
        achievements=len(decisions),
        achievements_recognised=sum(d.recognised for d in decisions),
    )
