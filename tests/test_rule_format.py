"""What the rule format can say (issue 15): exact shares, grade windows and tables, attempts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from creditbank import Cap, GradeCondition, GradeScale, RecordedGrade, Rule
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
