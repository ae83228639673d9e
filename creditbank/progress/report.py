"""The report of progress against targets: figures per programme or region, and each
target measured (``creditbank report``).

:func:`ledger_report` streams a ledger account by account
(:meth:`~creditbank.ledger.Ledger.stream_accounts`) into a :class:`~creditbank.progress.
tally.Tally` and measures the targets on it; :func:`measure` is the part that needs only
the tally; :func:`batch_report` fills the same tally from batch results instead. The JSON
shape is :class:`ProgressReport`, ``schema_version``
``creditbank.report/1``; every figure is exact (credits as decimals, progress and shares
as decimals rounded down — four places for shares, eight for progress — so a target
short by one is never shown as met).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from creditbank.ledger import Ledger
from creditbank.ledger.events import Event
from creditbank.models import Standards
from creditbank.models.targets import Metric, ProgressTarget, TargetsDocument
from creditbank.progress.batch import tally_batch
from creditbank.progress.notes import NoteCode
from creditbank.progress.tally import Counts, Tally, learner_figures, up_to

__all__ = [
    "PROGRESS_PLACES",
    "REPORT_SCHEMA",
    "SHARE_PLACES",
    "Basis",
    "By",
    "ProgressReport",
    "Row",
    "TargetProgress",
    "batch_report",
    "ledger_report",
    "measure",
    "ratio",
    "tally_accounts",
    "unit_kinds",
]

REPORT_SCHEMA: Literal["creditbank.report/1"] = "creditbank.report/1"
By = Literal["programme", "region"]
Basis = Literal["ledger", "batch"]
SHARE_PLACES = 4
"""Shares (the migrant-worker share) have 4 decimal places."""
PROGRESS_PLACES = 8
"""Progress has 8: three funded learners of 3,000,000 are 0.00000100, not 0."""


def ratio(part: Decimal | int, whole: Decimal | int, places: int = SHARE_PLACES) -> Decimal:
    """``part / whole`` rounded down to ``places`` (0 when ``whole`` is 0): a share or a
    progress is never shown larger than it is (99.99 % is not 100 %)."""
    if not whole:
        return Decimal(0)
    step = Decimal(1).scaleb(-places)
    return (Decimal(part) / Decimal(whole)).quantize(step, rounding=ROUND_DOWN)


Exact = Annotated[
    Decimal, PlainSerializer(lambda value: f"{value:f}", return_type=str, when_used="json")
]
"""A decimal written out in JSON as plain digits (0.00000066, never 6.6E-7)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Row(_Frozen):
    """The figures of one group of learners: a programme, a region, or all of them."""

    key: str | None = Field(description="Programme id or region code; null: region unknown.")
    name_zh: str | None = None
    name_en: str | None = None
    learners: int
    funded_learners: int
    migrant_learners: int
    migrant_share: Exact = Field(description="migrant_learners / learners, 4 places down.")
    migrant_funded_learners: int
    programmes: int = Field(description="Programmes with at least one learner of the group.")
    credits: dict[str, Exact] = Field(description="Credits recognised, by source kind.")
    credits_total: Exact
    completions: int


class TargetProgress(_Frozen):
    """One target measured: the figure reached, and the share of the target it is."""

    id: str
    name_zh: str | None = None
    name_en: str | None = None
    metric: Metric
    scope: str = Field(description="national, region:CODE or programme:ID.")
    value: Exact
    due: dt.date
    measured: Exact | None = Field(description="null: not measurable from this data.")
    progress: Exact | None = Field(description="measured / value, 8 places, rounded down.")
    notes: tuple[NoteCode, ...] = Field(
        default=(), description="Why not measurable, or what the figure counts."
    )
    example: bool
    source: str | None = Field(description="The title of the document the target is from.")


class ProgressReport(_Frozen):
    """``creditbank report`` as JSON (docs/report.md)."""

    schema_version: Literal["creditbank.report/1"] = REPORT_SCHEMA
    basis: Basis = Field(description="ledger, or batch (eligible for funding, not funded).")
    as_of: dt.date | None = Field(description="Events recorded by the end of this day.")
    by: By
    national: Row
    rows: tuple[Row, ...]
    targets: tuple[TargetProgress, ...]

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)


def _row(key: str | None, counts: Counts, names: tuple[str | None, str | None]) -> Row:
    return Row(
        key=key,
        name_zh=names[0],
        name_en=names[1],
        learners=counts.learners,
        funded_learners=counts.funded_learners,
        migrant_learners=counts.migrant_learners,
        migrant_share=ratio(counts.migrant_learners, counts.learners),
        migrant_funded_learners=counts.migrant_funded_learners,
        programmes=len(counts.programs),
        credits=dict(sorted(counts.credits.items())),
        credits_total=counts.credits_total(),
        completions=counts.completions,
    )


def _figure(counts: Counts, metric: Metric) -> Decimal:
    if metric == "programmes":
        return Decimal(len(counts.programs))
    if metric == "credits":
        return counts.credits_total()
    return Decimal(getattr(counts, metric))


