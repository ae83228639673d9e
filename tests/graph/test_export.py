"""Export formats parse back, and neighbourhoods hold what they should."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]
import pytest

import creditbank
from creditbank.graph import StandardsGraph, build_graph
from creditbank.graph.draw import render_svg, scene_to_dot
from creditbank.graph.export import (
    GRAPH_SCHEMA,
    export,
    neighbourhood,
    to_dot,
    to_graphml,
    to_json,
    to_mermaid,
)
from creditbank.graph.scene import program_scene

PROGRAM = "demo-college:460301"
PLC_X = "x:plc-system-application-programming"


@pytest.fixture(scope="module")
def sg() -> StandardsGraph:
    return build_graph(creditbank.load_standards(creditbank.bundled_standards_path()))


@pytest.fixture(scope="module")
def programme(sg: StandardsGraph) -> nx.MultiDiGraph:
    return neighbourhood(sg, program="460301")


def test_programme_neighbourhood(sg: StandardsGraph, programme: nx.MultiDiGraph) -> None:
    program = sg.standards.programs[PROGRAM]
    for course in program.course_ids():
        assert f"unit:{course}" in programme
    rules = {d["rule"] for _, _, d in programme.edges(data=True) if "rule" in d}
    assert {d["program"] for _, _, d in programme.edges(data=True) if "rule" in d} == {PROGRAM}
    assert "r4:robot-programming:elementary" not in rules
    assert {"liming:electrician-level-3", "r4:plc:advanced", "r7:national-certificate"} <= rules
    assert f"recognition:{PLC_X}" in programme and f"unit:{PLC_X}" in programme
    assert "program:demo-college:460304" not in programme
    assert programme.graph["focus"] == f"program:{PROGRAM}"
    # equivalent units among the sources are linked
    assert programme.has_edge("unit:skill:csco2015:6-31-01-10", "unit:skill:csco2022:6-31-07-01")


def test_unit_neighbourhood(sg: StandardsGraph) -> None:
    part = neighbourhood(sg, unit="skill:csco2015:6-31-01-10")
    assert part.has_edge("occupation:csco2015:6-31-01-10", "occupation:csco2022:6-31-07-01")
    assert "unit:course:industrial-robot-application" in part
    assert "requirement:demo-college:460304#core" in part
    assert "program:demo-college:460301" in part
    assert "level:cn-skill-level#4" in part
    course = neighbourhood(sg, unit="course:plc-application")
    assert course.has_edge("unit:course:electric-machines-control", "unit:course:plc-application")
    assert f"recognition:{PLC_X}" in course


@pytest.mark.parametrize("whole", [True, False], ids=["whole", "programme"])
def test_graphml_parses_back(sg: StandardsGraph, programme: nx.MultiDiGraph, whole: bool) -> None:
    graph = sg.graph if whole else programme
    back = nx.read_graphml(io.StringIO(to_graphml(graph)), force_multigraph=True)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    node = "unit:course:plc-application"
    assert back.nodes[node]["label"] == "可编程控制器应用技术"
    rules = {d.get("rule") for _, _, d in back.in_edges(node, data=True)}
    assert "liming:plc-training" in rules


def test_node_link_json_parses_back(programme: nx.MultiDiGraph) -> None:
    data = json.loads(to_json(programme))
    assert data["graph"]["schema"] == GRAPH_SCHEMA
    back = nx.node_link_graph(data, edges="edges")
    assert back.number_of_edges() == programme.number_of_edges()
    assert set(back.nodes) == set(programme.nodes)


def test_dot_and_mermaid_name_the_nodes_and_edges(sg: StandardsGraph) -> None:
    part = neighbourhood(sg, unit=PLC_X)
    dot = to_dot(part)
    assert dot.startswith("digraph standards {") and dot.rstrip().endswith("}")
    assert f'"unit:{PLC_X}" -> "recognition:{PLC_X}"' in dot
    assert (
        f'"recognition:{PLC_X}" -> "unit:course:plc-application" '
        '[label="r4:plc:intermediate (460301): 中级 免修 4"' in dot
    )
    assert dot.count("->") == part.number_of_edges()
    mermaid = to_mermaid(part)
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart LR"
    ids = {
        m["id"]: m["label"]
        for m in re.finditer(r'^  (?P<id>n\d+)\["(?P<label>[^"]*)"\]', mermaid, re.M)
    }
    assert len(ids) == part.number_of_nodes()
    plc = next(i for i, label in ids.items() if label.endswith("<br/>unit:course:plc-application"))
    recognised = next(i for i, label in ids.items() if label.endswith(f"recognition:{PLC_X}"))
    assert f"  {recognised} -->|r4:plc:intermediate (460301): 中级 免修 4| {plc}" in lines
    assert sum("-->" in line or "-.->" in line for line in lines) == part.number_of_edges()


def test_export_dispatch_and_bad_arguments(programme: nx.MultiDiGraph, sg: StandardsGraph) -> None:
    assert export(programme, "mermaid") == to_mermaid(programme)
    with pytest.raises(ValueError, match="unknown format"):
        export(programme, "png")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exactly one"):
        neighbourhood(sg)


def test_control_characters_in_names_keep_exports_and_pictures_well_formed(
    tmp_path: Path,
) -> None:
    """Regression: a name holding a control character (a YAML escape such as ``\\x01``) made
    GraphML and SVG that no XML parser reads."""
    path = tmp_path / "odd.yaml"
    path.write_text(
        """\
kind: standards
example: true
units:
  - {id: c1, kind: course, name: "bad\\x01name & <tag>", credits: 2, hours: 32}
programs:
  - id: p
    name: "prog\\x0bramme"
    education_level: higher_vocational
    total_credits: 2
    requirements: [{id: core, name: core, kind: required_courses, courses: [c1]}]
""",
        encoding="utf-8",
    )
    sg = build_graph(creditbank.load_standards(path))
    assert "\x01" in sg.graph.nodes["unit:c1"]["label"]
    back = nx.read_graphml(io.StringIO(to_graphml(sg.graph)), force_multigraph=True)
    assert back.nodes["unit:c1"]["label"] == "bad\ufffdname & <tag>"
    assert "\x01" not in to_dot(sg.graph) and "\x01" not in to_mermaid(sg.graph)
    scene = program_scene(sg, "p")
    svg = ET.fromstring(render_svg(scene, engine="python").encode("utf-8"))
    assert "prog\ufffdramme" in "".join(svg.itertext())
    assert "\x0b" not in scene_to_dot(scene)
