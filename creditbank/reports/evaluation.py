"""The evaluation report: one learner's portfolio converted into credits of one programme.

:func:`evaluation_report` returns one self-contained HTML document (inline CSS, the
programme map as inline SVG, no script, nothing fetched) laid out for A4 paper: the
institution, learner, programme, as-of date and standards fingerprint; totals; the decision
table with every reason code and sentence; progress per requirement; the map with the
portfolio drawn on it; and a signature block. Every label is in ``lang``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from creditbank.engine import Evaluation, evaluate
from creditbank.engine.result import Decision, Use
from creditbank.graph.draw import render_svg
from creditbank.graph.scene import build_graph, program_scene
from creditbank.loading.crosscheck import unit_framework
from creditbank.models import Portfolio, Program, Standards
from creditbank.reports.labels import LABELS, Lang, value
from creditbank.reports.render import inline_svg, percent, render

__all__ = [
    "evaluation_context",
    "evaluation_report",
    "level_name",
    "requirement_name",
    "unit_name",
]


@dataclass(frozen=True)
class _Row:
    achievement: str
    unit: str
    unit_name: str
    level: str
    earned_on: str
    issuer: str
    recognised: bool
    credits: Decimal
    uses: tuple[str, ...]
    reason: str | None
    sentence: str
    note: str


@dataclass(frozen=True)
class _Progress:
    requirement: str
    name: str
    required: Decimal
    satisfied: Decimal
    remaining: Decimal
    fill: str


def evaluation_report(
    standards: Standards,
    portfolio: Portfolio,
    program: str,
    as_of: dt.date,
    *,
    lang: Lang = "zh",
    evaluation: Evaluation | None = None,
    program_map: bool = True,
) -> str:
    """The evaluation of ``portfolio`` against ``program`` on ``as_of`` as an HTML document.

    ``evaluation`` is that evaluation when the caller already has it (else it is computed);
    ``program_map=False`` leaves the map out (it is the slowest part to draw).
    """
    if evaluation is None:
        evaluation = evaluate(standards, portfolio, program, as_of)
    context = evaluation_context(
        standards, portfolio, evaluation, lang=lang, program_map=program_map
    )
    return render(
        "evaluation.html.j2",
        lang,
        title=f"{LABELS[lang]['evaluation_title']} — {evaluation.learner}",
        **context,
    )


def evaluation_context(
    standards: Standards,
    portfolio: Portfolio,
    evaluation: Evaluation,
    *,
    lang: Lang = "zh",
    program_map: bool = True,
) -> dict[str, Any]:
    """What the report shows of ``evaluation`` (of ``portfolio``), every name in ``lang``:
    the facts, the decision rows, progress per requirement, totals and the map (inline SVG,
    or None). The learner page (:mod:`creditbank.web.learner`) shows the same."""
    as_of = evaluation.as_of
    prog = standards.programs[evaluation.program]
    achievements = {a.id: a for a in portfolio.achievements}
    rows = []
    for decision in evaluation.decisions:
        achievement = achievements.get(decision.achievement)
        rows.append(
            _Row(
                achievement=decision.achievement,
                unit=decision.unit,
                unit_name=_name(standards, "unit", decision.unit, lang),
                level=_level(standards, decision, lang),
                earned_on=achievement.earned_on.isoformat() if achievement else "",
                issuer=_issuer(standards, str(achievement.issuer), lang)
                if achievement and achievement.issuer
                else "",
                recognised=decision.recognised,
                credits=decision.credits,
                uses=tuple(_use_text(standards, prog, use, lang) for use in decision.uses),
                reason=decision.reason,
                sentence=(decision.message_zh if lang == "zh" else decision.message_en) or "",
                note=(achievement.note or "") if achievement else "",
            )
        )
    progress = [
        _Progress(
            requirement=r.requirement,
            name=(r.name_zh if lang == "zh" else r.name_en) or r.name_zh or r.name_en or "",
            required=r.required,
            satisfied=r.satisfied,
            remaining=r.remaining,
            fill=percent(r.satisfied, r.required),
        )
        for r in evaluation.requirements
    ]
    svg = None
    if program_map:
        scene = program_scene(build_graph(standards), prog.id, portfolio, as_of, lang=lang)
        svg = inline_svg(render_svg(scene, engine="python"))
    totals = evaluation.totals
    return {
        "institution": _issuer(standards, str(prog.school), lang) if prog.school else "",
        "learner": evaluation.learner,
        "description": portfolio.description or "",
        "program_name": prog.name.text(lang),
        "program_code": prog.code or prog.id,
        "as_of": evaluation.as_of.isoformat(),
        "fingerprint": evaluation.standards_fingerprint,
        "rows": rows,
        "progress": progress,
        "totals": totals,
        "share": f"{totals.share * 100:.2f} %",
        "program_map": svg,
        # a signature block under illustrative rules must not pass for an official decision
        "example": _illustrative(standards, prog, portfolio),
    }


def _illustrative(standards: Standards, program: Program, portfolio: Portfolio) -> bool:
    """Whether the report rests on illustrative data: the programme, its school or the
    portfolio marked ``example: true``."""
    school = standards.issuers.get(str(program.school)) if program.school else None
    return bool(program.example or (school is not None and school.example) or portfolio.example)


def _name(standards: Standards, kind: str, item_id: str, lang: Lang) -> str:
    item = standards.of_kind(kind).get(item_id)
    return item.name.text(lang) if item is not None else item_id


def _issuer(standards: Standards, issuer: str, lang: Lang) -> str:
    return _name(standards, "issuer", issuer, lang)


def _level(standards: Standards, decision: Decision, lang: Lang) -> str:
    return level_name(standards, decision.unit, decision.level, lang)


def unit_name(standards: Standards, unit: str, lang: Lang) -> str:
    """The unit's name in ``lang``, else its id."""
    return _name(standards, "unit", unit, lang)


def level_name(standards: Standards, unit: str, level: str | None, lang: Lang) -> str:
    """The name in ``lang`` of ``level`` of ``unit``'s framework (levels are named in the
    standards), else the level as written; "" for no level."""
    if level is None:
        return ""
    framework = unit_framework(standards, unit)
    found = framework.level(level) if framework is not None else None
    return found.name.text(lang) if found is not None else level


def requirement_name(program: Program, requirement: str, lang: Lang) -> str:
    """The name in ``lang`` of the programme's requirement, else its id."""
    return _requirement(program, requirement, lang)


def _requirement(program: Program, requirement: str, lang: Lang) -> str:
    for r in program.requirements:
        if r.id == requirement:
            return r.name.text(lang)
    return requirement


def _use_text(standards: Standards, program: Program, use: Use, lang: Lang) -> str:
    """One use as text: where its credits went (the overflow split shown) and the recorded
    grade of an exempted course; names in ``lang``."""
    labels = LABELS[lang]
    if use.course:
        target = _name(standards, "unit", use.course, lang)
    else:
        target = _requirement(program, use.requirement, lang)
    note = f" ({value(lang, use.recorded_grade)})" if use.recorded_grade else ""
    moved = use.overflow_credits
    if use.overflow is None or moved is None:
        return f"{target} +{use.credits}{note}"
    into = (
        labels["total_only"]
        if use.overflow == "total"
        else _requirement(program, use.overflow, lang)
    )
    return f"{target} +{use.credits - moved}{note}; {into} +{moved} ({labels['overflow']})"
