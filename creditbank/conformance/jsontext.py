"""JSON text with exact decimals: numbers are written digit for digit and read as Decimal.

The standard :mod:`json` module writes a ``Decimal`` only by way of a binary float, so the
dataset is written here instead; reading uses ``parse_float=Decimal``.

>>> from decimal import Decimal
>>> print(dumps({"credits": Decimal("1.50"), "on": __import__("datetime").date(2026, 1, 2)}))
{"credits": 1.50, "on": "2026-01-02"}
>>> loads('{"credits": 1.50}')["credits"]
Decimal('1.50')
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads", "to_json_data"]


def to_json_data(value: Any) -> Any:
    """``value`` as JSON data: dates as ISO text, tuples as lists, ``str`` subclasses as str.

    Decimals stay Decimals (:func:`dumps` writes them exactly).
    """
    if isinstance(value, Mapping):
        return {str(key): to_json_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_data(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, int | Decimal):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f"binary float {value!r} in exact data; use Decimal")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} is not a JSON number")
    return f"{value:f}"


def _write(value: Any, indent: int | None, depth: int, out: list[str]) -> None:
    if isinstance(value, Decimal):
        out.append(_number(value))
    elif isinstance(value, dict | list) and value:
        if indent is None:
            first, between, last = "", ", ", ""
        else:
            first = "\n" + " " * (indent * (depth + 1))
            between, last = "," + first, "\n" + " " * (indent * depth)
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        out.append(opening + first)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for index, (key, item) in enumerate(items):
            if index:
                out.append(between)
            if isinstance(value, dict):
                out.append(json.dumps(key, ensure_ascii=False) + ": ")
            _write(item, indent, depth + 1, out)
        out.append(last + closing)
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON text of ``value`` (see :func:`to_json_data`), Decimals as exact numbers."""
    out: list[str] = []
    _write(to_json_data(value), indent, 0, out)
    return "".join(out)


def loads(text: str | bytes) -> Any:
    """Parse JSON text; numbers with a fraction or exponent become ``Decimal``."""
    return json.loads(text, parse_float=Decimal)
