"""Draw a :class:`~creditbank.graph.scene.Scene` as SVG.

With Graphviz installed (``dot`` on the PATH) the scene is handed to ``dot -Tsvg``;
without it — or with ``engine="python"`` — a small layered layout written here draws it:
columns left to right, boxes ordered by the barycentres of their neighbours (a few sweeps,
as in Sugiyama's method), arrows that skip columns routed through the gaps between boxes,
one port per arrow so labels never sit on top of each other. The output is self-contained
SVG 1.1 (no scripts, no external fonts), with a ``<title>`` tooltip on every box and arrow.

>>> from creditbank.graph.scene import Scene, SceneEdge, SceneNode, Status
>>> scene = Scene("t", "", (SceneNode("a", 0, ("电工证书",), "skill_certificate"),
...                         SceneNode("b", 2, ("电工技术基础",), "course")),
...               (SceneEdge("a", "b", "≥ 三级"),))
>>> svg = render_svg(scene, engine="python")
>>> svg.startswith("<?xml") and "电工技术基础" in svg
True
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import Literal, get_args
from xml.sax.saxutils import quoteattr

from creditbank.graph.scene import Scene, SceneEdge, SceneNode, Status
from creditbank.graph.style import FILL, HIGHLIGHT, STROKE, xml_text
from creditbank.graph.style import dot_quote as _q

__all__ = ["Engine", "dot_available", "render_svg", "scene_to_dot"]

Engine = Literal["auto", "dot", "python"]

FONT = 12
LABEL_FONT = 10
LINE = 16
PAD_X = 10
PAD_Y = 7
GAP = 12
VIRTUAL_GAP = 4
PORT = 14
MARGIN = 24
MIN_COLUMN_GAP = 70
LABEL_RUN = 10
"""How far an arrow runs level beyond the end of its label before it bends."""
CURVE = 60
"""The least horizontal room an arrow has to bend in after its label."""
FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'WenQuanYi Micro Hei', sans-serif"
)


def dot_available() -> str | None:
    """The path of Graphviz's ``dot``, or None."""
    return shutil.which("dot")


def render_svg(scene: Scene, *, engine: Engine = "auto") -> str:
    """The scene as SVG text: by Graphviz when ``engine`` is ``dot`` (or ``auto`` and it is
    installed), else by the built-in layout. A failing ``dot`` falls back to the latter."""
    dot = dot_available() if engine in ("auto", "dot") else None
    if dot is not None:
        try:
            done = subprocess.run(
                [dot, "-Tsvg"],
                input=scene_to_dot(scene).encode("utf-8"),
                capture_output=True,
                timeout=120,
                check=True,
            )
            return done.stdout.decode("utf-8")
        except (OSError, subprocess.SubprocessError):
            pass
    return _Layout(scene).svg()


# ----------------------------------------------------------------------- DOT


def _node_style(node: SceneNode) -> tuple[str, str, float, str]:
    """fill, stroke, stroke width, dash pattern ('' for solid)."""
    fill = FILL.get(node.style, "#ffffff")
    stroke = STROKE.get(node.style, "#888888")
    width, dash = 1.2, ""
    if node.status == "held":
        stroke, width = HIGHLIGHT["held"], 3.0
    elif node.status == "unused":
        stroke, width, dash = HIGHLIGHT["unused"], 2.5, "6,3"
    elif node.status == "converted":
        fill, stroke, width = HIGHLIGHT["converted"], HIGHLIGHT["used"], 2.0
    elif node.status == "missing":
        stroke, width, dash = HIGHLIGHT["missing"], 2.0, "5,3"
    return fill, stroke, width, dash


def _legend_style(key: str) -> tuple[str, str, float, str]:
    """How a legend entry's box looks: a box of that style key, or a course with that status."""
    for status in get_args(Status):
        if key == status:
            return _node_style(SceneNode("legend", 0, (), "course", status))
    return _node_style(SceneNode("legend", 0, (), key if key in FILL else "course"))


