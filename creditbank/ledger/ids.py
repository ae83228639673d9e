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
from collections.abc import Iterable, Mapping

from creditbank.errors import LedgerError

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

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_EIGHTEEN = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")
_FIFTEEN = re.compile(r"(?<![0-9])([0-9]{15})(?![0-9])")
_MIN_SALT = 16


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
