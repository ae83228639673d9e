"""The tracks graph is read from the eligibility rules, and "where can this worker go"
reads it from the worker's position with the eligibility engine's own results."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

import creditbank
from creditbank.graph.tracks import tracks
from creditbank.graph.where import where, where_json_schema
from creditbank.models import Portfolio
from tests.bundled import bundled_standards

STANDARDS = bundled_standards()
ELECTRICIAN = "skill:csco2022:6-31-01-03"
DAYS = st.dates(min_value=dt.date(2012, 1, 1), max_value=dt.date(2032, 12, 31))


def _worker(
    level: str, earned: dt.date, titles: list[dict[str, object]] | None = None
) -> Portfolio:
    return Portfolio.model_validate(
        {
            "learner": "w",
            "profile": {
                "work": [{"occupation": "csco2022:6-31-01-03", "start": dt.date(2015, 1, 1)}],
                "titles": titles or [],
            },
            "achievements": [
                {
                    "id": "cert",
                    "unit": ELECTRICIAN,
                    "level": level,
                    "earned_on": earned,
                    "issuer": "demo-assessment-centre",
                }
            ],
        }
    )


def test_every_title_rule_is_an_edge_and_nothing_else_is_a_bridge() -> None:
    graph = tracks(STANDARDS)
    title_rules = {r.id for r in STANDARDS.eligibility_rules.values() if r.outcome.kind == "title"}
    bridges = [e for e in graph.edges if e.kind == "bridge"]
    assert {e.rule for e in bridges} | set(graph.unplaced) == title_rules
    for edge in bridges:
        rule = STANDARDS.eligibility_rules[str(edge.rule)]
        assert edge.example == rule.example
        assert (edge.source_document is not None) == (rule.source is not None)
    pairs = {(e.source, e.target, e.rule) for e in bridges}
    assert (
        "skill:cn-skill-level:2",
        "title:engineering:中级",
        "bridge:sd:engineering:intermediate",
    ) in pairs
    # the reverse direction starts at the title held
    assert (
        "title:engineering:中级",
        "skill:cn-skill-level:2",
        "bridge:example:title-to-skill:electrician",
    ) in pairs
    assert graph.node("post:车间主任（示例）").example


def test_progression_follows_the_framework_ranks_and_the_title_order() -> None:
    graph = tracks(STANDARDS)
    steps = [(e.source, e.target) for e in graph.edges if e.kind == "progression"]
    assert ("skill:cn-skill-level:3", "skill:cn-skill-level:2") in steps  # 三级 → 二级: up
    assert ("title:engineering:中级", "title:engineering:副高级") in steps
    assert not any(e.target.startswith("post:") for e in graph.edges if e.kind == "progression")


def test_the_technician_of_the_docs() -> None:
    found = where(STANDARDS, _worker("二级", dt.date(2024, 3, 1)), dt.date(2026, 12, 7))
    assert [h.node for h in found.held] == ["skill:cn-skill-level:2"]
    order = [(e.node, e.status, e.eligible_from) for e in found.next]
    assert order == [
        ("title:engineering:助理级", "eligible", None),
        ("title:engineering:中级", "eligible_from", dt.date(2027, 3, 1)),
        ("post:车间主任（示例）", "eligible_from", dt.date(2029, 3, 1)),
        ("skill:cn-skill-level:1", "no_rule", None),
    ]
    engineer = found.reachable("title:engineering:中级").routes[0].result
    assert engineer.unmet[0].code == "WORK_TOO_SHORT"


def test_a_title_held_counts_and_levels_below_are_not_next() -> None:
    titles = [{"series": "engineering", "level": "中级", "obtained_on": dt.date(2020, 1, 1)}]
    found = where(STANDARDS, _worker("三级", dt.date(2016, 1, 1), titles), dt.date(2026, 12, 7))
    assert {h.node for h in found.held} == {"skill:cn-skill-level:3", "title:engineering:中级"}
    nodes = [e.node for e in found.next]
    assert "title:engineering:助理级" not in nodes  # below the title held
    assert "skill:cn-skill-level:2" in nodes  # by the reverse bridge
    reverse = found.reachable("skill:cn-skill-level:2")
    assert reverse.status == "eligible" and reverse.routes[0].source == "title:engineering:中级"


def test_a_certificate_earned_after_the_day_is_not_held() -> None:
    found = where(STANDARDS, _worker("二级", dt.date(2027, 1, 1)), dt.date(2026, 12, 7))
    assert found.held == () and found.next == ()


_RANK = {"eligible": 0, "eligible_from": 1, "not_eligible": 2, "no_rule": 3}


@settings(max_examples=40, deadline=None)
@given(level=st.sampled_from(["五级", "四级", "三级", "二级", "一级"]), earned=DAYS, day=DAYS)
def test_statuses_are_the_engines_and_come_in_order(
    level: str, earned: dt.date, day: dt.date
) -> None:
    found = where(STANDARDS, _worker(level, earned), day)
    ranks = [_RANK[e.status] for e in found.next]
    assert ranks == sorted(ranks)
    results = creditbank.eligibility(STANDARDS, _worker(level, earned), day, ["title"])
    for entry in found.next:
        for route in entry.routes:
            assert route.result == results.outcome(route.result.rule)
        if entry.status == "eligible":
            assert any(r.result.eligible for r in entry.routes)
        if entry.status == "no_rule":
            assert entry.routes == ()


def test_json_has_a_versioned_schema() -> None:
    found = where(STANDARDS, _worker("二级", dt.date(2024, 3, 1)), dt.date(2026, 12, 7))
    assert found.to_json().count('"schema": "creditbank.tracks/1"') == 1
    assert str(where_json_schema()["$schema"]).startswith("https://json-schema.org")
