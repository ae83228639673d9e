"""VC-JWT registered claims: read them, and compare them with the credential they carry.

The VC-JWT rules (VC Data Model 1.1 §6.3.1; VC-JOSE-COSE for VC 2.0) make ``iss`` the
issuer id, ``sub`` the id of the credential subject, ``jti`` the credential id, and ``nbf`` /
``exp`` its ``validFrom`` / ``validUntil`` (``issuanceDate`` / ``expirationDate`` in VC 1.1).
:func:`claim_mismatches` lists every place where a token says otherwise.

>>> claim_mismatches({"jti": "urn:a"}, {"id": "urn:b"})
["`jti` 'urn:a' is not the credential's id 'urn:b'"]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from creditbank.interop.vcfields import issuer_of, parse_datetime

__all__ = ["claim_mismatches", "claim_time"]


def claim_time(payload: Mapping[str, Any], claim: str) -> dt.datetime | None:
    """A NumericDate claim (``nbf``, ``exp``) as a datetime; ValueError when it is not one."""
    value = payload.get(claim)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"the JWT claim `{claim}` is not a number of seconds")
    try:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"the JWT claim `{claim}` ({value}) is out of range") from None


_CLAIM_PROPERTIES = (
    ("nbf", ("validFrom", "issuanceDate")),
    ("exp", ("validUntil", "expirationDate")),
)


def _subject_ids(credential: Mapping[str, Any]) -> list[str]:
    subjects = credential.get("credentialSubject")
    items = subjects if isinstance(subjects, list) else [subjects]
    return [s["id"] for s in items if isinstance(s, dict) and isinstance(s.get("id"), str)]


def claim_mismatches(payload: Mapping[str, Any], credential: Mapping[str, Any]) -> list[str]:
    """Where the JWT's registered claims contradict the credential they carry."""
    found: list[str] = []
    issuer = issuer_of(credential)
    if "iss" in payload and payload["iss"] != issuer:
        found.append(f"`iss` {payload['iss']!r} is not the credential's issuer {issuer!r}")
    if "jti" in payload and payload["jti"] != credential.get("id"):
        found.append(
            f"`jti` {payload['jti']!r} is not the credential's id {credential.get('id')!r}"
        )
    if "sub" in payload:
        ids = _subject_ids(credential)
        if payload["sub"] not in ids:
            stated = ", ".join(repr(i) for i in ids) or "none: the subject has no id"
            found.append(f"`sub` {payload['sub']!r} is not the credentialSubject's id ({stated})")
    for claim, properties in _CLAIM_PROPERTIES:
        try:
            moment = claim_time(payload, claim)
        except ValueError:
            continue  # reported as MALFORMED_CREDENTIAL
        if moment is None:
            continue
        for prop in properties:
            try:
                stated_at = parse_datetime(credential[prop]) if prop in credential else None
            except ValueError:
                continue  # reported by the validity check
            if stated_at is not None and abs((stated_at - moment).total_seconds()) >= 1:
                found.append(
                    f"`{claim}` ({moment.isoformat()}) is not the credential's {prop} "
                    f"({credential[prop]})"
                )
    return found
