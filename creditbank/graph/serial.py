"""Query results as plain JSON data: dataclasses become objects, amounts exact text.

>>> from decimal import Decimal
>>> plain({"credits": Decimal("1.50"), "tags": ("a",)})
{'credits': '1.5', 'tags': ['a']}
>>> text(Decimal("2.50")), text(Decimal("1E+3")), text(Decimal("0.00"))
('2.5', '1000', '0')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["plain", "text"]


def text(amount: Decimal) -> str:
    """An exact amount as short text, without trailing zeros or an exponent (never rounded)."""
    shown = f"{amount:f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def plain(value: Any) -> Any:
    """``value`` with dataclasses as dicts, tuples as lists, Decimals and dates as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
