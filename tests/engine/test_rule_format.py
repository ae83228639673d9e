"""What the rule format can say (issue 15): exact shares, grade windows and tables, attempts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from creditbank import (
    Cap,
    GradeCondition,
    GradeScale,
    LoadError,
    RecordedGrade,
    Rule,
    load_standards,
)
from creditbank.models.values import Share, share_of, share_text

SHARE = TypeAdapter(Share)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2/3", Fraction(2, 3)),
        (" 1 / 3 ", Fraction(1, 3)),
        ("25%", Fraction(1, 4)),
        ("0.6667", Fraction(6667, 10000)),
        (0.5, Fraction(1, 2)),
        (1, Fraction(1)),
    ],
)
def test_shares_are_exact_fractions(text: object, expected: Fraction) -> None:
    assert SHARE.validate_python(text) == expected


@pytest.mark.parametrize("text", ["3/2", "0/3", "1/0", "2/3%", "-1/3", "0.66667"])
def test_bad_shares_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        SHARE.validate_python(text)


def test_shares_are_written_back_as_read() -> None:
    cap = Cap.model_validate({"id": "c", "name": "c", "example": True, "max_share": "2/3"})
    assert cap.model_dump(mode="json")["max_share"] == "2/3"
    assert Cap.model_validate(cap.model_dump(mode="json")) == cap
    assert share_text(Fraction(1, 2)) == "0.5"  # as a Decimal share was written before


@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=10**6),
)
def test_a_share_floored_in_hundredths_admits_the_same_sums(
    total: int, a: int, b: int, used: int
) -> None:
    """For any sum of credits in hundredths: sum <= share x total exactly, iff sum <= the
    floored limit the allocator is given."""
    share = Fraction(min(a, b), max(a, b))
    amount = Decimal(total).scaleb(-2)
    limit = share_of(amount, share)
    assert (Fraction(used, 100) <= share * Fraction(amount)) == (Decimal(used).scaleb(-2) <= limit)
    assert limit * 100 == int(limit * 100)


def test_two_thirds_of_a_hundred_is_not_rounded_up() -> None:
    assert share_of(Decimal(100), Fraction(2, 3)) == Decimal("66.66")
    assert share_of(Decimal(100), SHARE.validate_python("0.6667")) == Decimal("66.67")


def test_grade_window_needs_a_bound_and_shows_its_band() -> None:
    with pytest.raises(ValidationError, match="at_least"):
        GradeCondition.model_validate({"scale": "percent"})
    assert GradeCondition.model_validate({"at_least": 50, "at_most": 62}).band() == "50–62"
    assert GradeCondition.model_validate({"at_most": "B"}).band() == "≤ B"
    assert GradeCondition.model_validate({"at_least": 60}).band() == "≥ 60"


def _scale(**fields: object) -> GradeScale:
    base: dict[str, object] = {"id": "s", "name": "s", "example": True, "kind": "numeric"}
    return GradeScale.model_validate({**base, "minimum": 1, "maximum": 5, **fields})


def test_conversion_tables_take_the_first_row_that_holds() -> None:
    german = _scale(
        lower_is_better=True,
        convert=[
            {
                "scale": "letter-af",
                "table": [{"at_most": 1.5, "to": "A"}, {"at_most": 2.5, "to": "B"}, {"to": "F"}],
            }
        ],
    )
    assert german.converted("letter-af", score=Decimal("1.5"), grade=None) == "A"
    assert german.converted("letter-af", score=Decimal("1.7"), grade=None) == "B"
    assert german.converted("letter-af", score=Decimal("4.7"), grade=None) == "F"
    assert german.converted("percent", score=Decimal("1.7"), grade=None) is None
    assert german.better(Decimal("1.3"), Decimal("2"))


@pytest.mark.parametrize(
    "fields",
    [
        {"convert": [{"scale": "x", "table": [{"at_least": 3, "at_most": 2, "to": "A"}]}]},
        {"convert": [{"scale": "x", "table": [{"at_least": 3, "grade": "A", "to": "A"}]}]},
        {"convert": [{"scale": "x", "table": []}]},
        {
            "convert": [
                {"scale": "x", "table": [{"to": "A"}]},
                {"scale": "x", "table": [{"to": "B"}]},
            ]
        },
    ],
)
def test_bad_conversion_tables_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _scale(**fields)


def test_lower_is_better_is_for_numeric_scales() -> None:
    with pytest.raises(ValidationError, match="lower_is_better"):
        GradeScale.model_validate(
            {
                "id": "s",
                "name": "s",
                "example": True,
                "kind": "ordinal",
                "lower_is_better": True,
                "grades": [{"id": "A", "rank": 1}],
            }
        )


def test_exempt_is_a_policy_without_a_value() -> None:
    assert RecordedGrade.model_validate({"policy": "exempt"}).value is None
    with pytest.raises(ValidationError):
        RecordedGrade.model_validate({"policy": "exempt", "value": 60})


def test_attempts_default_to_best() -> None:
    rule = {
        "id": "r",
        "name": "r",
        "example": True,
        "programs": ["p"],
        "when": {"units": ["u"]},
        "then": {"kind": "credits", "requirement": "e", "credits": 1},
    }
    assert Rule.model_validate(rule).attempts == "best"
    assert Rule.model_validate({**rule, "attempts": "first"}).attempts == "first"
    with pytest.raises(ValidationError):
        Rule.model_validate({**rule, "attempts": "last"})


def test_unit_factors_are_exact_and_positive() -> None:
    from creditbank import CreditValue, Program

    base = {
        "id": "p",
        "name": "p",
        "example": True,
        "education_level": "bachelor",
        "total_credits": 120,
        "requirements": [{"id": "e", "name": "e", "kind": "elective_pool", "min_credits": 9}],
    }
    quarter = Program.model_validate(
        {**base, "credit_unit": "quarter_hour", "unit_factors": {"semester_hour": 1.5}}
    )
    assert quarter.in_credit_unit(CreditValue.model_validate("3 semester_hours")) == Decimal("4.5")
    assert quarter.in_credit_unit(CreditValue.model_validate("7 quarter_hours")) == Decimal(7)
    assert quarter.in_credit_unit(CreditValue.model_validate("7 ECTS")) is None
    credit = Program.model_validate({**base, "unit_factors": {"hour": "1/16"}})
    assert credit.in_credit_unit(CreditValue.model_validate("40 学时")) == Decimal("2.5")
    assert credit.in_credit_unit(CreditValue.model_validate("4")) == Decimal(4)
    for bad in (0, "0/3", "-1", "1/0"):
        with pytest.raises(ValidationError):
            Program.model_validate({**base, "unit_factors": {"ects": bad}})
    with pytest.raises(ValidationError):
        Program.model_validate({**base, "unit_factors": {"furlong": 2}})


def _load_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_standards(path)
    return [f"{p.code} {p.message}" for p in caught.value.problems]


def test_an_unquoted_comma_in_a_flow_mapping_gets_a_hint(tmp_path: Path) -> None:
    text = (
        "kind: rules\nexample: true\nitems:\n"
        '  - {id: "ex:r", name: 1 credit, rounded down to 0.5, programs: ["demo-college:460301"],'
        ' when: {units: ["x:plc-programming"]}, then: {kind: credits, requirement: core,'
        " credits: 1}}\n"
    )
    (message,) = [m for m in _load_problems(tmp_path, text) if m.startswith("UNKNOWN_FIELD")]
    assert message.startswith("UNKNOWN_FIELD unknown field `rounded down to 0.5`")
    assert 'put the whole text in quotes: "…, rounded down to 0.5"' in message


def test_unknown_grade_says_when_no_scale_has_named_grades(tmp_path: Path) -> None:
    text = """\