def _edge_style(edge: SceneEdge) -> tuple[str, float, str]:
    if edge.used:
        return HIGHLIGHT["used"], 3.0, ""
    if edge.kind in ("isPartOf", "isChildOf"):
        return "#a8b2c0", 1.0, "4,3"
    if edge.kind == "example":
        return "#9a8f80", 1.2, "6,4"
    return "#6b7a8f", 1.2, ""


def scene_to_dot(scene: Scene) -> str:
    """Graphviz DOT for the scene: one rank per column, colours as in the built-in SVG."""
    lines = [
        "digraph scene {",
        "  rankdir=LR; newrank=true; nodesep=0.18; ranksep=1.0;",
        f"  graph [fontname={_q(FONT_FAMILY)}, fontsize=16, labelloc=t, labeljust=l, "
        f"label={_dot_heading(scene)}];",
        f'  node [shape=box, style="rounded,filled", fontname={_q(FONT_FAMILY)}, fontsize=11];',
        f"  edge [fontname={_q(FONT_FAMILY)}, fontsize=9, arrowsize=0.7];",
    ]
    for node in scene.nodes:
        fill, stroke, width, dash = _node_style(node)
        style = "rounded,filled" + (",dashed" if dash else "")
        font = "white" if node.style == "program" else "black"
        lines.append(
            f"  {_q(node.id)} [label={_q(chr(10).join(node.lines))}, fillcolor={_q(fill)}, "
            f"color={_q(stroke)}, penwidth={width}, style={_q(style)}, fontcolor={font}, "
            f"tooltip={_q(node.tooltip or node.id)}];"
        )
    columns = sorted({n.column for n in scene.nodes})
    for column in columns:
        members = " ".join(_q(n.id) for n in scene.nodes if n.column == column)
        lines.append(f"  {{rank=same; {members}}}")
    if scene.keep_order:
        lines += _dot_order(scene, columns)
    for edge in scene.edges:
        colour, width, dash = _edge_style(edge)
        extra = ", style=dashed" if dash else ""
        lines.append(
            f"  {_q(edge.source)} -> {_q(edge.target)} [label={_q(edge.label)}, "
            f"color={_q(colour)}, fontcolor={_q(colour)}, penwidth={width}{extra}, "
            f"tooltip={_q(edge.tooltip or edge.label)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_order(scene: Scene, columns: list[int]) -> list[str]:
    """Invisible edges that pin a ``keep_order`` scene's layout in Graphviz.

    ``rank=same`` only groups a column: a column no arrow reaches would share the first
    rank with another, and dot reorders boxes to cross fewer arrows (the tracks picture
    came out with 五级 on top and a post among the titles). An edge between the first
    boxes of neighbouring columns puts each column one rank further right; a chain of
    flat edges down a column keeps its boxes in the order given, top to bottom.
    """
    first = {c: next(n.id for n in scene.nodes if n.column == c) for c in columns}
    out = [
        f"  {_q(first[a])} -> {_q(first[b])} [style=invis, weight=0];" for a, b in pairwise(columns)
    ]
    for column in columns:
        ids = [n.id for n in scene.nodes if n.column == column]
        out += [f"  {_q(a)} -> {_q(b)} [style=invis];" for a, b in pairwise(ids)]
    return out


def _dot_heading(scene: Scene) -> str:
    """The graph label: title, subtitle and the legend, as one HTML-like label.

    The legend is not a node: in a left-to-right layout a node of its own would take a
    column of its own, as wide as the legend, beside the picture.
    """
    rows = [f'<TR><TD ALIGN="LEFT"><B>{xml_text(scene.title)}</B></TD></TR>']
    if scene.subtitle:
        rows.append(
            '<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="11">'
            f"{xml_text(scene.subtitle)}</FONT></TD></TR>"
        )
    if scene.legend:
        cells = "".join(_legend_cell(key, caption) for key, caption in scene.legend)
        rows.append(
            '<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="4" CELLPADDING="3">'
            f"<TR>{cells}</TR></TABLE></TD></TR>"
        )
    return f'<<TABLE BORDER="0" CELLSPACING="2">{"".join(rows)}</TABLE>>'


def _legend_cell(key: str, caption: str) -> str:
    """A legend entry drawn as the boxes (or, for ``used``, the arrows) it explains."""
    text = xml_text(caption)
    if key == "used":
        return f'<TD><FONT POINT-SIZE="10" COLOR="{HIGHLIGHT["used"]}"><B>━━ {text}</B></FONT></TD>'
    fill, stroke, width, _ = _legend_style(key)
    colour = "#ffffff" if key == "program" else "#1f2937"
    return (
        f'<TD BGCOLOR="{fill}" COLOR="{stroke}" BORDER="{max(1, round(width))}">'
        f'<FONT POINT-SIZE="10" COLOR="{colour}">{text}</FONT></TD>'
    )


# ------------------------------------------------------------------ built-in


def text_width(text: str, size: float = FONT, bold: bool = False) -> float:
    """Estimated width of a line of text in pixels (full-width characters are 1 em)."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.58 for c in text)
    return ems * size * (1.06 if bold else 1.0)


@dataclass
class _Box:
    id: str
    column: int
    width: float
    height: float
    node: SceneNode | None = None
    x: float = 0.0
    y: float = 0.0
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)

    @property
    def virtual(self) -> bool:
        return self.node is None

    @property
    def centre(self) -> float:
        return self.y + self.height / 2


@dataclass
class _Route:
    edge: SceneEdge
    boxes: list[str]
    start: tuple[float, float] = (0.0, 0.0)
    end: tuple[float, float] = (0.0, 0.0)
    backward: bool = False
    """The edge points right to left: routed left to right, its arrowhead at the start."""


class _Layout:
    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.boxes: dict[str, _Box] = {}
        self.routes: list[_Route] = []
        self.columns: dict[int, list[str]] = {}
        self.fixed = {
            n.column
            for n in scene.nodes
            if scene.keep_order or n.style in ("requirement", "program")
        }
        self._build()
        self._order()
        self._place_x()
        self._place_y()
        self._ports()

    # -------------------------------------------------------------- structure
    def _build(self) -> None:
        for node in self.scene.nodes:
            width = max(text_width(line, bold=i == 0) for i, line in enumerate(node.lines))
            box = _Box(node.id, node.column, max(width + 2 * PAD_X, 90), 0, node)
            box.height = len(node.lines) * LINE + 2 * PAD_Y
            self.boxes[node.id] = box
        virtual = 0
        for edge in self.scene.edges:
            if edge.source not in self.boxes or edge.target not in self.boxes:
                continue
            low, high = self.boxes[edge.source].column, self.boxes[edge.target].column
            backward = high < low
            if backward:
                low, high = high, low
            elif high == low:
                continue
            first, last = (edge.target, edge.source) if backward else (edge.source, edge.target)
            chain = [first]
            for column in range(low + 1, high):
                if not any(n.column == column for n in self.scene.nodes):
                    continue
                name = f"\0v{virtual}"
                virtual += 1
                self.boxes[name] = _Box(name, column, 0, 2)
                chain.append(name)
            chain.append(last)
            self.routes.append(_Route(edge, chain, backward=backward))
        for index, route in enumerate(self.routes):
            self.boxes[route.boxes[0]].outputs.append(index)
            self.boxes[route.boxes[-1]].inputs.append(index)
        for box in self.boxes.values():
            if not box.virtual:
                ports = max(len(box.outputs), len(box.inputs))
                box.height = max(box.height, (ports + 1) * PORT)
        for box in self.boxes.values():
            self.columns.setdefault(box.column, []).append(box.id)

    def _neighbours(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {name: [] for name in self.boxes}
        for route in self.routes:
            for a, b in pairwise(route.boxes):
                found[a].append(b)
                found[b].append(a)
        return found

    def _segments(self) -> list[tuple[str, str]]:
        return [pair for route in self.routes for pair in pairwise(route.boxes)]

    def _index(self) -> dict[str, int]:
        return {name: i for names in self.columns.values() for i, name in enumerate(names)}

    def crossings(self) -> int:
        """Pairs of arrow segments between the same two columns that cross."""
        index = self._index()
        by_columns: dict[tuple[int, int], list[tuple[str, str]]] = {}
        for a, b in self._segments():
            by_columns.setdefault((self.boxes[a].column, self.boxes[b].column), []).append((a, b))
        total = 0
        for segments in by_columns.values():
            for (a1, b1), (a2, b2) in combinations(segments, 2):
                if (index[a1] - index[a2]) * (index[b1] - index[b2]) < 0:
                    total += 1
        return total

    def _order(self) -> None:
        """Barycentre sweeps, then adjacent swaps that remove crossings; keep the best."""
        neighbours = self._neighbours()
        columns = sorted(self.columns)

        def position() -> dict[str, float]:
            out: dict[str, float] = {}
            for column in columns:
                members = self.columns[column]
                for index, name in enumerate(members):
                    out[name] = (index + 0.5) / len(members)
            return out

        best = (self.crossings(), {c: list(n) for c, n in self.columns.items()})
        for _ in range(8):
            for sweep in (list(reversed(columns)), columns):
                for column in sweep:
                    if column in self.fixed:
                        continue
                    where = position()
                    members = self.columns[column]

                    def key(name: str, where: dict[str, float] = where) -> float:
                        around = [where[n] for n in neighbours[name]]
                        return sum(around) / len(around) if around else where[name]

                    self.columns[column] = sorted(members, key=key)
            self._transpose()
            count = self.crossings()
            if count < best[0]:
                best = (count, {c: list(n) for c, n in self.columns.items()})
        self.columns = best[1]

    def _transpose(self) -> None:
        sides: dict[str, list[str]] = {name: [] for name in self.boxes}
        for a, b in self._segments():
            sides[a].append(b)
            sides[b].append(a)

        def cost(upper: str, lower: str, index: dict[str, int]) -> int:
            return sum(
                1
                for a in sides[upper]
                for b in sides[lower]
                if self.boxes[a].column == self.boxes[b].column and index[a] > index[b]
            )

        for _ in range(20):
            changed = False
            for column, members in self.columns.items():
                if column in self.fixed:
                    continue
                index = self._index()
                for i in range(len(members) - 1):
                    upper, lower = members[i], members[i + 1]
                    if cost(upper, lower, index) > cost(lower, upper, index):
                        members[i], members[i + 1] = lower, upper
                        index[upper], index[lower] = i + 1, i
                        changed = True
            if not changed:
                return

    # -------------------------------------------------------------- geometry
    def _place_x(self) -> None:
        x = float(MARGIN)
        columns = sorted(self.columns)
        self.column_x: dict[int, tuple[float, float]] = {}
        for column in columns:
            width = max((self.boxes[n].width for n in self.columns[column]), default=0)
            self.column_x[column] = (x, width)
            labels = [
                text_width(self.routes[i].edge.label, LABEL_FONT)
                for n in self.columns[column]
                for i in self.boxes[n].outputs
            ]
            gap = max([MIN_COLUMN_GAP, *(w + LABEL_RUN + CURVE for w in labels)])
            x += width + gap
        for box in self.boxes.values():
            left, width = self.column_x[box.column]
            box.x = left + (width - box.width) / 2 if box.virtual else left
            if box.virtual:
                box.width = width
                box.x = left
        self.width = x - MIN_COLUMN_GAP + MARGIN

    def _gap(self, box: _Box) -> float:
        return VIRTUAL_GAP if box.virtual else GAP

    def _stack(self, names: Sequence[str], desired: dict[str, float]) -> None:
        boxes = [self.boxes[n] for n in names]
        forward = []
        bottom = -1e9
        for box in boxes:
            y = max(desired[box.id], bottom)
            forward.append(y)
            bottom = y + box.height + self._gap(box)
        backward = [0.0] * len(boxes)
        top = 1e9
        for index in range(len(boxes) - 1, -1, -1):
            box = boxes[index]
            y = min(desired[box.id], top - box.height - self._gap(box))
            backward[index] = y
            top = y
        bottom = -1e9
        for index, box in enumerate(boxes):
            y = max((forward[index] + backward[index]) / 2, bottom)
            box.y = y
            bottom = y + box.height + self._gap(box)

    def _place_y(self) -> None:
        neighbours = self._neighbours()
        top = MARGIN + 60.0
        for column in sorted(self.columns):
            y = top
            for name in self.columns[column]:
                box = self.boxes[name]
                box.y = y
                y += box.height + self._gap(box)
        tallest = max(
            sum(self.boxes[n].height + self._gap(self.boxes[n]) for n in names)
            for names in self.columns.values()
        )
        for names in self.columns.values():
            used = sum(self.boxes[n].height + self._gap(self.boxes[n]) for n in names)
            for name in names:
                self.boxes[name].y += (tallest - used) / 2
        for _ in range(8):
            for column in sorted(self.columns):
                desired: dict[str, float] = {}
                for name in self.columns[column]:
                    box = self.boxes[name]
                    around = [self.boxes[n].centre for n in neighbours[name]]
                    target = sum(around) / len(around) if around else box.centre
                    desired[name] = (box.y + (target - box.height / 2)) / 2
                self._stack(self.columns[column], desired)
        lowest = min(box.y for box in self.boxes.values())
        for box in self.boxes.values():
            box.y += top - lowest
        self.bottom = max(box.y + box.height for box in self.boxes.values())

    def _ports(self) -> None:
        def first_hop(route: _Route) -> float:
            return self.boxes[route.boxes[1]].centre

        def last_hop(route: _Route) -> float:
            return self.boxes[route.boxes[-2]].centre

        for box in self.boxes.values():
            if box.virtual:
                continue
            outs = sorted(box.outputs, key=lambda i: first_hop(self.routes[i]))
            for slot, index in enumerate(outs):
                y = box.y + box.height * (slot + 1) / (len(outs) + 1)
                self.routes[index].start = (box.x + box.width, y)
            ins = sorted(box.inputs, key=lambda i: last_hop(self.routes[i]))
            for slot, index in enumerate(ins):
                y = box.y + box.height * (slot + 1) / (len(ins) + 1)
                self.routes[index].end = (box.x, y)

    # ------------------------------------------------------------------ SVG
    def _path(self, route: _Route) -> str:
        points = [route.start]
        if route.edge.label:
            # run level under the label first, so the arrow never cuts through its own label
            x, y = route.start
            points.append((x + text_width(route.edge.label, LABEL_FONT) + LABEL_RUN, y))
        for name in route.boxes[1:-1]:
            box = self.boxes[name]
            points += [(box.x, box.centre), (box.x + box.width, box.centre)]
        points.append(route.end)
        d = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
        for (x0, y0), (x1, y1) in pairwise(points):
            if abs(y1 - y0) < 0.5:
                d.append(f"L{x1:.1f},{y1:.1f}")
            else:
                mid = (x1 - x0) / 2
                d.append(f"C{x0 + mid:.1f},{y0:.1f} {x1 - mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}")
        return " ".join(d)

    def _legend(self, y: float) -> tuple[list[str], float]:
        out: list[str] = []
        x = float(MARGIN)
        for key, caption in self.scene.legend:
            width = text_width(caption, 11) + 34
            if x + width > self.width - MARGIN and x > MARGIN:
                x = float(MARGIN)
                y += 24
            if key in ("used", "example_edge"):
                colour, line, dash = _edge_style(
                    SceneEdge("", "", kind="example", used=key == "used")
                )
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(
                    f'<path d="M{x:.1f},{y + 8:.1f} h22" stroke="{colour}" '
                    f'stroke-width="{line}"{dash_attr} fill="none"/>'
                )
            else:
                fill, stroke, width_, dash = _legend_style(key)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="22" height="16" rx="4" '
                    f'fill="{fill}" stroke="{stroke}" stroke-width="{width_}"{dash_attr}/>'
                )
            out.append(
                f'<text x="{x + 28:.1f}" y="{y + 12:.1f}" font-size="11" fill="#333">'
                f"{xml_text(caption)}</text>"
            )
            x += width + 14
        return out, y + 24

    def svg(self) -> str:
        scene = self.scene
        body: list[str] = []
        body.append(
            f'<text x="{MARGIN}" y="{MARGIN + 18}" font-size="18" font-weight="700" '
            f'fill="#1c2f47">{xml_text(scene.title)}</text>'
        )
        if scene.subtitle:
            body.append(
                f'<text x="{MARGIN}" y="{MARGIN + 40}" font-size="12" fill="#555">'
                f"{xml_text(scene.subtitle)}</text>"
            )
        body.append('<g class="edges" fill="none">')
        labels: list[str] = []
        for route in self.routes:
            colour, width, dash = _edge_style(route.edge)
            marker = "used" if route.edge.used else "plain"
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            tooltip = route.edge.tooltip or route.edge.label
            end = "marker-start" if route.backward else "marker-end"
            body.append(
                f'<path d="{self._path(route)}" stroke="{colour}" stroke-width="{width}"'
                f'{dash_attr} {end}="url(#arrow-{marker})">'
                + (f"<title>{xml_text(tooltip)}</title>" if tooltip else "")
                + "</path>"
            )
            if route.edge.label:
                x, y = route.start
                weight = ' font-weight="700"' if route.edge.used else ""
                labels.append(
                    f'<text x="{x + 6:.1f}" y="{y - 3:.1f}" font-size="{LABEL_FONT}" '
                    f'fill="{colour}"{weight} stroke="#ffffff" stroke-width="3" '
                    f'paint-order="stroke">{xml_text(route.edge.label)}</text>'
                )
        body.append("</g>")
        body.append('<g class="nodes">')
        for box in self.boxes.values():
            if box.node is None:
                continue
            node = box.node
            fill, stroke, width, dash = _node_style(node)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            colour = "#ffffff" if node.style == "program" else "#1f2937"
            body.append(f"<g><title>{xml_text(node.tooltip or node.id)}</title>")
            body.append(
                f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" '
                f'height="{box.height:.1f}" rx="6" fill="{fill}" stroke="{stroke}" '
                f'stroke-width="{width}"{dash_attr}/>'
            )
            top = box.y + (box.height - len(node.lines) * LINE) / 2 + LINE - 4
            for index, line in enumerate(node.lines):
                weight = ' font-weight="700"' if index == 0 else ""
                size = FONT if index == 0 else FONT - 1
                body.append(
                    f'<text x="{box.x + PAD_X:.1f}" y="{top + index * LINE:.1f}" '
                    f'font-size="{size}" fill="{colour}"{weight}>{xml_text(line)}</text>'
                )
            body.append("</g>")
        body.append("</g>")
        body.append('<g class="labels">')
        body.extend(labels)
        body.append("</g>")
        legend, height = self._legend(self.bottom + 28)
        body.append('<g class="legend">')
        body.extend(legend)
        body.append("</g>")
        width = max(self.width, 640)
        height += MARGIN
        head = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f"font-family={quoteattr(FONT_FAMILY)}>",
            f"<title>{xml_text(scene.title)}</title>",
            "<defs>",
            *(
                f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="10" refY="5" '
                f'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" '
                'orient="auto-start-reverse">'
                f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
                for name, colour in (("plain", "#6b7a8f"), ("used", HIGHLIGHT["used"]))
            ),
            "</defs>",
            f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        ]
        return "\n".join([*head, *body, "</svg>"]) + "\n"
