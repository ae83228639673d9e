"""What a running service is told: where its ledger and standards are, what is public, and
the limits on a request. Plain data, so a worker process can be given it through one
environment variable (:meth:`ServiceConfig.to_env` / :meth:`ServiceConfig.from_env`)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace

from creditbank.ledger.location import parse_location

__all__ = ["CONFIG_ENV_VAR", "PASSWORD_ENV_VAR", "ServiceConfig"]

CONFIG_ENV_VAR = "CREDITBANK_SERVICE_CONFIG"
"""The environment variable through which ``creditbank serve`` hands its configuration to
uvicorn's worker processes (each builds its own application from it)."""

PASSWORD_ENV_VAR = "PGPASSWORD"
"""Where a worker process finds the password of a PostgreSQL ``--db`` URL: libpq reads it
there, so the password never travels in :data:`CONFIG_ENV_VAR` (review finding, issue 17)."""


@dataclass(frozen=True)
class ServiceConfig:
    """The configuration of one service.

    ``ledger``: the ledger's location (a file path, ``sqlite:///PATH`` or
    ``postgresql://...``), or None for a service without ledger routes (they answer 503
    ``LEDGER_NOT_CONFIGURED``). ``standards``: the layers of standards, as ``--standards``
    takes them (empty: ``$CREDITBANK_STANDARDS`` or the bundled standards).
    ``public_standards``: whether the read-only standards and computation routes answer
    without a token. ``max_body_bytes``: the largest request body accepted (413 above it).
    ``max_json_depth``: the deepest nesting of arrays and objects accepted in a JSON body.
    """

    ledger: str | None = None
    standards: tuple[str, ...] = field(default_factory=tuple)
    public_standards: bool = True
    max_body_bytes: int = 1_048_576
    max_json_depth: int = 64

    def to_env(self) -> str:
        """This configuration as the text of :data:`CONFIG_ENV_VAR`."""
        return json.dumps(asdict(self), sort_keys=True)

    def worker_environment(self) -> dict[str, str]:
        """The environment variables that hand this configuration to a worker process:
        :data:`CONFIG_ENV_VAR` with the ledger URL's password taken out, and that password,
        if any, in :data:`PASSWORD_ENV_VAR` (which libpq reads)."""
        if self.ledger is None:
            return {CONFIG_ENV_VAR: self.to_env()}
        location = parse_location(self.ledger)
        password = location.password
        if password is None:
            return {CONFIG_ENV_VAR: self.to_env()}
        bare = replace(self, ledger=location.without_password())
        return {CONFIG_ENV_VAR: bare.to_env(), PASSWORD_ENV_VAR: password}

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServiceConfig:
        """The configuration in :data:`CONFIG_ENV_VAR` (the defaults when it is unset)."""
        text = (os.environ if environ is None else environ).get(CONFIG_ENV_VAR)
        if not text:
            return cls()
        data = json.loads(text)
        data["standards"] = tuple(data.get("standards", ()))
        return cls(**data)
