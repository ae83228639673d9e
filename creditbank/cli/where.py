"""``creditbank eligibility PORTFOLIO --where``: where a worker stands on the three tracks
and where they can go next, as a table (the JSON is :meth:`Where.to_json`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from creditbank.cli.render import NARROW, records
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


def where_view(found: Where, lang: Lang, width: int | None = None) -> Group:
    """What the worker holds, then one row per node they can go to next, best first; on a
    terminal of fewer than :data:`NARROW` columns (``width``), the latter as one block per
    node, each rule id and reason code on a line of its own."""
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
    title = "可去向" if zh else "where next"
    table = Table(title=title, title_justify="left")
    for position, header in enumerate(_HEAD[lang]):
        table.add_column(header, overflow="fold", no_wrap=position in (0, 2))
    rows: list[tuple[str, Sequence[str | Text]]] = []
    for entry in found.next:
        track = TRACK_NAMES[entry.track][0 if zh else 1]
        table.add_row(
            track,
            entry.zh if zh else entry.en,
            _status(entry, lang),
            _rules(entry, lang),
            _reasons(entry, lang),
        )
        lines: list[str | Text] = [_status(entry, lang), track]
        lines += _rules(entry, lang).splitlines()
        for reason in _reasons(entry, lang).splitlines():
            code, _, sentence = reason.partition(": ")
            lines += [Text(code, style="bold"), sentence]
        rows.append((entry.zh if zh else entry.en, lines))
    narrow = width is not None and width < NARROW
    if narrow:
        # a held position's because-of ids are kept whole as records, too
        held_rows: list[tuple[str, Sequence[str | Text]]] = [
            (spot.zh if zh else spot.en, [TRACK_NAMES[spot.track][0 if zh else 1], *spot.because])
            for spot in found.held
        ] or [("—", ["无（未持有技能等级或职称）" if zh else "nothing (no skill level or title)"])]
        return Group(records(str(held.title or ""), held_rows), records(title, rows))
    return Group(held, table)
