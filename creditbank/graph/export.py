"""Export the standards graph, whole or one neighbourhood, as GraphML, JSON, DOT or Mermaid.

A programme's neighbourhood is the programme, its requirements and courses, every rule
conversion into them, the units (and credit-bank recognitions) they start from, chains of
conversions leading there, and equivalences among those units. A unit's neighbourhood is
the unit, everything one edge away (levels, occupation, equivalents, prerequisites,
requirements), its occupation's replacements, and where its conversions lead (targets, their
requirements and programmes, and on along chains).

>>> import creditbank
>>> sg = build_graph(creditbank.load_standards(creditbank.bundled_standards_path()))
>>> small = neighbourhood(sg, unit="x:plc-system-application-programming")
>>> "unit:course:plc-application" in small and "program:demo-college:460304" in small
True
>>> to_mermaid(small).splitlines()[0]
'flowchart LR'
"""

from __future__ import annotations

import io
import json
from typing import Any, Literal

import networkx as nx  # type: ignore[import-untyped]

from creditbank.graph.build import StandardsGraph, build_graph
from creditbank.graph.nodes import (
    occupation_node,
    parse_node,
    program_node,
    recognition_node,
    requirement_node,
    unit_node,
)
from creditbank.graph.queries import resolve_program, resolve_unit
from creditbank.graph.select import occupations_of
from creditbank.graph.style import (
    EDGE_COLOUR,
    FILL,
    STROKE,
    dot_quote,
    edge_label,
    node_label,
    printable,
    style_key,
)

__all__ = [
    "FORMATS",
    "GRAPH_SCHEMA",
    "ExportFormat",
    "build_graph",
    "export",
    "neighbourhood",
    "to_dot",
    "to_graphml",
    "to_json",
    "to_mermaid",
]

ExportFormat = Literal["graphml", "json", "dot", "mermaid"]
FORMATS: tuple[ExportFormat, ...] = ("graphml", "json", "dot", "mermaid")
GRAPH_SCHEMA = "creditbank.graph/1"
CHAIN_DEPTH = 4

Edge = tuple[str, str, str]


def _rule_edges_into(sg: StandardsGraph, node: str) -> list[Edge]:
    return [
        (s, t, k)
        for s, t, k, d in sg.graph.in_edges(node, keys=True, data=True)
        if d["type"] == "convertsTo" and "rule" in d
    ]


def _source_unit(node: str) -> str | None:
    kind, item, _ = parse_node(node)
    return item if kind in ("unit", "recognition") else None


def _with_recognition(sg: StandardsGraph, node: str) -> list[Edge]:
    """The unit -> recognition edge when a conversion starts at a recognition node."""
    kind, item, _ = parse_node(node)
    if kind != "recognition":
        return []
    return [(unit_node(item), node, "recognised")]


