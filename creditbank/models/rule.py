"""Conversion rules (转换规则): which achievements convert into what, under which conditions.

A rule has three parts, mirrored later by the engine's decisions:

* ``when`` — a :data:`Condition`: a :class:`Match` on one achievement (unit, level,
  grade, recency, validity, issuer, hours …), or a combination of several achievements
  (``all_of``, ``any_of``, ``n`` of ``of``);
* ``then`` — a :data:`Target`: exempt courses, credits into a requirement, hours converted
  at a rate, or partial credit towards a course;
* its own dates, priority, whether an achievement it uses may also be used elsewhere
  (``shareable``), and which attempts at an outcome count (``attempts: first`` — retakes never).

Caps that limit many rules at once are :class:`creditbank.models.cap.Cap` items.

>>> rule = Rule.model_validate({
...     "id": "r1", "name": "电工三级 → 电工技术", "example": True, "programs": ["p"],
...     "when": {"units": ["cert-electrician"], "level": {"at_least": "三级"}},
...     "then": {"kind": "exempt_courses", "courses": ["c-electrics"],
...              "recorded_grade": {"policy": "fixed", "value": 60}}})
>>> rule.then.kind, rule.when.level.at_least
('exempt_courses', '三级')
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Discriminator,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    StrictInt,
    Tag,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from creditbank.models.common import Item as _Item
from creditbank.models.common import date_range_error
from creditbank.models.units import AwardTier, CourseType, LevelCreditsTable, Scope, UnitKind
from creditbank.models.values import (
    Amount,
    CourseRef,
    Credits,
    GradeScaleRef,
    Hours,
    IssuerRef,
    LevelName,
    LocalId,
    Model,
    OccupationRef,
    PositiveAmount,
    ProgramRef,
    Share,
    StrictDate,
    UnitRef,
)

__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "CourseCredits",
    "ExemptCourses",
    "GradeCondition",
    "Guarantee",
    "HoursToCredits",
    "LevelCondition",
    "Match",
    "NOf",
    "RecordedGrade",
    "RequirementCredits",
    "Rule",
    "Target",
    "Within",
]


class LevelCondition(Model):
    """A level window: ``at_least`` and/or ``at_most`` (by rank), or ``one_of`` named levels."""

    at_least: LevelName | None = None
    at_most: LevelName | None = None
    one_of: tuple[LevelName, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if isinstance(data, str | int) and not isinstance(data, bool):
            return {"one_of": [data]}
        return data

    @model_validator(mode="after")
    def _says_something(self) -> LevelCondition:
        if self.at_least is None and self.at_most is None and not self.one_of:
            raise PydanticCustomError(
                "MISSING_FIELD",
                "a level condition needs `at_least`, `at_most` or `one_of`",
                {"field": "at_least"},
            )
        if self.one_of and (self.at_least is not None or self.at_most is not None):
            raise PydanticCustomError(
                "INVALID_VALUE", "use either `one_of` or a range, not both", {"field": "one_of"}
            )
        return self

    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.at_least, self.at_most, *self.one_of) if n is not None)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [handler(schema), {"type": ["string", "integer"]}]}


class GradeCondition(Model):
    """A result window: a grade on a scale (优秀/良好/合格, A–F) or a score (percent).

    ``at_least`` is a minimum, ``at_most`` a maximum (both inclusive, give one or both): a
    score band of a credit-by-exam table is ``{at_least: 50, at_most: 62}``. Bounds follow the
    scale's order, so on a scale where lower is better ``at_least: 2.0`` means 2.0 or better.
    """

    at_least: LevelName | Amount | None = None
    at_most: LevelName | Amount | None = None
    scale: GradeScaleRef | None = Field(
        default=None,
        description="Scale of the bounds; results on other scales convert through the "
        "scale's declared table, else compare by percent.",
    )

    @field_validator("at_least", "at_most", mode="before")
    @classmethod
    def _number_or_name(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return value

    @model_validator(mode="after")
    def _a_bound(self) -> GradeCondition:
        if self.at_least is None and self.at_most is None:
            raise PydanticCustomError(
                "MISSING_FIELD",
                "a grade condition needs `at_least`, `at_most` or both",
                {"field": "at_least"},
            )
        return self

    def band(self) -> str:
        """The window as text: ``≥ 50``, ``≤ 62`` or ``50–62``."""
        if self.at_most is None:
            return f"≥ {self.at_least}"
        if self.at_least is None:
            return f"≤ {self.at_most}"
        return f"{self.at_least}–{self.at_most}"


class Within(Model):
    """A duration for recency: earned within so many years and months of the as-of date."""

    years: StrictInt = Field(default=0, ge=0, le=100)
    months: StrictInt = Field(default=0, ge=0, le=1200)

    @model_validator(mode="before")
    @classmethod
    def _years_short_form(cls, data: Any) -> Any:
        if isinstance(data, int) and not isinstance(data, bool):
            return {"years": data}
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [handler(schema), {"type": "integer", "minimum": 1}]}

    @model_validator(mode="after")
    def _positive(self) -> Within:
        if self.years == 0 and self.months == 0:
            raise PydanticCustomError("INVALID_VALUE", "a recency window must be longer than zero")
        return self


class Match(Model):
    """Conditions on one achievement. Every given condition must hold.

    Selection (at least one): ``units``, ``unit_kinds``, ``occupations``, ``families``, ``tags``.
    """

    units: tuple[UnitRef, ...] = Field(
        default=(), description="Achievement is of one of these units."
    )
    unit_kinds: tuple[UnitKind, ...] = ()
    occupations: tuple[OccupationRef, ...] = ()
    families: tuple[str, ...] = ()
    tags: tuple[str, ...] = Field(default=(), description="The unit has every one of these tags.")
    scopes: tuple[Scope, ...] = Field(
        default=(), description="The certificate's scope is one of these."
    )
    tiers: tuple[AwardTier, ...] = Field(
        default=(), description="The award's tier is one of these."
    )
    level: LevelCondition | None = None
    grade: GradeCondition | None = None
    earned_within: Within | None = Field(default=None, description="Recency, from the as-of date.")
    earned_from: StrictDate | None = None
    earned_until: StrictDate | None = None
    must_be_valid: StrictBool = Field(default=True, description="Not expired on the as-of date.")
    issuer_authorised: StrictBool = Field(
        default=True, description="The issuer is authorised for the unit in the standards."
    )
    issuers: tuple[IssuerRef, ...] = Field(default=(), description="Issued by one of these.")
    min_hours: Hours | None = None
    max_hours: Hours | None = None
    assessed: StrictBool | None = None
    online: StrictBool | None = Field(
        default=None, description="Earned online (the achievement's own flag, else its unit's)."
    )
    team: StrictBool | None = Field(default=None, description="A team (not individual) award.")

    def matches(self) -> tuple[Match, ...]:
        """The single-achievement conditions inside: a match is its own one."""
        return (self,)

    @model_validator(mode="after")
    def _selects_something(self) -> Match:
        if not (self.units or self.unit_kinds or self.occupations or self.families or self.tags):
            raise PydanticCustomError(
                "MISSING_FIELD",
                "a condition must say which achievements it matches: give `units`, `unit_kinds`, "
                "`occupations`, `families` or `tags`",
                {"field": "units"},
            )
        date_range_error(self.earned_from, self.earned_until, "earned_from", "earned_until")
        if (
            self.min_hours is not None
            and self.max_hours is not None
            and self.max_hours < self.min_hours
        ):
            raise PydanticCustomError(
                "INVALID_VALUE", "max_hours is below min_hours", {"field": "max_hours"}
            )
        return self


class _Combination(Model):
    """A condition over several achievements: its ``parts`` are conditions in their own right,
    written under the field ``parts_field``."""

    parts_field: ClassVar[str]

    @property
    def parts(self) -> tuple[Condition, ...]:
        raise NotImplementedError  # pragma: no cover - every combination names its parts

    def matches(self) -> tuple[Match, ...]:
        """The single-achievement conditions inside, in order (the one walk over a condition
        tree: the engine's index, the graph and the exports all read it)."""
        return tuple(match for part in self.parts for match in part.matches())


class AllOf(_Combination):
    """Several achievements together (many-to-one): one distinct achievement per condition."""

    parts_field: ClassVar[str] = "all_of"
    all_of: tuple[Condition, ...] = Field(min_length=1)

    @property
    def parts(self) -> tuple[Condition, ...]:
        return self.all_of


class AnyOf(_Combination):
    """Any one of the alternatives."""

    parts_field: ClassVar[str] = "any_of"
    any_of: tuple[Condition, ...] = Field(min_length=1)

    @property
    def parts(self) -> tuple[Condition, ...]:
        return self.any_of


class NOf(_Combination):
    """At least ``n`` of the conditions, each met by a distinct achievement."""

    parts_field: ClassVar[str] = "of"
    n: StrictInt = Field(ge=1)
    of: tuple[Condition, ...] = Field(min_length=1)

    @property
    def parts(self) -> tuple[Condition, ...]:
        return self.of

    @model_validator(mode="after")
    def _n_fits(self) -> NOf:
        if self.n > len(self.of):
            raise PydanticCustomError(
                "INVALID_VALUE",
                "n = {n} but only {m} conditions are given",
                {"n": self.n, "m": len(self.of), "field": "n"},
            )
        return self


def _condition_tag(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("all_of", "any_of"):
            if key in value:
                return key
        return "n_of" if "n" in value or "of" in value else "match"
    tags: dict[type, str] = {AllOf: "all_of", AnyOf: "any_of", NOf: "n_of"}
    return tags.get(type(value), "match")


Condition = Annotated[
    Annotated[Match, Tag("match")]
    | Annotated[AllOf, Tag("all_of")]
    | Annotated[AnyOf, Tag("any_of")]
    | Annotated[NOf, Tag("n_of")],
    Discriminator(_condition_tag),
]
"""A condition: a :class:`Match`, or ``all_of`` / ``any_of`` / ``n`` + ``of`` combinations."""


class RecordedGrade(Model):
    """How an exempted course is recorded: a fixed grade (60, 合格), carried over, 'pass',
    or 'exempt' (免修: no grade at all, so the course stays outside any grade average)."""

    policy: Literal["fixed", "carry_over", "pass", "exempt"] = "pass"
    value: LevelName | Amount | None = None
    scale: GradeScaleRef | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _number_first(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        return value

    @model_validator(mode="after")
    def _value_when_fixed(self) -> RecordedGrade:
        if (self.policy == "fixed") != (self.value is not None):
            raise PydanticCustomError(
                "INVALID_VALUE", "give `value` exactly when policy is `fixed`", {"field": "value"}
            )
        return self


class ExemptCourses(Model):
    """Course exemption (课程免修/替代): the achievement completes courses of the programme.

    Name the ``courses``, or select them by ``course_types`` / ``requirements`` (e.g. rule R4:
    初级 → professional-foundation courses). ``choose: all`` exempts every selected course
    (one-to-many); ``choose: any`` lets the engine pick up to ``max_courses`` of them.
    """

    kind: Literal["exempt_courses"] = "exempt_courses"
    courses: tuple[CourseRef, ...] = ()
    course_types: tuple[CourseType, ...] = ()
    requirements: tuple[LocalId, ...] = ()
    choose: Literal["all", "any"] = "all"
    max_courses: StrictInt | None = Field(default=None, ge=1)
    # model_construct: an instance made at import would build RecordedGrade's validators.
    recorded_grade: RecordedGrade = RecordedGrade.model_construct()
    min_coverage: Literal["credits", "hours", "credits_or_hours"] | None = Field(
        default=None,
        description="The achievement's own credits / hours must be at least the course's.",
    )

    def named_courses(self) -> tuple[str, ...]:
        """The courses the rule names itself (not those it selects by type or requirement)."""
        return tuple(map(str, self.courses))

    def credited_requirement(self) -> str | None:
        """The requirement credits go into directly: none, an exemption completes courses."""
        return None

    @model_validator(mode="after")
    def _selects_courses(self) -> ExemptCourses:
        if not (self.courses or self.course_types or self.requirements):
            raise PydanticCustomError(
                "MISSING_FIELD",
                "say which courses: `courses`, `course_types` or `requirements`",
                {"field": "courses"},
            )
        return self


class RequirementCredits(Model):
    """Credits into a requirement category or elective pool (学分认定).

    Exactly one of: ``credits`` (a fixed amount), ``credits_by_level`` (by level or prize),
    ``from_unit: recognised`` (the credits the bank recognised for the unit) or
    ``from_unit: stated`` (the achievement's own credits).
    """

    kind: Literal["credits"] = "credits"
    requirement: LocalId
    credits: Credits | None = None
    credits_by_level: LevelCreditsTable = ()
    from_unit: Literal["recognised", "stated"] | None = None

    def named_courses(self) -> tuple[str, ...]:
        """No course: the credits go into a requirement."""
        return ()

    def credited_requirement(self) -> str | None:
        """The requirement the credits go into."""
        return self.requirement

    @model_validator(mode="after")
    def _one_amount(self) -> RequirementCredits:
        given = [self.credits is not None, bool(self.credits_by_level), self.from_unit is not None]
        if sum(given) != 1:
            raise PydanticCustomError(
                "INVALID_VALUE",
                "give exactly one of `credits`, `credits_by_level` or `from_unit`",
                {"field": "credits"},
            )
        return self


_ROUNDING = {
    "down": ROUND_FLOOR,
    "up": ROUND_CEILING,
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
}


class HoursToCredits(Model):
    """Hours of training converted at a rate: credits = round(hours / hours_per_credit, step)."""

    kind: Literal["hours_to_credits"] = "hours_to_credits"
    requirement: LocalId
    hours_per_credit: PositiveAmount | None = Field(
        default=None, description="Hours for one credit; default: the programme's hours_per_credit."
    )
    rounding: Literal["down", "up", "half_up", "half_even"] = "down"
    step: Credits = Field(default=Decimal(1), description="Round to a multiple of this, e.g. 0.5.")
    min_hours: Hours | None = None
    max_credits: Credits | None = None

    def named_courses(self) -> tuple[str, ...]:
        """No course: the credits go into a requirement."""
        return ()

    def credited_requirement(self) -> str | None:
        """The requirement the credits go into."""
        return self.requirement

    def rounded(self, credits: Decimal) -> Decimal:
        """``credits`` rounded to a multiple of ``step`` the rule's way (``rounding``)."""
        steps = (credits / self.step).quantize(Decimal(1), rounding=_ROUNDING[self.rounding])
        return steps * self.step

    @field_validator("step")
    @classmethod
    def _positive_step(cls, value: Any) -> Any:
        if value == 0:
            raise PydanticCustomError("INVALID_VALUE", "step must be more than 0")
        return value


class CourseCredits(Model):
    """Partial credit: some credits towards a course (and its requirement) without completing it."""

    kind: Literal["course_credits"] = "course_credits"
    course: CourseRef
    credits: Credits | None = None
    share: Share | None = Field(default=None, description="Fraction of the course's credits.")

    def named_courses(self) -> tuple[str, ...]:
        """The course credited in part."""
        return (str(self.course),)

    def credited_requirement(self) -> str | None:
        """None: the credits go to a course (and count in whichever requirement holds it)."""
        return None

    @model_validator(mode="after")
    def _one_amount(self) -> CourseCredits:
        if (self.credits is None) == (self.share is None):
            raise PydanticCustomError(
                "INVALID_VALUE", "give exactly one of `credits` or `share`", {"field": "credits"}
            )
        return self


Target = Annotated[
    ExemptCourses | RequirementCredits | HoursToCredits | CourseCredits,
    Field(discriminator="kind"),
]
"""What a rule converts into; ``kind`` says which."""


class Guarantee(Model):
    """A guaranteed minimum of an agreement (articulation, block transfer): at least
    ``min_credits`` of the rule's credits are accepted whatever institutional caps say;
    statutory caps still bind."""

    min_credits: Credits


class Rule(_Item):
    """A conversion rule of one or more programmes."""

    item_kind: ClassVar[str] = "rule"

    programs: tuple[ProgramRef, ...] = Field(min_length=1, description="Programmes it applies to.")
    when: Condition
    then: Target
    shareable: StrictBool = Field(
        default=False, description="An achievement used here may also be used by other rules."
    )
    priority: StrictInt = Field(
        default=0, description="Higher wins ties between equal allocations."
    )
    attempts: Literal["best", "first"] = Field(
        default="best",
        description="Which of a learner's attempts at one outcome may count: `best` (any; one "
        "converts) or `first` (only the earliest, even when it failed: retakes give nothing). "
        "An outcome is one occupation under any code edition, at one level: a higher level "
        "is a new result, not a retake.",
    )
    guarantee: Guarantee | None = Field(
        default=None,
        description="An agreement's floor: at least `min_credits` accepted, institutional "
        "caps do not count it (rules of `kind: credits` only).",
    )

    @model_validator(mode="after")
    def _guarantee_of_credits(self) -> Rule:
        if self.guarantee is not None and not isinstance(self.then, RequirementCredits):
            raise PydanticCustomError(
                "INVALID_VALUE",
                "a guarantee is a minimum of credits: give it to a rule of `kind: credits`",
                {"field": "guarantee"},
            )
        return self