kind: standards
example: true
units:
  - {id: "other:ex-u", kind: other, name: u}
programs:
  - id: "ex:p"
    name: p
    education_level: higher_vocational
    total_credits: 10
    requirements: [{id: e, name: e, kind: elective_pool, min_credits: 5}]
rules:
  - id: "ex:r"
    name: r
    programs: ["ex:p"]
    when: {units: ["other:ex-u"], grade: {at_least: 良好}}
    then: {kind: credits, requirement: e, credits: 1}
"""
    path = tmp_path / "alone.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_standards(path)
    (message,) = [p.message for p in caught.value.problems]
    assert "no grade scale with named grades is loaded" in message
    with_percent = (
        text + "grade_scales:\n  - {id: pc, name: p, kind: numeric, minimum: 0, maximum: 100}\n"
    )
    path.write_text(with_percent.replace("at_least: 良好}", "at_least: 良好, scale: pc}"), "utf-8")
    with pytest.raises(LoadError) as caught:
        load_standards(path)
    assert "scale 'pc' is numeric: give a number" in caught.value.problems[0].message


def test_conversion_rows_name_grades_of_their_scales(tmp_path: Path) -> None:
    text = """\
kind: grade_scales
example: true
items:
  - {id: letter-af, name: af, kind: ordinal, grades: [{id: A, rank: 2}, {id: F, rank: 1}]}
  - id: "ex:fr"
    name: fr
    kind: numeric
    minimum: 0
    maximum: 20
    convert: [{scale: letter-af, table: [{at_least: 10, to: Q}]}]
