"""Findings of the consistency checks: a stable code, a severity, the items involved.

Standards that load without problems can still be inconsistent: rules that contradict each
other, conversions that go round in a credit-making circle, requirements nothing can
satisfy. A :class:`Finding` says what, with every rule and unit involved and where each was
defined (``FILE:LINE:COL`` from :meth:`Standards.origin`).

>>> from creditbank.errors import Location
>>> f = Finding("ORPHAN_UNIT", "unit 'u' is used by no programme and no rule",
...             (Involved("unit", "u", Location("units.yaml", 3, 5)),))
>>> print(f)  # doctest: +NORMALIZE_WHITESPACE
units.yaml:3:5: warning ORPHAN_UNIT unit 'u' is used by no programme and no rule
[unit 'u' units.yaml:3:5]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from creditbank.errors import Location
from creditbank.models import Standards

__all__ = [
    "CHECK_CODES",
    "CheckCode",
    "Finding",
    "Involved",
    "Severity",
    "involved",
    "summary",
]

Severity = Literal["error", "warning"]

CheckCode = Literal[
    "CREDIT_AMPLIFYING_CYCLE",
    "CONFLICTING_RULES",
    "DUPLICATE_RULE",
    "REPLACED_OCCUPATION",
    "EXCEEDS_RECOGNISED",
    "TARGET_NOT_IN_PROGRAM",
    "RULE_SELECTS_NOTHING",
    "UNSATISFIABLE_REQUIREMENT",
    "ORPHAN_UNIT",
    "PREREQUISITE_CYCLE",
    "LEVEL_ORDER",
    "LEVELS_MERGED",
    "EMPTY_LEVEL_WINDOW",
    "CREDITS_FALL_WITH_LEVEL",
    "EXCEEDS_PROGRAM_TOTAL",
    "GUARANTEE_IMPOSSIBLE",
]

CHECK_CODES: dict[CheckCode, tuple[Severity, str]] = {
    "CREDIT_AMPLIFYING_CYCLE": (
        "error",
        "a cycle of conversions gives back more credit than it consumes",
    ),
    "CONFLICTING_RULES": (
        "error",
        "rules with the same conditions (levels by any name, lists in any order) give the same "
        "target different credit while both are in force",
    ),
    "DUPLICATE_RULE": (
        "warning",
        "two rules say the same thing for the same programme while both are in force",
    ),
    "REPLACED_OCCUPATION": (
        "warning",
        "a rule names an occupation code split or merged in a later edition, but not its "
        "successors (a renumbered code is followed by itself)",
    ),
    "EXCEEDS_RECOGNISED": (
        "warning",
        "a conversion gives more than the credit bank recognised for the unit at a level, and a "
        "within_recognised cap (R3) applies: it can never be granted at that level",
    ),
    "TARGET_NOT_IN_PROGRAM": (
        "error",
        "a rule exempts or credits a course the programme does not have, or selects none",
    ),
    "RULE_SELECTS_NOTHING": (
        "warning",
        "a rule's condition selects no unit of the standards, so it never applies",
    ),
    "UNSATISFIABLE_REQUIREMENT": (
        "error",
        "a requirement needs more credit than its courses and every rule into it can give (one "
        "naming no courses is taught outside the standards and is not checked)",
    ),
    "ORPHAN_UNIT": ("warning", "a unit no programme, rule or cap refers to"),
    "PREREQUISITE_CYCLE": ("error", "courses are each other's prerequisites"),
    "LEVEL_ORDER": (
        "error",
        "same_as equivalences invert the rank order of two level scales",
    ),
    "LEVELS_MERGED": (
        "warning",
        "same_as equivalences make two levels of one scale equal",
    ),
    "EMPTY_LEVEL_WINDOW": (
        "error",
        "a rule's level condition admits no level of the units it selects",
    ),
    "CREDITS_FALL_WITH_LEVEL": (
        "warning",
        "a table of credits by level (or the bank's recognised credits) gives a higher level "
        "less credit",
    ),
    "EXCEEDS_PROGRAM_TOTAL": (
        "warning",
        "a requirement's or cap's max_credits exceeds the programme total, which caps "
        "everything recognised: the limit can never be reached",
    ),
    "GUARANTEE_IMPOSSIBLE": (
        "error",
        "an agreement's guaranteed minimum that a statutory cap, the programme total or its "
        "target requirement can never allow",
    ),
}


@dataclass(frozen=True)
class Involved:
    """An item a finding is about: its kind, its id and where it was defined."""

    kind: str
    id: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f" {self.location}" if self.location is not None and self.location.file else ""
        return f"{self.kind} {self.id!r}{where}"


def involved(standards: Standards, kind: str, item_id: str) -> Involved:
    """An :class:`Involved` with the item's origin looked up in ``standards``."""
    return Involved(kind, str(item_id), standards.origin(kind, str(item_id)))


@dataclass(frozen=True)
class Finding:
    """One inconsistency: a stable code, what is wrong, and the items involved (first: where
    to look first)."""

    code: CheckCode
    message: str
    involved: tuple[Involved, ...] = ()

    @property
    def severity(self) -> Severity:
        return CHECK_CODES[self.code][0]

    @property
    def location(self) -> Location:
        for item in self.involved:
            if item.location is not None:
                return item.location
        return Location()

    def __str__(self) -> str:
        items = "; ".join(str(i) for i in self.involved)
        return f"{self.location}: {self.severity} {self.code} {self.message}" + (
            f" [{items}]" if items else ""
        )

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        return (
            self.severity != "error",
            loc.file or "",
            loc.line or 0,
            loc.column or 0,
            self.code,
            self.message,
        )

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain JSON data."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "involved": [
                {
                    "kind": i.kind,
                    "id": i.id,
                    "file": i.location.file if i.location else None,
                    "line": i.location.line if i.location else None,
                }
                for i in self.involved
            ],
        }


def summary(findings: Iterable[Finding]) -> str:
    """``2 errors, 1 warning`` (or ``no findings``)."""
    found = list(findings)
    errors = sum(f.severity == "error" for f in found)
    warnings = len(found) - errors
    if not found:
        return "no findings"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)
