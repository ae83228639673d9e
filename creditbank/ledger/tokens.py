"""API tokens of a ledger: who a bearer secret says is calling (``creditbank serve``).

A token acts as one actor of the ledger's authority model (:mod:`creditbank.ledger.decide`):
a ``role``, a ``name`` (an opaque actor id, never a 身份证号), for a learner the ``learner``
account it acts on and only that one, for an issuer, a school reviewer or academic affairs
the ``organisation`` (an issuer id of the standards) it acts for. Tokens live in the
ledger's own database, in a table beside the events (:data:`creditbank.ledger.schema.TOKENS_DDL`),
because they change (revocation): they are not events, not in the hash chain, and not
copied by ``ledger copy`` (issue them again on the copy).

The secret is ``cbk_<id>_<random>``: the prefix makes a leaked token easy to find (secret
scanners, ``grep``), the id finds its row, and the random part is 256 bits from
:mod:`secrets`. Only the SHA-256 of the whole secret is stored — a fast hash suffices for
a secret of 256 random bits, which nobody can guess however fast they hash — and compared
with :func:`hmac.compare_digest`. The secret is shown once, by :func:`issue_token`, and
cannot be recovered from the ledger.

:func:`authenticate` fails closed and never raises on what a caller sends: a malformed,
unknown, revoked or wrong secret is None alike (a store that cannot be read still raises
its :class:`~creditbank.errors.LedgerError`).

>>> parse_secret("cbk_0123456789abcdef_" + "A" * 43)
'0123456789abcdef'
>>> parse_secret("Bearer cbk_0123456789abcdef_x") is None
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from creditbank.errors import LedgerError
from creditbank.ledger.events import ROLES, Role
from creditbank.ledger.ids import check_account_id, check_actor_id
from creditbank.ledger.service import Ledger
from creditbank.ledger.store import LedgerStore, StoredToken
from creditbank.models import Standards

__all__ = [
    "ORGANISATION_ROLES",
    "TOKEN_PREFIX",
    "IssuedToken",
    "TokenRecord",
    "authenticate",
    "issue_token",
    "list_tokens",
    "parse_secret",
    "revoke_token",
]

TOKEN_PREFIX = "cbk_"
"""How every secret starts (to recognise a leaked one)."""
ORGANISATION_ROLES: tuple[Role, ...] = ("issuer", "school_reviewer", "academic_affairs")
"""The roles that act for an organisation, and so need one (the authority model)."""

_ID_HEX = 16
_RANDOM_BYTES = 32  # 256 bits
_SECRET = re.compile(r"cbk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_SECRET_LENGTH = len(TOKEN_PREFIX) + _ID_HEX + 1 + 43
_NO_HASH = b"\0" * 32
"""Compared against when the id is unknown, so that an unknown id costs a comparison too."""


class TokenRecord(BaseModel):
    """An API token as the ledger keeps it, without its secret (nor the secret's hash)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    token_id: str = Field(description="The token's id (16 hex digits; in its secret too).")
    name: str = Field(description="The opaque actor id the token acts as.")
    role: Role
    learner: str | None = Field(default=None, description="A learner token's account.")
    organisation: str | None = Field(
        default=None, description="The issuer id the token acts for (issuers, school staff)."
    )
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class IssuedToken(BaseModel):
    """A new token: its secret, shown this once (the ledger keeps only a hash), and its record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    secret: str = Field(repr=False, description="The bearer secret; not stored anywhere.")
    record: TokenRecord


def _a(role: str) -> str:
    """The role with its article: 'an issuer', 'a bank_operator'."""
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


def _store(where: Ledger | LedgerStore) -> LedgerStore:
    return where.store if isinstance(where, Ledger) else where


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("ascii")).digest()


def _moment(where: Ledger | LedgerStore, at: dt.datetime | None) -> str:
    """``at`` (default: the ledger's clock, or now) as stored: UTC ISO 8601 text, so that
    the texts sort as the moments do."""
    if at is None:
        at = where.now() if isinstance(where, Ledger) else dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        raise ValueError("a token's time must be timezone-aware")
    return at.astimezone(dt.UTC).isoformat()


def _record(row: StoredToken) -> TokenRecord:
    return TokenRecord(
        token_id=row.token_id,
        name=row.name,
        role=row.role,  # validated by the model
        learner=row.learner,
        organisation=row.organisation,
        created_at=dt.datetime.fromisoformat(row.created_at),
        revoked_at=dt.datetime.fromisoformat(row.revoked_at) if row.revoked_at else None,
    )


def _bad(message: str, parameter: str) -> LedgerError:
    return LedgerError("BAD_TOKEN_REQUEST", message, parameter=parameter)


def _checked(
    role: object,
    name: object,
    learner: object,
    organisation: object,
    standards: Standards | None,
) -> tuple[Role, str, str | None, str | None]:
    """The token's fields, checked against the ledger's authority model."""
    if role not in ROLES:
        raise _bad(f"the role {role!r} is not one of {', '.join(ROLES)}", "role")
    checked_role: Role = role  # in ROLES
    checked_name = check_actor_id(name)
    if checked_role == "learner":
        if learner is None:
            raise _bad("a learner's token needs the learner's account (--learner)", "learner")
        learner = check_account_id(learner)
        if organisation is not None:
            raise _bad(
                "a learner's token acts for no organisation; leave --org out", "organisation"
            )
    elif learner is not None:
        raise _bad(
            f"only a learner's token names an account; {_a(checked_role)}'s acts on any account "
            "its role allows",
            "learner",
        )
    if organisation is not None:
        if not isinstance(organisation, str) or not 1 <= len(organisation) <= 200:
            raise _bad(
                "the organisation must be an issuer id of 1 to 200 characters", "organisation"
            )
        if standards is not None and organisation not in standards.issuers:
            raise _bad(
                f"the organisation {organisation!r} is not an issuer of the standards",
                "organisation",
            )
    elif checked_role in ORGANISATION_ROLES:
        raise _bad(
            f"{_a(checked_role)}'s token acts for an organisation: give its issuer id (--org)",
            "organisation",
        )
    return checked_role, checked_name, learner, organisation


def issue_token(
    ledger_or_store: Ledger | LedgerStore,
    *,
    role: Role,
    name: str,
    learner: str | None = None,
    organisation: str | None = None,
    standards: Standards | None = None,
    at: dt.datetime | None = None,
) -> IssuedToken:
    """Make a token acting as ``name`` in ``role`` and store a hash of its secret.

    ``learner`` is required for the role learner and only for it; ``organisation`` for
    issuers, school reviewers and academic affairs (and, when ``standards`` are given or
    the ledger has them, an issuer id of them). ``at`` defaults to the ledger's clock.
    Refusals: ``BAD_TOKEN_REQUEST``, the id checks' ``MALFORMED_COMMAND`` and
    ``PERSONAL_IDENTIFIER``, ``READ_ONLY`` for a ledger opened for reading.
    """
    if standards is None and isinstance(ledger_or_store, Ledger):
        standards = ledger_or_store.standards
    checked_role, checked_name, checked_learner, checked_org = _checked(
        role, name, learner, organisation, standards
    )
    created_at = _moment(ledger_or_store, at)
    token_id = secrets.token_hex(_ID_HEX // 2)
    secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(_RANDOM_BYTES)}"
    row = StoredToken(
        token_id=token_id,
        secret_hash=_digest(secret).hex(),
        name=checked_name,
        role=checked_role,
        learner=checked_learner,
        organisation=checked_org,
        created_at=created_at,
        revoked_at=None,
    )
    with _store(ledger_or_store).writing() as writer:
        writer.add_token(row)
    return IssuedToken(secret=secret, record=_record(row))


def list_tokens(ledger_or_store: Ledger | LedgerStore) -> list[TokenRecord]:
    """Every token of the ledger, oldest first, revoked ones included (no secrets, no hashes)."""
    with _store(ledger_or_store).reading() as reader:
        rows = reader.tokens()
    return [_record(row) for row in rows]


def revoke_token(
    ledger_or_store: Ledger | LedgerStore, token_id: str, *, at: dt.datetime | None = None
) -> TokenRecord:
    """Revoke the token ``token_id`` (from now on it authenticates no one); revoking a revoked
    token changes nothing. An unknown id is ``UNKNOWN_TOKEN``."""
    revoked_at = _moment(ledger_or_store, at)
    with _store(ledger_or_store).writing() as writer:
        if writer.token(token_id) is None:
            raise LedgerError(
                "UNKNOWN_TOKEN",
                f"the ledger has no API token {token_id[:64]!r}",
                token=token_id[:64],
            )
        writer.revoke_token(token_id, revoked_at)
        row = writer.token(token_id)
    assert row is not None
    return _record(row)


def parse_secret(secret: object) -> str | None:
    """The token id in a well-formed secret, or None (anything else: a wrong type, length,
    prefix or alphabet)."""
    if not isinstance(secret, str) or len(secret) != _SECRET_LENGTH:
        return None
    found = _SECRET.fullmatch(secret)
    return found.group(1) if found else None


def authenticate(ledger_or_store: Ledger | LedgerStore, secret: object) -> TokenRecord | None:
    """The live token whose secret ``secret`` is, or None: malformed, unknown, revoked or
    wrong alike (see the module). The hashes are compared in constant time."""
    token_id = parse_secret(secret)
    if token_id is None:
        return None
    assert isinstance(secret, str)
    with _store(ledger_or_store).reading() as reader:
        row = reader.token(token_id)
    try:
        stored = bytes.fromhex(row.secret_hash) if row is not None else _NO_HASH
    except ValueError:  # a damaged row authenticates no one
        stored = _NO_HASH
    matches = hmac.compare_digest(_digest(secret), stored)
    if not matches or row is None or row.revoked_at is not None:
        return None
    try:
        return _record(row)
    except (ValidationError, ValueError):  # a damaged row authenticates no one
        return None
