"""Colours and labels shared by every drawing of the graph (DOT, Mermaid, SVG).

A node's *style key* is its unit kind for units (``skill_certificate``, ``training`` …) and
its node kind otherwise (``program``, ``requirement``, ``recognition`` …).

>>> style_key({"kind": "unit", "unit_kind": "training"}), FILL["training"]
('training', '#fff1c9')
>>> node_label({"label": "电工技术基础", "item": "course:electrical-engineering-basics",
...             "kind": "unit", "unit_kind": "course", "credits": "4"})
'电工技术基础 · 4 学分'
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

__all__ = [
    "EDGE_COLOUR",
    "FILL",
    "HIGHLIGHT",
    "KIND_NAMES",
    "STROKE",
    "dot_quote",
    "edge_label",
    "node_label",
    "printable",
    "style_key",
    "xml_text",
]

FILL: dict[str, str] = {
    "skill_certificate": "#dbe9ff",
    "x_certificate": "#ece2ff",
    "training": "#fff1c9",
    "award": "#ffe0e6",
    "other": "#eeeeee",
    "course": "#ffffff",
    "external_course": "#def5f1",
    "selector": "#e8eef6",
    "recognition": "#fdf6e3",
    "requirement": "#e3e9f2",
    "program": "#2f4a6d",
    "occupation": "#f4f4f4",
    "level": "#f9f9f9",
    "framework": "#f0f0f0",
    "skill_level": "#dbe9ff",
    "title_level": "#ece2ff",
    "post": "#fff1c9",
}
"""Fill colour by style key."""

STROKE: dict[str, str] = {
    "skill_certificate": "#4a7bd0",
    "x_certificate": "#7a52c7",
    "training": "#c99a1c",
    "award": "#c8506a",
    "other": "#888888",
    "course": "#7d8896",
    "external_course": "#2c9c8a",
    "selector": "#6b7f99",
    "recognition": "#b89b4a",
    "requirement": "#4f6a8f",
    "program": "#1c2f47",
    "occupation": "#999999",
    "level": "#bbbbbb",
    "framework": "#999999",
    "skill_level": "#4a7bd0",
    "title_level": "#7a52c7",
    "post": "#c99a1c",
}

HIGHLIGHT: dict[str, str] = {
    "held": "#15803d",
    "converted": "#bbf7d0",
    "used": "#16a34a",
    "missing": "#dc2626",
    "unused": "#d97706",
}
"""Portfolio highlights: held units, what they converted into, what is still missing."""

EDGE_COLOUR: dict[str, str] = {
    "convertsTo": "#5b6b80",
    "isPartOf": "#a0aab8",
    "isChildOf": "#a0aab8",
    "precedes": "#8c6d3f",
    "exactMatchOf": "#7a52c7",
    "replacedBy": "#c8506a",
    "hasSkillLevel": "#bbbbbb",
    "isRelatedTo": "#bbbbbb",
}

KIND_NAMES: dict[str, tuple[str, str]] = {
    "skill_certificate": ("职业技能等级证书", "skill certificate"),
    "x_certificate": ("1+X 证书", "1+X certificate"),
    "training": ("非学历培训", "training"),
    "award": ("竞赛获奖", "award"),
    "other": ("其他成果", "other outcome"),
    "course": ("本专业课程", "course of the programme"),
    "external_course": ("他校课程", "course of another school"),
    "selector": ("按类别选取", "selected by kind"),
    "recognition": ("学分银行认定", "recognised by the credit bank"),
    "requirement": ("毕业要求", "requirement"),
    "program": ("专业", "programme"),
    "skill_level": ("技能等级", "skill level"),
    "title_level": ("职称层级", "title level"),
    "post": ("管理岗位", "management post"),
}
"""Legend names (zh, en) by style key."""


def style_key(data: dict[str, Any]) -> str:
    """The style key of a node from its attributes."""
    if data.get("kind") == "unit":
        return str(data.get("unit_kind", "other"))
    return str(data.get("kind", "other"))


def node_label(data: dict[str, Any]) -> str:
    """A node's one-line label: its name and, for courses and requirements, its credits."""
    label = str(data.get("label") or data.get("item") or "")
    kind = data.get("kind")
    if kind == "unit" and data.get("unit_kind") == "course" and data.get("credits"):
        return f"{label} · {data['credits']} 学分"
    if kind == "requirement" and data.get("min_credits"):
        return f"{label} · ≥ {data['min_credits']} 学分"
    if kind == "level":
        return f"{data.get('item')} {label}"
    if kind == "program" and data.get("code"):
        return f"{data['code']} {label}"
    return label


def edge_label(data: dict[str, Any]) -> str:
    """A short edge label: the type, and for conversions the rule and its credit."""
    if data.get("type") == "convertsTo" and data.get("rule"):
        where = data.get("program_code") or data.get("program")
        return f"{data['rule']} ({where}): {data.get('label', '')}".strip()
    if data.get("type") == "convertsTo":
        return str(data.get("label", "convertsTo"))
    return str(data.get("type", ""))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` without the control characters XML 1.0 forbids (a YAML string can hold them,
    written as escapes): each becomes U+FFFD, so a picture or export stays well-formed.

    >>> printable("bad\\x01name") == "bad\\ufffdname"
    True
    """
    return _NOT_XML.sub("\ufffd", text)


def xml_text(text: str) -> str:
    """``text`` for XML character data: printable, with ``&``, ``<`` and ``>`` escaped."""
    return escape(printable(text))


def dot_quote(text: str) -> str:
    """``text`` as a quoted Graphviz DOT string."""
    quoted = printable(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{quoted}"'
