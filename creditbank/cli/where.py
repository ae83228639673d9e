"""``creditbank eligibility PORTFOLIO --where``: where a worker stands on the three tracks
and where they can go next, as a table (the JSON is :meth:`Where.to_json`)."""

from __future__ import annotations

from typing import Literal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from creditbank.graph.tracks import TRACK_NAMES
from creditbank.graph.where import Reachable, Where

__all__ = ["where_view"]

Lang = Literal["zh", "en"]

_HEAD = {
    "zh": ("轨道", "可去向", "状态", "规则", "原因"),
    "en": ("track", "next", "status", "rules", "reasons"),
}
_STATUS = {
    "eligible": ("符合", "eligible", "green"),
    "not_eligible": ("不符合", "not eligible", "red"),
    "no_rule": ("标准中无相应规则", "no rule in the standards", "dim"),
}


def _status(entry: Reachable, lang: Lang) -> Text:
    if entry.status == "eligible_from" and entry.eligible_from is not None:
        day = entry.eligible_from.isoformat()
        return Text(f"{day} 起" if lang == "zh" else f"from {day}", style="yellow")
    zh, en, style = _STATUS[entry.status]
    return Text(zh if lang == "zh" else en, style=style)


def _rules(entry: Reachable, lang: Lang) -> str:
    mark = " (示例)" if lang == "zh" else " (example)"
    return "\n".join(r.result.rule + mark * r.result.example for r in entry.routes)


def _reasons(entry: Reachable, lang: Lang) -> str:
    lines: list[str] = []
    for route in entry.routes:
        for unmet in route.result.unmet:
            lines.append(f"{unmet.code}: {unmet.zh if lang == 'zh' else unmet.en}")
    return "\n".join(dict.fromkeys(lines))


def where_view(found: Where, lang: Lang) -> Group:
    """What the worker holds, then one row per node they can go to next, best first."""
    zh = lang == "zh"
    held = Table(
        title=f"{found.learner}, {found.as_of.isoformat()}: " + ("现有位置" if zh else "holds now"),
        title_justify="left",
    )
    held.add_column("轨道" if zh else "track", no_wrap=True)
    held.add_column("位置" if zh else "position")
    held.add_column("依据" if zh else "because of")
    for spot in found.held:
        track = TRACK_NAMES[spot.track][0 if zh else 1]
        held.add_row(track, spot.zh if zh else spot.en, ", ".join(spot.because))
    if not found.held:
        held.add_row(
            "—", "无（未持有技能等级或职称）" if zh else "nothing (no skill level or title)", ""
        )
    table = Table(title="可去向" if zh else "where next", title_justify="left")
    for position, header in enumerate(_HEAD[lang]):
        table.add_column(header, overflow="fold", no_wrap=position in (0, 2))
    for entry in found.next:
        table.add_row(
            TRACK_NAMES[entry.track][0 if zh else 1],
            entry.zh if zh else entry.en,
            _status(entry, lang),
            _rules(entry, lang),
            _reasons(entry, lang),
        )
    return Group(held, table)
