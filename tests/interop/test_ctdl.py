"""CTDL export: programmes as credentials, courses with credit values, rules as transfer values."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from creditbank.interop.ctdl import CTDL_CONTEXT, ctid, export_ctdl
from creditbank.interop.errors import InteropError
from creditbank.models import Standards

pytestmark = pytest.mark.usefixtures("no_network")


def test_a_programme_its_courses_and_rules(standards: Standards) -> None:
    graph = export_ctdl(standards, ["460301"])  # by catalogue code
    assert graph["@context"] == CTDL_CONTEXT
    by_id = {r["@id"]: r for r in graph["@graph"]}
    assert len(by_id) == len(graph["@graph"])
    program = by_id["urn:ctid:" + ctid("program", "demo-college:460301")]
    assert program["@type"] == "ceterms:AssociateDegree"  # 高职专科
    assert program["ceterms:name"]["zh-CN"] == "机电一体化技术"
    assert program["ceterms:identifier"][0]["ceterms:identifierValueCode"] == "460301"
    conditions = program["ceterms:requires"]
    assert all(c["@type"] == "ceterms:ConditionProfile" for c in conditions)
    assert len(conditions) == len(standards.programs["demo-college:460301"].requirements)
    course = by_id["urn:ctid:" + ctid("unit", "course:electrical-engineering-basics")]
    assert course["@type"] == "ceterms:Course"
    (value,) = course["ceterms:creditValue"]
    assert value["@type"] == "ceterms:ValueProfile" and value["schema:value"] == 4
    assert value["ceterms:creditUnitType"][0]["ceterms:targetNode"] == "creditUnit:DegreeCredit"
    # every reference in the graph resolves inside it
    text = json.dumps(graph)
    for ref in set(re.findall(r'"(urn:ctid:ce-[0-9a-f-]+)"', text)):
        assert ref in by_id, ref


def test_every_rule_of_the_programme_is_a_transfer_value_profile(standards: Standards) -> None:
    graph = export_ctdl(standards, ["demo-college:460301"])
    profiles = {
        r["ceterms:ctid"]: r
        for r in graph["@graph"]
        if r["@type"] == "ceterms:TransferValueProfile"
    }
    rules = [r for r in standards.rules.values() if "demo-college:460301" in r.programs]
    assert len(profiles) == len(rules) > 0
    for rule in rules:
        profile = profiles[ctid("rule", rule.id)]
        assert profile["ceterms:transferValue"], rule.id
        assert all(v["@type"] == "ceterms:ValueProfile" for v in profile["ceterms:transferValue"])
        assert "ceterms:transferValueFrom" in profile and "ceterms:transferValueFor" in profile
        if rule.effective_from is not None:
            assert profile["ceterms:startDate"] == rule.effective_from.isoformat()
        if rule.effective_until is not None:
            assert profile["ceterms:endDate"] == rule.effective_until.isoformat()


def test_a_rules_effective_dates_become_start_and_end_dates(standards: Standards) -> None:
    rule = next(r for r in standards.rules.values() if "demo-college:460301" in r.programs)
    dated = rule.model_copy(
        update={"effective_from": dt.date(2021, 9, 1), "effective_until": dt.date(2026, 8, 31)}
    )
    items = [dated if item is rule else item for item in standards]
    graph = export_ctdl(Standards(items), ["demo-college:460301"])
    (profile,) = [r for r in graph["@graph"] if r["ceterms:ctid"] == ctid("rule", rule.id)]
    assert (profile["ceterms:startDate"], profile["ceterms:endDate"]) == (
        "2021-09-01",
        "2026-08-31",
    )


def test_certificates_are_certifications_and_certificates(standards: Standards) -> None:
    graph = export_ctdl(standards, [], certificates=True)
    types = {r["ceterms:ctid"]: r["@type"] for r in graph["@graph"]}
    assert types[ctid("unit", "skill:csco2022:6-31-01-03")] == "ceterms:Certification"
    x_certificates = [u for u in standards.units.values() if u.kind == "x_certificate"]
    assert all(types[ctid("unit", u.id)] == "ceterms:Certificate" for u in x_certificates)
    electrician = next(
        r for r in graph["@graph"] if r["ceterms:ctid"] == ctid("unit", "skill:csco2022:6-31-01-03")
    )
    assert electrician["ceterms:occupationType"][0]["ceterms:codedNotation"] == "6-31-01-03"


def test_an_unknown_programme(standards: Standards) -> None:
    with pytest.raises(InteropError) as caught:
        export_ctdl(standards, ["999999"])
    assert caught.value.code == "UNKNOWN_ITEM"


def test_a_team_only_match_selects_no_individual_award(standards: Standards) -> None:
    """Regression: the export kept its own copy of the engine's unit matching, without the
    team check, and listed individual awards under a rule for team awards."""
    from creditbank.interop.ctdl import _selected_units
    from creditbank.models import AwardUnit, Match

    found = [u for u in standards.units.values() if isinstance(u, AwardUnit)]
    assert found and not any(u.team for u in found)  # every bundled award is individual
    awards = {u.id for u in found}
    team = Match.model_validate({"unit_kinds": ["award"], "team": True})
    individual = Match.model_validate({"unit_kinds": ["award"], "team": False})
    assert _selected_units(team, standards) == []
    assert {u.id for u in _selected_units(individual, standards)} == awards
