"""The figures of progress, one learner at a time (a fold with bounded memory).

:func:`learner_figures` reduces one account's replayed state
(:class:`~creditbank.ledger.state.AccountState`) to what the report counts: its region,
migrant-worker status, the programmes it applied to or holds a funded place of, the credits
posted to it (net of reversals) by programme and by the kind of the units they were
recognised from, and the programmes it completed. :class:`Tally` adds learners up into
counts per programme, per region and for the whole country; it keeps no learner, so a
ledger of any size is counted in the memory of its largest account plus the counts.

Definitions (docs/report.md says the same):

* a learner is an account opened (by the as-of day);
* a learner of a programme applied to it (whatever became of the application) or holds a
  funded place of it;
* a funded learner holds a funded place (granted and not withdrawn) — per programme, of it;
* credits are the posted lines not reversed, each by the kind of the units of its
  achievements (``combined`` when a line used achievements of several kinds);
* a completion is a learner whose net posted credit in a programme reaches the programme's
  total credits (from the standards, else from the evaluation the application stored).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from creditbank.ledger.events import Event
from creditbank.ledger.state import AccountState, replay

__all__ = [
    "COMBINED",
    "Counts",
    "LearnerFigures",
    "Tally",
    "learner_figures",
    "source_kind",
    "up_to",
]

COMBINED = "combined"
"""The source kind of a credit line that used achievements of several unit kinds."""


@dataclass(frozen=True)
class LearnerFigures:
    """What one learner adds to the counts."""

    region: str | None
    migrant: bool
    programs: frozenset[str]
    funded: frozenset[str]
    credits: tuple[tuple[str, str, Decimal], ...]
    """(programme, source kind, credits) for each live posted line."""
    completed: frozenset[str]


def _line_kind(
    state: AccountState, application: str, line: int, kind_of: Callable[[str], str]
) -> str:
    used = state.applications[application].lines[line].achievements
    return source_kind((str(state.achievements[a].achievement.unit) for a in used), kind_of)


def source_kind(units: Iterable[str], kind_of: Callable[[str], str]) -> str:
    """The source kind of a credit line recognised from achievements of ``units``: their
    one kind, or ``combined`` when they are of several."""
    kinds = {kind_of(unit) for unit in units}
    return kinds.pop() if len(kinds) == 1 else COMBINED


def _program_total(state: AccountState, program: str) -> Decimal | None:
    """The programme total the latest application to ``program`` was evaluated against."""
    for record in sorted(state.applications.values(), key=lambda r: -r.applied_seq):
        if record.program == program:
            totals = record.evaluation.get("totals")
            if isinstance(totals, dict) and totals.get("program_total") is not None:
                return Decimal(str(totals["program_total"]))
    return None


def learner_figures(
    state: AccountState,
    kind_of: Callable[[str], str],
    total_of: Callable[[str], Decimal | None] = lambda program: None,
) -> LearnerFigures:
    """One learner's contribution. ``kind_of`` gives a unit's kind (skill_certificate,
    training …) from its id; ``total_of`` a programme's total credits when the standards
    know it (else the total its application was evaluated against is used)."""
    profile = state.profile
    funded = frozenset(f.program for f in state.funded())
    credits = tuple(
        (e.program, _line_kind(state, e.application, e.line, kind_of), e.amount)
        for e in state.live_posts()
    )
    posted: dict[str, Decimal] = {}
    for program, _, amount in credits:
        posted[program] = posted.get(program, Decimal(0)) + amount
    completed = set()
    for program, amount in posted.items():
        total = total_of(program)
        if total is None:
            total = _program_total(state, program)
        if total is not None and total > 0 and amount >= total:
            completed.add(program)
    return LearnerFigures(
        region=profile.region if profile is not None else None,
        migrant=bool(profile is not None and profile.migrant_worker),
        programs=frozenset(a.program for a in state.applications.values()) | funded,
        funded=funded,
        credits=credits,
        completed=frozenset(completed),
    )


@dataclass
class Counts:
    """Counts over a group of learners (a programme, a region, the country)."""

    learners: int = 0
    funded_learners: int = 0
    migrant_learners: int = 0
    migrant_funded_learners: int = 0
    completions: int = 0
    credits: dict[str, Decimal] = field(default_factory=dict)
    programs: set[str] = field(default_factory=set)

    def count(self, learner: LearnerFigures, program: str | None = None) -> None:
        """Add ``learner`` (as a learner of ``program`` only, when given)."""
        funded = program in learner.funded if program is not None else bool(learner.funded)
        self.learners += 1
        self.funded_learners += funded
        self.migrant_learners += learner.migrant
        self.migrant_funded_learners += funded and learner.migrant
        if program is None:
            self.completions += len(learner.completed)
            self.programs |= learner.programs
        else:
            self.completions += program in learner.completed
            self.programs.add(program)
        for of, kind, amount in learner.credits:
            if program is None or of == program:
                self.credits[kind] = self.credits.get(kind, Decimal(0)) + amount

    def credits_total(self) -> Decimal:
        return sum(self.credits.values(), Decimal(0))


@dataclass
class Tally:
    """Counts per programme, per region (``None``: no region recorded) and in total."""

    national: Counts = field(default_factory=Counts)
    regions: dict[str | None, Counts] = field(default_factory=dict)
    programs: dict[str, Counts] = field(default_factory=dict)

    def add(self, learner: LearnerFigures) -> None:
        self.national.count(learner)
        self.regions.setdefault(learner.region, Counts()).count(learner)
        for program in learner.programs:
            self.programs.setdefault(program, Counts()).count(learner, program)


def up_to(events: Iterable[Event], as_of: dt.date | None) -> AccountState | None:
    """One account's state replayed from its events recorded by the end of ``as_of``
    (every event without it); None when the account was not open by then."""
    kept = events if as_of is None else (e for e in events if e.at.date() <= as_of)
    states = replay(kept)
    return next(iter(states.values()), None)