"""
    (message,) = _load_problems(tmp_path, text)
    assert message.startswith("UNKNOWN_GRADE scale 'letter-af' has no grade 'Q'")


def _schema_errors(kind: str, document: dict[str, object]) -> list[str]:
    import json

    import jsonschema
    from click.testing import CliRunner

    from creditbank.cli import cli

    result = CliRunner().invoke(cli, ["schema", kind])
    assert result.exit_code == 0, result.output
    validator = jsonschema.Draft202012Validator(json.loads(result.output))
    return [e.message for e in validator.iter_errors(document)]


def test_the_schema_knows_the_new_forms() -> None:
    """`creditbank schema` accepts every construct of issue 15 the loader accepts."""
    rule = {
        "id": "r",
        "name": "r",
        "example": True,
        "programs": ["p"],
        "attempts": "first",
        "when": {"units": ["u"], "grade": {"at_least": 50, "at_most": 62, "scale": "s"}},
        "then": {"kind": "course_credits", "course": "c", "share": "1/3"},
    }
    cap = {"id": "c", "name": "c", "example": True, "max_share": "2/3"}
    scale = {
        "id": "s",
        "name": "s",
        "kind": "numeric",
        "minimum": 1,
        "maximum": 5,
        "lower_is_better": True,
        "convert": [{"scale": "letter-af", "table": [{"at_most": 1.5, "to": "A"}, {"to": "F"}]}],
    }
    program = {
        "id": "p",
        "name": "p",
        "example": True,
        "education_level": "bachelor",
        "total_credits": 360,
        "credit_unit": "uk_credit",
        "unit_factors": {"ects": 2, "hour": "1/16"},
        "requirements": [{"id": "e", "name": "e", "kind": "elective_pool", "min_credits": 9}],
    }
    exempt = {
        **rule,
        "then": {
            "kind": "exempt_courses",
            "courses": ["c"],
            "recorded_grade": {"policy": "exempt"},
        },
    }
    assert _schema_errors("rules", {"kind": "rules", "items": [rule, exempt]}) == []
    assert _schema_errors("caps", {"kind": "caps", "items": [cap]}) == []
    assert _schema_errors("grade_scales", {"kind": "grade_scales", "items": [scale]}) == []
    assert _schema_errors("programs", {"kind": "programs", "items": [program]}) == []
    bad = {**cap, "max_share": "2/three"}
    assert _schema_errors("caps", {"kind": "caps", "items": [bad]})
