"""Evaluate a portfolio against a programme: a pure function of standards, portfolio, date.

>>> import datetime as dt, creditbank
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> portfolio = creditbank.load_portfolio(
...     creditbank.bundled_standards_path().parent / "examples/portfolios/"
...     "demo-worker-002-robot-operator.yaml", standards)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from creditbank.collector import collector_paused
from creditbank.engine.constraints import Compiled
from creditbank.engine.explain import Explainer, placement, progress, totals
from creditbank.engine.facts import Facts, make_facts
from creditbank.engine.highest import allocate
from creditbank.engine.index import rule_index
from creditbank.engine.memos import evaluated
from creditbank.engine.options import Option, RuleScan, canonical_order, options_for_rule
from creditbank.engine.problem import Solution
from creditbank.engine.result import Evaluation
from creditbank.errors import EvaluationError, LoadError
from creditbank.loading.crosscheck import check_portfolio
from creditbank.models import Cap, Portfolio, Program, Standards
from creditbank.suggest import did_you_mean

__all__ = ["Plan", "evaluate", "plan", "resolve_program"]


def resolve_program(standards: Standards, program_id: str | Program) -> Program:
    """A programme by id, or by its catalogue code when exactly one programme has it;
    else :class:`~creditbank.errors.EvaluationError` with a suggestion. A programme
    already resolved is returned as it is (a caller that resolved it once passes it on,
    rather than its id to be looked up again)."""
    if isinstance(program_id, Program):
        return program_id
    program = standards.programs.get(program_id)
    if program is None:
        by_code = [p for p in standards.programs.values() if p.code == program_id]
        if len(by_code) == 1:
            return by_code[0]
        hint = did_you_mean(program_id, standards.programs) or (
            " known programmes: " + ", ".join(standards.programs)
        )
        raise EvaluationError(f"unknown programme {program_id!r};{hint}", "UNKNOWN_PROGRAM")
    return program


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
    relaxed_for: frozenset[str] = frozenset()
    """Lower certificates highest-only would set aside, allowed back because keeping their
    family on a higher level would cost credit (empty when the letter holds), see
    :mod:`creditbank.engine.highest`."""
    set_aside: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)
    """Achievements whose combinations highest-only set aside for a partner -> (cap, rule,
    partner, the member of the partner's family that counts)."""


def plan(
    standards: Standards, portfolio: Portfolio, program: str | Program, as_of: dt.date | None = None
) -> Plan:
    """Scan the rules, build the options and budgets, and solve the allocation."""
    day = as_of or dt.date.today()
    prog = resolve_program(standards, program)
    problems = check_portfolio(portfolio, standards, None)
    if problems:
        raise LoadError(problems)
    facts = {a.id: make_facts(standards, a) for a in portfolio.achievements}
    ordered_facts = [facts[a.id] for a in portfolio.achievements]
    index = rule_index(standards).program(prog)
    scans: list[RuleScan] = []
    not_in_force: dict[str, str] = {}
    # Only rules that select an achievement of the portfolio (in id order), each with the
    # achievements it selects: any other rule's scan is empty and changes nothing, and an
    # achievement a rule does not select is never bound, failed or eligible under it.
    for rule, selected in index.selecting([f.unit for f in ordered_facts]):
        if rule.in_force(day):
            chosen = [ordered_facts[i] for i in selected]
            scan = options_for_rule(standards, prog, rule, chosen, day)
            if scan.options or scan.failures or scan.eligible:
                scans.append(scan)
        else:
            for i in selected:
                not_in_force.setdefault(ordered_facts[i].id, rule.id)
    caps = [cap for cap in index.caps if cap.in_force(day)]
    candidates = canonical_order((o for scan in scans for o in scan.options), prog, facts)
    made = allocate(standards, prog, caps, candidates, facts)
    return Plan(
        prog,
        day,
        facts,
        tuple(scans),
        not_in_force,
        tuple(caps),
        made.superseded,
        made.options,
        made.compiled,
        made.solution,
        tuple(candidates),
        made.relaxed_for,
        made.set_aside,
    )


def evaluate(
    standards: Standards,
    portfolio: Portfolio,
    program: str | Program,
    as_of: dt.date | None = None,
) -> Evaluation:
    """Convert ``portfolio`` into credits of ``program`` (an id, a unique catalogue code,
    or the :class:`~creditbank.models.Program` :func:`resolve_program` found).

    Chooses, among all allocations that honour every rule and cap, one recognising the
    most credit (ties broken canonically, see :mod:`creditbank.engine.allocate`), and
    explains every achievement's decision. ``as_of`` defaults to today.

    Raises :class:`~creditbank.LoadError` when the portfolio names units, levels, issuers
    or grades the standards lack, and :class:`~creditbank.errors.EvaluationError` for an
    unknown programme.
    """
    with collector_paused():  # its objects all survive: see creditbank.collector
        return _evaluate(standards, portfolio, program, as_of)


def _evaluate(
    standards: Standards, portfolio: Portfolio, program: str | Program, as_of: dt.date | None
) -> Evaluation:
    made = plan(standards, portfolio, program, as_of)
    selected = set(made.not_in_force)
    for scan in made.scans:
        selected |= scan.eligible | set(scan.failures)
    chosen = [made.options[i] for i in made.solution.chosen]
    placed = placement(standards, made.program, chosen)
    explain = Explainer(
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
        relaxed_for=made.relaxed_for,
        placed=placed,
        caps={cap.id: cap for cap in made.caps},
        set_aside=made.set_aside,
        program=made.program,
    )
    decisions = [explain.decide(a.id) for a in portfolio.achievements]
    evaluation = Evaluation(
        program=made.program.id,
        learner=portfolio.learner,
        as_of=made.as_of,
        standards_fingerprint=standards.fingerprint(),
        decisions=tuple(decisions),
        requirements=progress(standards, made.program, chosen, placed),
        totals=totals(made.program, chosen, decisions),
    )
    evaluated(standards)  # keeps the engine's memos bounded
    return evaluation
