"""What if the learner also had …? Hypothetical achievements, and what is worth obtaining next.

>>> import datetime as dt, creditbank
>>> from creditbank.engine import evaluate_with, suggest
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> empty = creditbank.Portfolio(learner="nobody")
>>> best = suggest(standards, empty, "demo-college:460301", dt.date(2026, 11, 29))[0]
>>> best.gain > 0
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from creditbank.engine.evaluate import evaluate, resolve_program
from creditbank.engine.facts import grant_covers
from creditbank.engine.index import rule_index
from creditbank.engine.result import Evaluation
from creditbank.errors import EvaluationError
from creditbank.loading.crosscheck import unit_framework, unit_levels
from creditbank.models import Achievement, Portfolio, Program, Rule, Standards
from creditbank.models.units import CourseUnit, SkillCertificateUnit, UnitBase
from creditbank.suggest import did_you_mean

__all__ = ["Suggestion", "evaluate_with", "hypothetical", "parse_addition", "suggest"]

HYPOTHETICAL_PREFIX = "whatif:"


@dataclass(frozen=True)
class Suggestion:
    """An obtainable unit (at a level) and how much it alone would add."""

    unit: str
    level: str | None
    gain: Decimal
    total: Decimal
    hours: Decimal | None

    @property
    def per_hour(self) -> Decimal | None:
        """Credit gained per hour of study, when the unit's hours are known (and not 0)."""
        return self.gain / self.hours if self.hours else None

    def to_dict(self) -> dict[str, str | None]:
        """As ``creditbank whatif --format json`` and ``POST /v1/whatif`` give it (amounts
        as text, so they stay exact)."""
        return {
            "unit": self.unit,
            "level": self.level,
            "gain": str(self.gain),
            "total": str(self.total),
            "hours": str(self.hours) if self.hours is not None else None,
            "per_hour": f"{self.per_hour:.4f}" if self.per_hour is not None else None,
        }


def _authorised_issuer(
    standards: Standards, unit: UnitBase, level: str | None, on: dt.date
) -> str | None:
    """The first issuer (by id) authorised for the unit at the level on that day."""
    framework = unit_framework(standards, unit.id)
    for issuer in standards.issuers.values():
        if any(grant_covers(g, unit, framework, level, on) for g in issuer.authorised):
            return issuer.id
    return None


def hypothetical(
    standards: Standards, unit_id: str, level: str | None, on: dt.date, index: int = 0
) -> Achievement:
    """A hypothetical achievement of a unit at a level, earned on ``on`` from an authorised issuer.

    Raises :class:`EvaluationError` for an unknown unit or a level the unit does not have.
    """
    unit = standards.units.get(unit_id)
    if unit is None:
        raise EvaluationError(
            f"unknown unit {unit_id!r};"
            + (did_you_mean(unit_id, standards.units) or " see the standards"),
            "UNKNOWN_UNIT",
        )
    levels = unit_levels(standards, unit_id)
    framework = unit_framework(standards, unit_id)
    if level is not None:
        found = framework.level(level) if framework else None
        if found is None or (levels is not None and found.id not in levels):
            raise EvaluationError(_no_such_level(standards, unit_id, level), "UNKNOWN_LEVEL")
        level = found.id
    elif levels:
        raise EvaluationError(
            f"unit {unit_id!r} needs a level: {unit_id}@LEVEL (one of {', '.join(levels)})",
            "UNKNOWN_LEVEL",
        )
    return Achievement(
        id=f"{HYPOTHETICAL_PREFIX}{index}:{unit_id}",
        unit=unit_id,
        level=level,
        earned_on=on,
        issuer=_authorised_issuer(standards, unit, level, on),
        hours=unit.hours,
        credits=unit.credits,
    )


def _no_such_level(standards: Standards, unit_id: str, level: str) -> str:
    """Which levels the unit has (ids and names), and the closest one to what was written
    (``中极`` → ``中级``), as ``validate`` suggests for a portfolio."""
    framework = unit_framework(standards, unit_id)
    allowed = unit_levels(standards, unit_id)
    scale = [
        lv
        for lv in (framework.ordered() if framework is not None else ())
        if allowed is None or lv.id in allowed
    ]
    names = [name for lv in scale for name in lv.names()]
    shown = ", ".join(
        lv.id if lv.name.text("zh") == lv.id else f"{lv.id} ({lv.name.text('zh')})" for lv in scale
    )
    return (
        f"unit {unit_id!r} has no level {level!r};"
        + (did_you_mean(level, names) or "")
        + f" levels: {shown or 'none'}"
    )


def parse_addition(text: str) -> tuple[str, str | None]:
    """``UNIT`` or ``UNIT@LEVEL`` (the last ``@`` separates the level)."""
    unit, sep, level = text.rpartition("@")
    if not sep:
        return text, None
    if not unit or not level:
        raise EvaluationError(f"cannot read {text!r}; write UNIT or UNIT@LEVEL")
    return unit, level


