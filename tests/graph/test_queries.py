"""The graph and its queries: typed edges, conversions and chains, equivalents, editions."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

import creditbank
from creditbank.engine import evaluate_with, hypothetical
from creditbank.engine.conditions import selects
from creditbank.engine.editions import same_occupations, same_outcome
from creditbank.engine.facts import make_facts
from creditbank.errors import EvaluationError
from creditbank.graph import EDGE_TYPES, StandardsGraph, build_graph, case_name, inverse
from creditbank.graph.nodes import NODE_KINDS, parse_node
from creditbank.graph.queries import (
    converts_to,
    equivalents,
    leads_into,
    occupation_editions,
)
from creditbank.graph.select import unit_selected
from creditbank.graph.serial import plain, text
from creditbank.models import Achievement
from tests.paths import ROOT

DAY = dt.date(2026, 11, 29)
ELECTRICIAN = "skill:csco2022:6-31-01-03"
PLC_X = "x:plc-system-application-programming"

CHAIN = """\
kind: standards
example: true
frameworks:
  - id: scale
    name: scale
    levels: [{id: L1, rank: 1, name: one}, {id: L2, rank: 2, name: two}]
units:
  - {id: cert, kind: other, name: certificate, framework: scale}
  - {id: a, kind: course, name: course at school A, credits: 3, hours: 48}
  - {id: b, kind: course, name: course at school B, credits: 3, hours: 48}
programs:
  - id: school-a
    name: programme A
    education_level: higher_vocational
    total_credits: 3
    requirements: [{id: core, name: core, kind: required_courses, courses: [a]}]
  - id: school-b
    name: programme B
    education_level: higher_vocational
    total_credits: 3
    requirements: [{id: core, name: core, kind: required_courses, courses: [b]}]
rules:
  - id: cert-exempts-a
    name: certificate at L2 exempts course A
    programs: [school-a]
    effective_from: 2024-09-01
    when: {units: [cert], level: {at_least: L2}}
    then: {kind: exempt_courses, courses: [a]}
  - id: a-exempts-b
    name: course A (60 or more) exempts course B
    programs: [school-b]
    when: {units: [a], grade: {at_least: 60}}
    then: {kind: exempt_courses, courses: [b]}
