"""Node ids of the standards graph: one namespace per kind, so ids never collide.

>>> unit_node("course:plc-application")
'unit:course:plc-application'
>>> requirement_node("demo-college:460301", "core")
'requirement:demo-college:460301#core'
>>> parse_node(level_node("cn-skill-level", "3"))
('level', 'cn-skill-level', '3')
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "NODE_KINDS",
    "NodeKind",
    "framework_node",
    "level_node",
    "occupation_node",
    "parse_node",
    "program_node",
    "recognition_node",
    "requirement_node",
    "unit_node",
]

NodeKind = Literal[
    "framework", "level", "occupation", "unit", "recognition", "program", "requirement"
]
"""``recognition`` is a unit as the credit bank recognised it (credits per level, rule R3)."""

NODE_KINDS: tuple[NodeKind, ...] = get_args(NodeKind)


def framework_node(framework: str) -> str:
    return f"framework:{framework}"


def level_node(framework: str, level: str) -> str:
    return f"level:{framework}#{level}"


def occupation_node(occupation: str) -> str:
    return f"occupation:{occupation}"


def unit_node(unit: str) -> str:
    return f"unit:{unit}"


def recognition_node(unit: str) -> str:
    return f"recognition:{unit}"


def program_node(program: str) -> str:
    return f"program:{program}"


def requirement_node(program: str, requirement: str) -> str:
    return f"requirement:{program}#{requirement}"


def parse_node(node: str) -> tuple[str, str, str | None]:
    """``(kind, item id, local id)``: the local id is a level's or a requirement's."""
    kind, _, rest = node.partition(":")
    if kind in ("level", "requirement"):
        item, _, local = rest.rpartition("#")
        return kind, item, local
    return kind, rest, None
