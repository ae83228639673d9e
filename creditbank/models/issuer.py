"""Issuers: who may issue which units (employers, evaluation organisations, schools, …)."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Item, date_range_error
from creditbank.models.units import UnitKind
from creditbank.models.values import LevelName, Model, OccupationRef, StrictDate, UnitRef

__all__ = [
    "Authorisation",
    "CredentialIssuerId",
    "Issuer",
    "IssuerKind",
    "check_credential_issuer_id",
]

IssuerKind = Literal[
    "government",  # 人社部门 and other authorities
    "school",  # a school; its programmes and reviewers
    "employer",  # 用人单位 accredited for skill-level assessment
    "evaluation_organisation",  # 社会培训评价组织 (also 1+X 培训评价组织)
    "training_provider",
    "competition_organiser",
    "credit_bank",
    "other",
]


_DID = re.compile(r"did:[a-z0-9]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._%-]")


def check_credential_issuer_id(value: Any) -> str:
    """An identifier a credential may name as its issuer: a DID or an absolute http(s) URL.

    >>> check_credential_issuer_id("https://issuers.example/demo")
    'https://issuers.example/demo'
    """
    if not isinstance(value, str):
        raise PydanticCustomError(
            "WRONG_TYPE",
            "an issuer identifier must be text, got {got}",
            {"got": type(value).__name__},
        )
    if _DID.fullmatch(value):
        return value
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc and not any(c.isspace() for c in value):
        return value
    raise PydanticCustomError(
        "INVALID_VALUE",
        "issuer identifier '{value}' is neither a DID (did:method:id) nor an absolute http(s) "
        "URL; write it exactly as credentials name their issuer",
        {"value": value},
    )


CredentialIssuerId = Annotated[
    str,
    BeforeValidator(check_credential_issuer_id),
    WithJsonSchema({"type": "string", "pattern": "^(did:[a-z0-9]+:|https?://)"}),
]
"""The id a verifiable credential gives its issuer (``issuer`` / ``issuer.id``)."""


class Authorisation(Model):
    """Which units an issuer may issue: named units, or every unit of some kinds or occupations.

    ``levels`` limits the grant to those levels (empty: any level).
    """

    units: tuple[UnitRef, ...] = ()
    unit_kinds: tuple[UnitKind, ...] = ()
    occupations: tuple[OccupationRef, ...] = ()
    levels: tuple[LevelName, ...] = ()
    effective_from: StrictDate | None = None
    effective_until: StrictDate | None = None

    @model_validator(mode="after")
    def _names_something(self) -> Authorisation:
        date_range_error(
            self.effective_from, self.effective_until, "effective_from", "effective_until"
        )
        if not (self.units or self.unit_kinds or self.occupations):
            raise PydanticCustomError(
                "MISSING_FIELD",
                "an authorisation must name `units`, `unit_kinds` or `occupations`",
                {"field": "units"},
            )
        return self


class Issuer(Item):
    """An organisation that issues achievements, runs programmes or keeps the bank."""

    item_kind: ClassVar[str] = "issuer"

    kind: IssuerKind
    region: str | None = Field(default=None, description="Province or city, e.g. 广东省.")
    authorised: tuple[Authorisation, ...] = Field(
        default=(), description="What it may issue; empty means nothing is authorised."
    )
    identifiers: tuple[CredentialIssuerId, ...] = Field(
        default=(),
        description="Ids its verifiable credentials name as their issuer (a DID or an "
        "http(s) URL); unique across all issuers. Imported credentials from these are "
        "trusted and recorded as issued by this issuer. Never invent one for a real "
        "organisation.",
    )
