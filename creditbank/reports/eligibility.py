"""The eligibility report: which titles, admissions and funded places a worker's portfolio
opens on a day, with the picture of the three tracks and where the worker can go.

:func:`eligibility_report` returns one self-contained HTML document (inline CSS, the tracks
picture as inline SVG, no script, nothing fetched) laid out for A4 paper, every label in
``lang``: the learner, the as-of date and the standards fingerprint; one row per rule
(eligible, eligible from a day, or not, with every reason's code and sentence); the tracks
picture with the worker's position; and a signature block.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from creditbank.engine import Eligibility, eligibility
from creditbank.graph.draw import render_svg
from creditbank.graph.tracks import tracks
from creditbank.graph.tracks_scene import tracks_scene
from creditbank.graph.where import where
from creditbank.models import Portfolio, Standards
from creditbank.reports.labels import Lang
from creditbank.reports.render import inline_svg, render

__all__ = ["ELIGIBILITY_LABELS", "eligibility_report"]

ELIGIBILITY_LABELS: dict[Lang, dict[str, str]] = {
    "zh": {
        "title": "贯通、入学与资助资格",
        "results": "各规则的结果",
        "kind": "类别",
        "rule": "规则",
        "status": "是否符合",
        "reasons": "原因",
        "eligible": "符合",
        "not_eligible": "不符合",
        "from": "{day} 起符合",
        "uses": "依据",
        "example": "示例",
        "tracks": "三类岗位的贯通与可去向",
        "chinese_only": "",
        "title_kind": "贯通",
        "admission": "入学",
        "funding": "资助",
    },
    "en": {
        "title": "Eligibility: bridging, admission and funding",
        "results": "Result of each rule",
        "kind": "Kind",
        "rule": "Rule",
        "status": "Eligible",
        "reasons": "Reasons",
        "eligible": "eligible",
        "not_eligible": "not eligible",
        "from": "eligible from {day}",
        "uses": "uses",
        "example": "example",
        "tracks": "The three tracks, their bridges and where the learner can go",
        "chinese_only": " (name in Chinese only)",
        "title_kind": "title",
        "admission": "admission",
        "funding": "funding",
    },
}
"""The labels of this report (beside the reports' shared :data:`LABELS`)."""


@dataclass(frozen=True)
class _Row:
    rule: str
    name: str
    kind: str
    example: bool
    status: str
    ok: bool
    later: bool
    """Not eligible yet, but only time is missing: eligible from a known day."""
    uses: str
    reasons: tuple[tuple[str, str], ...]


def eligibility_report(
    standards: Standards,
    portfolio: Portfolio,
    as_of: dt.date,
    *,
    lang: Lang = "zh",
    result: Eligibility | None = None,
    picture: bool = True,
) -> str:
    """The eligibility of ``portfolio`` on ``as_of`` as an HTML document.

    ``result`` is that eligibility when the caller already has it (else it is computed);
    ``picture=False`` leaves the tracks picture out.
    """
    if result is None:
        result = eligibility(standards, portfolio, as_of)
    labels = ELIGIBILITY_LABELS[lang]
    rows = []
    for outcome in result.outcomes:
        if lang == "en":
            name = outcome.name_en or f"{outcome.name_zh or outcome.name}{labels['chinese_only']}"
        else:
            name = outcome.name_zh or outcome.name
        if outcome.eligible:
            status = labels["eligible"]
        elif outcome.eligible_from is not None:
            status = labels["from"].format(day=outcome.eligible_from.isoformat())
        else:
            status = labels["not_eligible"]
        rows.append(
            _Row(
                rule=outcome.rule,
                name=name,
                kind=labels["title_kind" if outcome.kind == "title" else outcome.kind],
                example=outcome.example,
                status=status,
                ok=outcome.eligible,
                later=not outcome.eligible and outcome.eligible_from is not None,
                uses=", ".join(outcome.uses),
                reasons=tuple((u.code, u.zh if lang == "zh" else u.en) for u in outcome.unmet),
            )
        )
    svg = None
    if picture:
        found = where(standards, portfolio, as_of)
        # the built-in layout keeps each track highest level first, as the legend reads
        scene = tracks_scene(tracks(standards), found, lang=lang)
        svg = inline_svg(render_svg(scene, engine="python"))
    return render(
        "eligibility.html.j2",
        lang,
        e=labels,
        title=f"{labels['title']} — {result.learner}",
        learner=result.learner,
        as_of=as_of.isoformat(),
        fingerprint=result.standards_fingerprint,
        rows=rows,
        tracks_svg=svg,
        example=portfolio.example or any(r.example for r in rows),
    )
