"""A picture of the three tracks and their bridges (贯通), with a worker's position.

:func:`tracks_scene` draws :func:`~creditbank.graph.tracks.tracks` as a
:class:`~creditbank.graph.scene.Scene`: one column per track (skill levels, then the
title levels of each series, then management posts), the highest level at the top of
its column; an arrow per bridge rule, labelled with its conditions, dashed when the rule
is an example (and "(示例)" / "(example)" on it). The next level of a track is the box
above, so progression needs no arrow. Given a :class:`~creditbank.graph.where.Where`,
the positions held are outlined, the levels open now filled green with their arrows bold,
those open from a later day outlined amber with the day, those not yet open outlined red.
One language per picture.

>>> import creditbank
>>> from creditbank.graph.tracks import tracks
>>> scene = tracks_scene(tracks(creditbank.load_standards(creditbank.bundled_standards_path())))
>>> [n.lines[0] for n in scene.nodes if n.column == 0][:2]
['一级（高级技师）', '二级（技师）']
"""

from __future__ import annotations

from creditbank.graph.scene import Lang, Scene, SceneEdge, SceneNode, Status, wrap
from creditbank.graph.style import KIND_NAMES
from creditbank.graph.tracks import TRACK_NAMES, TrackNode, Tracks
from creditbank.graph.where import Where

__all__ = ["tracks_scene"]

_STYLE = {"skill": "skill_level", "professional": "title_level", "management": "post"}
_STATUS: dict[str, Status] = {
    "eligible": "converted",
    "eligible_from": "unused",
    "not_eligible": "missing",
}


def _t(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _columns(graph: Tracks) -> dict[tuple[str, str], int]:
    """A column per group: skill frameworks, then title series, then posts."""
    order = {"skill": 0, "professional": 1, "management": 2}
    groups = sorted({(n.track, n.group) for n in graph.nodes}, key=lambda g: (order[g[0]], g[1]))
    return {group: index for index, group in enumerate(groups)}


def _node_lines(node: TrackNode, lang: Lang, where: Where | None) -> tuple[list[str], Status]:
    lines = wrap(node.zh if lang == "zh" else node.en, 12)
    if node.example and "示例" not in lines[-1]:  # a post may say so in its own name
        lines.append(_t(lang, "（示例）", "(example)"))
    if where is None:
        return lines, "plain"
    for held in where.held:
        if held.node == node.id:
            return [*lines, _t(lang, "现处位置", "held now")], "held"
    for entry in where.next:
        if entry.node == node.id and entry.status in _STATUS:
            if entry.status == "eligible":
                lines.append(_t(lang, "现在符合", "eligible now"))
            elif entry.eligible_from is not None:
                day = entry.eligible_from.isoformat()
                lines.append(_t(lang, f"{day} 起符合", f"eligible from {day}"))
            else:
                lines.append(_t(lang, "尚不符合", "not eligible yet"))
            return lines, _STATUS[entry.status]
    return lines, "plain"


def tracks_scene(graph: Tracks, where: Where | None = None, *, lang: Lang = "zh") -> Scene:
    """The scene of the tracks graph, with ``where``'s worker marked when given."""
    columns = _columns(graph)
    nodes: list[SceneNode] = []
    for node in sorted(graph.nodes, key=lambda n: (columns[(n.track, n.group)], -n.rank, n.id)):
        lines, status = _node_lines(node, lang, where)
        nodes.append(
            SceneNode(
                node.id,
                columns[(node.track, node.group)],
                tuple(lines),
                _STYLE[node.track],
                status,
                tooltip=f"{TRACK_NAMES[node.track][0 if lang == 'zh' else 1]}: {node.id}",
            )
        )
    open_now = set()
    if where is not None:
        for entry in where.next:
            open_now |= {
                (r.source, entry.node, r.result.rule) for r in entry.routes if r.result.eligible
            }
    edges: list[SceneEdge] = []
    for edge in graph.edges:
        if edge.kind != "bridge":
            continue
        label = edge.zh if lang == "zh" else edge.en
        if edge.example:
            label += _t(lang, "（示例）", " (example)")
        source = f" · {edge.source_document}" if edge.source_document else ""
        edges.append(
            SceneEdge(
                edge.source,
                edge.target,
                label,
                kind="example" if edge.example else "bridge",
                used=(edge.source, edge.target, edge.rule) in open_now,
                tooltip=f"{_t(lang, '规则', 'rule')} {edge.rule}{source}",
            )
        )
    title = _t(
        lang,
        "技能、专业技术、经营管理岗位的贯通",
        "Bridges between the skill, professional and management tracks",
    )
    subtitle = " · ".join(
        TRACK_NAMES[track][0 if lang == "zh" else 1]
        for track in ("skill", "professional", "management")
        if any(n.track == track for n in graph.nodes)
    )
    if where is not None:
        day = where.as_of.isoformat()
        subtitle += _t(
            lang,
            f" · 学习者 {where.learner}，截至 {day}",
            f" · learner {where.learner}, as of {day}",
        )
    legend = [
        (key, KIND_NAMES[key][0 if lang == "zh" else 1])
        for key in ("skill_level", "title_level", "post")
    ]
    legend.append(("example_edge", _t(lang, "示例规则", "example rule")))
    if where is not None:
        legend += [
            ("held", _t(lang, "现处位置", "held now")),
            ("converted", _t(lang, "现在符合", "eligible now")),
            ("unused", _t(lang, "日后符合", "eligible from a later day")),
            ("missing", _t(lang, "尚不符合", "not eligible yet")),
            ("used", _t(lang, "现在可走的贯通", "bridge open now")),
        ]
    return Scene(
        title,
        subtitle,
        tuple(nodes),
        tuple(edges),
        tuple(legend),
        highlights=where is not None,
        keep_order=True,
    )
