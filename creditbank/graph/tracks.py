"""The three tracks (技能、专业技术、经营管理) and the bridges between them (贯通), as a graph.

:func:`tracks` reads it from the standards; nothing in it is written here:

* **nodes** are the levels of each track a bridge touches: the levels of a skill-level
  framework (``scale: skill``, e.g. 五级 … 一级 of ``cn-skill-level``), the title levels
  员级 … 正高级 of each professional-title series a rule names, and each management post
  a rule names;
* **bridge edges** come from the eligibility rules of kind ``title``: a rule "skill level
  at least X (+ conditions) → title level Y of series S" is the edge X → Y, labelled with
  its conditions, its rule id and its source; a rule asking for a title held (the reverse
  direction) starts at that title level; one rule with several starting points (a
  combination) gives one edge from each;
* **progression edges** join consecutive levels of a track: ranks of the framework for
  skill levels, the order of :data:`~creditbank.models.profile.TitleLevel` for titles.
  They say which level comes next, not that a rule opens it.

A rule whose conditions name no level (no achievement level, no title) gives no edge: it
is listed in :attr:`Tracks.unplaced`. Example rules make example edges (``example``), and
a node that only example rules name (a management post) is an example node.

>>> import creditbank
>>> graph = tracks(creditbank.load_standards(creditbank.bundled_standards_path()))
>>> [(e.source, e.target) for e in graph.edges if e.rule == "bridge:sd:engineering:assistant"]
[('skill:cn-skill-level:3', 'title:engineering:助理级')]
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from creditbank.models import EligibilityRule, Match, Standards
from creditbank.models.eligibility import TitleOutcome
from creditbank.models.framework import Framework
from creditbank.models.profile import (
    EDUCATION_LABELS,
    TITLE_LEVEL_LABELS,
    TITLE_SERIES_LABELS,
    TitleLevel,
)

__all__ = [
    "TRACK_NAMES",
    "Track",
    "TrackEdge",
    "TrackNode",
    "Tracks",
    "conditions_text",
    "post_node",
    "skill_frameworks",
    "skill_level",
    "skill_node",
    "title_node",
    "tracks",
]

Track = Literal["skill", "professional", "management"]
TRACK_NAMES: dict[str, tuple[str, str]] = {
    "skill": ("技能岗位", "skill"),
    "professional": ("专业技术岗位（职称）", "professional (titles)"),
    "management": ("经营管理岗位", "management"),
}
"""The three tracks of the 2025 opinion (互相贯通), in the order they are drawn."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TrackNode(_Frozen):
    """A level of a track: a skill level, a title level of a series, a management post."""

    id: str = Field(description="skill:FRAMEWORK:LEVEL, title:SERIES:LEVEL or post:POST.")
    track: Track
    group: str = Field(description="The framework (skill), the series (title) or 'post'.")
    level: str = Field(description="The level's id (skill), 员级 … 正高级 (title) or the post.")
    rank: int = Field(description="Order within the group: higher is more senior.")
    zh: str
    en: str
    example: bool = Field(default=False, description="Named only by example rules.")


class TrackEdge(_Frozen):
    """A bridge a rule opens (``bridge``), or the next level of a track (``progression``)."""

    source: str
    target: str
    kind: Literal["bridge", "progression"]
    rule: str | None = None
    example: bool = False
    zh: str = Field(default="", description="The rule's conditions in words (Chinese).")
    en: str = Field(default="", description="The rule's conditions in words (English).")
    source_document: str | None = Field(
        default=None, description="The title of the document the rule comes from."
    )


class Tracks(_Frozen):
    """The nodes and edges of the three tracks, and the title rules that give no edge."""

    nodes: tuple[TrackNode, ...]
    edges: tuple[TrackEdge, ...]
    unplaced: tuple[str, ...] = Field(
        default=(), description="Title rules whose conditions name no level to start from."
    )

    def node(self, node_id: str) -> TrackNode:
        """The node with this id."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)


def skill_node(framework: str, level: str) -> str:
    """The id of a skill level's node."""
    return f"skill:{framework}:{level}"