def evaluate_with(
    standards: Standards,
    portfolio: Portfolio,
    program: str | Program,
    additions: Iterable[Achievement],
    as_of: dt.date | None = None,
) -> Evaluation:
    """Evaluate the portfolio with hypothetical achievements added."""
    extended = portfolio.model_copy(update={"achievements": (*portfolio.achievements, *additions)})
    return evaluate(standards, Portfolio.model_validate(extended.model_dump()), program, as_of)


def _program_rules(standards: Standards, program_id: str) -> list[Rule]:
    """The programme's rules, by id (from the index: not a scan of every rule)."""
    program = standards.programs.get(program_id)
    if program is None:
        return [r for r in standards.rules.values() if program_id in r.programs]
    return list(rule_index(standards).program(program).rules)


def _obtainable(standards: Standards, program_id: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    mentioned: set[str] = set()
    kinds: set[str] = set()
    families: set[str] = set()
    tags: set[str] = set()
    occupations: set[str] = set()
    for rule in _program_rules(standards, program_id):
        for match in rule.when.matches():
            mentioned.update(map(str, match.units))
            kinds.update(match.unit_kinds)
            families.update(match.families)
            tags.update(match.tags)
            occupations.update(map(str, match.occupations))
    for unit in standards.units.values():
        if isinstance(unit, CourseUnit):
            continue
        by_other_filters = (
            (bool(unit.family) and unit.family in families)
            or bool(set(unit.tags) & tags)
            or (isinstance(unit, SkillCertificateUnit) and unit.occupation in occupations)
        )
        if unit.id not in mentioned and unit.kind not in kinds and not by_other_filters:
            continue
        levels = unit_levels(standards, unit.id)
        out.extend((unit.id, level) for level in (levels or [None]))
    return out


def suggest(
    standards: Standards,
    portfolio: Portfolio,
    program: str | Program,
    as_of: dt.date | None = None,
    *,
    limit: int | None = None,
) -> list[Suggestion]:
    """Obtainable units ranked as advice: the least effort per credit gained first.

    Every unit (at each of its levels) that a rule of the programme can select is tried
    as a hypothetical achievement earned on the as-of date from an authorised issuer. Of
    one unit, a level is an option only when it gains more than every lower level of that
    unit: the lowest level that gives a gain is the one advised, never the same gain again
    at a higher level. Options whose study hours are known come first, most credit per
    hour first (then more credit); those whose hours are unknown follow, most credit first
    (:attr:`Suggestion.per_hour` is None for them; say so to the reader). Ties: unit, then
    level rank.
    """
    day = as_of or dt.date.today()
    prog = resolve_program(standards, program)
    base = evaluate(standards, portfolio, prog, day).totals.recognised
    by_unit: dict[str, list[tuple[int, Suggestion]]] = {}
    for unit_id, level in _obtainable(standards, prog.id):
        addition = hypothetical(standards, unit_id, level, day)
        total = evaluate_with(standards, portfolio, prog, [addition], day).totals.recognised
        if total > base:
            option = Suggestion(unit_id, level, total - base, total, standards.units[unit_id].hours)
            by_unit.setdefault(unit_id, []).append((_rank(standards, unit_id, level), option))
    found = [option for options in by_unit.values() for option in _undominated(options)]
    ranked = sorted(found, key=_advice_order(standards))
    return ranked[:limit] if limit is not None else ranked


def _rank(standards: Standards, unit_id: str, level: str | None) -> int:
    framework = unit_framework(standards, unit_id)
    found = framework.level(level) if framework is not None and level else None
    return found.rank if found is not None else 0


def _undominated(options: list[tuple[int, Suggestion]]) -> list[Suggestion]:
    """The levels of one unit worth advising: from the lowest rank up, each that gains more
    than every lower one (a higher level with the same gain is only more effort)."""
    kept: list[Suggestion] = []
    best = Decimal(0)
    for _, option in sorted(options, key=lambda pair: pair[0]):
        if option.gain > best:
            kept.append(option)
            best = option.gain
    return kept


def _advice_order(
    standards: Standards,
) -> Callable[[Suggestion], tuple[int, Decimal, Decimal, str, int]]:
    def key(s: Suggestion) -> tuple[int, Decimal, Decimal, str, int]:
        per_hour = s.per_hour
        return (
            0 if per_hour is not None else 1,
            -(per_hour if per_hour is not None else Decimal(0)),
            -s.gain,
            s.unit,
            _rank(standards, s.unit, s.level),
        )

    return key


def describe(suggestions: Sequence[Suggestion]) -> list[str]:
    """One line per suggestion, for logs."""
    return [f"{s.unit}{'@' + s.level if s.level else ''}: +{s.gain}" for s in suggestions]
