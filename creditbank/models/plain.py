"""Models as plain data, leaving out defaults but keeping the ``kind`` that tells unions apart."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

__all__ = ["to_plain"]


def _restore_kinds(model: Any, data: Any) -> Any:
    if isinstance(model, BaseModel) and isinstance(data, dict):
        fields = type(model).model_fields
        if "kind" in fields and "kind" not in data:
            data = {"kind": model.kind, **data}  # type: ignore[attr-defined]
        for name, value in data.items():
            if name in fields:
                data[name] = _restore_kinds(getattr(model, name), value)
        return data
    if isinstance(model, tuple) and isinstance(data, list | tuple):
        return [_restore_kinds(m, d) for m, d in zip(model, data, strict=True)]
    return data


def to_plain(model: BaseModel, mode: Literal["python", "json"] = "python") -> dict[str, Any]:
    """A model as plain data without fields at their defaults, except a ``kind`` field.

    In ``python`` mode Decimals and dates are kept; in ``json`` mode they become strings.
    """
    data = model.model_dump(mode=mode, exclude_defaults=True)
    result = _restore_kinds(model, data)
    assert isinstance(result, dict)
    return result
