"""Evaluate a portfolio against a programme: a pure function of standards, portfolio, date.

>>> import datetime as dt, creditbank
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> portfolio = creditbank.load_portfolio(
...     creditbank.bundled_standards_path().parent / "examples/portfolios/"
...     "demo-worker-002-robot-operator.yaml", standards)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from creditbank.engine.allocate import Problem, Solution, solve
from creditbank.engine.conditions import Failure, selects
from creditbank.engine.constraints import (
    BudgetLabel,
    Compiled,
    compile_problem,
    counted,
    group_keys,
)
from creditbank.engine.facts import Facts, make_facts
from creditbank.engine.index import matches_of, rule_index
from creditbank.engine.options import Option, RuleScan, options_for_rule
from creditbank.engine.reasons import ReasonCode, sentence
from creditbank.engine.result import (
    Decision,
    Evaluation,
    RequirementProgress,
    RuleOutcome,
    Totals,
    Use,
)
from creditbank.errors import EvaluationError, LoadError
from creditbank.loading.crosscheck import check_portfolio
from creditbank.models import Cap, Portfolio, Program, Standards
from creditbank.suggest import did_you_mean

__all__ = ["Plan", "evaluate", "plan"]


def _program(standards: Standards, program_id: str) -> Program:
    program = standards.programs.get(program_id)
    if program is None:
        by_code = [p for p in standards.programs.values() if p.code == program_id]
        if len(by_code) == 1:
            return by_code[0]
        hint = did_you_mean(program_id, standards.programs) or (
            " known programmes: " + ", ".join(standards.programs)
        )
        raise EvaluationError(f"unknown programme {program_id!r};{hint}")
    return program


def _superseded(
    caps: Sequence[Cap],
    options: Sequence[Option],
    facts: dict[str, Facts],
    standards: Standards,
    program: Program,
) -> dict[str, tuple[str, str]]:
    """Highest-only: achievements below the best level of their group -> (cap, higher one)."""
    out: dict[str, tuple[str, str]] = {}
    for cap in caps:
        if not cap.highest_only:
            continue
        groups: dict[Hashable, set[str]] = {}
        for option in options:
            for entry in option.entries:
                if counted(cap, option, entry, facts, standards):
                    for key in group_keys(cap, option, entry, facts=facts, standards=standards):
                        groups.setdefault(key, set()).update(option.binding)
        for members in groups.values():
            ranked = sorted(members, key=lambda a: (-(facts[a].rank or -(10**9)), a))
            top = facts[ranked[0]].rank or -(10**9)
            for achievement in ranked:
                if (facts[achievement].rank or -(10**9)) < top:
                    out.setdefault(achievement, (cap.id, ranked[0]))
    return out


_BLOCK_ORDER = {"unit": 0, "course": 1, "requirement": 2, "cap": 3, "use": 4, "in-use": 5}


def _overflows(
    problem: Problem, labels: list[BudgetLabel], chosen: Sequence[int], option: int
) -> list[BudgetLabel]:
    """Every budget that adding ``option`` to the allocation would overflow."""
    used: dict[int, Decimal] = {}
    tokens: dict[int, set[Hashable]] = {}
    for picked in chosen:
        for index, value in problem.draws[picked]:
            if problem.budgets[index].distinct:
                tokens.setdefault(index, set()).add(value)
            elif isinstance(value, Decimal):
                used[index] = used.get(index, Decimal(0)) + value
    blocking: list[BudgetLabel] = []
    for index, value in problem.draws[option]:
        budget = problem.budgets[index]
        if budget.distinct:
            seen = tokens.setdefault(index, set())
            seen.add(value)
            if len(seen) > budget.limit:
                blocking.append(labels[index])
        elif isinstance(value, Decimal) and used.get(index, Decimal(0)) + value > budget.limit:
            blocking.append(labels[index])
    return blocking


def _most_telling(labels: Sequence[BudgetLabel]) -> BudgetLabel | None:
    """A duplicate outcome is named before a full course, a full course before a cap."""
    return min(labels, key=lambda label: _BLOCK_ORDER.get(label.kind, 9), default=None)


def _scan_failure(achievement: str, scan: RuleScan) -> Failure | None:
    """How one rule failed an achievement: its combination, target or credit, else a condition."""
    if achievement in scan.incomplete:
        return Failure("COMBINATION_INCOMPLETE", 10, {"rule": scan.rule.id})
    if achievement in scan.no_target:
        return Failure("NO_TARGET", 11, {"rule": scan.rule.id})
    if achievement in scan.no_credit:
        return Failure("NO_CREDIT", 12, {"rule": scan.rule.id})
    return scan.failures.get(achievement)


def _scan_reason(
    achievement: str, scans: Sequence[RuleScan], not_in_force: dict[str, str]
) -> tuple[ReasonCode, dict[str, str]] | None:
    best: tuple[float, Failure] | None = None
    for scan in scans:
        failure = _scan_failure(achievement, scan)
        if failure is not None and (best is None or failure.step > best[0]):
            best = (failure.step, failure)
    if best is not None:
        return best[1].reason, dict(best[1].detail)
    if achievement in not_in_force:
        return "RULE_NOT_IN_FORCE", {"rule": not_in_force[achievement]}
    return None


@dataclass(frozen=True)
class Plan:
    """Everything the engine worked out before explaining: the inputs to the allocation."""

    program: Program
    as_of: dt.date
    facts: dict[str, Facts]
    scans: tuple[RuleScan, ...]
    not_in_force: dict[str, str]
    caps: tuple[Cap, ...]
    superseded: dict[str, tuple[str, str]]
    options: tuple[Option, ...]
    compiled: Compiled
    solution: Solution
    candidates: tuple[Option, ...] = ()
    """Every option the rules offer, before highest-only sets the lower certificates aside."""


def plan(
    standards: Standards, portfolio: Portfolio, program: str, as_of: dt.date | None = None
) -> Plan:
    """Scan the rules, build the options and budgets, and solve the allocation."""
    day = as_of or dt.date.today()
    prog = _program(standards, program)
    problems = check_portfolio(portfolio, standards, None)
    if problems:
        raise LoadError(problems)
    facts = {a.id: make_facts(standards, a) for a in portfolio.achievements}
    ordered_facts = [facts[a.id] for a in portfolio.achievements]
    index = rule_index(standards).program(prog)
    scans: list[RuleScan] = []
    not_in_force: dict[str, str] = {}
    # Only rules that may select an achievement of the portfolio (the index's candidates,
    # in id order): any other rule's scan is empty and changes nothing.
    for rule in index.candidates(f.unit for f in ordered_facts):
        if rule.in_force(day):
            scan = options_for_rule(standards, prog, rule, ordered_facts, day)
            if scan.options or scan.failures or scan.eligible:
                scans.append(scan)
        else:
            for fact in ordered_facts:
                if any(selects(m, fact) for m in matches_of(rule.when)):
                    not_in_force.setdefault(fact.id, rule.id)
    caps = [cap for cap in index.caps if cap.in_force(day)]
    candidates = sorted((o for scan in scans for o in scan.options), key=lambda o: o.key)
    superseded = _superseded(caps, candidates, facts, standards, prog)
    options = [o for o in candidates if not _is_superseded(o, superseded, caps, facts, standards)]
    compiled = compile_problem(standards, prog, caps, options, facts)
    solution = solve(compiled.problem)
    if len(options) < len(candidates):
        # Highest-only, to the letter, set the lower certificates aside. Should the family's
        # one use recognise more credit on a lower one (the higher one's course is taken,
        # its rule gives less …), the lower one counts instead: a higher certificate never
        # costs the learner credit, and the total never falls when an achievement is added.
        relaxed_compiled = compile_problem(standards, prog, caps, candidates, facts)
        relaxed = solve(relaxed_compiled.problem)
        if relaxed.total > solution.total:
            options, compiled, solution, superseded = candidates, relaxed_compiled, relaxed, {}
    return Plan(
        prog,
        day,
        facts,
        tuple(scans),
        not_in_force,
        tuple(caps),
        superseded,
        tuple(options),
        compiled,
        solution,
        tuple(candidates),
    )


def evaluate(
    standards: Standards, portfolio: Portfolio, program: str, as_of: dt.date | None = None
) -> Evaluation:
    """Convert ``portfolio`` into credits of ``program`` (an id, or a unique catalogue code).

    Chooses, among all allocations that honour every rule and cap, one recognising the
    most credit (ties broken canonically, see :mod:`creditbank.engine.allocate`), and
    explains every achievement's decision. ``as_of`` defaults to today.

    Raises :class:`~creditbank.LoadError` when the portfolio names units, levels, issuers
    or grades the standards lack, and :class:`~creditbank.errors.EvaluationError` for an
    unknown programme.
    """
    made = plan(standards, portfolio, program, as_of)
    selected = set(made.not_in_force)
    for scan in made.scans:
        selected |= scan.eligible | set(scan.failures)
    explain = _Explainer(
        as_of=made.as_of,
        facts=made.facts,
        options=made.options,
        compiled=made.compiled,
        chosen=made.solution.chosen,
        superseded=made.superseded,
        scans=made.scans,
        not_in_force=made.not_in_force,
        selected=selected,
        highest_only=frozenset(cap.id for cap in made.caps if cap.highest_only),
    )
    decisions = [explain.decide(a.id) for a in portfolio.achievements]
    chosen = [made.options[i] for i in made.solution.chosen]
    return Evaluation(
        program=made.program.id,
        learner=portfolio.learner,
        as_of=made.as_of,
        standards_fingerprint=standards.fingerprint(),
        decisions=tuple(decisions),
        requirements=_progress(standards, made.program, chosen),
        totals=_totals(made.program, chosen, decisions, made.solution.optimal),
    )


def _is_superseded(
    option: Option,
    superseded: dict[str, tuple[str, str]],
    caps: Sequence[Cap],
    facts: dict[str, Facts],
    standards: Standards,
) -> bool:
    for achievement in option.binding:
        hit = superseded.get(achievement)
        if hit is None:
            continue
        cap = next(c for c in caps if c.id == hit[0])
        if any(counted(cap, option, e, facts, standards) for e in option.entries):
            return True
    return False


@dataclass
class _Explainer:
    """Builds each achievement's decision from the scans and the chosen allocation."""

    as_of: dt.date
    facts: dict[str, Facts]
    options: Sequence[Option]
    compiled: Compiled
    chosen: Sequence[int]
    superseded: dict[str, tuple[str, str]]
    scans: Sequence[RuleScan]
    not_in_force: dict[str, str]
    selected: set[str]
    highest_only: frozenset[str] = frozenset()
    """Ids of the highest-only caps in force."""

    @property
    def chosen_options(self) -> list[Option]:
        return [self.options[i] for i in self.chosen]

    def decide(self, achievement: str) -> Decision:
        fact = self.facts[achievement]
        chosen = [o for o in self.chosen_options if achievement in o.binding]
        uses = tuple(
            Use(
                rule=o.rule.id,
                achievements=o.binding,
                requirement=e.requirement,
                course=e.course,
                kind=e.kind,
                credits=e.credits,
                recorded_grade=o.recorded_grade if e.kind == "exemption" else None,
            )
            for o in chosen
            for e in o.entries
        )
        base = {
            "achievement": achievement,
            "unit": fact.unit.id,
            "level": fact.achievement.level,
            "rules": self.outcomes(achievement, chosen),
        }
        if uses:
            credits = sum((u.credits for u in uses), Decimal(0))
            return Decision(**base, recognised=True, credits=credits, uses=uses)
        reason, detail = self.why_not(achievement)
        detail = {
            **detail,
            "as_of": self.as_of.isoformat(),
            "earned_on": fact.achievement.earned_on.isoformat(),
        }
        return Decision(
            **base,
            recognised=False,
            credits=Decimal(0),
            reason=reason,
            detail=detail,
            message_zh=sentence(reason, "zh", **detail),
            message_en=sentence(reason, "en", **detail),
        )

    def outcomes(self, achievement: str, chosen: Sequence[Option]) -> tuple[RuleOutcome, ...]:
        used_rules = {o.rule.id for o in chosen}
        out = []
        for scan in self.scans:
            if scan.rule.id in used_rules:
                out.append(RuleOutcome(rule=scan.rule.id, outcome="used"))
            elif any(achievement in o.binding for o in scan.options):
                out.append(RuleOutcome(rule=scan.rule.id, outcome="eligible"))
            elif (failure := _scan_failure(achievement, scan)) is not None:
                out.append(
                    RuleOutcome(
                        rule=scan.rule.id,
                        outcome="failed",
                        reason=failure.reason,
                        detail=failure.detail,
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

    def why_not(self, achievement: str) -> tuple[ReasonCode, dict[str, str]]:
        if achievement in self.superseded:
            cap, other = self.superseded[achievement]
            return "SUPERSEDED_BY_HIGHER", {"cap": cap, "other": other}
        blocked = [
            (option, found)
            for index, option in enumerate(self.options)
            if achievement in option.binding and (found := self.overflows(index))
        ]
        if blocked:
            # Name what stops *every* use of the achievement when one budget does (the
            # highest-only cap, not the course its best option would have taken); else
            # what stops its best option.
            common = [
                label for label in blocked[0][1] if all(label in found for _, found in blocked)
            ]
            family = next(
                (x for x in common if x.kind == "cap" and x.name in self.highest_only), None
            )
            lower = self.lower_users(family, blocked[0][0], achievement) if family else ""
            if family is not None and lower:  # a lower certificate of its family counts instead
                return "CAP_REACHED", {"cap": family.name, "other": lower}
            label = _most_telling(common) or _most_telling(blocked[0][1])
            assert label is not None
            return self.blocked(label, achievement, blocked[0][0])
        scanned = _scan_reason(achievement, self.scans, self.not_in_force)
        if scanned is not None:
            return scanned
        return ("NO_RULE", {}) if achievement not in self.selected else ("NO_CREDIT", {})

    def lower_users(self, label: BudgetLabel, option: Option, achievement: str) -> str:
        """Chosen members of the highest-only family of ``option`` below ``achievement``'s level."""
        problem, labels = self.compiled.problem, self.compiled.labels
        mine = {i for i, _ in problem.draws[self.options.index(option)] if labels[i] == label}
        rank = self.facts[achievement].rank
        names = {
            str(token)
            for picked in self.chosen
            for i, token in problem.draws[picked]
            if i in mine
            and token in self.facts
            and rank is not None
            and (self.facts[str(token)].rank or -(10**9)) < rank
        }
        return ", ".join(sorted(names))

    def overflows(self, option: int) -> list[BudgetLabel]:
        return _overflows(self.compiled.problem, self.compiled.labels, self.chosen, option)

    def users_of(self, label: BudgetLabel) -> str:
        names: set[str] = set()
        for option in self.chosen_options:
            for entry in option.entries:
                if (label.kind == "course" and entry.course == label.name) or (
                    label.kind == "requirement" and entry.requirement == label.name
                ):
                    names.update(option.binding)
            if label.kind == "unit":
                names.update(a for a in option.binding if self.facts[a].unit.id == label.name)
        return ", ".join(sorted(names)) or "—"

    def blocked(
        self, label: BudgetLabel, achievement: str, option: Option
    ) -> tuple[ReasonCode, dict[str, str]]:
        if label.kind == "cap":
            return "CAP_REACHED", {"cap": label.name}
        if label.kind == "unit":
            return "DUPLICATE", {"other": self.users_of(label)}
        if label.kind in ("course", "requirement"):
            return "TARGET_FILLED", {"target": label.name, "other": self.users_of(label)}
        if label.kind == "use":  # a partner of the combination is used by another rule
            return "COMBINATION_INCOMPLETE", {"rule": option.rule.id, "other": label.name}
        return "COMBINATION_INCOMPLETE", {"rule": option.rule.id, "other": achievement}


def _progress(
    standards: Standards, program: Program, chosen: Sequence[Option]
) -> tuple[RequirementProgress, ...]:
    capacity = rule_index(standards).program(program).capacity
    out = []
    for requirement in program.requirements:
        entries = [e for o in chosen for e in o.entries if e.requirement == requirement.id]
        satisfied = sum((e.credits for e in entries), Decimal(0))
        required = (
            capacity[requirement.id]
            if requirement.kind == "required_courses"
            else requirement.min_credits or Decimal(0)
        )
        out.append(
            RequirementProgress(
                requirement=requirement.id,
                name_zh=requirement.name.zh,
                name_en=requirement.name.en,
                kind=requirement.kind,
                required=required,
                satisfied=satisfied,
                remaining=max(required - satisfied, Decimal(0)),
                courses_exempted=tuple(
                    sorted(e.course for e in entries if e.course and e.kind == "exemption")
                ),
            )
        )
    return tuple(out)


def _totals(
    program: Program, chosen: Sequence[Option], decisions: Sequence[Decision], optimal: bool
) -> Totals:
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
        optimal=optimal,
    )