def neighbourhood(
    sg: StandardsGraph, *, program: str | None = None, unit: str | None = None
) -> Any:
    """The part of the graph around one programme (id or catalogue code) or one unit.

    Returns a new ``MultiDiGraph`` with the same attributes. Unknown ids raise
    :class:`~creditbank.errors.EvaluationError` with a suggestion.
    """
    if (program is None) == (unit is None):
        raise ValueError("give exactly one of program or unit")
    edges: dict[Edge, None] = {}
    nodes: dict[str, None] = {}
    g = sg.graph
    if program is not None:
        prog = resolve_program(sg.standards, program)
        nodes[program_node(prog.id)] = None
        for requirement in prog.requirements:
            req = requirement_node(prog.id, requirement.id)
            edges[(req, program_node(prog.id), "isChildOf")] = None
            for course in requirement.courses:
                if unit_node(course) in g:
                    edges[(unit_node(course), req, f"isPartOf:{prog.id}")] = None
                    for s, t, k, d in g.in_edges(unit_node(course), keys=True, data=True):
                        if d["type"] == "precedes":
                            edges[(s, t, k)] = None
        frontier: list[str] = []
        for source, target, key, data in sg.edges("convertsTo"):
            if data.get("program") != prog.id:
                continue
            edges[(source, target, key)] = None
            for extra in _with_recognition(sg, source):
                edges[extra] = None
            frontier.append(source)
        _upstream(sg, frontier, edges)
    else:
        assert unit is not None
        unit_id = resolve_unit(sg.standards, unit)
        start = unit_node(unit_id)
        nodes[start] = None
        for s, t, k in [*g.out_edges(start, keys=True), *g.in_edges(start, keys=True)]:
            edges[(s, t, k)] = None
        for occupation in occupations_of(sg.standards.units[unit_id]):
            node = occupation_node(occupation)
            if node in g:
                for s, t, k, d in [
                    *g.out_edges(node, keys=True, data=True),
                    *g.in_edges(node, keys=True, data=True),
                ]:
                    if d["type"] == "replacedBy":
                        edges[(s, t, k)] = None
        _downstream(sg, unit_id, edges)
    picked = {n for edge in edges for n in edge[:2]} | set(nodes)
    for a, b, k, d in g.edges(keys=True, data=True):
        if d["type"] == "exactMatchOf" and a in picked and b in picked:
            edges[(a, b, k)] = None
    sub = nx.MultiDiGraph(**g.graph)
    sub.graph["schema"] = GRAPH_SCHEMA
    sub.graph["focus"] = program_node(prog.id) if program is not None else start
    for node in sorted(picked):
        sub.add_node(node, **g.nodes[node])
    for s, t, k in edges:
        sub.add_edge(s, t, key=k, **g.edges[s, t, k])
    return sub


def _upstream(sg: StandardsGraph, frontier: list[str], edges: dict[Edge, None]) -> None:
    """Chains: conversions (exemptions) into the courses conversions start from."""
    seen: set[str] = set()
    for _ in range(CHAIN_DEPTH):
        following: list[str] = []
        for source in frontier:
            unit = _source_unit(source)
            if unit is None or unit in seen:
                continue
            seen.add(unit)
            for edge in _rule_edges_into(sg, unit_node(unit)):
                if sg.graph.edges[edge]["kind"] == "exemption":
                    edges[edge] = None
                    edges.update(dict.fromkeys(_with_recognition(sg, edge[0])))
                    following.append(edge[0])
        frontier = following


def _downstream(sg: StandardsGraph, unit_id: str, edges: dict[Edge, None]) -> None:
    """Where a unit's conversions lead: targets, their requirements and programmes, chains."""
    g = sg.graph
    frontier = [unit_id]
    seen = {unit_id}
    for _ in range(CHAIN_DEPTH):
        following: list[str] = []
        for unit in frontier:
            for source in (unit_node(unit), recognition_node(unit)):
                if source not in g:
                    continue
                for s, t, k, d in g.out_edges(source, keys=True, data=True):
                    if d["type"] != "convertsTo":
                        continue
                    edges[(s, t, k)] = None
                    if "rule" not in d:
                        continue
                    program = d["program"]
                    kind, item, _ = parse_node(t)
                    if kind == "requirement":
                        edges[(t, program_node(program), "isChildOf")] = None
                        continue
                    for _, req, key in g.out_edges(t, keys=True):
                        if key == f"isPartOf:{program}":
                            edges[(t, req, key)] = None
                            edges[(req, program_node(program), "isChildOf")] = None
                    if d["kind"] == "exemption" and item not in seen:
                        seen.add(item)
                        following.append(item)
        frontier = following


# ------------------------------------------------------------------- formats


def _printable(value: Any) -> Any:
    return printable(value) if isinstance(value, str) else value


