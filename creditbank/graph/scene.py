"""What a picture of the graph shows: boxes in columns, arrows, and a learner's highlights.

A :class:`Scene` is drawing-independent: :mod:`creditbank.graph.draw` lays it out as SVG
(with Graphviz ``dot`` when it is installed, else by itself).

:func:`program_scene` shows a programme: its requirements (column 3) and the programme (4);
the courses conversions exempt (2); credit-bank recognitions (1); and the certificates,
training and other outcomes that convert (0). Rules that select by kind rather than by
name (any national skill certificate …) are drawn as one box instead of one per unit. Given a
portfolio, the engine evaluates it: units the learner holds are outlined and list the
achievements; conversions used are drawn bold; exempted courses and filled requirements are
green; what is still missing is outlined red, with the credits that remain.

>>> import creditbank, datetime as dt
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> portfolio = creditbank.load_portfolio(
...     "examples/portfolios/demo-worker-001-electrician.yaml", standards)
>>> scene = program_scene(build_graph(standards), "460301", portfolio, dt.date(2026, 11, 29))
>>> [n.status for n in scene.nodes if n.id == "unit:skill:csco2022:6-31-01-03"]
['held']
"""

from __future__ import annotations

import datetime as dt
import textwrap
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from creditbank.engine import Evaluation, evaluate
from creditbank.engine.reasons import reason_label
from creditbank.graph.build import StandardsGraph, build_graph, text
from creditbank.graph.nodes import parse_node, program_node, requirement_node, unit_node
from creditbank.graph.queries import resolve_program
from creditbank.graph.style import KIND_NAMES, style_key
from creditbank.loading.crosscheck import unit_framework
from creditbank.models import Portfolio, Program, Standards

__all__ = [
    "Lang",
    "Scene",
    "SceneEdge",
    "SceneNode",
    "Status",
    "build_graph",
    "graph_scene",
    "program_scene",
    "wrap",
]

Lang = Literal["zh", "en"]
Status = Literal["plain", "held", "unused", "converted", "missing"]

GROUP_ABOVE = 4
"""A rule part selecting more units than this (by kind, scope, tag) is drawn as one box."""
WRAP = 18
"""Wrap names at about this many full-width characters."""

SOURCE, RECOGNITION, COURSE, REQUIREMENT, PROGRAM = range(5)


@dataclass(frozen=True)
class SceneNode:
    """One box: its column (0 = left), text lines (the first is the name), style and status."""

    id: str
    column: int
    lines: tuple[str, ...]
    style: str
    status: Status = "plain"
    tooltip: str = ""


@dataclass(frozen=True)
class SceneEdge:
    """One arrow; ``used`` when the learner's evaluation used it."""

    source: str
    target: str
    label: str = ""
    kind: str = "convertsTo"
    used: bool = False
    tooltip: str = ""


@dataclass(frozen=True)
class Scene:
    title: str
    subtitle: str
    nodes: tuple[SceneNode, ...]
    edges: tuple[SceneEdge, ...]
    legend: tuple[tuple[str, str], ...] = ()
    """(style key or status, caption) pairs to explain the colours."""
    highlights: bool = False
    keep_order: bool = False
    """Keep the boxes of every column in the order given (levels of a track), rather than
    reordering them to cross fewer arrows."""


def _width(text_: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text_)


_CLOSING = "）)」』】，。、；：！？,.;:!?"


def wrap(text_: str, width: int = WRAP) -> list[str]:
    """Wrap at about ``width`` full-width characters (two Latin letters count as one),
    before an opening bracket when that helps, never leaving closing punctuation alone.

    >>> wrap("精益生产管理在线课程（24学时，无考核）", 12)
    ['精益生产管理在线课程', '（24学时，无考核）']
    """
    limit = width * 2
    if _width(text_) <= limit:
        return [text_]
    if not any(unicodedata.east_asian_width(c) in "WF" for c in text_):
        return textwrap.wrap(text_, limit) or [text_]
    cut = text_.find("（")
    if cut > 0 and _width(text_[:cut]) <= limit:
        return [text_[:cut], *wrap(text_[cut:], width)]
    lines: list[str] = []
    current = ""
    for char in text_:
        if _width(current + char) > limit and char not in _CLOSING:
            lines.append(current)
            current = char.lstrip()
        else:
            current += char
    if current:
        lines.append(current)
    return lines


