"""Where can this worker go from here: the tracks graph read from a learner's position.

:func:`where` is a pure function of (standards, portfolio, as-of date), like
:func:`~creditbank.engine.eligibility.eligibility`, on which it stands:

* **held** — the highest node the worker holds on each track: the highest skill level of
  the skill certificates earned by ``as_of`` (a level of another skill scale counts as
  the level its ``same_as`` names), and the highest title of each series held by then;
* **next** — every node a bridge reaches from a held position (the rule's starting level
  is at or below the one held), with each rule's eligibility result (eligible now,
  eligible from a later day, or not, with the reasons), plus the next level of each
  held track when no rule of the standards opens it (``no_rule``: the step exists, but
  the standards say nothing about who may take it).

Order of ``next``: eligible now, then eligible from a later day (soonest first), then not
eligible, then steps no rule covers; within each, published rules before examples, then
skill, professional and management tracks, lower levels first. A node the worker
already holds is not "next".

>>> import creditbank, datetime as dt
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> worker = creditbank.load_portfolio(
...     "examples/portfolios/demo-worker-001-electrician.yaml", standards)
>>> found = where(standards, worker, dt.date(2026, 12, 7))
>>> found.held[0].node
'skill:cn-skill-level:3'
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from creditbank.engine import OutcomeResult, eligibility
from creditbank.graph.tracks import (
    Track,
    TrackNode,
    Tracks,
    skill_frameworks,
    skill_node,
    title_node,
    tracks,
)
from creditbank.models import Portfolio, Standards
from creditbank.models.profile import title_rank

__all__ = ["TRACKS_SCHEMA", "Held", "Reachable", "Route", "Where", "where", "where_json_schema"]

TRACKS_SCHEMA = "creditbank.tracks/1"

Status = Literal["eligible", "eligible_from", "not_eligible", "no_rule"]
_STATUS_ORDER: dict[str, int] = {"eligible": 0, "eligible_from": 1, "not_eligible": 2, "no_rule": 3}
_TRACK_ORDER: dict[str, int] = {"skill": 0, "professional": 1, "management": 2}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Held(_Frozen):
    """A node the worker holds, and what shows it (achievement ids, or the title held)."""

    node: str
    track: Track
    zh: str
    en: str
    because: tuple[str, ...]


class Route(_Frozen):
    """One rule from a held position to a node, and the worker's result under it."""

    source: str = Field(description="The node the rule starts from.")
    result: OutcomeResult


class Reachable(_Frozen):
    """A node the worker could go to next, and by which routes."""

    node: str
    track: Track
    zh: str
    en: str
    status: Status = Field(description="The best of its routes; no_rule when none.")
    eligible_from: dt.date | None = None
    example: bool = Field(description="Every route to it is an example rule.")
    routes: tuple[Route, ...] = ()