"""


@pytest.fixture(scope="module")
def sg() -> StandardsGraph:
    return build_graph(creditbank.load_standards(creditbank.bundled_standards_path()))


@pytest.fixture
def chain(tmp_path: Path) -> StandardsGraph:
    path = tmp_path / "chain.yaml"
    path.write_text(CHAIN, encoding="utf-8")
    return build_graph(creditbank.load_standards(path))


# ------------------------------------------------------------------ the graph


def test_every_edge_has_a_known_type_and_every_node_a_known_kind(sg: StandardsGraph) -> None:
    for _, _, data in sg.graph.edges(data=True):
        assert data["type"] in EDGE_TYPES
    for node, data in sg.graph.nodes(data=True):
        assert data["kind"] in NODE_KINDS
        assert parse_node(node)[0] == data["kind"]
    used = {d["type"] for _, _, d in sg.graph.edges(data=True)}
    assert used == set(EDGE_TYPES), "the bundled standards use every edge type"


def test_edge_vocabulary_has_inverses_and_case_names() -> None:
    assert inverse("isPartOf") == "hasPart"
    assert inverse("convertsTo") == "convertedFrom"
    assert case_name("precedes") == "precedes"
    assert case_name("convertsTo") == "ext:convertsTo"
    for name, info in EDGE_TYPES.items():
        assert info.inverse and info.meaning
        assert (info.inverse == name) is info.symmetric


def test_attributes_are_plain_values(sg: StandardsGraph) -> None:
    """So the graph exports to GraphML unchanged."""
    allowed = (str, int, float, bool)
    for _, data in sg.graph.nodes(data=True):
        assert all(isinstance(v, allowed) for v in data.values()), data
    for _, _, data in sg.graph.edges(data=True):
        assert all(isinstance(v, allowed) for v in data.values()), data


def test_static_selection_agrees_with_the_engine(sg: StandardsGraph) -> None:
    standards = sg.standards
    for rule in standards.rules.values():
        for match in rule.when.matches():
            for unit in standards.units.values():
                facts = make_facts(
                    standards, Achievement(id="a", unit=unit.id, earned_on=dt.date(2020, 1, 1))
                )
                assert unit_selected(match, unit, standards) == selects(match, facts, standards), (
                    rule.id,
                    unit.id,
                )


def test_replacement_and_level_edges(sg: StandardsGraph) -> None:
    g = sg.graph
    assert g.has_edge("occupation:csco2015:6-31-01-10", "occupation:csco2022:6-31-07-01")
    assert g.has_edge("level:cn-skill-level-2022#junior", "level:cn-skill-level#5")
    assert g.has_edge("level:cn-skill-level#5", "level:cn-skill-level#4")  # 五级 precedes 四级
    # the robot-maintenance certificate allows 四级 to 一级 only
    levels = {
        parse_node(t)[2]
        for _, t, d in g.out_edges("unit:skill:csco2022:6-31-07-01", data=True)
        if d["type"] == "hasSkillLevel"
    }
    assert levels == {"4", "3", "2", "1"}


def test_r3_is_a_property_of_the_chain(sg: StandardsGraph) -> None:
    """Conversions an R3 cap bounds start at the unit's credit-bank recognition."""
    g = sg.graph
    assert g.has_edge(f"unit:{PLC_X}", f"recognition:{PLC_X}")
    into = {
        d["rule"]
        for _, _, d in g.out_edges(f"recognition:{PLC_X}", data=True)
        if d["type"] == "convertsTo"
    }
    assert into == {"r4:plc:elementary", "r4:plc:intermediate", "r4:plc:advanced"}
    assert not [d for _, _, d in g.out_edges(f"unit:{PLC_X}", data=True) if "rule" in d]


# -------------------------------------------------------------- converts-to


def test_converts_to_at_a_level(sg: StandardsGraph) -> None:
    found = converts_to(sg, ELECTRICIAN, "三级", program="460301")
    rules = {c.rule: c for c in found}
    assert set(rules) == {
        "liming:electrician-level-3",
        "liming:electrician-level-4",
        "r7:national-certificate",
        "zhujiang:electrician-and-fitter",
    }
    level3 = rules["liming:electrician-level-3"]
    assert level3.credits == 6 and level3.kind == "exemption"
    assert level3.requirements == ("practice", "foundation")
    assert rules["zhujiang:electrician-and-fitter"].combination == "all_of"
    assert rules["r7:national-certificate"].targets == ("electives",)
    # 四级 does not reach the 三级 rule
    assert "liming:electrician-level-3" not in {
        c.rule for c in converts_to(sg, ELECTRICIAN, "四级")
    }
    # levels by any name
    assert converts_to(sg, ELECTRICIAN, "高级工") == converts_to(sg, ELECTRICIAN, "3")


def test_converts_to_reports_the_bank_ceiling_and_refusal(sg: StandardsGraph) -> None:
    (elementary,) = converts_to(sg, PLC_X, "初级", program="460301")
    assert (elementary.credits, elementary.ceiling) == (Decimal(4), Decimal(3))
    assert elementary.refused and elementary.effective == 0
    (advanced,) = converts_to(sg, PLC_X, "高级", program="460301")
    assert (advanced.credits, advanced.ceiling) == (Decimal(8), Decimal(8))
    assert not advanced.refused
    # the engine agrees
    for conversion, level in ((elementary, "初级"), (advanced, "高级")):
        achievement = hypothetical(sg.standards, PLC_X, level, DAY)
        evaluation = evaluate_with(
            sg.standards, creditbank.Portfolio(learner="x"), "460301", [achievement], DAY
        )
        assert evaluation.totals.recognised == conversion.effective