def _merged(parts: Iterable[Counts]) -> Counts:
    total = Counts()
    for part in parts:
        total.learners += part.learners
        total.funded_learners += part.funded_learners
        total.migrant_learners += part.migrant_learners
        total.migrant_funded_learners += part.migrant_funded_learners
        total.completions += part.completions
        total.programs |= part.programs
        for kind, amount in part.credits.items():
            total.credits[kind] = total.credits.get(kind, Decimal(0)) + amount
    return total


def _measured(
    target: ProgressTarget, tally: Tally, standards: Standards | None, basis: Basis
) -> tuple[Decimal | None, list[NoteCode]]:
    scope = target.scope
    notes: list[NoteCode] = []
    if target.metric == "programmes":
        notes.append("PROGRAMMES_COUNTED")
    if basis == "batch" and target.metric in ("funded_learners", "migrant_funded_learners"):
        notes.append("ELIGIBLE_NOT_FUNDED")
    if scope.kind == "national":
        return _figure(tally.national, target.metric), notes
    if scope.kind == "region":
        prefix = scope.region or ""
        if not any(key is not None for key in tally.regions):
            return None, [*notes, "NO_REGION_RECORDED"]
        counts = _merged(
            c for k, c in tally.regions.items() if k is not None and k.startswith(prefix)
        )
        if None in tally.regions:
            notes.append("SOME_REGIONS_UNKNOWN")
        return _figure(counts, target.metric), notes
    program = str(scope.program)
    if target.metric == "programmes":
        return None, ["METRIC_NOT_PER_PROGRAMME"]
    if program not in tally.programs:
        known = standards is not None and program in standards.programs
        if not known:
            return None, [*notes, "PROGRAMME_NOT_HERE"]
        return Decimal(0), notes
    return _figure(tally.programs[program], target.metric), notes


def measure(
    tally: Tally,
    targets: TargetsDocument | None,
    *,
    by: By = "programme",
    as_of: dt.date | None = None,
    standards: Standards | None = None,
    basis: Basis = "ledger",
) -> ProgressReport:
    """The report of ``tally``: rows by programme or region, and every target measured."""

    def names(key: str | None) -> tuple[str | None, str | None]:
        program = standards.programs.get(key) if standards and key and by == "programme" else None
        return (program.name.zh, program.name.en) if program is not None else (None, None)

    groups: dict[str | None, Counts] = dict(tally.regions)
    if by == "programme":
        groups = {}
        groups.update(tally.programs.items())
    rows = tuple(
        _row(key, groups[key], names(key))
        for key in sorted(groups, key=lambda k: (k is None, k or ""))
    )
    measured = []
    for target in targets.targets if targets is not None else ():
        figure, notes = _measured(target, tally, standards, basis)
        scope = target.scope
        where = {"national": "national", "region": f"region:{scope.region}"}.get(
            scope.kind, f"programme:{scope.program}"
        )
        measured.append(
            TargetProgress(
                id=target.id,
                name_zh=target.name.zh if target.name else None,
                name_en=target.name.en if target.name else None,
                metric=target.metric,
                scope=where,
                value=target.value,
                due=target.due,
                measured=figure,
                progress=ratio(figure, target.value, PROGRESS_PLACES)
                if figure is not None
                else None,
                notes=tuple(notes),
                example=target.example,
                source=target.source.title if target.source else None,
            )
        )
    return ProgressReport(
        basis=basis,
        as_of=as_of,
        by=by,
        national=_row(None, tally.national, (None, None)),
        rows=rows,
        targets=tuple(measured),
    )


def unit_kinds(standards: Standards | None) -> Callable[[str], str]:
    """A unit's kind (skill_certificate, training …) by its id; ``other`` when unknown."""

    def kind_of(unit: str) -> str:
        found = standards.units.get(unit) if standards is not None else None
        return found.kind if found is not None else "other"

    return kind_of


def tally_accounts(
    accounts: Iterable[list[Event]],
    *,
    as_of: dt.date | None = None,
    standards: Standards | None = None,
) -> Tally:
    """Count every account, given as its events in order (one account at a time)."""

    kind_of = unit_kinds(standards)

    def total_of(program: str) -> Decimal | None:
        found = standards.programs.get(program) if standards is not None else None
        return found.total_credits if found is not None else None

    tally = Tally()
    for events in accounts:
        state = up_to(events, as_of)
        if state is not None:
            tally.add(learner_figures(state, kind_of, total_of))
    return tally


def ledger_report(
    ledger: Ledger,
    targets: TargetsDocument | None,
    *,
    by: By = "programme",
    as_of: dt.date | None = None,
    standards: Standards | None = None,
) -> ProgressReport:
    """The report of a whole ledger, read account by account with bounded memory."""
    tally = tally_accounts(ledger.stream_accounts(), as_of=as_of, standards=standards)
    return measure(tally, targets, by=by, as_of=as_of, standards=standards)


def batch_report(
    results: Path,
    portfolios: Path,
    targets: TargetsDocument | None,
    standards: Standards,
    *,
    by: By = "programme",
) -> ProgressReport:
    """The report of ``creditbank batch`` results joined to the portfolios it read
    (:mod:`creditbank.progress.batch`), line by line with bounded memory; funded learners
    are learners eligible for funding (``basis: batch``)."""
    tally, day = tally_batch(results, portfolios, standards, unit_kinds(standards))
    return measure(tally, targets, by=by, as_of=day, standards=standards, basis="batch")
