"""The edge vocabulary of the standards graph, with inverse names.

Names follow the 1EdTech CASE association types where one fits (``isPartOf``,
``isChildOf``, ``exactMatchOf``, ``precedes``, ``replacedBy``, ``hasSkillLevel``,
``isRelatedTo``); ``convertsTo`` is this project's extension (``ext:convertsTo`` in CASE
terms). Every edge is stored once, in its forward direction; :func:`inverse` names the
reverse reading.

>>> inverse("replacedBy"), inverse("exactMatchOf"), case_name("convertsTo")
('replaces', 'exactMatchOf', 'ext:convertsTo')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["EDGE_TYPES", "EdgeType", "EdgeTypeInfo", "case_name", "inverse"]

EdgeType = Literal[
    "isPartOf",
    "isChildOf",
    "exactMatchOf",
    "precedes",
    "replacedBy",
    "hasSkillLevel",
    "isRelatedTo",
    "convertsTo",
]


@dataclass(frozen=True)
class EdgeTypeInfo:
    """One edge type: its inverse name, whether CASE defines it, and what it links here."""

    name: EdgeType
    inverse: str
    case: bool
    meaning: str
    symmetric: bool = False


EDGE_TYPES: dict[EdgeType, EdgeTypeInfo] = {
    info.name: info
    for info in (
        EdgeTypeInfo("isPartOf", "hasPart", True, "a course is part of a requirement group"),
        EdgeTypeInfo(
            "isChildOf",
            "isParentOf",
            True,
            "a requirement of its programme; a level of its framework",
        ),
        EdgeTypeInfo(
            "exactMatchOf",
            "exactMatchOf",
            True,
            "equivalent levels of two scales (same_as); units counted as one outcome "
            "(one family, or certificates of an occupation and of its replacement)",
            symmetric=True,
        ),
        EdgeTypeInfo(
            "precedes",
            "isPrecededBy",
            True,
            "a prerequisite course precedes the course; a level precedes the next higher one",
        ),
        EdgeTypeInfo(
            "replacedBy",
            "replaces",
            True,
            "an occupation code is replaced by one of a later classification edition",
        ),
        EdgeTypeInfo(
            "hasSkillLevel",
            "isSkillLevelOf",
            True,
            "a certificate or occupation can be achieved at a level",
        ),
        EdgeTypeInfo(
            "isRelatedTo",
            "isRelatedTo",
            True,
            "a certificate or award and the occupation it certifies",
            symmetric=True,
        ),
        EdgeTypeInfo(
            "convertsTo",
            "convertedFrom",
            False,
            "a unit converts into a course or requirement credits under a rule (rule id, "
            "credits, conditions); a unit into the credits the credit bank recognised",
        ),
    )
}

assert set(EDGE_TYPES) == set(get_args(EdgeType))


def inverse(edge_type: str) -> str:
    """The name of an edge type read backwards (``replacedBy`` -> ``replaces``)."""
    return EDGE_TYPES[edge_type].inverse  # type: ignore[index]


def case_name(edge_type: str) -> str:
    """The CASE association type: its own name, or ``ext:`` + name for extensions."""
    info = EDGE_TYPES[edge_type]  # type: ignore[index]
    return info.name if info.case else f"ext:{info.name}"
