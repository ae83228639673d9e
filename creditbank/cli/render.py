"""Rich tables for evaluations and suggestions (the CLI's only presentation code).

Every word comes in one language: labels from :mod:`creditbank.cli.labels`, names of units,
requirements and levels from the standards, reasons from the engine's sentences. Codes
(reason codes, ids) are kept whole: a column that holds them never breaks inside a word.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from creditbank.cli.labels import label
from creditbank.engine import Evaluation, Suggestion
from creditbank.engine.result import Use
from creditbank.loading.crosscheck import unit_framework
from creditbank.models import Program, Standards

__all__ = ["evaluation_view", "level_name", "suggestions_view", "whatif_line"]

Lang = Literal["zh", "en"]

_GRADE = {"exempt": "grade_exempt", "pass": "grade_pass"}
"""Recorded grades that are words of creditbank's own (a fixed grade is shown as written)."""


def _requirement(program: Program, requirement: str, lang: Lang) -> str:
    found = program.requirement(requirement)
    return found.name.text(lang) if found is not None else requirement


def _use_text(standards: Standards, program: Program, use: Use, lang: Lang) -> str:
    """One use as text: where its credits went, the overflow split shown (``cat +6, free +4
    (overflow)``), and the recorded grade of an exempted course."""
    if use.course:
        target = _name(standards, "unit", use.course, lang)
    else:
        target = _requirement(program, use.requirement, lang)
    grade = use.recorded_grade
    note = f" ({label(lang, _GRADE[grade]) if grade in _GRADE else grade})" if grade else ""
    moved = use.overflow_credits
    if use.overflow is None or moved is None:
        return f"{target} +{use.credits}{note}"
    into = (
        label(lang, "total_only")
        if use.overflow == "total"
        else _requirement(program, use.overflow, lang)
    )
    return f"{target} +{use.credits - moved}{note}, {into} +{moved} ({label(lang, 'overflow')})"


def _name(standards: Standards, kind: str, item_id: str, lang: Lang) -> str:
    item = standards.of_kind(kind).get(item_id)
    return item.name.text(lang) if item is not None else item_id


def level_name(standards: Standards, unit: str, level: str | None, lang: Lang) -> str:
    """A level of a unit by its name in ``lang`` (``中级``, ``intermediate``), else as written."""
    framework = unit_framework(standards, unit)
    found = framework.level(level) if framework is not None and level else None
    return found.name.text(lang) if found is not None else (level or "—")


def _reason(code: str, message_zh: str | None, message_en: str | None, lang: Lang) -> Text:
    """A reason: its code whole (never broken inside), then the sentence in ``lang``."""
    return Text.assemble((code, "bold"), " ", (message_zh if lang == "zh" else message_en) or "")


NARROW = 100
"""Below this many columns a terminal gets records (one block per row, each code on a line
of its own) instead of a wide table whose cells would break codes and names apart."""


def records(title: str, rows: Sequence[tuple[str, Sequence[str | Text]]]) -> Group:
    """Rows as blocks for a narrow terminal: a head line, then each further part indented on
    its own line, so a code or an id is never broken inside (rich wraps at spaces)."""
    parts: list[Text] = [Text(title)]
    for head, lines in rows:
        parts.append(Text(head, style="bold"))
        for line in lines:
            if line:
                parts.append(Text.assemble("  ", line))
    return Group(*parts)


