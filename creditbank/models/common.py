"""What every item of the standards shares: an id, a name, provenance, effective dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.values import Id, Label, Model, StrictDate, plain_number_text

__all__ = [
    "Evidence",
    "Item",
    "Source",
    "check_unique_local_ids",
    "date_range_error",
    "first_repeat",
]

Evidence = Literal["verified", "third-party", "unverified"]


class Source(Model):
    """The published document an item comes from.

    ``evidence`` says how it was checked: ``verified`` (read in the cited document or a
    faithful copy), ``third-party`` (from a dataset consistent with other sources) or
    ``unverified`` — unverified items may only ship marked ``example: true``.
    """

    title: str = Field(min_length=1, description="Title of the document, e.g. 《…指导意见》.")
    issuer: str | None = Field(
        default=None, description="Who issued it (发文机关, school, organisation)."
    )
    number: str | None = Field(
        default=None, description="Document number (文号), e.g. 教职成〔2019〕13号."
    )
    year: int | None = Field(default=None, ge=1949, le=2100)
    section: str | None = Field(default=None, description="Article, clause or page.")
    url: str | None = None
    evidence: Evidence = "verified"
    note: str | None = None

    @field_validator("year", mode="before")
    @classmethod
    def _plain_year(cls, value: Any) -> Any:
        """A year written as text is plain decimal too (not ２０１９ or 2_019)."""
        return plain_number_text(value, "year") if isinstance(value, str) else value


def date_range_error(start: date | None, end: date | None, start_name: str, end_name: str) -> None:
    """Raise DATE_RANGE_REVERSED when ``end`` comes before ``start``."""
    if start is not None and end is not None and end < start:
        raise PydanticCustomError(
            "DATE_RANGE_REVERSED",
            "{end_name} {end} is before {start_name} {start}; swap them or correct one",
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "start_name": start_name,
                "end_name": end_name,
                "field": end_name,
            },
        )


def first_repeat(values: Iterable[Any]) -> int | None:
    """The index of the first value that already came earlier, or None.

    >>> first_repeat(["4", "3", "4"])
    2
    """
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index
        seen.add(value)
    return None


def check_unique_local_ids(entries: Any, what: str) -> None:
    """Raise DUPLICATE_LOCAL_ID when two entries of one item share an id.

    ``what`` is the field holding the entries; the error points at the second entry's id.
    """
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.id in seen:
            raise PydanticCustomError(
                "DUPLICATE_LOCAL_ID",
                "two {what} share the id '{id}'; give each its own id",
                {"what": what, "id": entry.id, "field": (what, index, "id")},
            )
        seen.add(entry.id)


class Item(Model):
    """A top-level item of the standards: it has a global id and says where it comes from.

    Items either cite a ``source`` or are marked ``example: true``; a file may give both
    once at its top for all of its items.
    """

    item_kind: ClassVar[str] = ""

    id: Id
    name: Label
    description: Label | None = None
    source: Source | None = None
    example: bool = Field(
        default=False, strict=True, description="True when the item is illustrative, not official."
    )
    effective_from: StrictDate | None = Field(default=None, description="First day in force.")
    effective_until: StrictDate | None = Field(default=None, description="Last day in force.")
    note: str | None = None
    overrides: bool = Field(
        default=False,
        strict=True,
        description="True when the item replaces the item of the same kind and id of an "
        "earlier layer of standards (e.g. a school's rule over the bundled one).",
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Item:
        date_range_error(
            self.effective_from, self.effective_until, "effective_from", "effective_until"
        )
        return self

    def in_force(self, on: date) -> bool:
        """Whether the item is in force on a day (both ends inclusive)."""
        if self.effective_from is not None and on < self.effective_from:
            return False
        return not (self.effective_until is not None and on > self.effective_until)
