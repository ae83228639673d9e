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

_EMPTY: tuple[()] = ()
_UNSHAREABLE = object()
_ATOMS = (bool, int, dt.date)


class _Sharer:
    """Keeps one object per value. A value's *part* stands for it in the key of what holds
    it: ``(type, value)`` for atoms, the id of the one kept object for everything shared
    (kept objects stay alive in the tables, so an id stands for one value while this
    works), ``_UNSHAREABLE`` for what is not shared."""

    def __init__(self) -> None:
        self.strings: dict[type, dict[str, str]] = {}
        self.decimals: dict[str, Decimal] = {}
        self.tuples: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.models: dict[tuple[Any, ...], BaseModel] = {}
        self.plans: dict[type, tuple[tuple[str, ...], bool]] = {}

    def value(self, value: Any) -> tuple[Any, Any]:
        """The shared object equal to ``value``, and its part."""
        if value is None:
            return value, None
        if value is _EMPTY:
            return value, _EMPTY
        kind = type(value)
        if kind in _ATOMS:
            return value, (kind, value)
        if isinstance(value, str):
            table = self.strings.get(kind)
            if table is None:
                table = self.strings[kind] = {}
            found = table.setdefault(value, value)
            return found, id(found)
        if kind is tuple:
            pairs = [self.value(item) for item in value]
            items = tuple([item for item, _ in pairs])
            parts = tuple([part for _, part in pairs])
            if _UNSHAREABLE in parts:
                return items, _UNSHAREABLE
            found_tuple = self.tuples.setdefault(parts, items)
            return found_tuple, id(found_tuple)
        if kind is Decimal:
            found_decimal = self.decimals.setdefault(str(value), value)
            return found_decimal, id(found_decimal)
        if isinstance(value, BaseModel):
            return self.model(value, share=True)
        return value, _UNSHAREABLE

    def plan(self, model: type[BaseModel]) -> tuple[tuple[str, ...], bool]:
        found = self.plans.get(model)
        if found is None:
            found = (tuple(model.model_fields), bool(model.model_config.get("frozen")))
            self.plans[model] = found
        return found

    def model(self, model: BaseModel, *, share: bool) -> tuple[Any, Any]:
        fields = model.__dict__
        names, frozen = self.plan(type(model))
        parts: list[Any] | None = (
            [type(model), frozenset(model.__pydantic_fields_set__)]
            if share
            and frozen
            and not model.__pydantic_private__
            and not model.__pydantic_extra__
            and len(fields) == len(names)
            else None
        )
        for name in names:
            value = fields[name]
            new, part = self.value(value)
            if new is not value:
                fields[name] = new
            if parts is not None:
                if part is _UNSHAREABLE:
                    parts = None
                else:
                    parts.append(part)
        if parts is None:
            return model, _UNSHAREABLE
        found = self.models.setdefault(tuple(parts), model)
        return found, id(found)


def compact(items: Iterable[BaseModel]) -> None:
    """Share the equal parts of ``items`` (in place; the items themselves stay distinct)."""
    sharer = _Sharer()
    for item in items:
        sharer.model(item, share=False)