def evaluation_view(
    evaluation: Evaluation, standards: Standards, lang: Lang, width: int | None = None
) -> Group:
    """Decisions, requirement progress and totals as three renderables; on a terminal of
    fewer than :data:`NARROW` columns (``width``), the decisions as records."""
    program = standards.programs[evaluation.program]
    title = (
        f"{program.name.text(lang)} ({program.code or program.id}) — "
        f"{evaluation.learner}, {evaluation.as_of.isoformat()}"
    )
    narrow = width is not None and width < NARROW
    rows: list[tuple[str, Sequence[str | Text]]] = []
    decisions = Table(title=title, title_justify="left")
    headers = ("achievement", "unit", "level", "", "credits", "used_for_reason")
    for position, key in enumerate(headers):
        keep_whole = position in (0, 2, 3, 4)  # ids, levels, marks and credits never wrap
        decisions.add_column(
            label(lang, key) if key else "",
            overflow="fold" if keep_whole else "ellipsis",
            no_wrap=keep_whole,
            ratio=None if keep_whole else (1 if position == 1 else 2),
            min_width=None if keep_whole else 12,
        )
    for d in evaluation.decisions:
        used = Text()
        if d.recognised:
            used.append("; ".join(_use_text(standards, program, u, lang) for u in d.uses))
            if d.reason is not None:  # why not more (a guaranteed use granted less)
                used.append("; ")
                used.append_text(_reason(d.reason, d.message_zh, d.message_en, lang))
            mark = Text("✓", style="green")
        else:
            used = _reason(str(d.reason), d.message_zh, d.message_en, lang)
            mark = Text("✗", style="red")
        level = level_name(standards, d.unit, d.level, lang)
        unit = _name(standards, "unit", d.unit, lang)
        decisions.add_row(d.achievement, unit, level, mark, str(d.credits), used)
        head = f"{d.achievement}  {level}  {'✓' if d.recognised else '✗'} {d.credits}"
        lines: list[str | Text] = [unit]
        if d.recognised:
            lines += [_use_text(standards, program, u, lang) for u in d.uses]
        if d.reason is not None:
            lines += [
                Text(d.reason, style="bold"),
                (d.message_zh if lang == "zh" else d.message_en) or "",
            ]
        rows.append((head, lines))
    progress = Table(title=label(lang, "requirements"), title_justify="left")
    for position, key in enumerate(("requirement", "required", "satisfied", "remaining")):
        progress.add_column(label(lang, key), justify="left" if position == 0 else "right")
    for r in evaluation.requirements:
        name = (r.name_zh if lang == "zh" else r.name_en) or r.name_zh or r.name_en
        progress.add_row(name or r.requirement, str(r.required), str(r.satisfied), str(r.remaining))
    t = evaluation.totals
    totals = Text(
        label(
            lang,
            "totals",
            recognised=t.recognised,
            total=t.program_total,
            share=f"{t.share * 100:.2f} %",
            remaining=t.remaining,
            used=t.achievements_recognised,
            all=t.achievements,
        )
    )
    return Group(records(title, rows) if narrow else decisions, progress, totals)


def whatif_line(before: Evaluation, after: Evaluation, lang: Lang) -> str:
    """What the hypothetical achievements add: ``before 2, after 6 (+4) credits``."""
    b, a = before.totals.recognised, after.totals.recognised
    return label(lang, "whatif", before=b, after=a, gain=a - b)


def suggestions_view(
    suggestions: Sequence[Suggestion], standards: Standards, lang: Lang, width: int | None = None
) -> Group:
    """What to obtain next, in the order the library ranked them (records on a terminal of
    fewer than :data:`NARROW` columns)."""
    title = label(lang, "worth_obtaining")
    table = Table(title=title, title_justify="left")
    rows: list[tuple[str, Sequence[str | Text]]] = []
    columns = ("unit", "name", "level", "gain", "total", "hours", "per_hour")
    for position, key in enumerate(columns):
        table.add_column(
            label(lang, key),
            justify="right" if position >= 3 else "left",
            no_wrap=position in (0, 2),  # ids and levels stay whole
        )
    for s in suggestions:
        per_hour = s.per_hour
        cells = (
            s.unit,
            _name(standards, "unit", s.unit, lang),
            level_name(standards, s.unit, s.level, lang),
            f"+{s.gain}",
            str(s.total),
            str(s.hours) if s.hours is not None else "—",
            f"{s.hours / s.gain:.1f}" if per_hour is not None and s.hours else "—",
        )
        table.add_row(*cells)
        figures = ", ".join(
            f"{label(lang, key)} {value}"
            for key, value in zip(("gain", "total", "hours", "per_hour"), cells[3:], strict=True)
        )
        rows.append((f"{s.unit}  {cells[2]}", [cells[1], figures]))
    narrow = width is not None and width < NARROW
    parts: list[Table | Text | Group] = [records(title, rows) if narrow else table]
    if any(s.hours is None for s in suggestions):
        parts.append(Text(label(lang, "hours_unknown")))
    return Group(*parts)
