"""Whose credentials are trusted: the issuer whitelist of an import.

By default the whitelist is the standards' own: every ``identifiers:`` entry of an issuer
(a DID or an http(s) URL its credentials name as their issuer). The caller may add to it
explicitly — the mapping file's ``issuers:`` section, or :func:`parse_trust` entries
(``--trust-issuer ID`` on the command line, ``ID#z6Mk…`` to pin a key too) — or turn the
check off, which every verification then says (``issuer_trust="unchecked"``).

>>> key = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
>>> trusted = parse_trust(["did:web:a.example", "https://b.example/issuer#" + key])
>>> trusted["did:web:a.example"], trusted["https://b.example/issuer"] == {key}
(frozenset(), True)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Mapping
from urllib.parse import urlsplit

from creditbank.interop.errors import InteropError
from creditbank.interop.keys import public_key_from_multibase
from creditbank.interop.verify import IssuerTrust, Verification
from creditbank.models import Standards

__all__ = [
    "IssuerTrust",
    "Trust",
    "annotate_trust",
    "issuer_id_problem",
    "parse_trust",
    "standards_identifiers",
    "whitelist",
]

Trust = Mapping[str, Collection[str]] | Collection[str]
"""Issuers the caller trusts beyond the standards': ids, or ids -> pinned Multikeys."""

_UNCHECKED = "; the issuer was not checked against a whitelist (turned off by the caller)"


def standards_identifiers(standards: Standards) -> dict[str, str]:
    """Credential issuer identifier -> the id of the standards issuer that lists it."""
    return {
        identifier: issuer.id
        for issuer in standards.issuers.values()
        for identifier in issuer.identifiers
    }


_DID = re.compile(r"did:[a-z0-9]+:(?:[A-Za-z0-9._%-]*:)*[A-Za-z0-9._%-]+")
_URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s#?]+")


def issuer_id_problem(issuer: str) -> str | None:
    """Why ``issuer`` is not a credential issuer id (a DID, an http(s) URL or a URN such as
    creditbank's own ``urn:creditbank:issuer:…``), or None."""
    if _DID.fullmatch(issuer) or _URN.fullmatch(issuer):
        return None
    url = urlsplit(issuer)
    if url.scheme in ("http", "https") and url.netloc and not any(c.isspace() for c in issuer):
        return None
    return "an issuer id is a DID (did:method:…), an http(s) URL or a URN (urn:…)"


def parse_trust(entries: Iterable[str]) -> dict[str, frozenset[str]]:
    """``ID`` or ``ID#z6Mk…`` (a key pinned for the issuer) -> {issuer id: pinned keys}.

    ``ID`` must be a DID, an http(s) URL or a URN, and a fragment an Ed25519 Multikey: anything
    else raises :class:`InteropError` (``INVALID_KEY`` for the key, ``INVALID_ISSUER_ID``
    for the id) rather than trusting something the caller did not mean."""
    found: dict[str, set[str]] = {}
    for entry in entries:
        issuer, hash_sign, fragment = entry.strip().partition("#")
        problem = issuer_id_problem(issuer) if issuer else "it names no issuer id"
        if problem is not None:
            raise InteropError("INVALID_ISSUER_ID", f"trusted issuer {entry!r}: {problem}")
        keys = found.setdefault(issuer, set())
        if not hash_sign:
            continue
        try:
            if not fragment.startswith("z6Mk"):
                raise ValueError("a pinned key is an Ed25519 Multikey, z6Mk…")
            public_key_from_multibase(fragment)
        except ValueError as error:
            raise InteropError(
                "INVALID_KEY",
                f"{fragment!r} in {entry!r} is not an Ed25519 Multikey: {error} (ID#z6Mk… pins "
                "a key for the issuer ID; an issuer id has no fragment)",
            ) from None
        keys.add(fragment)
    return {issuer: frozenset(keys) for issuer, keys in found.items()}


def _trust_map(trust: Trust | None) -> dict[str, frozenset[str]]:
    if trust is None:
        return {}
    if isinstance(trust, Mapping):
        return {str(k): frozenset(v) for k, v in trust.items()}
    return parse_trust(trust)


def whitelist(
    standards: Standards,
    extra: Mapping[str, Collection[str]] | None = None,
    trust: Trust | None = None,
    *,
    issuer_check: bool = True,
) -> dict[str, frozenset[str]] | None:
    """The whitelist: issuer id -> keys pinned for it (none: any key the issuer controls).

    The standards' identifiers, plus ``extra`` (the mapping file's) and ``trust`` (the
    caller's). None when ``issuer_check`` is False: no whitelist applies."""
    if not issuer_check:
        return None
    allowed: dict[str, frozenset[str]] = dict.fromkeys(
        standards_identifiers(standards), frozenset()
    )
    for source in (extra or {}, _trust_map(trust)):
        for issuer, keys in source.items():
            allowed[issuer] = allowed.get(issuer, frozenset()) | frozenset(keys)
    return allowed


def annotate_trust(
    verification: Verification,
    allowed: Mapping[str, Collection[str]] | None,
    identifiers: Mapping[str, str],
) -> Verification:
    """The verification with ``issuer_trust`` set: how its issuer passed the whitelist."""
    issuer = verification.issuer
    if issuer is None or verification.reason == "ISSUER_NOT_TRUSTED":
        return verification
    if allowed is None:
        return dataclasses.replace(
            verification, issuer_trust="unchecked", message=verification.message + _UNCHECKED
        )
    if issuer in identifiers:
        return dataclasses.replace(verification, issuer_trust="standards")
    if issuer in allowed:
        return dataclasses.replace(verification, issuer_trust="caller")
    return verification