def test_converts_to_follows_chains_and_dates(chain: StandardsGraph) -> None:
    found = converts_to(chain, "cert", "two")
    assert [(c.rule, c.chain) for c in found] == [
        ("cert-exempts-a", ()),
        ("a-exempts-b", ("cert",)),
    ]
    assert found[1].conditions == ("grade ≥ 60",)
    assert converts_to(chain, "cert", "one") == []
    # the first rule is not yet in force in 2024-08, so nothing follows from it
    assert converts_to(chain, "cert", "two", as_of=dt.date(2024, 8, 31)) == []
    # into one programme: the chain's last step counts
    assert [c.rule for c in converts_to(chain, "cert", "L2", program="school-b")] == ["a-exempts-b"]


def test_leads_into_programme_course_and_chains(sg: StandardsGraph, chain: StandardsGraph) -> None:
    programme = leads_into(sg, "460301")
    assert programme.kind == "program" and programme.target == "demo-college:460301"
    rules = {c.rule for c in programme.conversions}
    assert "r4:robot-programming:elementary" not in rules  # a 460304-only rule
    assert {"liming:plc-training", "r8:national-award", "moe-2019-13:training-hours"} <= rules
    course = leads_into(sg, "course:plc-application")
    assert course.prerequisites == ("course:electric-machines-control",)
    assert {c.unit for c in course.conversions} == {PLC_X, "training:plc-application-64h"}
    into_b = leads_into(chain, "b")
    assert [c.rule for c in into_b.conversions] == ["a-exempts-b"]
    assert [(c.rule, c.chain) for c in into_b.upstream] == [("cert-exempts-a", ("a",))]


def test_equivalents_follow_family_and_replaced_codes(sg: StandardsGraph) -> None:
    found = equivalents(sg, "skill:csco2015:6-31-01-10")
    assert found.ids() == ("skill:csco2015:6-31-01-10", "skill:csco2022:6-31-07-01")
    (member,) = found.members
    assert "family industrial-robot-maintenance" in member.basis
    assert "replaced by csco2022:6-31-07-01" in member.basis
    assert member.same_outcome  # one learning outcome, not merely one family
    assert equivalents(sg, ELECTRICIAN).members == ()


def test_equivalents_agree_with_the_engines_outcomes(sg: StandardsGraph) -> None:
    """`query equivalents` says "one outcome" exactly where the engine converts only one."""
    standards = sg.standards
    for unit in standards.units:
        found = equivalents(sg, unit)
        one = {m.unit for m in found.members if m.same_outcome} | {unit}
        assert tuple(sorted(one)) == same_outcome(standards, unit), unit


