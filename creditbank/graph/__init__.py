"""The standards graph: typed edges, queries, consistency checks, export and pictures.

One module per job:

* :mod:`~creditbank.graph.nodes` and :mod:`~creditbank.graph.edges` — node ids and the edge
  vocabulary (1EdTech CASE association names, plus ``convertsTo``), with inverse names;
* :mod:`~creditbank.graph.select` — what a rule selects and gives, read from the standards;
* :mod:`~creditbank.graph.build` — the networkx ``MultiDiGraph``;
* :mod:`~creditbank.graph.queries` — converts-to, leads-into, equivalents, editions;
* :mod:`~creditbank.graph.pathway` — the least-effort plan to complete a programme;
* :mod:`~creditbank.graph.tracks` and :mod:`~creditbank.graph.where` — the skill,
  professional and management tracks with their bridges (贯通), and where a worker can go;
* :mod:`~creditbank.graph.findings` and :mod:`~creditbank.graph.checks` — consistency checks;
* :mod:`~creditbank.graph.export` — neighbourhoods; GraphML, node-link JSON, DOT, Mermaid;
* :mod:`~creditbank.graph.scene`, :mod:`~creditbank.graph.style` and
  :mod:`~creditbank.graph.draw` — pictures as SVG.
"""

from creditbank.graph.build import StandardsGraph, build_graph
from creditbank.graph.checks import run_checks
from creditbank.graph.draw import render_svg
from creditbank.graph.edges import EDGE_TYPES, EdgeType, case_name, inverse
from creditbank.graph.export import export, neighbourhood
from creditbank.graph.findings import CHECK_CODES, CheckCode, Finding, Involved
from creditbank.graph.pathway import Pathway, pathway
from creditbank.graph.queries import (
    Conversion,
    EquivalenceClass,
    LeadsInto,
    OccupationMapping,
    converts_to,
    equivalents,
    leads_into,
    occupation_editions,
)
from creditbank.graph.scene import Scene, graph_scene, program_scene
from creditbank.graph.tracks import Tracks, tracks
from creditbank.graph.where import Where, where

__all__ = [
    "CHECK_CODES",
    "EDGE_TYPES",
    "CheckCode",
    "Conversion",
    "EdgeType",
    "EquivalenceClass",
    "Finding",
    "Involved",
    "LeadsInto",
    "OccupationMapping",
    "Pathway",
    "Scene",
    "StandardsGraph",
    "Tracks",
    "Where",
    "build_graph",
    "case_name",
    "converts_to",
    "equivalents",
    "export",
    "graph_scene",
    "inverse",
    "leads_into",
    "neighbourhood",
    "occupation_editions",
    "pathway",
    "program_scene",
    "render_svg",
    "run_checks",
    "tracks",
    "where",
]