def _name(data: dict[str, Any], lang: Lang) -> str:
    if lang == "en" and data.get("label_en"):
        return str(data["label_en"])
    return str(data.get("label") or data.get("item") or "")


def _edge_label(data: dict[str, Any], lang: Lang) -> str:
    """An arrow's label in ``lang`` (``label`` is Chinese, ``label_en`` English, as nodes')."""
    if lang == "en" and data.get("label_en"):
        return str(data["label_en"])
    return str(data.get("label", ""))


def _kind_name(key: str, lang: Lang) -> str:
    names = KIND_NAMES.get(key)
    return names[0 if lang == "zh" else 1] if names else key


def _t(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _legend(
    nodes: Iterable[SceneNode], highlights: bool, lang: Lang
) -> tuple[tuple[str, str], ...]:
    keys = dict.fromkeys(n.style for n in nodes)
    order = [k for k in KIND_NAMES if k in keys]
    legend = [(k, _kind_name(k, lang)) for k in order]
    if highlights:
        legend += [
            ("held", _t(lang, "学习者持有", "held by the learner")),
            ("unused", _t(lang, "持有但未转换", "held, not converted")),
            ("converted", _t(lang, "已转换 / 已满足", "converted / satisfied")),
            ("missing", _t(lang, "仍缺", "still missing")),
            ("used", _t(lang, "本次使用的转换", "conversion used")),
        ]
    return tuple(legend)


def _source_style(standards: Standards, unit_id: str) -> str:
    unit = standards.units[unit_id]
    return "external_course" if unit.kind == "course" else unit.kind


def _broad(standards: Standards, rule_id: str, leaf: int, count: int) -> bool:
    match = standards.rules[rule_id].when.matches()[leaf]
    return not (match.units or match.occupations or match.families) and count > GROUP_ABOVE


_SCOPES = {
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "industry": "行业",
    "enterprise": "企业",
    "international": "国际",
    "school": "校级",
}


def _selector_lines(
    standards: Standards, rule_id: str, leaf: int, count: int, lang: Lang
) -> list[str]:
    match = standards.rules[rule_id].when.matches()[leaf]
    kinds = "/".join(_kind_name(k, lang) for k in match.unit_kinds) or _t(lang, "单元", "units")
    filters = [_SCOPES.get(f, f) if lang == "zh" else f for f in (*match.scopes, *match.tiers)]
    filters += list(match.tags)
    head = _t(lang, f"任一{kinds}", f"any {kinds}")
    if filters:
        head += f"（{'/'.join(filters)}）" if lang == "zh" else f" ({'/'.join(filters)})"
    return [head, _t(lang, f"{count} 个单元 · 规则 {rule_id}", f"{count} units · rule {rule_id}")]


@dataclass
class _Highlights:
    """What one evaluation says, keyed for drawing."""

    evaluation: Evaluation
    held: dict[str, list[str]]
    used: set[tuple[str, str, str]]
    """(rule, unit, target node) of every use."""
    exempted: set[str]
    progress: dict[str, tuple[Decimal, Decimal, Decimal]]
    recognised: set[str]
    """Units with at least one achievement that converted."""


def _level_name(standards: Standards, unit: str, level: str | None, lang: Lang) -> str:
    if not level:
        return ""
    framework = unit_framework(standards, unit)
    found = framework.level(level) if framework is not None else None
    return found.name.text(lang) if found is not None else level


def _highlights(
    standards: Standards,
    program: Program,
    portfolio: Portfolio,
    as_of: dt.date | None,
    lang: Lang = "zh",
) -> _Highlights:
    evaluation = evaluate(standards, portfolio, program.id, as_of)
    achievements = {a.id: a for a in portfolio.achievements}
    held: dict[str, list[str]] = {}
    used: set[tuple[str, str, str]] = set()
    recognised: set[str] = set()
    for decision in evaluation.decisions:
        achievement = achievements[decision.achievement]
        level = _level_name(standards, decision.unit, achievement.level, lang)
        level = f" {level}" if level else ""
        if decision.recognised:
            recognised.add(decision.unit)
            outcome = f"✓ +{text(decision.credits)}"
        else:  # a picture has room for a few words, in one language; the code is in the table
            outcome = f"✗ {reason_label(str(decision.reason), lang)}"
        held.setdefault(decision.unit, []).append(f"{decision.achievement}{level} {outcome}")
        for use in decision.uses:
            target = (
                unit_node(use.course)
                if use.course is not None
                else requirement_node(program.id, use.requirement)
            )
            for member in use.achievements:
                used.add((use.rule, str(achievements[member].unit), target))
    exempted = {c for r in evaluation.requirements for c in r.courses_exempted}
    progress = {
        r.requirement: (r.required, r.satisfied, r.remaining) for r in evaluation.requirements
    }
    return _Highlights(evaluation, held, used, exempted, progress, recognised)


def program_scene(
    sg: StandardsGraph,
    program: str,
    portfolio: Portfolio | None = None,
    as_of: dt.date | None = None,
    *,
    lang: Lang = "zh",
) -> Scene:
    """A programme, its requirements, and what converts into them (see the module doc)."""
    prog = resolve_program(sg.standards, program)
    marks = (
        _highlights(sg.standards, prog, portfolio, as_of, lang) if portfolio is not None else None
    )
    builder = _ProgramScene(sg, prog, marks, lang)
    builder.conversions()
    builder.sources()
    builder.courses()
    builder.requirements()
    return builder.scene()


class _ProgramScene:
    def __init__(
        self, sg: StandardsGraph, program: Program, marks: _Highlights | None, lang: Lang
    ) -> None:
        self.s = sg.standards
        self.sg = sg
        self.graph = sg.graph
        self.program = program
        self.marks = marks
        self.lang = lang
        self.nodes: dict[str, SceneNode] = {}
        self.edges: dict[tuple[str, str, str], SceneEdge] = {}
        self.targets: dict[str, None] = {}
        self.rules: set[str] = set()

    def t(self, zh: str, en: str) -> str:
        return _t(self.lang, zh, en)

    def add_edge(self, key: tuple[str, str, str], edge: SceneEdge) -> None:
        """Add an arrow; drawn bold when any conversion it stands for was used."""
        before = self.edges.get(key)
        if before is not None and before.used and not edge.used:
            edge = SceneEdge(edge.source, edge.target, edge.label, edge.kind, True, edge.tooltip)
        self.edges[key] = edge

    def conversions(self) -> None:
        """Rule conversions into the programme, a broad rule part drawn as one box."""
        groups: dict[tuple[str, int], list[tuple[str, str, dict[str, Any]]]] = {}
        for source, target, data in self.sg.rule_edges(self.program.id):
            key = (data["rule"], int(data.get("leaf", 0)))
            groups.setdefault(key, []).append((source, target, data))
        for (rule_id, leaf), items in sorted(groups.items()):
            self.rules.add(rule_id)
            units = sorted({d["unit"] for _, _, d in items})
            broad = _broad(self.s, rule_id, leaf, len(units))
            selector = f"selector:{rule_id}#{leaf}"
            for source, target, data in items:
                unit = data["unit"]
                held = self.marks is not None and unit in self.marks.held
                start = selector if broad and not held else source
                if start == selector and selector not in self.nodes:
                    lines = _selector_lines(self.s, rule_id, leaf, len(units), self.lang)
                    self.nodes[selector] = SceneNode(
                        selector, SOURCE, tuple(lines), "selector", tooltip=", ".join(units)
                    )
                used = self.marks is not None and (rule_id, unit, target) in self.marks.used
                conditions = f" · {data['conditions']}" if data.get("conditions") else ""
                self.add_edge(
                    (start, target, rule_id),
                    SceneEdge(
                        start,
                        target,
                        _edge_label(data, self.lang),
                        used=used,
                        tooltip=f"{self.t('规则', 'rule')} {rule_id}{conditions}",
                    ),
                )
                if parse_node(start)[0] == "recognition":
                    self.add_edge(
                        (unit_node(unit), start, "recognised"),
                        SceneEdge(
                            unit_node(unit),
                            start,
                            self.t("认定", "recognised"),
                            kind="recognised",
                            used=used,
                        ),
                    )
                self.targets[target] = None

    def sources(self) -> None:
        """Boxes for the units and recognitions conversions start from, and held units."""
        ends = {e.source for e in self.edges.values()} | {e.target for e in self.edges.values()}
        for start in sorted(ends):
            kind, item, _ = parse_node(start)
            if start in self.nodes or kind not in ("unit", "recognition") or start in self.targets:
                continue
            data = self.graph.nodes[start]
            if kind == "recognition":
                lines = (self.t("学分银行认定", "credit bank recognised"), str(data["credits"]))
                self.nodes[start] = SceneNode(
                    start, RECOGNITION, lines, "recognition", tooltip=item
                )
            else:
                self.nodes[start] = _unit_node(self.s, start, data, self.marks, self.lang)
        if self.marks is not None:
            for unit in self.marks.held:
                node = unit_node(unit)
                if node not in self.nodes:
                    data = self.graph.nodes[node]
                    self.nodes[node] = _unit_node(self.s, node, data, self.marks, self.lang)

    def courses(self) -> None:
        """The courses conversions exempt, green when exempted, red when still to take."""
        for target in self.targets:
            kind, item, _ = parse_node(target)
            if kind != "unit":
                continue
            data = self.graph.nodes[target]
            credits = f"{data.get('credits', '?')} {self.t('学分', 'credits')}"
            lines = [*wrap(_name(data, self.lang)), credits]
            status: Status = "plain"
            if self.marks is not None:
                status = "converted" if item in self.marks.exempted else "missing"
                if status == "converted":
                    lines.append(self.t("✓ 已免修", "✓ exempted"))
            self.nodes[target] = SceneNode(
                target, COURSE, tuple(lines), "course", status, tooltip=item
            )
            part_of = f"isPartOf:{self.program.id}"
            for _, requirement, key in self.graph.out_edges(target, keys=True):
                if key == part_of:
                    self.add_edge(
                        (target, requirement, "isPartOf"),
                        SceneEdge(target, requirement, kind="isPartOf"),
                    )

    def requirements(self) -> None:
        """Every requirement of the programme, with the gap the learner still has."""
        program = self.program
        for requirement in program.requirements:
            node = requirement_node(program.id, requirement.id)
            lines = [*wrap(_name(self.graph.nodes[node], self.lang))]
            if requirement.kind == "required_courses":
                total = sum(
                    (
                        unit.credits.amount
                        for c in requirement.courses
                        if (unit := self.s.units.get(c)) is not None and unit.credits is not None
                    ),
                    Decimal(0),
                )
                count = len(requirement.courses)
                lines.append(
                    self.t(
                        f"{count} 门必修 · {text(total)} 学分",
                        f"{count} required courses · {text(total)} credits",
                    )
                )
            elif requirement.min_credits is not None:
                least = text(requirement.min_credits)
                lines.append(self.t(f"至少 {least} 学分", f"at least {least} credits"))
            status: Status = "plain"
            if self.marks is not None:
                need, have, remaining = self.marks.progress[requirement.id]
                lines.append(
                    self.t(
                        f"已认定 {text(have)} / {text(need)}，还差 {text(remaining)}",
                        f"recognised {text(have)} / {text(need)}, {text(remaining)} to go",
                    )
                )
                status = "converted" if remaining == 0 else "missing"
            self.nodes[node] = SceneNode(node, REQUIREMENT, tuple(lines), "requirement", status)
            self.add_edge(
                (node, program_node(program.id), "isChildOf"),
                SceneEdge(node, program_node(program.id), kind="isChildOf"),
            )

    def scene(self) -> Scene:
        program = self.program
        node = program_node(program.id)
        name = f"{program.code or program.id} {_name(self.graph.nodes[node], self.lang)}"
        total = text(program.total_credits)
        lines = [name, self.t(f"共 {total} 学分", f"{total} credits")]
        subtitle = self.t(
            f"学校 {program.school or '—'} · 规则 {len(self.rules)} 条",
            f"school {program.school or '—'} · {len(self.rules)} rules",
        )
        if self.marks is not None:
            evaluation = self.marks.evaluation
            totals = evaluation.totals
            share = f"{totals.share * 100:.1f}"
            recognised = text(totals.recognised)
            lines.append(
                self.t(f"已认定 {recognised}（{share}%）", f"recognised {recognised} ({share} %)")
            )
            day = evaluation.as_of.isoformat()
            subtitle += self.t(
                f" · 学习者 {evaluation.learner}，截至 {day}",
                f" · learner {evaluation.learner}, as of {day}",
            )
        self.nodes[node] = SceneNode(node, PROGRAM, tuple(lines), "program")
        title = f"{name} — " + self.t(
            "学习成果如何转换为学分", "how learning outcomes convert into credits"
        )
        ordered = sorted(
            self.nodes.values(), key=lambda n: (n.column, _order_key(self.s, program, n))
        )
        return Scene(
            title,
            subtitle,
            tuple(ordered),
            tuple(self.edges.values()),
            _legend(ordered, self.marks is not None, self.lang),
            highlights=self.marks is not None,
        )


def _order_key(standards: Standards, program: Program, node: SceneNode) -> tuple[Any, ...]:
    kind, item, local = parse_node(node.id)
    if kind == "requirement":
        return (0, [r.id for r in program.requirements].index(str(local)), "")
    if kind == "unit" and node.column == COURSE:
        requirement = next((i for i, r in enumerate(program.requirements) if item in r.courses), 99)
        return (0, requirement, item)
    return (0 if node.status in ("held", "unused") else 1, 0, node.id)


def _unit_node(
    standards: Standards, node: str, data: dict[str, Any], marks: _Highlights | None, lang: Lang
) -> SceneNode:
    item = parse_node(node)[1]
    style = _source_style(standards, item)
    lines = [*wrap(_name(data, lang)), _kind_name(style, lang)]
    status: Status = "plain"
    if marks is not None and item in marks.held:
        lines += marks.held[item]
        status = "held" if item in marks.recognised else "unused"
    return SceneNode(node, SOURCE, tuple(lines), style, status, tooltip=item)


def graph_scene(graph: Any, title: str, *, lang: Lang = "zh") -> Scene:
    """A scene of any part of the graph (e.g. a unit's neighbourhood): conversions only,
    sources on the left, programmes on the right."""
    targets = {t for _, t, d in graph.edges(data=True) if d["type"] == "convertsTo" and "rule" in d}
    nodes: dict[str, SceneNode] = {}
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        if kind == "unit":
            column = COURSE if node in targets else SOURCE
        elif kind in ("recognition", "requirement", "program"):
            column = {"recognition": RECOGNITION, "requirement": REQUIREMENT, "program": PROGRAM}[
                kind
            ]
        else:
            continue
        key = style_key(data)
        if kind == "unit" and column == SOURCE and key == "course":
            key = "external_course"
        lines = [*wrap(_name(data, lang))]
        if kind == "unit" and data.get("credits"):
            lines.append(f"{data['credits']} {_t(lang, '学分', 'credits')}")
        if kind == "recognition":
            lines = [
                _t(lang, "学分银行认定", "credit bank recognised"),
                str(data.get("credits", "")),
            ]
        if kind == "program":
            lines = [f"{data.get('code') or data.get('item')} {_name(data, lang)}"]
        nodes[node] = SceneNode(node, column, tuple(lines), key, tooltip=str(data.get("item", "")))
    edges: dict[tuple[str, str, str], SceneEdge] = {}
    for source, target, data in graph.edges(data=True):
        if (
            source not in nodes
            or target not in nodes
            or nodes[source].column >= nodes[target].column
        ):
            continue
        if data["type"] == "convertsTo":
            where = data.get("program_code") or data.get("program") or ""
            label = _edge_label(data, lang)
            if where:
                label = f"{label} ({where})"
            edges[(source, target, str(data.get("rule", "")) + where)] = SceneEdge(
                source, target, label, tooltip=f"{_t(lang, '规则', 'rule')} {data.get('rule', '')}"
            )
        elif data["type"] in ("isPartOf", "isChildOf"):
            edges[(source, target, data["type"])] = SceneEdge(source, target, kind=data["type"])
    ordered = sorted(nodes.values(), key=lambda n: (n.column, n.id))
    return Scene(title, "", tuple(ordered), tuple(edges.values()), _legend(ordered, False, lang))
