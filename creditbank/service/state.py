"""What a running service holds: its configuration, the standards it loaded once at start,
where its ledger is, and who a bearer token says the caller is.

One :class:`ServiceState` per application (per worker process). The standards are loaded
when the application is built, so a service never starts on standards with problems; the
ledger is opened per request (:meth:`ServiceState.ledger`), not kept open by the process:
FastAPI runs handlers on a pool of threads, and a connection serves one request at a time.
A ledger route opens it once (:class:`RequestLedger`): the token check and the handler share
it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from creditbank.bundled import default_standards_paths
from creditbank.ledger import Ledger
from creditbank.ledger.tokens import authenticate, parse_secret
from creditbank.loading import load_standards
from creditbank.models import Standards
from creditbank.service.config import ServiceConfig
from creditbank.service.principal import Principal
from creditbank.service.problems import ServiceProblem

__all__ = ["RequestLedger", "ServiceState"]


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

    def authenticate(
        self, secret: str, ledger: Callable[[], Ledger] | None = None
    ) -> Principal | None:
        """Who the bearer token ``secret`` belongs to; None when it is not a valid token
        (malformed, unknown, revoked: :func:`creditbank.ledger.tokens.authenticate`).

        Tokens live in the ledger: a service started without one cannot check a well-formed
        token, and says so (503 ``LEDGER_NOT_CONFIGURED``) rather than calling a good token
        invalid; a malformed one is invalid anywhere (and opens nothing).
        ``ledger``: the request's own ledger (:meth:`RequestLedger.get`), which the route
        goes on using; without it the ledger is opened read-only for the check alone, so a
        read of the standards with a token never writes (nor upgrades an older ledger).
        """
        if parse_secret(secret) is None:
            return None
        if ledger is not None:
            record = authenticate(ledger(), secret)
        else:
            with self.ledger(read_only=True) as opened:
                record = authenticate(opened, secret)
        if record is None:
            return None
        return Principal(
            token_id=record.token_id,
            name=record.name,
            role=record.role,
            learner=record.learner,
            organisation=record.organisation,
        )


class RequestLedger:
    """The ledger of one request to a ledger route, opened at most once, on first use: the
    token check and the handler share it (an open is a connection and the schema check,
    which cost more than most reads). ``read_only``: the route's mode, chosen before the
    token is checked, so a write route opens it for writing from the start; a request
    without a well-formed token opens nothing.

    Opened in one of FastAPI's pool threads and used in another: the backends allow it
    (SQLite connections are made with ``check_same_thread=False``; psycopg's are
    thread-safe), and one request uses it one call at a time."""

    def __init__(self, state: ServiceState, *, read_only: bool) -> None:
        self._state = state
        self._read_only = read_only
        self._opened = ExitStack()
        self._ledger: Ledger | None = None

    def get(self) -> Ledger:
        """The request's ledger, opened now if it is not yet."""
        if self._ledger is None:
            self._ledger = self._opened.enter_context(self._state.ledger(read_only=self._read_only))
        return self._ledger

    def close(self) -> None:
        """Close it, if it was opened (at the end of the request)."""
        self._ledger = None
        self._opened.close()
