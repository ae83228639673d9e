"""A learner's profile (学员情况): what eligibility rules ask beyond achievements.

Optional, in the portfolio under ``profile:``. It holds work history (occupation of the
2022 classification, employer as an opaque id, sector, dates), the highest education
completed, professional titles held, migrant-worker status, union membership and region
(an administrative division code, never an address). Nothing in it identifies a person:
the portfolio's ``learner`` id is the only name, and a resident identity number
(身份证号) anywhere in an id is refused (``PERSONAL_IDENTIFIER``) as the ledger refuses it.

>>> p = Profile.model_validate({"education": "associate", "migrant_worker": True,
...     "region": "440300", "work": [{"occupation": "csco2022:6-31-01-03",
...     "start": "2019-03-01"}]})
>>> p.education, education_rank("bachelor") > education_rank(p.education)
('associate', True)
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, Field, StrictBool, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from creditbank.identifiers import looks_like_resident_id
from creditbank.models.common import date_range_error
from creditbank.models.values import Model, OccupationRef, StrictDate

__all__ = [
    "EDUCATION_LABELS",
    "TITLE_LEVEL_LABELS",
    "TITLE_SERIES_LABELS",
    "EducationLevel",
    "HeldTitle",
    "OpaqueId",
    "Profile",
    "RegionCode",
    "SectorCode",
    "TitleLevel",
    "TitleSeries",
    "WorkPeriod",
    "education_rank",
    "title_rank",
]

EducationLevel = Literal[
    "none",
    "primary",
    "junior_secondary",
    "senior_secondary",
    "associate",
    "bachelor",
    "master",
    "doctorate",
]
"""The highest education completed, lowest first (the order :func:`education_rank` uses)."""

EDUCATION_LABELS: dict[str, tuple[str, str]] = {
    "none": ("未受学历教育", "no formal education"),
    "primary": ("小学", "primary school"),
    "junior_secondary": ("初中", "junior secondary school"),
    "senior_secondary": ("高中/中专/中职/技工学校", "senior or vocational secondary"),
    "associate": ("大学专科（高职）", "associate degree (高职专科)"),
    "bachelor": ("大学本科", "bachelor's degree"),
    "master": ("硕士研究生", "master's degree"),
    "doctorate": ("博士研究生", "doctorate"),
}

TitleLevel = Literal["员级", "助理级", "中级", "副高级", "正高级"]
"""A professional title level (职称层级), lowest first."""

TITLE_LEVEL_LABELS: dict[str, str] = {
    "员级": "technician grade",
    "助理级": "assistant grade",
    "中级": "intermediate grade",
    "副高级": "associate senior grade",
    "正高级": "senior grade",
}

TitleSeries = Literal[
    "engineering",
    "agriculture",
    "arts_and_crafts",
    "cultural_heritage",
    "laboratory",
    "art",
    "sports",
    "technical_school_teachers",
]
"""Title series (职称系列) the 2020 MOHRSS opinion opens to high-skill workers, as reported
(see standards/README.md); other series are added when a rule needs them."""

TITLE_SERIES_LABELS: dict[str, tuple[str, str]] = {
    "engineering": ("工程", "engineering"),
    "agriculture": ("农业", "agriculture"),
    "arts_and_crafts": ("工艺美术", "arts and crafts"),
    "cultural_heritage": ("文物博物", "cultural heritage and museums"),
    "laboratory": ("实验技术", "laboratory technology"),
    "art": ("艺术", "art"),
    "sports": ("体育", "sports"),
    "technical_school_teachers": ("技工院校教师", "technical school teachers"),
}

assert set(EDUCATION_LABELS) == set(get_args(EducationLevel))
assert set(TITLE_LEVEL_LABELS) == set(get_args(TitleLevel))
assert set(TITLE_SERIES_LABELS) == set(get_args(TitleSeries))


def education_rank(level: str) -> int:
    """The position of an education level in :data:`EducationLevel` (higher is more)."""
    return get_args(EducationLevel).index(level)


def title_rank(level: str) -> int:
    """The position of a title level in :data:`TitleLevel` (higher is more senior)."""
    return get_args(TitleLevel).index(level)


_OPAQUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$")


def _check_opaque(value: Any) -> Any:
    if isinstance(value, str) and looks_like_resident_id(value):  # checked first: never echoed
        raise PydanticCustomError(
            "PERSONAL_IDENTIFIER",
            "this looks like a resident identity number (身份证号); a profile holds opaque "
            "ids only: use the employer's own code or a pseudonymous id",
        )
    if not isinstance(value, str) or not _OPAQUE.fullmatch(value):
        raise PydanticCustomError(
            "INVALID_VALUE",
            "not an opaque id: use 1 to 128 letters, digits and . _ : @ + -, starting with a "
            "letter or digit",
        )
    return value


OpaqueId = Annotated[
    str,
    BeforeValidator(_check_opaque),
    WithJsonSchema({"type": "string", "pattern": _OPAQUE.pattern}),
]
"""An id that names nothing by itself (an employer's code at the platform), never a 身份证号."""

_REGION = re.compile(r"^[1-9][0-9](?:[0-9]{2}(?:[0-9]{2})?)?$")
_SECTOR = re.compile(r"^[A-T](?:[0-9]{2}(?:[0-9]{1,2})?)?$")


def _code(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise PydanticCustomError("INVALID_VALUE", what)
        return value

    return BeforeValidator(check)


RegionCode = Annotated[
    str,
    _code(
        _REGION,
        "not an administrative division code (GB/T 2260): 2, 4 or 6 digits, e.g. 44 or "
        "440300; write it in quotes",
    ),
    WithJsonSchema({"type": "string", "pattern": _REGION.pattern}),
]
"""An administrative division code (GB/T 2260): 2 digits (province), 4 (prefecture) or 6
(county). A rule's region matches every code that begins with it."""

SectorCode = Annotated[
    str,
    _code(
        _SECTOR,
        "not an industry code of GB/T 4754: a section letter A–T, optionally with 2 to 4 "
        "digits, e.g. C or C38",
    ),
    WithJsonSchema({"type": "string", "pattern": _SECTOR.pattern}),
]
"""An industry code of GB/T 4754 (国民经济行业分类): a section letter A–T, optionally followed
by the division (2 digits), group (3) or class (4). A rule's sector matches every code that
begins with it (``C`` is all of manufacturing)."""


class WorkPeriod(Model):
    """One period of work: in which occupation, for which employer, in which sector.

    ``end`` is the last day worked (inclusive); none means the work goes on.
    """

    occupation: OccupationRef | None = None
    employer: OpaqueId | None = None
    sector: SectorCode | None = None
    start: StrictDate
    end: StrictDate | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> WorkPeriod:
        date_range_error(self.start, self.end, "start", "end")
        return self


class HeldTitle(Model):
    """A professional title (职称) the learner holds: series, level, and since when."""

    series: TitleSeries
    level: TitleLevel
    obtained_on: StrictDate


class Profile(Model):
    """What eligibility rules ask about a learner beyond achievements; every field optional.

    A rule that asks for a field the profile lacks is not met (the reason says the field
    is unknown), never guessed.
    """

    work: tuple[WorkPeriod, ...] = ()
    education: EducationLevel | None = Field(
        default=None, description="The highest education completed."
    )
    titles: tuple[HeldTitle, ...] = ()
    migrant_worker: StrictBool | None = Field(default=None, description="农民工")
    union_member: StrictBool | None = Field(default=None, description="工会会员")
    region: RegionCode | None = Field(
        default=None, description="Where the learner works: a GB/T 2260 division code."
    )
