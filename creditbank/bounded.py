"""A dict that never holds more than a bound: the one eviction policy of every memo.

The engine and the portfolio check remember what they worked out for a unit, a rule or a
programme (:mod:`creditbank.engine.cache`), so the next learner costs less. What a memo
holds is only ever what its function returns for the key, so dropping entries changes no
result; the bound only keeps a memo from growing with every new key a long run brings.

The policy is to empty the memo when a new key would take it past its bound, not to drop the
least recently used entry: a hit then costs what a plain dict's does (``get`` and ``[]`` are
the dict's own, with no bookkeeping), which matters because memos are read far more often
than written, and the entries the current learners need come back on their next use.

>>> memo: BoundedDict[str, int] = BoundedDict(2)
>>> memo["a"] = 1
>>> memo["b"] = 2
>>> memo["a"] = 10  # a key already held: replaced, nothing dropped
>>> sorted(memo.items())
[('a', 10), ('b', 2)]
>>> memo["c"] = 3  # full: emptied first
>>> sorted(memo.items())
[('c', 3)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

__all__ = ["MEMO_BOUND", "BoundedDict"]

MEMO_BOUND = 100_000
"""Entries a memo may hold unless told otherwise: far more than one learner adds, so a memo is
seldom emptied, and a ceiling on any one memo between the counts of
:mod:`creditbank.engine.memos`, which bound them all together."""

_K = TypeVar("_K")
_V = TypeVar("_V")


_set = dict.__setitem__  # not super(): every miss of every memo comes through here


class BoundedDict(dict[_K, _V]):
    """A dict of at most :attr:`bound` entries: adding a key to a full one empties it first.

    Every way of adding a key (``d[k] = v``, :meth:`setdefault`, :meth:`update`, ``|=``)
    goes through the bound; reading is the dict's own.
    """

    __slots__ = ("bound",)

    def __init__(self, bound: int = MEMO_BOUND) -> None:
        if bound < 1:
            raise ValueError(f"a bound of {bound} entries holds nothing")
        super().__init__()
        self.bound = bound

    def __setitem__(self, key: _K, value: _V) -> None:
        if len(self) >= self.bound and key not in self:
            self.clear()
        _set(self, key, value)

    def setdefault(self, key: _K, default: _V = None) -> _V:  # type: ignore[assignment]
        if key in self:
            return self[key]
        self[key] = default
        return default

    def update(self, *args: Any, **kwargs: _V) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Mapping[_K, _V] | Iterable[tuple[_K, _V]]) -> BoundedDict[_K, _V]:  # type: ignore[override,misc]
        self.update(other)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (self.bound, dict(self)))

    def __repr__(self) -> str:
        return f"BoundedDict({self.bound}, {dict.__repr__(self)})"


def _restore(bound: int, items: dict[Any, Any]) -> BoundedDict[Any, Any]:
    made: BoundedDict[Any, Any] = BoundedDict(bound)
    made.update(items)
    return made
