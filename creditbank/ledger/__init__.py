"""The credit bank: learner accounts as an append-only, tamper-evident ledger (SQLite or
PostgreSQL).

Modules, one job each: :mod:`~creditbank.ledger.ids` (opaque learner ids),
:mod:`~creditbank.ledger.events` (immutable events), :mod:`~creditbank.ledger.commands`
(what a caller may ask), :mod:`~creditbank.ledger.decide` (validation, authority, the R5
workflow), :mod:`~creditbank.ledger.state` (replaying events),
:mod:`~creditbank.ledger.statement` (the learner's statement),
:mod:`~creditbank.ledger.chain` (hash chain and verification),
:mod:`~creditbank.ledger.integrity` (the schema and metadata checked against their text),
:mod:`~creditbank.ledger.store` (the storage interface), :mod:`~creditbank.ledger.schema`
and :mod:`~creditbank.ledger.sqlite` (the SQLite store and its invariants),
:mod:`~creditbank.ledger.pg_schema` and :mod:`~creditbank.ledger.postgres` (the PostgreSQL
store), :mod:`~creditbank.ledger.location` (where a ledger lives: one parser),
:mod:`~creditbank.ledger.backends` (the store at a location),
:mod:`~creditbank.ledger.copy` (a ledger copied between backends),
:mod:`~creditbank.ledger.projection` (the cached projection),
:mod:`~creditbank.ledger.tokens` (API tokens, their rows in
:mod:`~creditbank.ledger.token_rows`),
:mod:`~creditbank.ledger.queue` (the applications a school's staff may see, and
:func:`~creditbank.ledger.queue.may_read`: the one rule of who may read which account —
a learner its own, a bank operator every one, school staff the accounts that applied to
their school; :meth:`Ledger.may_read` and :meth:`Ledger.readable_accounts` apply it),
:mod:`~creditbank.ledger.summary` (an account at a glance) and
:mod:`~creditbank.ledger.service` (the API below).
"""

from creditbank.ledger.chain import BadEvent, ChainHead, ChainHeads, VerifyReport
from creditbank.ledger.copy import CopyReport, copy_ledger
from creditbank.ledger.events import ROLES, Actor, Event, Role
from creditbank.ledger.ids import check_account_id, pseudonymous_id
from creditbank.ledger.location import LedgerLocation, parse_location
from creditbank.ledger.queue import QueueItem
from creditbank.ledger.service import Clock, Ledger, Receipt, init_ledger, open_ledger
from creditbank.ledger.statement import Statement
from creditbank.ledger.summary import AccountSummary
from creditbank.ledger.tokens import (
    IssuedToken,
    TokenRecord,
    authenticate,
    issue_token,
    list_tokens,
    revoke_token,
)

__all__ = [
    "ROLES",
    "AccountSummary",
    "Actor",
    "BadEvent",
    "ChainHead",
    "ChainHeads",
    "Clock",
    "CopyReport",
    "Event",
    "IssuedToken",
    "Ledger",
    "LedgerLocation",
    "QueueItem",
    "Receipt",
    "Role",
    "Statement",
    "TokenRecord",
    "VerifyReport",
    "authenticate",
    "check_account_id",
    "copy_ledger",
    "init_ledger",
    "issue_token",
    "list_tokens",
    "open_ledger",
    "parse_location",
    "pseudonymous_id",
    "revoke_token",
]
