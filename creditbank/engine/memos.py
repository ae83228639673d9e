"""Keep the engine's memos bounded: they are pure caches, dropped every so many evaluations.

The engine remembers, with the standards, what it worked out for a unit, a level, a rule or
a template (see :meth:`creditbank.models.Standards.derived`), so the next learner costs less.
At national scale those memos grow with every new combination a learner brings, and a batch
of a million learners would hold gigabytes of them. Every :data:`TRIM_EVERY` evaluations of
one :class:`~creditbank.models.Standards` they are dropped and built again as needed. A memo
only ever holds what its function returns for its key, so dropping it changes no result.

>>> import creditbank
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> count = evaluated(standards)
>>> evaluated(standards) == count + 1
True
"""

from __future__ import annotations

from creditbank.engine.index import rule_index
from creditbank.models import Standards

__all__ = ["MEMO_KEYS", "TRIM_EVERY", "evaluated", "trim"]

TRIM_EVERY = 4_000
"""Evaluations of one standards object between two trims."""

MEMO_KEYS = (
    "creditbank.loading.crosscheck.fine-achievements",
    "creditbank.engine.facts.unit-traits",
    "creditbank.engine.facts.unit-at-level",
    "creditbank.engine.options.selects",
    "creditbank.engine.options.exemptions",
    "creditbank.engine.options.yields",
    "creditbank.engine.templates.templates",
    "creditbank.engine.constraints.cap-tests",
    "creditbank.engine.constraints.tables",
    "creditbank.engine.explain.untouched",
)
"""Every memo the engine keeps with the standards that grows with the learners it sees (the
rule index itself is bounded by the standards and stays; its issuer memo is cleared)."""

_COUNTER = "creditbank.engine.memos.counter"


def _new_counter(standards: Standards) -> list[int]:
    return [0]


def trim(standards: Standards) -> None:
    """Drop the engine's memos of ``standards`` (they are built again on next use)."""
    standards.forget(*MEMO_KEYS)
    rule_index(standards).authorised.clear()


def evaluated(standards: Standards) -> int:
    """Count one evaluation; every :data:`TRIM_EVERY`-th trims the memos. Returns the count."""
    counter = standards.derived(_COUNTER, _new_counter)
    counter[0] += 1
    if counter[0] % TRIM_EVERY == 0:
        trim(standards)
    return counter[0]
