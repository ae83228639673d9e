"""Model invariants: ordering by rank, exact amounts, one limit per cap, bilingual labels."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import jsonschema
import pytest
from hypothesis import given
from pydantic import TypeAdapter, ValidationError

from creditbank import Cap, CreditValue, Framework, Label, Portfolio, Rule
from creditbank.models.values import Credits, Factor, Share
from creditbank.testing import strategies as cst

CREDITS = TypeAdapter(Credits)


def _codes(error: ValidationError) -> list[str]:
    return [e["type"] for e in error.errors()]


SKILL = Framework.model_validate(
    {
        "id": "skill",
        "name": "职业技能等级",
        "example": True,
        "levels": [
            {"id": str(5 - i), "rank": i + 1, "name": name, "aliases": [alias]}
            for i, (name, alias) in enumerate(
                zip(
                    ["五级", "四级", "三级", "二级", "一级"],
                    ["初级工", "中级工", "高级工", "技师", "高级技师"],
                    strict=True,
                )
            )
        ],
    }
)


def test_one_is_the_highest_skill_level() -> None:
    assert [lvl.name.zh for lvl in SKILL.ordered()] == ["五级", "四级", "三级", "二级", "一级"]
    assert SKILL.at_least("一级", "二级") and not SKILL.at_least("五级", "四级")
    assert SKILL.level("高级技师") == SKILL.level("1") == SKILL.level("一级")


@given(cst.frameworks())
def test_ordered_is_sorted_by_rank_whatever_the_names(framework: Framework) -> None:
    ordered = framework.ordered()
    assert [lvl.rank for lvl in ordered] == sorted(lvl.rank for lvl in framework.levels)
    for low, high in pairwise(ordered):
        assert framework.at_least(high.id, low.id) and not framework.at_least(low.id, high.id)


def test_duplicate_rank_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        Framework.model_validate(
            {
                "id": "f",
                "name": "f",
                "levels": [
                    {"id": "a", "rank": 1, "name": "a"},
                    {"id": "b", "rank": 1, "name": "b"},
                ],
            }
        )
    assert "DUPLICATE_RANK" in _codes(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.5", Decimal("1.5")), (3, Decimal(3)), (0.5, Decimal("0.5")), ("0.25", Decimal("0.25"))],
)
def test_credits_are_exact(text: object, expected: Decimal) -> None:
    value = CREDITS.validate_python(text)
    assert value == expected and isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (0.1 + 0.2, "AMOUNT_PRECISION"),
        ("1.005", "AMOUNT_PRECISION"),
        (-1, "NEGATIVE_AMOUNT"),
        (float("nan"), "NOT_A_NUMBER"),
        ("inf", "NOT_A_NUMBER"),
        (True, "WRONG_TYPE"),
        ("three", "WRONG_TYPE"),
    ],
)
def test_bad_credits_are_refused_with_codes(text: object, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        CREDITS.validate_python(text)
    assert _codes(error.value) == [code]


@given(cst.amounts(100))
def test_credit_sums_stay_exact(amount: Decimal) -> None:
    value = CREDITS.validate_python(f"{amount:.2f}")
    assert value == amount and (value * 100) % 1 == 0


def test_shares_and_credit_values() -> None:
    assert TypeAdapter(Share).validate_python("50%") == Decimal("0.5")
    with pytest.raises(ValidationError):
        TypeAdapter(Share).validate_python("150%")
    assert CreditValue.model_validate("32 学时") == CreditValue(amount=Decimal(32), unit="hour")
    assert CreditValue.model_validate("5 ECTS").unit == "ects"
    with pytest.raises(ValidationError):
        CreditValue.model_validate("5 furlongs")


def test_labels() -> None:
    assert Label.model_validate("焊工").zh == "焊工"
    assert str(Label(zh="焊工", en="Welder")) == "焊工 (Welder)"
    assert Label(en="Welder").text("zh") == "Welder"
    with pytest.raises(ValidationError):
        Label.model_validate({})


def test_models_are_frozen_and_forbid_unknown_fields() -> None:
    with pytest.raises(ValidationError) as error:
        Framework.model_validate({**SKILL.model_dump(), "colour": "red"})
    assert _codes(error.value) == ["extra_forbidden"]
    with pytest.raises(ValidationError):
        SKILL.id = "other"  # type: ignore[misc]


def test_full_width_id_is_explained() -> None:
    with pytest.raises(ValidationError) as error:
        Portfolio.model_validate(
            {
                "learner": "w",
                "achievements": [{"id": "a", "unit": "cert－elec", "earned_on": "2024-01-01"}],
            }
        )
    message = error.value.errors()[0]["msg"]
    assert "full-width" in message and "'-'" in message


def test_cap_sets_exactly_one_limit() -> None:
    base = {"id": "c", "name": "c", "example": True}
    assert Cap.model_validate({**base, "max_share": "50%"}).max_share == Decimal("0.5")
    for limits in ({}, {"max_credits": 8, "max_count": 1}):
        with pytest.raises(ValidationError):
            Cap.model_validate({**base, **limits})
    with pytest.raises(ValidationError):
        Cap.model_validate({**base, "max_share": "0.5", "per": "achievement"})


def test_rule_condition_forms() -> None:
    rule = Rule.model_validate(
        {
            "id": "r",
            "name": "r",
            "example": True,
            "programs": ["p"],
            "when": {
                "n": 2,
                "of": [{"units": ["a"]}, {"units": ["b"]}, {"any_of": [{"tags": ["t"]}]}],
            },
            "then": {"kind": "credits", "requirement": "e", "credits_by_level": {"一等奖": 4}},
        }
    )
    assert type(rule.when).__name__ == "NOf"
    with pytest.raises(ValidationError):
        Rule.model_validate({**rule.model_dump(), "when": {"n": 4, "of": [{"units": ["a"]}]}})
    with pytest.raises(ValidationError) as error:
        Rule.model_validate({**rule.model_dump(), "when": {"level": {"at_least": "三级"}}})
    assert "MISSING_FIELD" in _codes(error.value)


def test_effective_dates_and_in_force() -> None:
    rule = Rule.model_validate(
        {
            "id": "r",
            "name": "r",
            "example": True,
            "programs": ["p"],
            "when": {"units": ["a"]},
            "then": {"kind": "credits", "requirement": "e", "credits": 1},
            "effective_from": "2020-01-01",
            "effective_until": "2022-12-31",
        }
    )
    from datetime import date

    assert rule.in_force(date(2021, 6, 1)) and not rule.in_force(date(2023, 1, 1))
    with pytest.raises(ValidationError) as error:
        Rule.model_validate({**rule.model_dump(), "effective_until": "2019-01-01"})
    assert "DATE_RANGE_REVERSED" in _codes(error.value)


@pytest.mark.parametrize(
    ("kind", "written"),
    [(Share, "50%"), (Share, "2/3"), (Share, "1"), (Factor, "1.5"), (Factor, "3/16")],
)
def test_a_share_as_written_back_matches_its_own_schema(kind: object, written: str) -> None:
    # Found by schemathesis (tests/service/test_schemathesis.py) on GET /v1/programs/{id}:
    # a share written back as a decimal is the JSON string "0.5", which the schema (a
    # number, a percent or a fraction) refused, so a client validating the OpenAPI
    # document rejected the programme. Written back, a value must read back.
    adapter: TypeAdapter[Fraction] = TypeAdapter(kind)
    dumped = adapter.dump_python(adapter.validate_python(written), mode="json")
    jsonschema.validate(dumped, adapter.json_schema(mode="serialization"))
    jsonschema.validate(dumped, adapter.json_schema(mode="validation"))
    assert adapter.validate_python(dumped) == adapter.validate_python(written)
