"""The account statement (学习档案) as a printable document.

:func:`statement_report` renders a :class:`~creditbank.ledger.statement.Statement` as one
self-contained HTML document for A4 paper, like :mod:`creditbank.reports.evaluation`: the
account, its schools and programmes, every deposited achievement and its status, every
application with its last step (who, why), credit posted per programme, the entries, the
registrar's overrides and a signature block. With ``standards``, units, programmes and
schools are shown by name in ``lang``; without, by id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from creditbank.ledger.statement import Statement
from creditbank.loading.crosscheck import level_name
from creditbank.models import Standards
from creditbank.reports.labels import LABELS, Lang, value
from creditbank.reports.render import render

__all__ = ["statement_report"]


@dataclass(frozen=True)
class _Names:
    standards: Standards | None
    lang: Lang

    def of(self, kind: str, item_id: str) -> str:
        """The name of an item in ``lang``, or ``""`` when it is unknown (the id is shown)."""
        if self.standards is None:
            return ""
        item = self.standards.of_kind(kind).get(item_id)
        return item.name.text(self.lang) if item is not None else ""

    def level(self, unit: str, level: str | None) -> str:
        """A level's name in ``lang`` (from the unit's framework), else as written."""
        return level_name(self.standards, unit, level, self.lang)


@dataclass(frozen=True)
class _Step:
    text: str
    reason: str


@dataclass(frozen=True)
class _Application:
    id: str
    program: str
    program_name: str
    school: str
    school_name: str
    as_of: str
    state: str
    recognised: Decimal
    granted: Decimal
    posted: Decimal
    fingerprint: str
    steps: tuple[_Step, ...]


def _when(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ", timespec="minutes")


def statement_report(
    statement: Statement,
    printed_on: dt.date,
    *,
    standards: Standards | None = None,
    lang: Lang = "zh",
) -> str:
    """``statement`` as an HTML document printed on ``printed_on`` (the caller's clock)."""
    names = _Names(standards, lang)
    labels = LABELS[lang]
    applications = []
    for app in statement.applications:
        applications.append(
            _Application(
                id=app.id,
                program=app.program,
                program_name=names.of("program", app.program),
                school=app.school,
                school_name=names.of("issuer", app.school),
                as_of=app.as_of.isoformat(),
                state=value(lang, app.state),
                recognised=app.recognised,
                granted=app.granted,
                posted=app.posted,
                fingerprint=app.standards_fingerprint,
                steps=tuple(
                    _Step(
                        f"{value(lang, step.state)} · {_when(step.at)} · {labels['by']} "
                        f"{step.actor.id} ({value(lang, step.actor.role)})",
                        step.reason or "",
                    )
                    for step in app.steps
                ),
            )
        )
    schools = sorted({(a.school, a.school_name) for a in applications})
    return render(
        "statement.html.j2",
        lang,
        title=f"{labels['statement_title']} — {statement.account}",
        statement=statement,
        names=names,
        schools=schools,
        printed_on=printed_on.isoformat(),
        opened_at=_when(statement.opened_at),
        applications=applications,
        when=_when,
        signed=lambda amount: f"{amount:+}",
    )
