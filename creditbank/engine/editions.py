"""One occupation across code editions, and which units are one learning outcome.

Codes change between editions of the occupational classification: 工业机器人系统运维员 was
6-31-01-10 in 2015 and is 6-31-07-01 in 2022. An occupation's ``replaced_by`` links it to
its successors in a later edition. A link is *the same occupation under another code* when
it is one to one: the occupation has exactly one successor, and that successor replaces no
other occupation. A split (one occupation, several successors) or a merge (several
occupations, one successor) changes what the occupation is, so neither side is the same as
the other; the link stays in the graph (``creditbank query occupation``) but matching and
duplicates do not follow it. Same-occupation links chain across editions (1999 → 2015 →
2022).

Everything that asks "is this the same occupation?" or "is this the same outcome?" asks
here, so the answers agree:

* rule matching — a rule naming an occupation selects certificates recorded under any code
  of the same occupation, both ways (:func:`unit_occupations`, used by
  :func:`creditbank.engine.index.selects_unit`, and so by ``check``'s orphans and the graph);
* duplicates — skill certificates of one occupation, under any of its codes, are one learning
  outcome: the engine converts one of them (``DUPLICATE`` for the others), and
  ``creditbank query equivalents`` lists them as one outcome (:func:`outcome_of`,
  :func:`same_outcome`).

>>> import creditbank
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> sorted(same_occupations(standards, "csco2015:6-31-01-10"))
['csco2015:6-31-01-10', 'csco2022:6-31-07-01']
>>> same_outcome(standards, "skill:csco2022:6-31-07-01")
('skill:csco2015:6-31-01-10', 'skill:csco2022:6-31-07-01')
>>> outcome_of(standards, "skill:csco2015:6-31-01-10") == outcome_of(
...     standards, "skill:csco2022:6-31-07-01")
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from creditbank.engine.cache import EngineCache
from creditbank.models import Standards
from creditbank.models.units import AwardUnit, SkillCertificateUnit, UnitBase, XCertificateUnit

__all__ = [
    "Editions",
    "editions",
    "outcome_of",
    "same_occupation_links",
    "same_occupations",
    "same_outcome",
    "unit_occupations",
]


@dataclass(frozen=True)
class Editions:
    """The standards' occupations grouped into the same occupation across editions."""

    classes: Mapping[str, frozenset[str]]
    """Occupation id -> every id of the same occupation (itself included); only occupations
    with another code are listed."""
    links: tuple[tuple[str, str], ...]
    """The one-to-one ``replaced_by`` links (earlier, later), in the standards' order."""
    outcomes: Mapping[str, str]
    """Skill-certificate unit id -> the unit that stands for its outcome (the first id of
    the certificates of its occupation); units not listed are their own outcome."""
    members: Mapping[str, tuple[str, ...]]
    """Representative unit id -> the units of that outcome, sorted (only outcomes of two
    units or more)."""


def _build(standards: Standards) -> Editions:
    occupations = standards.occupations
    predecessors: dict[str, int] = {}
    for occupation in occupations.values():
        for successor in dict.fromkeys(map(str, occupation.replaced_by)):
            predecessors[successor] = predecessors.get(successor, 0) + 1
    links: list[tuple[str, str]] = []
    parent: dict[str, str] = {}

    def root(item: str) -> str:
        while parent.get(item, item) != item:
            item = parent[item]
        return item

    for occupation in occupations.values():
        successors = list(dict.fromkeys(map(str, occupation.replaced_by)))
        if len(successors) != 1:
            continue  # none, or a split
        (successor,) = successors
        if successor not in occupations or predecessors.get(successor) != 1:
            continue  # unknown, or a merge
        links.append((occupation.id, successor))
        a, b = root(occupation.id), root(successor)
        if a != b:
            parent[max(a, b)] = min(a, b)
    grouped: dict[str, set[str]] = {}
    for a, b in links:
        for item in (a, b):
            grouped.setdefault(root(item), set()).add(item)
    classes = {o: frozenset(group) for group in grouped.values() for o in group}
    certificates: dict[str, list[str]] = {}
    for unit in standards.units.values():
        if isinstance(unit, SkillCertificateUnit) and unit.occupation in occupations:
            key = root(unit.occupation) if unit.occupation in classes else unit.occupation
            certificates.setdefault(key, []).append(unit.id)
    outcomes: dict[str, str] = {}
    members: dict[str, tuple[str, ...]] = {}
    for units in certificates.values():
        if len(units) > 1:
            ordered = tuple(sorted(units))
            members[ordered[0]] = ordered
            outcomes.update(dict.fromkeys(ordered, ordered[0]))
    return Editions(classes, tuple(links), outcomes, members)


def editions(standards: Standards) -> Editions:
    """The edition mapping of ``standards``, worked out once and kept with them."""
    cache = standards.cache(EngineCache)
    found: Editions | None = cache.editions
    if found is None:
        found = cache.editions = _build(standards)
    return found


def same_occupations(standards: Standards, occupation: str) -> frozenset[str]:
    """``occupation`` and every code of the same occupation in other editions."""
    return editions(standards).classes.get(occupation) or frozenset({occupation})


def same_occupation_links(standards: Standards) -> tuple[tuple[str, str], ...]:
    """The ``replaced_by`` links that keep the occupation the same (one to one)."""
    return editions(standards).links


def unit_occupations(standards: Standards, unit: UnitBase) -> frozenset[str]:
    """The occupations a unit certifies (a skill certificate's one; a 1+X certificate's or
    an award's list), each under every code of the same occupation."""
    if isinstance(unit, SkillCertificateUnit):
        return same_occupations(standards, str(unit.occupation))
    if isinstance(unit, XCertificateUnit | AwardUnit):
        classes = editions(standards).classes
        found: set[str] = set()
        for occupation in map(str, unit.occupations):
            found.update(classes.get(occupation) or (occupation,))
        return frozenset(found)
    return frozenset()


def outcome_of(standards: Standards, unit_id: str) -> str:
    """The unit standing for the learning outcome of ``unit_id``: itself, or for a skill
    certificate the first (by id) certificate of its occupation under any of its codes.
    Two achievements whose units have the same outcome are one outcome: only one converts."""
    return editions(standards).outcomes.get(unit_id, unit_id)


def same_outcome(standards: Standards, unit_id: str) -> tuple[str, ...]:
    """The units that are one learning outcome with ``unit_id`` (itself included), sorted."""
    found = editions(standards)
    return found.members.get(found.outcomes.get(unit_id, unit_id), (unit_id,))
