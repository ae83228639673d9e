"""Share equal parts of loaded standards, so national-scale standards take less memory.

Standards are immutable, and at the scale of a country most of their small parts repeat: the
recorded grade ``{policy: fixed, value: 60}`` of 70,000 rules, the level window
``{at_least: 三级}``, the same condition in the rules of 750 programmes, the same programme
and course ids. :func:`compact` replaces every part by one shared object of equal value —
same class, same field values, same set of fields given — so nothing observable changes
(equality, dumps, fingerprint), but memory and the size of a cache entry shrink.

Only frozen pydantic models without private or extra attributes, tuples, strings (ids and
references) and decimals are shared; anything else is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

__all__ = ["compact"]

_PLAIN = (int, float, bool, dt.date, dt.datetime, type(None))


class _Sharer:
    def __init__(self) -> None:
        self.memo: dict[Any, Any] = {}
        self.shared: set[int] = set()  # ids of objects held by the memo

    def key_part(self, value: Any) -> Any:
        """A hashable stand-in for a value that is equal only for equal values."""
        if id(value) in self.shared:
            return ("#", id(value))  # the memo holds it: its id stays its own
        kind = type(value)
        if kind is Decimal:
            return (kind, str(value))  # 1.0 and 1 are equal but print differently
        if kind is float:
            return (kind, repr(value))
        if isinstance(value, (str, *_PLAIN)):
            return (kind, value)
        return None

    def keep(self, key: Any, value: Any) -> Any:
        found = self.memo.setdefault(key, value)
        self.shared.add(id(found))
        return found

    def value(self, value: Any) -> Any:
        kind = type(value)
        if isinstance(value, str):
            return self.keep((kind, value), value)
        if kind is Decimal:
            return self.keep((kind, str(value)), value)
        if kind is tuple:
            items = tuple(self.value(item) for item in value)
            parts = tuple(self.key_part(item) for item in items)
            if any(part is None for part in parts):
                return items
            return self.keep((tuple, parts), items)
        if isinstance(value, BaseModel):
            return self.model(value, share=True)
        return value

    def model(self, model: BaseModel, *, share: bool) -> Any:
        fields = model.__dict__
        names = type(model).model_fields
        for name in names:
            if name in fields:
                fields[name] = self.value(fields[name])
        if not share or not model.model_config.get("frozen"):
            return model
        if model.__pydantic_private__ or model.__pydantic_extra__ or len(fields) != len(names):
            return model
        parts = tuple(self.key_part(fields[name]) for name in names)
        if any(part is None for part in parts):
            return model
        key = (type(model), parts, frozenset(model.__pydantic_fields_set__))
        return self.keep(key, model)


def compact(items: Iterable[BaseModel]) -> None:
    """Share the equal parts of ``items`` (in place; the items themselves stay distinct)."""
    sharer = _Sharer()
    for item in items:
        sharer.model(item, share=False)