def to_graphml(graph: Any) -> str:
    """GraphML text (``networkx.read_graphml`` reads it back)."""
    data = nx.MultiDiGraph()
    data.graph = {
        k: _printable(v) for k, v in graph.graph.items() if isinstance(v, str | int | float | bool)
    }
    data.add_nodes_from(
        (node, {k: _printable(v) for k, v in attrs.items()})
        for node, attrs in graph.nodes(data=True)
    )
    data.add_edges_from(
        (s, t, k, {a: _printable(v) for a, v in attrs.items()})
        for s, t, k, attrs in graph.edges(keys=True, data=True)
    )
    buffer = io.BytesIO()
    nx.write_graphml(data, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def to_json(graph: Any) -> str:
    """Node-link JSON (``networkx.node_link_graph`` reads it back; edges under ``edges``)."""
    data = nx.node_link_data(graph, edges="edges")
    data["graph"] = {"schema": GRAPH_SCHEMA, **data.get("graph", {})}
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def to_dot(graph: Any, *, title: str | None = None) -> str:
    """Graphviz DOT text, nodes filled by kind, left to right."""
    lines = [
        "digraph standards {",
        "  rankdir=LR;",
        '  graph [fontname="Noto Sans CJK SC,sans-serif", fontsize=12];',
        '  node [shape=box, style="rounded,filled", fontname="Noto Sans CJK SC,sans-serif", '
        "fontsize=11];",
        '  edge [fontname="Noto Sans CJK SC,sans-serif", fontsize=9];',
    ]
    if title:
        lines.append(f"  label={dot_quote(title)}; labelloc=t;")
    for node, data in sorted(graph.nodes(data=True)):
        key = style_key(data)
        font = "white" if key == "program" else "black"
        lines.append(
            f"  {dot_quote(node)} [label={dot_quote(node_label(data))}, "
            f'fillcolor="{FILL.get(key, "#ffffff")}", color="{STROKE.get(key, "#888888")}", '
            f'fontcolor="{font}"];'
        )
    for source, target, _, data in sorted(graph.edges(keys=True, data=True), key=_edge_order):
        colour = EDGE_COLOUR.get(data["type"], "#888888")
        style = "solid" if data["type"] == "convertsTo" else "dashed"
        lines.append(
            f"  {dot_quote(source)} -> {dot_quote(target)} "
            f'[label={dot_quote(edge_label(data))}, color="{colour}", style={style}];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _edge_order(edge: tuple[str, str, str, dict[str, Any]]) -> tuple[str, str, str]:
    return (edge[0], edge[1], str(edge[2]))


def _mermaid_text(text: str) -> str:
    return (
        printable(text)
        .replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("|", "#124;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("\n", " ")
    )


def to_mermaid(graph: Any) -> str:
    """A Mermaid ``flowchart`` (nodes ``n0``, ``n1`` … labelled with their names)."""
    names = {node: f"n{index}" for index, node in enumerate(sorted(graph.nodes))}
    lines = ["flowchart LR"]
    used: dict[str, None] = {}
    for node, data in sorted(graph.nodes(data=True)):
        key = style_key(data)
        used[key] = None
        label = _mermaid_text(f"{node_label(data)}<br/>{node}").replace("#lt;br/#gt;", "<br/>")
        lines.append(f'  {names[node]}["{label}"]:::{key}')
    for source, target, _, data in sorted(graph.edges(keys=True, data=True), key=_edge_order):
        arrow = "-->" if data["type"] == "convertsTo" else "-.->"
        lines.append(
            f"  {names[source]} {arrow}|{_mermaid_text(edge_label(data))}| {names[target]}"
        )
    for key in used:
        colour = "#ffffff" if key == "program" else "#222222"
        lines.append(
            f"  classDef {key} fill:{FILL.get(key, '#ffffff')},"
            f"stroke:{STROKE.get(key, '#888888')},color:{colour}"
        )
    return "\n".join(lines) + "\n"


def export(graph: Any, fmt: ExportFormat) -> str:
    """The graph (or a neighbourhood) as text in one of :data:`FORMATS`."""
    writers = {"graphml": to_graphml, "json": to_json, "dot": to_dot, "mermaid": to_mermaid}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return writers[fmt](graph)
