"""Personal identifiers (身份证号) found in text: the one test the ledger and the loader share.

The ledger refuses account ids and command fields that hold a resident identity number
(:mod:`creditbank.ledger.ids`); the portfolio loader refuses a learner profile that holds
one (a profile names a learner by the portfolio's opaque id only). Both ask this module,
which depends on nothing else of creditbank.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["looks_like_resident_id", "personal_identifier_at", "resident_id_valid"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_EIGHTEEN = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")
_FIFTEEN = re.compile(r"(?<![0-9])([0-9]{15})(?![0-9])")


def resident_id_valid(number: str) -> bool:
    """Whether ``number`` is an 18-character resident identity number with a valid check digit.

    The check digit follows GB 11643-1999 (ISO 7064 MOD 11-2).

    >>> resident_id_valid("11010519491231002X"), resident_id_valid("110105194912310021")
    (True, False)
    """
    text = number.strip().upper()
    if len(text) != 18 or not text[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(text[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == text[17]


def _plausible_date(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    return 1 <= month <= 12 and 1 <= day <= 31


def looks_like_resident_id(text: str) -> bool:
    """Whether ``text`` contains something that looks like a resident identity number.

    An 18-character number with a plausible birth date and a valid check digit, or a
    15-digit number (the old format) with a plausible birth date, anywhere in the text.

    >>> looks_like_resident_id("worker-440306199001011236"), looks_like_resident_id("w-2024-001")
    (True, False)
    """
    if any(
        _plausible_date(m.group(1)[8:14]) and resident_id_valid(m.group(1))
        for m in _EIGHTEEN.finditer(text)
    ):
        return True
    return any(_plausible_date(m.group(1)[6:12]) for m in _FIFTEEN.finditer(text))


def personal_identifier_at(value: object, path: str = "") -> str | None:
    """Where in ``value`` (text, nested in mappings and lists) a resident identity number is.

    Returns the dotted path of the first text that :func:`looks_like_resident_id` (``""``
    for ``value`` itself), or None.

    >>> personal_identifier_at({"note": "ok", "achievement": {"certificate_number":
    ...     "11010519491231002X"}})
    'achievement.certificate_number'
    >>> personal_identifier_at(["w-1", "file:42"]) is None
    True
    """
    if isinstance(value, str):
        return path if looks_like_resident_id(value) else None
    if isinstance(value, Mapping):
        items: Iterable[tuple[object, object]] = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for name, inner in items:
        found = personal_identifier_at(inner, f"{path}.{name}" if path else str(name))
        if found is not None:
            return found
    return None
