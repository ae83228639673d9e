"""Reading untrusted JSON: size and depth limits, no duplicate keys, no NaN.

>>> parse_json('{"a": [1, 2.5]}')
{'a': [1, 2.5]}
>>> try:
...     parse_json("[" * 100 + "]" * 100)
... except InteropError as error:
...     print(error.code)
DOCUMENT_TOO_DEEP
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from creditbank.errors import FileError
from creditbank.fileio import read_bytes
from creditbank.interop.errors import InteropError

__all__ = ["DEFAULT_JSON_LIMITS", "JsonLimits", "parse_json", "read_limited"]


@dataclass(frozen=True)
class JsonLimits:
    """Limits that keep a hostile document from exhausting memory, stack or time."""

    max_bytes: int = 4 * 1024 * 1024
    depth: int = 64


DEFAULT_JSON_LIMITS = JsonLimits()


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects, ignoring brackets inside strings."""
    deepest = depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(
    data: bytes | str, *, source: str | None = None, limits: JsonLimits = DEFAULT_JSON_LIMITS
) -> Any:
    """Parse JSON text, refusing what could be an attack or a mistake, with a clear error.

    Raises :class:`InteropError` with ``DOCUMENT_TOO_LARGE``, ``DOCUMENT_TOO_DEEP`` or
    ``MALFORMED_JSON`` (not UTF-8, a syntax error, a duplicate key, NaN or Infinity).
    """
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > limits.max_bytes:
        raise InteropError(
            "DOCUMENT_TOO_LARGE",
            f"the document is {size:,} bytes, above the limit of {limits.max_bytes:,}",
            source,
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InteropError(
                "MALFORMED_JSON", f"the document is not valid UTF-8 (byte {error.start})", source
            ) from None
    else:
        text = data
    if text.startswith("\ufeff"):
        raise InteropError("MALFORMED_JSON", "the document starts with a byte order mark", source)
    depth = _depth(text)
    if depth > limits.depth:
        raise InteropError(
            "DOCUMENT_TOO_DEEP",
            f"the document nests {depth} levels deep, above the limit of {limits.depth}",
            source,
        )
    try:
        parsed = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise InteropError(
            "MALFORMED_JSON",
            f"not well-formed JSON at line {error.lineno}, column {error.colno}: {error.msg}",
            source,
        ) from None
    except (ValueError, RecursionError) as error:
        raise InteropError("MALFORMED_JSON", f"not acceptable JSON: {error}", source) from None
    where = _lone_surrogate(parsed, "")
    if where is not None:
        raise InteropError(
            "MALFORMED_JSON",
            f"a string at {where or '/'} holds a lone UTF-16 surrogate (an unpaired \\uD800-"
            "\\uDFFF escape), which is no Unicode text",
            source,
        )
    return parsed


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(value: Any, path: str) -> str | None:
    """The JSON pointer of the first string (key or value) holding a lone surrogate."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return where
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                pointer = f"{where}/{key.replace('~', '~0').replace('/', '~1')}"
                if _SURROGATE.search(key):
                    return pointer.encode("utf-8", "backslashreplace").decode("ascii")
                stack.append((child, pointer))
        elif isinstance(item, list):
            stack.extend((child, f"{where}/{n}") for n, child in reversed(list(enumerate(item))))
    return None


def read_limited(
    path: Path | str,
    *,
    limits: JsonLimits = DEFAULT_JSON_LIMITS,
) -> bytes:
    """A regular file's bytes, reading at most the size limit (:func:`creditbank.fileio.read_bytes`:
    a directory, a device such as ``/dev/zero`` or a FIFO is refused, a file's stated size is
    not trusted). A file that cannot be read raises :class:`InteropError` with the code of
    the :class:`~creditbank.errors.FileError` (``DOCUMENT_TOO_LARGE`` for one too large)."""
    try:
        return read_bytes(path, limits.max_bytes)
    except FileError as error:
        code = "DOCUMENT_TOO_LARGE" if error.code == "FILE_TOO_LARGE" else error.code
        raise InteropError(code, error.message, error.path) from None
