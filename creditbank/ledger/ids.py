"""Learner account ids: opaque, and never a personal identifier (身份证号) in clear.

An account is keyed by an id the caller chooses. The ledger refuses ids that look like a
resident identity number; :func:`pseudonymous_id` turns one into an opaque id with a keyed
hash (HMAC-SHA256), so the platform can find a worker's account again without the ledger
ever holding the number.

>>> check_account_id("demo-worker-001")
'demo-worker-001'
>>> looks_like_resident_id("11010519491231002X")
True
>>> pseudonymous_id("11010519491231002x", salt=b"platform secret, 16+ bytes")[:4]
'lrn-'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from creditbank.errors import LedgerError
from creditbank.identifiers import (
    looks_like_resident_id,
    personal_identifier_at,
    resident_id_valid,
)

__all__ = [
    "ACCOUNT_ID_PATTERN",
    "check_account_id",
    "check_actor_id",
    "check_subject_salt",
    "looks_like_resident_id",
    "personal_identifier_at",
    "pseudonymous_id",
    "refuse_personal_identifiers",
    "resident_id_valid",
    "subject_digest",
]

ACCOUNT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$")
"""Letters, digits and ``. _ : @ + -``, starting with a letter or digit, at most 128."""

_MIN_SALT = 16


def refuse_personal_identifiers(value: object, what: str) -> None:
    """Raise ``PERSONAL_IDENTIFIER`` if a resident identity number is anywhere in ``value``.

    The message names where it is, never the number itself.
    """
    where = personal_identifier_at(value)
    if where is not None:
        raise LedgerError(
            "PERSONAL_IDENTIFIER",
            f"{what}{f' {where}' if where else ''} looks like a resident identity number "
            "(身份证号), which the "
            "ledger never stores in clear: leave it out, or use an opaque id "
            "(creditbank.ledger.pseudonymous_id)",
            field=where or what,
        )


def _check_id(value: object, what: str) -> str:
    if isinstance(value, str) and looks_like_resident_id(value):  # checked first: never echoed
        raise LedgerError(
            "PERSONAL_IDENTIFIER",
            f"{what} looks like a resident identity number (身份证号), which the ledger never "
            "stores in clear; use an opaque id, e.g. creditbank.ledger.pseudonymous_id(number, "
            "salt)",
            field=what,
        )
    if not isinstance(value, str) or not ACCOUNT_ID_PATTERN.fullmatch(value):
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"{what} {value!r} is not an opaque id: use 1 to 128 letters, digits and "
            ". _ : @ + -, starting with a letter or digit",
            field=what,
        )
    return value


def check_account_id(value: object) -> str:
    """Return ``value`` if it is a usable opaque account id; raise :class:`LedgerError`.

    >>> check_account_id("11010519491231002X")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    creditbank.errors.LedgerError: PERSONAL_IDENTIFIER: account id looks like a resident ...
    """
    return _check_id(value, "account id")


def check_actor_id(value: object) -> str:
    """Return ``value`` if it is a usable opaque actor id (staff number, learner account)."""
    return _check_id(value, "actor id")


def pseudonymous_id(identifier: str, salt: bytes | str, *, prefix: str = "lrn-") -> str:
    """An opaque account id for a personal identifier: ``prefix`` + 32 base32 characters.

    The digest is HMAC-SHA256 keyed with ``salt``. Identity numbers are few enough to be
    guessed one by one, so the salt must be a secret of the platform (at least 16 bytes),
    kept apart from the ledger: whoever holds it can link ids to people. Resident identity
    numbers are normalised (spaces removed, ``x`` upper-cased) and their check digit verified.

    >>> a = pseudonymous_id("11010519491231002X", "a secret of the platform")
    >>> a == pseudonymous_id(" 11010519491231002x ", "a secret of the platform")
    True
    >>> a == pseudonymous_id("11010519491231002X", "another platform's secret")
    False
    """
    key = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
    if len(key) < _MIN_SALT:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"the salt must be a secret of at least {_MIN_SALT} bytes",
            field="salt",
        )
    text = "".join(identifier.split()).upper()
    if not text:
        raise LedgerError("MALFORMED_COMMAND", "the identifier is empty", field="identifier")
    if len(text) == 18 and text[:17].isdigit() and not resident_id_valid(text):
        raise LedgerError(
            "MALFORMED_COMMAND",
            "the resident identity number has a wrong check digit; check it for typos",
            field="identifier",
        )
    digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()
    # base32 (a-z, 2-7): 160 bits, and never a long run of digits that looks like an id
    account = prefix + base64.b32encode(digest[:20]).decode("ascii").lower()
    return check_account_id(account)


def check_subject_salt(salt: bytes | str) -> bytes:
    """The salt as bytes: a secret of at least 16 bytes (UTF-8 when text); else
    :class:`LedgerError` (``MALFORMED_COMMAND``)."""
    if isinstance(salt, str):
        try:
            key = salt.encode("utf-8")
        except UnicodeEncodeError as error:
            raise LedgerError(
                "MALFORMED_COMMAND",
                "the subject salt is not valid UTF-8 text (it holds undecodable bytes); use "
                f"a secret of at least {_MIN_SALT} bytes of text",
                field="salt",
            ) from error
    else:
        key = bytes(salt)
    if len(key) < _MIN_SALT:
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"the subject salt must be a secret of at least {_MIN_SALT} bytes (it has {len(key)})",
            field="salt",
        )
    return key


def subject_digest(subject: str, salt: bytes | str) -> str:
    """A keyed digest of a credential subject's id (a DID, an email …): ``sub-`` + 32
    base32 characters of HMAC-SHA256(``salt``, ``subject``).

    The ledger keeps this, never the id itself, so that the credentials of one account can
    be seen to name one subject without the ledger holding who it is. The id is taken as
    written (DIDs are case-sensitive). A salt of the platform's (16+ bytes, kept apart from
    the ledger) keeps the digest from being guessed; see :func:`pseudonymous_id`.

    >>> a = subject_digest("did:example:worker-7", "account w-1 of this ledger")
    >>> a.startswith("sub-") and a == subject_digest("did:example:worker-7",
    ...     "account w-1 of this ledger")
    True
    """
    key = check_subject_salt(salt)
    try:
        text = subject.encode("utf-8")
    except UnicodeEncodeError as error:
        raise LedgerError(
            "MALFORMED_COMMAND", "the credential subject's id is not valid Unicode text"
        ) from error
    digest = hmac.new(key, text, hashlib.sha256).digest()
    return "sub-" + base64.b32encode(digest[:20]).decode("ascii").lower()
