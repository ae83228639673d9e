"""Rich tables for evaluations and suggestions (the CLI's only presentation code)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from creditbank.engine import Evaluation, Suggestion
from creditbank.engine.result import Use
from creditbank.loading.crosscheck import unit_framework
from creditbank.models import Standards

__all__ = ["evaluation_view", "suggestions_view"]

Lang = Literal["zh", "en"]

_HEAD = {
    "zh": ("成果", "单元", "等级", "", "学分", "用于 / 原因"),
    "en": ("achievement", "unit", "level", "", "credits", "used for / reason"),
}


_GRADE = {"zh": {"exempt": "免修", "pass": "通过"}, "en": {}}
"""Recorded grades that are words of creditbank's own (a fixed grade is shown as written)."""

_WORDS = {
    "zh": {
        "overflow": "溢出转入",
        "progress": "要求",
        "columns": ("要求", "应修", "已满足", "尚缺"),
        "totals": "认定 {recognised} / {total} 学分（{share}）；尚缺 {remaining}；"
        "使用成果 {used}/{all}",
        "total": "仅计入总学分",
    },
    "en": {
        "overflow": "overflow",
        "progress": "requirements",
        "columns": ("requirement", "required", "satisfied", "remaining"),
        "totals": "recognised {recognised} of {total} credits ({share}); {remaining} "
        "remaining; {used}/{all} achievements used",
        "total": "total only",
    },
}


def _use_text(standards: Standards, use: Use, lang: Lang) -> str:
    """One use as text: where its credits went, the overflow split shown (``cat +6, free +4
    (overflow)``), and the recorded grade of an exempted course."""
    words = _WORDS[lang]
    target = _name(standards, "unit", use.course, lang) if use.course else use.requirement
    grade = use.recorded_grade
    note = f" ({_GRADE[lang].get(grade, grade)})" if grade else ""
    moved = use.overflow_credits
    if use.overflow is None or moved is None:
        return f"{target} +{use.credits}{note}"
    into = words["total"] if use.overflow == "total" else use.overflow
    return f"{target} +{use.credits - moved}{note}, {into} +{moved} ({words['overflow']})"


def _name(standards: Standards, kind: str, item_id: str, lang: Lang) -> str:
    item = standards.of_kind(kind).get(item_id)
    return item.name.text(lang) if item is not None else item_id


def evaluation_view(evaluation: Evaluation, standards: Standards, lang: Lang) -> Group:
    """Decisions, requirement progress and totals as three renderables."""
    program = standards.programs[evaluation.program]
    title = (
        f"{program.name.text(lang)} ({program.code or program.id}) — "
        f"{evaluation.learner}, {evaluation.as_of.isoformat()}"
    )
    decisions = Table(title=title, title_justify="left")
    for position, header in enumerate(_HEAD[lang]):
        keep_whole = position in (0, 2, 3, 4)  # ids, levels, marks and credits never wrap
        decisions.add_column(
            header,
            overflow="fold",
            no_wrap=keep_whole,
            ratio=None if keep_whole else (1 if position == 1 else 2),
        )
    for d in evaluation.decisions:
        if d.recognised:
            used = "; ".join(_use_text(standards, u, lang) for u in d.uses)
            if d.reason is not None:  # why not more (a guaranteed use granted less)
                used += f"; {d.reason}: {d.message_zh if lang == 'zh' else d.message_en}"
            mark = Text("✓", style="green")
        else:
            used = f"{d.reason}: {d.message_zh if lang == 'zh' else d.message_en}"
            mark = Text("✗", style="red")
        decisions.add_row(
            d.achievement,
            _name(standards, "unit", d.unit, lang),
            d.level or "—",
            mark,
            str(d.credits),
            used,
        )
    words = _WORDS[lang]
    progress = Table(title=str(words["progress"]), title_justify="left")
    for position, header in enumerate(words["columns"]):
        progress.add_column(header, justify="left" if position == 0 else "right")
    for r in evaluation.requirements:
        label = (r.name_zh if lang == "zh" else r.name_en) or r.name_zh or r.name_en or ""
        progress.add_row(
            f"{r.requirement} {label}", str(r.required), str(r.satisfied), str(r.remaining)
        )
    t = evaluation.totals
    share = f"{t.share * 100:.2f} %"
    totals = Text(
        str(words["totals"]).format(
            recognised=t.recognised,
            total=t.program_total,
            share=share,
            remaining=t.remaining,
            used=t.achievements_recognised,
            all=t.achievements,
        )
    )
    return Group(decisions, progress, totals)


def suggestions_view(suggestions: Sequence[Suggestion], standards: Standards, lang: Lang) -> Table:
    """What to obtain next, most credit first."""
    table = Table(
        title="worth obtaining next" if lang == "en" else "建议取得", title_justify="left"
    )
    headers = (
        ("unit", "name", "level", "gain", "total", "hours")
        if lang == "en"
        else ("单元", "名称", "等级", "增加", "合计", "学时")
    )
    for position, header in enumerate(headers):
        table.add_column(header, justify="right" if position >= 3 else "left")
    for s in suggestions:
        framework = unit_framework(standards, s.unit)
        level = framework.level(s.level) if framework and s.level else None
        table.add_row(
            s.unit,
            _name(standards, "unit", s.unit, lang),
            level.name.text(lang) if level else (s.level or "—"),
            f"+{s.gain}",
            str(s.total),
            str(s.hours) if s.hours is not None else "—",
        )
    return table
