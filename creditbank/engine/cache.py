"""What the engine works out once from a set of standards and keeps for the next learner.

One :class:`EngineCache` per :class:`~creditbank.models.Standards`, with a named, typed field
per thing kept: the rule index and the edition mapping (bounded by the standards, kept for
their life) and the memos (each a :class:`~creditbank.bounded.BoundedDict`; they grow with
the learners seen, so :mod:`creditbank.engine.memos` drops them all when they hold too much
together).

**Where it lives.** The standards hold their cache as an attribute (:meth:`Standards.cache
<creditbank.models.Standards.cache>`, keyed by this class), not a table of the engine's
keyed by the standards (a :class:`weakref.WeakKeyDictionary`), because:

* the cache must die with its standards, and what it holds refers back to them (the rule
  index keeps its standards): as the value of a weak-key table it would keep its own key
  alive forever, while as an attribute it is one more reference cycle the collector frees;
* standards compare and hash by content (their fingerprint), so a table keyed by them would
  hash every item of a fresh set on first use, and would share one cache between equal but
  distinct sets, whose memos check the identity of what they hold (``found[0] is unit``)
  and would miss;
* a batch worker receives its standards pickled (or from the compiled cache,
  :mod:`creditbank.loading.cache`): the attribute is left out of the pickle, so each copy
  starts empty and fills as it evaluates;
* reading it is one attribute and one dict lookup, on every memo read of an evaluation.

The standards know nothing of what is kept; the engine owns the class, the bounds and when
the memos are dropped. Dropping them never changes a result: a memo only holds what its
function returns for its key.

The modules that own each memo import this one, so it names none of their types (that would
be an import cycle, even for the type checker alone): a field holding the engine's own objects
(a rule index, templates, cap tests) is declared with ``Any`` where they appear, and typed
where its one owner reads it (``memo: BoundedDict[..., Template] = ….templates``); the field's
docstring names the type.

>>> import creditbank
>>> from creditbank.engine.index import rule_index
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> standards.cache(EngineCache).index is None
True
>>> index = rule_index(standards)  # built on first use, kept in the cache
>>> standards.cache(EngineCache).index is index
True
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from creditbank.bounded import BoundedDict
from creditbank.engine.result import RequirementProgress
from creditbank.models import Framework, Match, Program, Rule
from creditbank.models.units import UnitBase

__all__ = ["EngineCache", "Traits", "UnitAtLevel"]

Traits = tuple[int | None, bool, bool | None]
"""A unit's validity in years, and whether it is online and assessed (by default)."""

UnitAtLevel = tuple[UnitBase, Framework | None, str | None, int | None, Decimal | None]
"""A unit with its framework, the level's id and rank, and the recognised credits."""


@dataclass(eq=False, slots=True)
class EngineCache:
    """The engine's cache of one set of standards: ``standards.cache(EngineCache)`` (made
    empty on first use); see the module."""

    index: Any = None
    """The :class:`~creditbank.engine.index.RuleIndex` once built
    (:func:`~creditbank.engine.index.rule_index`); what it learns about the achievements it
    sees is dropped with the memos."""
    editions: Any = None
    """The :class:`~creditbank.engine.editions.Editions` once worked out: codes of one
    occupation across editions (:func:`~creditbank.engine.editions.editions`)."""
    evaluations: int = 0
    """Evaluations made with these standards (:func:`~creditbank.engine.memos.evaluated`)."""
    tables: Any = None
    """The :class:`~creditbank.engine.constraints.CompileTables` once made: what compiling an
    allocation problem keeps (budgets, caps' draws per programme)."""
    unit_traits: BoundedDict[str, tuple[UnitBase, Traits]] = field(default_factory=BoundedDict)
    """Unit id -> the unit and its validity, online and assessed flags."""
    unit_at_level: BoundedDict[tuple[str, str | None], UnitAtLevel] = field(
        default_factory=BoundedDict
    )
    """(unit id, level name) -> the unit with its framework, level and recognised credits."""
    selects: BoundedDict[int, tuple[Match, dict[str, bool]]] = field(default_factory=BoundedDict)
    """id of a match -> the match and, by unit id, whether it selects achievements of it."""
    exemptions: BoundedDict[tuple[str, str], Any] = field(default_factory=BoundedDict)
    """(programme, rule) -> the courses an exemption rule may exempt, as templates
    (:class:`~creditbank.engine.options.Exemptions`)."""
    yields: BoundedDict[tuple[str, str, str, str | None], tuple[Rule, tuple[Any, ...] | None]] = (
        field(default_factory=BoundedDict)
    )
    """(programme, rule, unit, level) -> the rule and the option templates that binding yields
    (:data:`~creditbank.engine.options.Yield`)."""
    templates: BoundedDict[tuple[Hashable, ...], Any] = field(default_factory=BoundedDict)
    """(programme, rule, variant, max in use) -> the template of a rule's options
    (:class:`~creditbank.engine.templates.Template`)."""
    cap_tests: BoundedDict[str, Any] = field(default_factory=BoundedDict)
    """Cap id -> its selector, ready to apply (:class:`~creditbank.engine.constraints.CapTest`)."""
    untouched: BoundedDict[str, tuple[Program, tuple[RequirementProgress, ...]]] = field(
        default_factory=BoundedDict
    )
    """Programme id -> each requirement's progress when nothing is converted into it."""

    def _memos(self) -> tuple[BoundedDict[Any, Any], ...]:
        return (
            self.unit_traits,
            self.unit_at_level,
            self.selects,
            self.exemptions,
            self.yields,
            self.templates,
            self.cap_tests,
            self.untouched,
        )

    def entries(self) -> int:
        """Entries the memos hold: each memo's keys, the compiling tables' draws per
        programme, and what the rule index learned about the achievements it saw
        (:meth:`~creditbank.engine.index.RuleIndex.learned`)."""
        held = sum(len(m) for m in self._memos())
        if self.tables is not None:
            held += len(self.tables)
        if self.index is not None:
            held += self.index.learned()
        return held

    def trim(self) -> None:
        """Drop the memos (built again on use); the index and the edition mapping stay."""
        for kept in self._memos():
            kept.clear()
        self.tables = None
        if self.index is not None:
            self.index.forget_learned()