def test_a_split_occupation_is_not_the_same_outcome() -> None:
    """A one-to-one replacement is the same occupation; a split is not (the old certificate is
    neither selected by a rule on a successor nor one outcome with a successor's)."""
    text = """
kind: standards
example: true
frameworks:
  - {id: skill, name: skill, levels: [{id: "4", rank: 1, name: 四级}]}
occupations:
  - {id: o15, code: 9-99-99-01, edition: 2015, name: 甲, framework: skill, replaced_by: [o22a,o22b]}
  - {id: "o22a", code: 9-99-99-02, edition: 2022, name: 甲一, framework: skill}
  - {id: "o22b", code: 9-99-99-03, edition: 2022, name: 甲二, framework: skill}
  - {id: "r15", code: 9-99-99-04, edition: 2015, name: 乙, framework: skill, replaced_by: [r22]}
  - {id: "r22", code: 9-99-99-05, edition: 2022, name: 乙, framework: skill}
  - {id: "m15a", code: 9-99-99-06, edition: 2015, name: 丙, framework: skill, replaced_by: [m22]}
  - {id: "m15b", code: 9-99-99-07, edition: 2015, name: 丁, framework: skill, replaced_by: [m22]}
  - {id: "m22", code: 9-99-99-08, edition: 2022, name: 丙丁, framework: skill}
units:
  - {id: c-o15, kind: skill_certificate, name: a, occupation: o15}
  - {id: c-o22a, kind: skill_certificate, name: b, occupation: o22a}
  - {id: c-r15, kind: skill_certificate, name: c, occupation: r15}
  - {id: c-r22, kind: skill_certificate, name: d, occupation: r22}
  - {id: c-m15a, kind: skill_certificate, name: e, occupation: m15a}
  - {id: c-m22, kind: skill_certificate, name: f, occupation: m22}
"""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_text(text, encoding="utf-8")
        standards = creditbank.load_standards(path, cache=False)
    assert same_occupations(standards, "r15") == {"r15", "r22"}
    for lone in ("o15", "o22a", "m15a", "m15b", "m22"):
        assert same_occupations(standards, lone) == {lone}
    assert same_outcome(standards, "c-r22") == ("c-r15", "c-r22")
    assert same_outcome(standards, "c-o15") == ("c-o15",)
    assert same_outcome(standards, "c-m22") == ("c-m22",)
    sg = build_graph(standards)
    assert [m.unit for m in equivalents(sg, "c-r15").members] == ["c-r22"]
    assert equivalents(sg, "c-o15").members == ()
    assert equivalents(sg, "c-m15a").members == ()


def test_occupation_editions_by_code_id_and_name(sg: StandardsGraph) -> None:
    by_code = occupation_editions(sg, "6-31-01-10")
    assert [(e.id, e.name) for e in by_code.editions] == [
        ("csco2015:6-31-01-10", "工业机器人系统运维员"),
        ("csco2022:6-31-01-10", "机电设备维修工"),
    ]
    assert by_code.editions[0].replaced_by == ("csco2022:6-31-07-01",)
    assert by_code.notes and "different occupations" in by_code.notes[0]
    successor = occupation_editions(sg, "csco2022:6-31-07-01").editions[0]
    assert successor.replaces == ("csco2015:6-31-01-10",)
    assert successor.certificates == (
        "skill:csco2022:6-31-07-01",
        "x:industrial-robot-operation-maintenance",
    )
    assert occupation_editions(sg, "电工").editions[0].id == "csco2022:6-31-01-03"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: converts_to(g, "skill:csco2022:6-31-1-03"), "did you mean"),
        (lambda g: converts_to(g, ELECTRICIAN, "三极"), "did you mean '三级'"),
        (lambda g: converts_to(g, ELECTRICIAN, program="460399"), "unknown programme"),
        (lambda g: leads_into(g, "course:plc-aplication"), "did you mean"),
        (lambda g: equivalents(g, "nothing-like-it"), "unknown unit"),
        (lambda g: occupation_editions(g, "6-31-01-11"), "did you mean"),
    ],
)
def test_unknown_ids_are_explained(sg: StandardsGraph, call: object, message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        call(sg)  # type: ignore[operator]


def test_amounts_are_shown_exactly_whatever_their_exponent() -> None:
    """Regression: ``Decimal('1E+40')`` once raised InvalidOperation (quantize) in JSON output."""
    assert plain({"a": Decimal("1E+40"), "b": Decimal("2.50"), "c": Decimal("0E-7")}) == {
        "a": "1" + "0" * 40,
        "b": "2.5",
        "c": "0",
    }
    assert text(Decimal("12345678901234567890123456789012.5")) == (
        "12345678901234567890123456789012.5"  # never rounded to the context's precision
    )


def test_readme_graph_example_runs() -> None:
    readme = (ROOT / "docs" / "graph.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    (code,) = [b for b in blocks if "from creditbank.graph import build_graph" in b]
    exec(compile(code, "docs/graph.md", "exec"), {})
