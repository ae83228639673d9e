"""The review queue: the applications a school's staff (or a bank operator) may see.

School staff (a school reviewer, academic affairs) see the applications to their own
school's programmes only: the school an application names (the programme's school when it
was made) must be the organisation they act for, as :func:`creditbank.ledger.decide.decide`
requires of everyone who reviews, approves or rejects it. A bank operator sees every
school's. Nobody else has a queue: a learner reads their own statement, an issuer deposits.

The queue is computed by replaying the events (:mod:`creditbank.ledger.state`), so it is
whatever the ledger says, never a second copy that could drift; oldest application first
(ledger order).

>>> from creditbank.ledger.events import Actor
>>> visible_school(Actor(id="staff-9", role="school_reviewer", organisation="demo-college"))
'demo-college'
>>> visible_school(Actor(id="op-1", role="bank_operator")) is None
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from creditbank.errors import LedgerError
from creditbank.ledger.events import Actor, ApplicationState, Role
from creditbank.ledger.state import AccountState

__all__ = [
    "QUEUE_ROLES",
    "SCHOOL_ROLES",
    "QueueItem",
    "may_read",
    "review_queue",
    "visible_school",
]

SCHOOL_ROLES: tuple[Role, ...] = ("school_reviewer", "academic_affairs")
"""The roles that act for a school and see that school's applications only."""
QUEUE_ROLES: tuple[Role, ...] = (*SCHOOL_ROLES, "bank_operator")
"""The roles that have a review queue."""


class QueueItem(BaseModel):
    """One application as a school's reviewer needs to see it in a queue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str
    application: str
    program: str
    school: str
    state: ApplicationState
    as_of: dt.date = Field(description="The day the application was evaluated as of.")
    applied_at: dt.datetime
    updated_at: dt.datetime = Field(description="When its last step was taken.")
    recognised: Decimal = Field(description="What the engine recognised when it was made.")
    granted: Decimal = Field(description="What it recognises now, with overrides.")
    reviewed_by: str | None = None


def visible_school(actor: Actor) -> str | None:
    """The one school whose applications ``actor`` may see, or None for every school (a
    bank operator). ``NOT_AUTHORISED`` for a role without a queue, or school staff acting
    for no organisation (fails closed: such a token could otherwise see every school's)."""
    if actor.role == "bank_operator":
        return None
    if actor.role not in SCHOOL_ROLES:
        raise LedgerError(
            "NOT_AUTHORISED",
            f"only school staff or a bank operator have a review queue; {actor.id!r} acts as "
            f"{actor.role}",
            actor=actor.id,
            role=actor.role,
        )
    if not actor.organisation:
        raise LedgerError(
            "NOT_AUTHORISED",
            f"{actor.id!r} acts as {actor.role} for no school, so no application is theirs to see",
            actor=actor.id,
        )
    return actor.organisation


def may_read(actor: Actor, account: str, state: AccountState | None) -> bool:
    """Whether ``actor`` may read ``account`` (its summary, statement, events), whose state
    is ``state`` (None when it has no events). The one rule every read follows:

    * a learner reads its own account only;
    * a bank operator reads every account;
    * school staff read an account that applied to their school's programmes (an
      application naming their organisation as its school: the same test as the queue's),
      and no other — not an account unknown to the ledger either, so a refusal never says
      whether an account exists;
    * anyone else (an issuer) reads none: it deposits what it issued.

    Fails closed: school staff acting for no organisation read nothing.
    """
    if actor.role == "learner":
        return actor.id == account
    if actor.role == "bank_operator":
        return True
    if actor.role not in SCHOOL_ROLES or not actor.organisation or state is None:
        return False
    return any(record.school == actor.organisation for record in state.applications.values())


def review_queue(
    states: Mapping[str, AccountState] | Iterable[AccountState],
    actor: Actor,
    *,
    state: ApplicationState | None = None,
    program: str | None = None,
) -> list[QueueItem]:
    """The applications ``actor`` may see (:func:`visible_school`), optionally only those
    in ``state`` or to ``program``, oldest first."""
    school = visible_school(actor)
    accounts = states.values() if isinstance(states, Mapping) else states
    items: list[tuple[int, QueueItem]] = []
    for account in accounts:
        for record in account.applications.values():
            if school is not None and record.school != school:
                continue
            if state is not None and record.state != state:
                continue
            if program is not None and record.program != program:
                continue
            items.append(
                (
                    record.applied_seq,
                    QueueItem(
                        account=account.account,
                        application=record.id,
                        program=record.program,
                        school=record.school,
                        state=record.state,
                        as_of=record.as_of,
                        applied_at=record.steps[0].at,
                        updated_at=record.steps[-1].at,
                        recognised=record.recognised,
                        granted=record.granted(),
                        reviewed_by=record.reviewed_by,
                    ),
                )
            )
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]
