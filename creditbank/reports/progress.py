"""The progress report (``creditbank report --format html``) as a printable document.

:func:`progress_report` renders a :class:`~creditbank.progress.report.ProgressReport` like
the other reports: one self-contained HTML document for A4 paper, every label in one
language, every value escaped. Each target gets a bar (an inline SVG whose fill is its
progress, capped at the target) with the figures written beside it, so the page says the
same printed in black and white or read by a screen reader; so does each row's bar of
learners.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from creditbank.models.targets import METRIC_LABELS
from creditbank.progress.notes import note_text, percent, scope_text, word
from creditbank.progress.report import ProgressReport, Row
from creditbank.reports.labels import Lang
from creditbank.reports.render import render

__all__ = ["progress_report"]


@dataclass(frozen=True)
class _Bar:
    label: str
    figure: str
    fill: str
    """The bar's filled share in percent (0 to 100), for the SVG's width."""


@dataclass(frozen=True)
class _Target:
    name: str
    metric: str
    scope: str
    value: Decimal
    due: str
    measured: str
    progress: str
    notes: tuple[str, ...]
    bar: _Bar | None


def _fill(part: Decimal, whole: Decimal) -> str:
    if whole <= 0:
        return "0"
    return f"{min(max(part / whole, Decimal(0)), Decimal(1)) * 100:.2f}"


def _row_name(row: Row, lang: Lang) -> str:
    if row.key is None:
        return word("unknown", lang)
    name = (row.name_zh if lang == "zh" else row.name_en) or row.name_zh or row.name_en
    return f"{name} ({row.key})" if name else row.key


def progress_report(report: ProgressReport, printed_on: dt.date, *, lang: Lang = "zh") -> str:
    """``report`` as an HTML document printed on ``printed_on`` (the caller's clock)."""
    targets = []
    for t in report.targets:
        name = (t.name_zh if lang == "zh" else t.name_en) or t.name_zh or t.name_en or t.id
        notes = [note_text(code, lang) for code in t.notes]
        if t.example:
            notes.insert(0, word("example", lang))
        measured = str(t.measured) if t.measured is not None else word("not_measurable", lang)
        zh, en = METRIC_LABELS[t.metric]
        targets.append(
            _Target(
                name=name,
                metric=zh if lang == "zh" else en,
                scope=scope_text(t.scope, lang),
                value=t.value,
                due=t.due.isoformat(),
                measured=measured,
                progress=percent(t.progress),
                notes=tuple(notes),
                bar=_Bar(
                    name,
                    f"{measured} / {t.value} ({percent(t.progress)})",
                    _fill(t.measured, t.value),
                )
                if t.measured is not None
                else None,
            )
        )
    most = max((row.learners for row in report.rows), default=0)
    rows = [
        (
            row,
            _row_name(row, lang),
            _Bar(
                _row_name(row, lang), str(row.learners), _fill(Decimal(row.learners), Decimal(most))
            ),
        )
        for row in report.rows
    ]
    example = any(t.example for t in report.targets)
    return render(
        "progress.html.j2",
        lang,
        title=word("title", lang),
        w=lambda key: word(key, lang),
        report=report,
        rows=rows,
        all_learners=report.national,
        targets=targets,
        percent=percent,
        printed_on=printed_on.isoformat(),
        example=example,
    )
