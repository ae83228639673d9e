"""The ``Idempotency-Key`` header of the ledger's POST routes, mapped onto the ledger's own
idempotency keys (:class:`creditbank.ledger.Ledger`: a key names one command in the whole
ledger).

**Scope.** The ledger key is ``TOKEN_ID:HEADER``: the id of the bearer token that sent the
request, then the header's value (which may not hold ``:``, so that no header names the
``TOKEN_ID:HEADER:ACHIEVEMENT`` keys of a credential's deposits). Keys are therefore
scoped to the token: two callers (two learners, a learner and a registrar) who happen to
send the same header value never meet
(neither replays the other's receipt nor is refused because of it), and a caller who
retries with its own key gets its own first receipt back. The token's id is not secret
(``creditbank ledger token list`` shows it); the secret never enters the ledger.

**Absent header.** The service generates a key (a random UUID) for the request: the command
is then written once, but a retry cannot be recognised unless it sends that key back. The
key used, given or generated, is returned in the ``Idempotency-Key`` response header; the
receipt's ``key`` is the ledger key (with the token scope).

**Replays and conflicts.** The same key with the same command (same route, account, body and
token) writes nothing and answers the first receipt with ``replayed: true`` (200 instead of
201). The same key with a different command is 409 ``IDEMPOTENCY_CONFLICT``. Concurrent
requests with one key are serialised by the ledger's write transaction, so exactly one
writes.

>>> ledger_key("0123456789abcdef", "order-17")
'0123456789abcdef:order-17'
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Header, Response

from creditbank.errors import LedgerError
from creditbank.ledger import Receipt
from creditbank.service.principal import Principal
from creditbank.service.problems import ServiceProblem

__all__ = [
    "HEADER",
    "MAX_HEADER_KEY",
    "conflicts_explained",
    "idempotency_key",
    "ledger_key",
    "respond",
    "written",
]

HEADER = "Idempotency-Key"
MAX_HEADER_KEY = 128
"""The longest ``Idempotency-Key`` accepted: room for the token scope within the ledger's
own limit (:data:`creditbank.ledger.service.MAX_KEY`)."""
# Visible ASCII but ':', the separator of the scoped ledger key: with it a header
# "K:ACH" on POST .../deposits would be the ledger key the credential route derives from
# "K" for achievement ACH (TOKEN:K:ACH), so the two routes could replay each other.
_VALID = re.compile(rf"[\x21-\x39\x3b-\x7e]{{1,{MAX_HEADER_KEY}}}")
_CONFLICT_TITLE = "the Idempotency-Key was already used for a different request"


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description="Makes a retry safe: the same key with the same request writes once "
            "and replays the first receipt (200, `replayed: true`); with a different request "
            "it is 409 IDEMPOTENCY_CONFLICT. Scoped to the bearer token (the ledger key is "
            "TOKEN_ID:KEY), so another caller's key never clashes with yours. 1 to "
            f"{MAX_HEADER_KEY} visible ASCII characters other than ':' (the scope's "
            "separator); generated when absent, and returned "
            "in the response's Idempotency-Key header.",
        ),
    ] = None,
) -> str:
    """The request's key (a FastAPI dependency): the header, checked, or a new one."""
    if key is None:
        return uuid.uuid4().hex
    if not _VALID.fullmatch(key):
        raise ServiceProblem(
            400,
            "INVALID_IDEMPOTENCY_KEY",
            f"the {HEADER} header must be 1 to {MAX_HEADER_KEY} visible ASCII characters "
            "(no spaces, control characters or ':', which separates the key's scope)",
            title="the Idempotency-Key header is malformed",
        )
    return key


def ledger_key(token_id: str, key: str) -> str:
    """The ledger's idempotency key for ``key`` sent with the token ``token_id``."""
    return f"{token_id}:{key}"


@contextmanager
def conflicts_explained(key: str) -> Iterator[None]:
    """Turn the ledger's ``IDEMPOTENCY_CONFLICT`` into one that names the caller's own key
    and its scope (the ledger's names the scoped key, which the caller never sent)."""
    try:
        yield
    except LedgerError as error:
        if error.code != "IDEMPOTENCY_CONFLICT":
            raise
        raise ServiceProblem(
            409,
            "IDEMPOTENCY_CONFLICT",
            f"{HEADER} {key!r} was already used with this token for a different request "
            "(another route, account or body); keys are scoped to the token that sends "
            "them, so only your own earlier requests count. Send a new key for a new request.",
            title=_CONFLICT_TITLE,
            headers={HEADER: key},
        ) from error


def written(
    principal: Principal, key: str, response: Response, call: Callable[[str], Receipt]
) -> Receipt:
    """Run ``call`` with the ledger key of ``key`` and answer its receipt: 201 when it wrote,
    200 when it replayed; a conflict of keys is explained in the caller's own terms."""
    with conflicts_explained(key):
        receipt = call(ledger_key(principal.token_id, key))
    respond(response, key, replayed=receipt.replayed)
    return receipt


def respond(response: Response, key: str, *, replayed: bool) -> None:
    """Set the status (201 written, 200 replayed) and the ``Idempotency-Key`` header."""
    response.status_code = 200 if replayed else 201
    response.headers[HEADER] = key