def title_node(series: str, level: str) -> str:
    """The id of a title level's node."""
    return f"title:{series}:{level}"


def post_node(post: str) -> str:
    """The id of a management post's node."""
    return f"post:{post}"


_TITLE_LEVELS: tuple[str, ...] = get_args(TitleLevel)


def skill_frameworks(standards: Standards) -> list[Framework]:
    """The skill-level frameworks, in id order (the first that knows a level name wins)."""
    return sorted(
        (f for f in standards.frameworks.values() if f.scale == "skill"), key=lambda f: f.id
    )


def skill_level(standards: Standards, name: str) -> tuple[Framework, str] | None:
    """The skill framework and level id a level name (三级, 高级工, 3) stands for."""
    for framework in skill_frameworks(standards):
        level = framework.level(name)
        if level is not None:
            return framework, level.id
    return None


def _floor(match: Match) -> str | None:
    """The lowest level a match accepts, by name: ``at_least``, else the first of ``one_of``."""
    if match.level is None:
        return None
    if match.level.at_least is not None:
        return str(match.level.at_least)
    return str(match.level.one_of[0]) if match.level.one_of else None


class _Builder:
    def __init__(self, standards: Standards) -> None:
        self.standards = standards
        self.frameworks: dict[str, Framework] = {}
        self.series: set[str] = set()
        self.posts: dict[str, bool] = {}  # post -> named only by example rules
        self.edges: list[TrackEdge] = []
        self.unplaced: list[str] = []

    def source_nodes(self, rule: EligibilityRule) -> list[str]:
        found: list[str] = []
        if rule.when.achievement is not None:
            for match in rule.when.achievement.matches():
                name = _floor(match)
                resolved = skill_level(self.standards, name) if name is not None else None
                if resolved is not None:
                    framework, level = resolved
                    self.frameworks[framework.id] = framework
                    found.append(skill_node(framework.id, level))
        title = rule.when.title
        if title is not None:
            for series in title.series or sorted(TITLE_SERIES_LABELS):
                self.series.add(series)
                found.append(title_node(series, title.at_least))
        return list(dict.fromkeys(found))

    def target_node(self, rule: EligibilityRule, outcome: TitleOutcome) -> str | None:
        if outcome.track == "professional" and outcome.series and outcome.level:
            self.series.add(outcome.series)
            return title_node(outcome.series, outcome.level)
        if outcome.track == "skill" and outcome.level:
            resolved = skill_level(self.standards, outcome.level)
            if resolved is None:
                return None
            self.frameworks[resolved[0].id] = resolved[0]
            return skill_node(resolved[0].id, resolved[1])
        if outcome.track == "management" and outcome.post:
            self.posts[outcome.post] = self.posts.get(outcome.post, True) and rule.example
            return post_node(outcome.post)
        return None

    def add_rule(self, rule: EligibilityRule) -> None:
        outcome = rule.outcome
        assert isinstance(outcome, TitleOutcome)
        sources = self.source_nodes(rule)
        target = self.target_node(rule, outcome)
        if not sources or target is None:
            self.unplaced.append(rule.id)
            return
        zh, en = conditions_text(self.standards, rule)
        document = rule.source.title if rule.source is not None else None
        for source in sources:
            self.edges.append(
                TrackEdge(
                    source=source,
                    target=target,
                    kind="bridge",
                    rule=rule.id,
                    example=rule.example,
                    zh=zh,
                    en=en,
                    source_document=document,
                )
            )

    def nodes(self) -> list[TrackNode]:
        nodes: list[TrackNode] = []
        for framework in sorted(self.frameworks.values(), key=lambda f: f.id):
            for level in framework.ordered():
                alias = f"（{level.aliases[0]}）" if level.aliases else ""
                nodes.append(
                    TrackNode(
                        id=skill_node(framework.id, level.id),
                        track="skill",
                        group=framework.id,
                        level=level.id,
                        rank=level.rank,
                        zh=f"{level.name.zh}{alias}",
                        en=level.name.en or f"skill level {level.id}",
                    )
                )
        for series in sorted(self.series):
            series_zh, series_en = TITLE_SERIES_LABELS[series]
            for rank, level_name in enumerate(_TITLE_LEVELS):
                nodes.append(
                    TrackNode(
                        id=title_node(series, level_name),
                        track="professional",
                        group=series,
                        level=level_name,
                        rank=rank,
                        zh=f"{series_zh} {level_name}",
                        en=f"{series_en}, {TITLE_LEVEL_LABELS[level_name]}",
                    )
                )
        for post, example in sorted(self.posts.items()):
            nodes.append(
                TrackNode(
                    id=post_node(post),
                    track="management",
                    group="post",
                    level=post,
                    rank=0,
                    zh=post,
                    # a post is named in the rule's own words, which are Chinese data
                    en=f"post “{post}”",
                    example=example,
                )
            )
        return nodes


