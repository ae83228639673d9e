"""Rich tables for evaluations and suggestions (the CLI's only presentation code)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from creditbank.engine import Evaluation, Suggestion
from creditbank.loading.crosscheck import unit_framework
from creditbank.models import Standards

__all__ = ["evaluation_view", "suggestions_view"]

Lang = Literal["zh", "en"]

_HEAD = {
    "zh": ("成果", "单元", "等级", "", "学分", "用于 / 原因"),
    "en": ("achievement", "unit", "level", "", "credits", "used for / reason"),
}


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
            used = "; ".join(
                f"{_name(standards, 'unit', u.course, lang) if u.course else u.requirement}"
                f" +{u.credits}" + (f" ({u.recorded_grade})" if u.recorded_grade else "")
                for u in d.uses
            )
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
    progress = Table(
        title="要求 / requirements" if lang == "zh" else "requirements", title_justify="left"
    )
    for header in ("requirement", "required", "satisfied", "remaining"):
        progress.add_column(header, justify="left" if header == "requirement" else "right")
    for r in evaluation.requirements:
        label = (r.name_zh if lang == "zh" else r.name_en) or r.name_zh or r.name_en or ""
        progress.add_row(
            f"{r.requirement} {label}", str(r.required), str(r.satisfied), str(r.remaining)
        )
    t = evaluation.totals
    share = f"{t.share * 100:.2f} %"
    totals = Text(
        f"recognised {t.recognised} of {t.program_total} credits ({share}); "
        f"{t.remaining} remaining; {t.achievements_recognised}/{t.achievements} achievements used"
        + ("" if t.optimal else " (search stopped early: not proven optimal)")
    )
    return Group(decisions, progress, totals)


def suggestions_view(suggestions: Sequence[Suggestion], standards: Standards, lang: Lang) -> Table:
    """What to obtain next, most credit first."""
    table = Table(
        title="worth obtaining next" if lang == "en" else "建议取得", title_justify="left"
    )
    for header in ("unit", "name", "level", "gain", "total", "hours"):
        table.add_column(
            header, justify="right" if header in ("gain", "total", "hours") else "left"
        )
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
