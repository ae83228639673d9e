"""Reading a credential's fields: its issuer id and its validity dates.

>>> issuer_of({"issuer": {"id": "did:web:a.example", "name": "A"}})
'did:web:a.example'
>>> parse_datetime("2024-06-30").isoformat()
'2024-06-30T00:00:00+00:00'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

__all__ = ["credential_dates", "issuer_of", "parse_datetime", "status_entries"]


def parse_datetime(value: Any) -> dt.datetime:
    """An xsd:dateTime as an aware datetime; a value without a time zone is taken as UTC."""
    if not isinstance(value, str):
        raise ValueError(f"expected a date-time string, got {type(value).__name__}")
    text = value.strip()
    if len(text) == 10:
        text += "T00:00:00"
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def issuer_of(document: Mapping[str, Any]) -> str | None:
    """The issuer's id (``issuer`` as a string or an object with ``id``)."""
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def credential_dates(
    document: Mapping[str, Any],
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(valid from, valid until): VC 2.0 ``validFrom``/``validUntil`` and VC 1.1
    ``issuanceDate``/``expirationDate``; when both of a pair are given, the stricter one
    (the later start, the earlier end). ``null`` counts as absent, as in JSON-LD — so a
    ``"validUntil": null`` added to a signed VC 1.1 credential cannot hide its
    ``expirationDate``. ValueError when one is not a date-time."""
    starts = [
        parse_datetime(document[key])
        for key in ("validFrom", "issuanceDate")
        if document.get(key) is not None
    ]
    ends = [
        parse_datetime(document[key])
        for key in ("validUntil", "expirationDate")
        if document.get(key) is not None
    ]
    return (max(starts) if starts else None, min(ends) if ends else None)


def status_entries(document: Mapping[str, Any]) -> list[str]:
    """The credential's ``credentialStatus`` entries, each described by its type and
    purpose (``BitstringStatusListEntry (revocation)``); empty when it carries none
    (``null`` and ``[]`` carry none, as in JSON-LD).

    >>> status_entries({"credentialStatus": {"type": "BitstringStatusListEntry",
    ...                                       "statusPurpose": "revocation"}})
    ['BitstringStatusListEntry (revocation)']
    """
    value = document.get("credentialStatus")
    entries = value if isinstance(value, list) else [] if value is None else [value]
    described: list[str] = []
    for entry in entries:
        kind = entry.get("type") if isinstance(entry, dict) else None
        purpose = entry.get("statusPurpose") if isinstance(entry, dict) else None
        kinds = kind if isinstance(kind, list) else [kind]
        name = "/".join(k for k in kinds if isinstance(k, str)) or "an entry of unknown type"
        described.append(f"{name} ({purpose})" if isinstance(purpose, str) else name)
    return described
