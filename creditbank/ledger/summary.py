"""An account at a glance: how many achievements and applications it holds, in which states,
and the credit posted per programme — what a platform lists before it asks for the full
statement (:mod:`creditbank.ledger.statement`).

Computed from the replayed state, like the statement, so the two always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from creditbank.ledger.state import AccountState

__all__ = ["AccountSummary", "summary_of"]


class AccountSummary(BaseModel):
    """One account's counts and balances."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str
    opened_at: dt.datetime
    events: int
    last_event_at: dt.datetime | None = Field(
        default=None, description="When the account's last event was written."
    )
    achievements: dict[str, int] = Field(
        description="How many achievements are active, revoked, expired (states held only)."
    )
    applications: dict[str, int] = Field(
        description="How many applications are in each workflow state (states held only)."
    )
    posted: dict[str, Decimal] = Field(
        description="Net credit posted per programme (postings less reversals)."
    )


def summary_of(state: AccountState, last_event_at: dt.datetime | None = None) -> AccountSummary:
    """The summary of a replayed account (``last_event_at``: when its last event was
    written, which the state does not keep)."""
    return AccountSummary(
        account=state.account,
        opened_at=state.opened_at,
        events=state.events,
        last_event_at=last_event_at,
        achievements=dict(sorted(Counter(r.status for r in state.achievements.values()).items())),
        applications=dict(sorted(Counter(a.state for a in state.applications.values()).items())),
        posted={program: state.posted(program) for program in sorted(state.programs())},
    )
