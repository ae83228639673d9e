"""What a running service holds: its configuration, the standards it loaded once at start,
where its ledger is, and who a bearer token says the caller is.

One :class:`ServiceState` per application (per worker process). The standards are loaded
when the application is built, so a service never starts on standards with problems; the
ledger is opened per request (:meth:`ServiceState.ledger`), because a SQLite connection
belongs to one thread and FastAPI runs handlers on a pool of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from creditbank.bundled import default_standards_paths
from creditbank.ledger import Ledger
from creditbank.ledger.tokens import authenticate, parse_secret
from creditbank.loading import load_standards
from creditbank.models import Standards
from creditbank.service.config import ServiceConfig
from creditbank.service.principal import Principal
from creditbank.service.problems import ServiceProblem

__all__ = ["ServiceState"]


class ServiceState:
    """The standards, ledger location and token authority of one running service."""

    def __init__(self, config: ServiceConfig, standards: Standards | None = None) -> None:
        self.config = config
        self.standards = (
            standards
            if standards is not None
            else load_standards(default_standards_paths(config.standards))
        )

    @contextmanager
    def ledger(self, *, read_only: bool = False) -> Iterator[Ledger]:
        """The service's ledger, open for one request (503 ``LEDGER_NOT_CONFIGURED`` when the
        service has none)."""
        if self.config.ledger is None:
            raise ServiceProblem(
                503,
                "LEDGER_NOT_CONFIGURED",
                "this service was started without a ledger; start it with "
                "`creditbank serve --db PATH_OR_URL`",
            )
        with Ledger.open(self.config.ledger, self.standards, read_only=read_only) as ledger:
            yield ledger

    def authenticate(self, secret: str) -> Principal | None:
        """Who the bearer token ``secret`` belongs to; None when it is not a valid token
        (malformed, unknown, revoked: :func:`creditbank.ledger.tokens.authenticate`).

        Tokens live in the ledger: a service started without one cannot check a well-formed
        token, and says so (503 ``LEDGER_NOT_CONFIGURED``) rather than calling a good token
        invalid; a malformed one is invalid anywhere.
        The ledger is opened read-only: checking a token never writes (nor upgrades an older
        ledger, which then simply has no tokens yet).
        """
        if parse_secret(secret) is None:
            return None
        with self.ledger(read_only=True) as ledger:
            record = authenticate(ledger, secret)
        if record is None:
            return None
        return Principal(
            token_id=record.token_id,
            name=record.name,
            role=record.role,
            learner=record.learner,
            organisation=record.organisation,
        )
