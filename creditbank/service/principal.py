"""Who a valid bearer token says is calling (:mod:`creditbank.service.auth` checks it)."""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.ledger.events import Actor, Role

__all__ = ["Principal"]


@dataclass(frozen=True)
class Principal:
    """Who a valid bearer token says is calling."""

    token_id: str
    name: str
    role: Role
    learner: str | None = None
    organisation: str | None = None

    def actor(self) -> Actor:
        """The ledger actor this token acts as (a learner acts as their own account)."""
        actor_id = self.learner if self.role == "learner" and self.learner else self.name
        return Actor(id=actor_id, role=self.role, organisation=self.organisation)
