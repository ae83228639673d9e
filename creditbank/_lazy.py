"""Names of a package imported on first use (PEP 562), so that a command pays at start only for
the modules it uses.

A package calls :func:`lazy_names` with a table ``name → module`` and binds the two functions
it returns as its module-level ``__getattr__`` and ``__dir__``. A name that is also the name
of one of the package's submodules (``creditbank.suggest`` the function, ``creditbank.suggest``
the module) keeps meaning the name: importing the submodule binds it on its package, which
would hide the function, so such bindings are refused (the submodule stays in ``sys.modules``,
where ``from creditbank.suggest import …`` finds it).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


class _LazyPackage(types.ModuleType):
    """A package module whose lazy names win over its submodules of the same name."""

    _lazy: Mapping[str, str]

    def __setattr__(self, name: str, value: Any) -> None:
        shadowed = name in self._lazy and isinstance(value, types.ModuleType)
        if not (shadowed and value.__name__ == f"{self.__name__}.{name}"):
            super().__setattr__(name, value)


def lazy_names(
    package: str, table: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose names in ``table`` are imported
    from their module when first asked for."""
    module = sys.modules[package]
    namespace = vars(module)

    def getattr_(name: str) -> Any:
        where = table.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(set(namespace) | set(table))

    module.__class__ = _LazyPackage
    object.__setattr__(module, "_lazy", table)
    return getattr_, dir_