class Where(_Frozen):
    """Where one worker stands on the three tracks on one day, and where they can go."""

    schema_version: Literal["creditbank.tracks/1"] = Field(
        default="creditbank.tracks/1", alias="schema", serialization_alias="schema"
    )
    learner: str
    as_of: dt.date
    standards_fingerprint: str
    held: tuple[Held, ...]
    next: tuple[Reachable, ...]

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def reachable(self, node: str) -> Reachable:
        """The entry of one node of ``next``."""
        for entry in self.next:
            if entry.node == node:
                return entry
        raise KeyError(node)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The answer as JSON (schema ``creditbank.tracks/1``)."""
        return self.model_dump_json(by_alias=True, indent=indent)


def where_json_schema() -> dict[str, object]:
    """JSON Schema (draft 2020-12) of :meth:`Where.to_json` output."""
    schema = Where.model_json_schema(mode="serialization", by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def _held(
    standards: Standards, graph: Tracks, portfolio: Portfolio, as_of: dt.date
) -> dict[str, Held]:
    """The highest held node of each group (a skill framework, a title series)."""
    known = {n.id: n for n in graph.nodes}
    best: dict[str, tuple[int, TrackNode, list[str]]] = {}

    def hold(node_id: str, evidence: str) -> None:
        node = known.get(node_id)
        if node is None:
            return
        current = best.get(node.group)
        if current is None or node.rank > current[0]:
            best[node.group] = (node.rank, node, [evidence])
        elif node.rank == current[0]:
            current[2].append(evidence)

    frameworks = {f.id: f for f in skill_frameworks(standards)}
    for achievement in portfolio.achievements:
        if achievement.earned_on > as_of or achievement.level is None:
            continue
        unit = standards.units.get(str(achievement.unit))
        if unit is None or unit.kind != "skill_certificate":
            continue
        for framework in frameworks.values():
            level = framework.level(achievement.level)
            if level is None:
                continue
            hold(skill_node(framework.id, level.id), achievement.id)
            for same in level.same_as:
                hold(skill_node(str(same.framework), str(same.level)), achievement.id)
            break
    profile = portfolio.profile
    for held_title in profile.titles if profile is not None else ():
        if held_title.obtained_on <= as_of:
            evidence = f"{held_title.series} {held_title.level} {held_title.obtained_on}"
            hold(title_node(held_title.series, held_title.level), evidence)
    return {
        node.id: Held(node=node.id, track=node.track, zh=node.zh, en=node.en, because=tuple(why))
        for _, node, why in best.values()
    }


def _covers(held: TrackNode, source: TrackNode) -> bool:
    """Whether holding ``held`` meets a rule starting at ``source`` (same group, as high)."""
    if held.group != source.group:
        return False
    if held.track == "professional":
        return title_rank(held.level) >= title_rank(source.level)
    return held.rank >= source.rank


def _status(result: OutcomeResult) -> Status:
    if result.eligible:
        return "eligible"
    return "eligible_from" if result.eligible_from is not None else "not_eligible"


def _entry(node: TrackNode, routes: list[Route]) -> Reachable:
    if not routes:
        return Reachable(
            node=node.id,
            track=node.track,
            zh=node.zh,
            en=node.en,
            status="no_rule",
            example=node.example,
        )
    routes.sort(key=lambda r: _route_key(r.result))
    best = routes[0].result
    return Reachable(
        node=node.id,
        track=node.track,
        zh=node.zh,
        en=node.en,
        status=_status(best),
        eligible_from=best.eligible_from if not best.eligible else None,
        example=all(r.result.example for r in routes),
        routes=tuple(routes),
    )


def _route_key(result: OutcomeResult) -> tuple[int, dt.date, bool, int, str]:
    return (
        _STATUS_ORDER[_status(result)],
        result.eligible_from or dt.date.min,
        result.example,
        len(result.unmet),
        result.rule,
    )


def where(standards: Standards, portfolio: Portfolio, as_of: dt.date) -> Where:
    """Where ``portfolio``'s worker stands on the tracks on ``as_of`` and where they can go.

    See the module docstring. Raises :class:`~creditbank.LoadError` as
    :func:`~creditbank.engine.eligibility.eligibility` does.
    """
    result = eligibility(standards, portfolio, as_of, ["title"])
    graph = tracks(standards)
    known = {n.id: n for n in graph.nodes}
    held = _held(standards, graph, portfolio, as_of)
    holding = [known[h] for h in held]
    routes: dict[str, list[Route]] = {}
    for edge in graph.edges:
        source = known[edge.source]
        if any(_covers(h, known[edge.target]) for h in holding):
            continue  # held already, or a level below one held
        if not any(_covers(h, source) for h in holding):
            continue
        if edge.kind == "progression":
            if any(h.group == source.group and h.id == source.id for h in holding):
                routes.setdefault(edge.target, [])
            continue
        assert edge.rule is not None
        outcome = result.outcome(edge.rule)
        routes.setdefault(edge.target, []).append(Route(source=edge.source, result=outcome))
    entries = [_entry(known[node], found) for node, found in routes.items()]
    entries.sort(
        key=lambda e: (
            _STATUS_ORDER[e.status],
            e.eligible_from or dt.date.min,
            e.example,
            _TRACK_ORDER[e.track],
            known[e.node].group,
            known[e.node].rank,
        )
    )
    return Where(
        learner=result.learner,
        as_of=as_of,
        standards_fingerprint=result.standards_fingerprint,
        held=tuple(held.values()),
        next=tuple(entries),
    )