def _progressions(nodes: Iterable[TrackNode]) -> list[TrackEdge]:
    by_group: dict[tuple[str, str], list[TrackNode]] = {}
    for node in nodes:
        if node.track != "management":
            by_group.setdefault((node.track, node.group), []).append(node)
    edges: list[TrackEdge] = []
    for members in by_group.values():
        ordered = sorted(members, key=lambda n: n.rank)
        for low, high in pairwise(ordered):
            edges.append(TrackEdge(source=low.id, target=high.id, kind="progression"))
    return edges


def _months(years: int, months: int, zh: bool) -> str:
    if zh:
        return f"{years}年" + (f"{months}个月" if months else "")
    text = f"{years} year{'s' * (years != 1)}" if years else ""
    if months:
        text = f"{text} {months} month{'s' * (months != 1)}".strip()
    return text


def conditions_text(standards: Standards, rule: EligibilityRule) -> tuple[str, str]:
    """A rule's conditions beyond the starting level, short, in Chinese and English."""
    when = rule.when
    zh: list[str] = []
    en: list[str] = []
    if when.years_since is not None:
        zh.append(f"取得满{_months(when.years_since.years, when.years_since.months, True)}")
        en.append(f"{_months(when.years_since.years, when.years_since.months, False)} since")
    if when.title is not None and when.title.years_since is not None:
        span = when.title.years_since
        zh.append(f"任职满{_months(span.years, span.months, True)}")
        en.append(f"title held {_months(span.years, span.months, False)}")
    if when.work is not None:
        work = when.work
        after = work.after_achievement
        zh.append(("取得后" if after else "") + f"工作满{_months(work.years, work.months, True)}")
        en.append(
            f"{_months(work.years, work.months, False)} of work" + (" after it" if after else "")
        )
    if when.education is not None:
        education_zh, education_en = EDUCATION_LABELS[when.education.at_least]
        zh.append(f"学历不低于{education_zh}")
        en.append(f"education at least {education_en}")
    outcome = rule.outcome
    if isinstance(outcome, TitleOutcome) and outcome.occupation is not None:
        occupation = standards.occupations.get(str(outcome.occupation))
        zh.append(occupation.name.text("zh") if occupation else str(outcome.occupation))
        en.append(occupation.name.text("en") if occupation else str(outcome.occupation))
    return "，".join(zh), ", ".join(en)


def tracks(standards: Standards) -> Tracks:
    """The tracks graph of ``standards``: see the module docstring for what it holds."""
    builder = _Builder(standards)
    for rule in standards.eligibility_rules.values():
        if rule.outcome.kind == "title":
            builder.add_rule(rule)
    nodes = builder.nodes()
    known = {n.id for n in nodes}
    bridges = [e for e in builder.edges if e.source in known and e.target in known]
    return Tracks(
        nodes=tuple(nodes),
        edges=(*_progressions(nodes), *bridges),
        unplaced=tuple(builder.unplaced),
    )
