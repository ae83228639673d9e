"""Query results as plain JSON data: dataclasses become objects, amounts exact text.

>>> from decimal import Decimal
>>> plain({"credits": Decimal("1.50"), "tags": ("a",)})
{'credits': '1.5', 'tags': ['a']}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["plain"]


def plain(value: Any) -> Any:
    """``value`` with dataclasses as dicts, tuples as lists, Decimals and dates as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        normal = value.normalize()
        return f"{normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal:f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
