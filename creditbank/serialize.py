"""Write models back out as YAML documents that load again to equal models.

>>> from creditbank.models import Framework
>>> fw = Framework.model_validate({"id": "s", "name": "scale", "example": True,
...                                "levels": [{"id": "1", "rank": 1, "name": "one"}]})
>>> print(dump_yaml(dump_document("frameworks", [fw])), end="")
kind: frameworks
items:
- id: s
  name:
    en: scale
  example: true
  levels:
  - id: '1'
    rank: 1
    name:
      en: one
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from creditbank.models.documents import SECTIONS
from creditbank.models.plain import to_plain
from creditbank.models.portfolio import Portfolio

__all__ = ["dump_document", "dump_portfolio", "dump_yaml", "to_plain"]


def dump_portfolio(
    portfolio: Portfolio, mode: Literal["python", "json"] = "python"
) -> dict[str, Any]:
    """A ``kind: portfolio`` document of ``portfolio`` (plain data; ``json`` mode for JSON
    text, ``python`` for :func:`dump_yaml`)."""
    return {"kind": "portfolio", **to_plain(portfolio, mode)}


def dump_document(kind: str, items: Iterable[BaseModel]) -> dict[str, Any]:
    """A standards document of one kind (``frameworks``, ``rules`` …) holding ``items``."""
    if kind not in SECTIONS:
        raise KeyError(f"unknown standards kind {kind!r}; use one of {', '.join(SECTIONS)}")
    return {"kind": kind, "items": [to_plain(item) for item in items]}


class _Dumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = f"{value:f}"
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _date(dumper: yaml.SafeDumper, value: dt.date) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_str(str(value))


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(dt.date, _date)
_Dumper.add_multi_representer(str, _str)
_Dumper.add_representer(tuple, lambda d, v: d.represent_list(list(v)))


def dump_yaml(data: Any) -> str:
    """YAML text for plain data holding Decimals, dates, strings and ``Ref`` strings."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
