"""Invariants of the progress counts, for any learners (hypothesis): the regions partition
the learners, so their sums are the national total; a programme never has more learners,
funded learners or migrant workers than there are learners; shares and progress stay in
range; a target measured on the national scope is the national figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.models.targets import METRICS, ProgressTarget, TargetsDocument
from creditbank.progress.report import measure
from creditbank.progress.tally import LearnerFigures, Tally
from creditbank.testing.strategies import REPORT_PROGRAMS, learner_figures

TARGETS = TargetsDocument(
    kind="targets",
    example=True,
    targets=tuple(
        ProgressTarget(
            id=f"t-{m}", metric=m, value=Decimal(7), due=dt.date(2030, 12, 31), example=True
        )
        for m in METRICS
    ),
)
COUNTED = ("learners", "funded_learners", "migrant_learners", "migrant_funded_learners")


@settings(max_examples=150, deadline=None)
@given(st.lists(learner_figures(), max_size=30))
def test_regions_partition_the_learners(figures: list[LearnerFigures]) -> None:
    tally = Tally()
    for learner in figures:
        tally.add(learner)
    by_region = measure(tally, TARGETS, by="region")
    national = by_region.national
    assert national.learners == len(figures)
    for field in (*COUNTED, "completions", "credits_total"):
        assert sum(getattr(row, field) for row in by_region.rows) == getattr(national, field)
    for kind, amount in national.credits.items():
        assert sum(row.credits.get(kind, Decimal(0)) for row in by_region.rows) == amount
    by_programme = measure(tally, TARGETS, by="programme")
    assert by_programme.national == national
    for row in (*by_programme.rows, *by_region.rows, national):
        assert 0 <= row.migrant_share <= 1
        assert row.funded_learners <= row.learners <= national.learners
        assert row.migrant_funded_learners <= min(row.migrant_learners, row.funded_learners)
        assert row.completions <= row.learners * len(REPORT_PROGRAMS)
    for row in by_programme.rows:
        assert row.completions <= row.learners
    for target in by_region.targets:
        assert target.progress is not None and target.progress >= 0
        assert target.measured is not None
        assert target.progress * target.value <= target.measured  # rounded down, never up
    measured = {t.metric: t.measured for t in by_region.targets}
    assert measured["learners"] == national.learners
    assert measured["credits"] == national.credits_total
    assert measured["programmes"] == len({p for f in figures for p in f.programs})
