"""The loaded standards: every item by kind and id, where each came from, and a fingerprint.

>>> from creditbank.models import Framework
>>> fw = Framework.model_validate({"id": "s", "name": "scale", "example": True,
...                                "levels": [{"id": "1", "rank": 1, "name": "one"}]})
>>> standards = Standards([fw])
>>> standards.frameworks["s"].name.en, standards.counts()["framework"]
('scale', 1)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from creditbank.errors import Location
from creditbank.models.cap import Cap
from creditbank.models.eligibility import EligibilityRule
from creditbank.models.framework import Framework
from creditbank.models.issuer import Issuer
from creditbank.models.occupation import Occupation
from creditbank.models.plain import to_plain
from creditbank.models.program import Program
from creditbank.models.rule import Rule
from creditbank.models.scales import GradeScale, PeriodSet
from creditbank.models.units import (
    AwardUnit,
    CourseUnit,
    OtherUnit,
    SkillCertificateUnit,
    TrainingUnit,
    XCertificateUnit,
)

if TYPE_CHECKING:
    from creditbank.models.units import Unit

__all__ = ["ITEM_KINDS", "AnyItem", "Standards"]

AnyItem: TypeAlias = (
    "Framework | Occupation | CourseUnit | SkillCertificateUnit | XCertificateUnit | TrainingUnit"
    " | AwardUnit | OtherUnit | Issuer | Program | Rule | Cap | GradeScale | PeriodSet"
    " | EligibilityRule"
)

_C = TypeVar("_C")

ITEM_KINDS: tuple[str, ...] = (
    "framework",
    "occupation",
    "unit",
    "issuer",
    "program",
    "rule",
    "cap",
    "grade_scale",
    "period_set",
    "eligibility_rule",
)


class Standards:
    """An immutable collection of standards items, indexed by kind and id.

    Build it with :func:`creditbank.load_standards`, which also checks references; the
    constructor itself only refuses two items of one kind with the same id.
    """

    __slots__ = ("_caches", "_fingerprint", "_items", "_origins")

    def __init__(
        self, items: Iterable[AnyItem], origins: Mapping[tuple[str, str], Location] | None = None
    ) -> None:
        by_kind: dict[str, dict[str, Any]] = {kind: {} for kind in ITEM_KINDS}
        for item in items:
            table = by_kind[item.item_kind]
            if item.id in table:
                raise ValueError(f"two {item.item_kind}s have the id {item.id!r}")
            table[item.id] = item
        self._items = {
            kind: MappingProxyType(dict(sorted(table.items()))) for kind, table in by_kind.items()
        }
        self._origins = MappingProxyType(dict(origins or {}))
        self._fingerprint: str | None = None
        self._caches: dict[type, Any] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as items, origins and fingerprint (caches are built again on use)."""
        return (_restore, (list(self), dict(self._origins), self._fingerprint))

    def cache(self, kind: type[_C]) -> _C:
        """The ``kind`` object kept with these standards, made by ``kind()`` on first use.

        Where a layer keeps what it works out from the standards for the next caller (the
        engine's :class:`~creditbank.engine.cache.EngineCache`, the portfolio check's
        memo): standards never change, so that stays true for their life. The standards
        know nothing of what is kept; caches are not pickled and play no part in equality.
        """
        try:
            return self._caches[kind]  # type: ignore[no-any-return]
        except KeyError:
            made = self._caches[kind] = kind()
            return made

    @property
    def frameworks(self) -> Mapping[str, Framework]:
        return self._items["framework"]

    @property
    def occupations(self) -> Mapping[str, Occupation]:
        return self._items["occupation"]

    @property
    def units(self) -> Mapping[str, Unit]:
        return self._items["unit"]

    @property
    def issuers(self) -> Mapping[str, Issuer]:
        return self._items["issuer"]

    @property
    def programs(self) -> Mapping[str, Program]:
        return self._items["program"]

    @property
    def rules(self) -> Mapping[str, Rule]:
        return self._items["rule"]

    @property
    def caps(self) -> Mapping[str, Cap]:
        return self._items["cap"]

    @property
    def grade_scales(self) -> Mapping[str, GradeScale]:
        return self._items["grade_scale"]

    @property
    def period_sets(self) -> Mapping[str, PeriodSet]:
        return self._items["period_set"]

    @property
    def eligibility_rules(self) -> Mapping[str, EligibilityRule]:
        return self._items["eligibility_rule"]

    def of_kind(self, kind: str) -> Mapping[str, Any]:
        """Items of one kind (``framework``, ``unit``, …) by id."""
        return self._items[kind]

    def __iter__(self) -> Iterator[AnyItem]:
        for kind in ITEM_KINDS:
            yield from self._items[kind].values()

    def __len__(self) -> int:
        return sum(len(table) for table in self._items.values())

    def counts(self) -> dict[str, int]:
        """How many items of each kind; units also by unit kind (``unit:course`` …)."""
        out = {kind: len(self._items[kind]) for kind in ITEM_KINDS}
        for unit in self.units.values():
            key = f"unit:{unit.kind}"
            out[key] = out.get(key, 0) + 1
        return out

    def origin(self, kind: str, item_id: str) -> Location | None:
        """Where an item was defined (file, line, column), when it was loaded from a file."""
        return self._origins.get((kind, item_id))

    @property
    def origins(self) -> Mapping[tuple[str, str], Location]:
        return self._origins

    def fingerprint(self) -> str:
        """A SHA-256 of the items' canonical JSON: equal standards, equal fingerprint.

        Where items came from (file names, lines) does not change it.
        """
        if self._fingerprint is None:
            digest = hashlib.sha256()
            for kind in ITEM_KINDS:
                for item_id, item in self._items[kind].items():
                    record = [kind, item_id, to_plain(item, "json")]
                    digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode())
                    digest.update(b"\n")
            self._fingerprint = "sha256:" + digest.hexdigest()
        return self._fingerprint

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Standards):
            return NotImplemented
        return all(dict(self._items[k]) == dict(other._items[k]) for k in ITEM_KINDS)

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def __repr__(self) -> str:
        summary = ", ".join(f"{k}={len(v)}" for k, v in self._items.items() if v)
        return f"Standards({summary})"


def _restore(
    items: list[AnyItem], origins: dict[tuple[str, str], Location], fingerprint: str | None
) -> Standards:
    standards = Standards(items, origins)
    standards._fingerprint = fingerprint
    return standards
