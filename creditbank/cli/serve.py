"""``creditbank serve``: the HTTP service (FastAPI on uvicorn)."""

from __future__ import annotations

import os
import socket

import click

from creditbank.cli.console import fail
from creditbank.cli.options import db_option, standards_option
from creditbank.errors import CreditbankError, LoadError
from creditbank.ledger import Ledger, parse_location

__all__ = ["serve_command"]


def _cannot_listen(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (in use, an unknown host …), or None.

    Checked as uvicorn binds (with SO_REUSEADDR), so that a busy port is an ordinary
    error saying so, not uvicorn's exit 3 after the ledger was already created.
    """
    if port == 0:
        return None
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError) as error:
        return str(error)
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            return error.strerror or str(error)
    return None


def _warn_of_password(db: str | None) -> None:
    """Warn (on stderr, the password masked) when the ``--db`` URL carries a password: the
    command line is visible to every user of the machine (``ps``). The workers get it
    through ``PGPASSWORD``, never in the configuration's environment variable."""
    if db is None:
        return
    try:
        location = parse_location(db)
    except CreditbankError:
        return  # a bad URL is reported when the ledger is opened
    if location.password is not None:
        click.echo(
            f"warning: the --db URL {location.shown()} carries a password, which any user of "
            "this machine can read in the process list; leave it out of the URL and give it "
            "through PGPASSWORD or a pgpass file (~/.pgpass, or PGPASSFILE)",
            err=True,
        )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="The port."
)
@db_option
@standards_option
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes (each loads the standards once).",
)
@click.option(
    "--public-standards/--private-standards",
    default=True,
    show_default=True,
    help="Whether the standards and computation routes answer without a token.",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1024),
    default=1_048_576,
    show_default=True,
    metavar="BYTES",
    help="The largest request body accepted (413 above it).",
)
# At most 200: JSON and pydantic parse nested values recursively, and must stay well below
# Python's recursion limit (1,000 frames, shared with the server's own).
@click.option(
    "--max-depth",
    type=click.IntRange(min=2, max=200),
    default=64,
    show_default=True,
    metavar="LEVELS",
    help="The deepest nesting of arrays and objects accepted in a JSON body (400 above it).",
)
def serve_command(
    host: str,
    port: int,
    db: str | None,
    standards_dirs: tuple[str, ...],
    workers: int,
    public_standards: bool,
    max_body: int,
    max_depth: int,
) -> None:
    """Serve creditbank over HTTP: evaluations, validation, the standards and the ledger.

    The OpenAPI document is at /openapi.json and the interactive docs at /docs. The ledger
    (--db) is created when it does not exist yet; without --db the ledger routes answer 503.
    Ledger routes need a bearer token (`creditbank ledger --db URL token issue`).
    """
    try:
        import uvicorn  # noqa: PLC0415 (the serve extra: only this command needs it)

        from creditbank.service import ServiceConfig, create_app  # noqa: PLC0415
    except ImportError as error:
        click.echo(
            f"error: the service needs the serve extra ({error.name} is missing): "
            "pip install 'creditbank[serve]'",
            err=True,
        )
        raise SystemExit(1) from None
    config = ServiceConfig(
        ledger=db,
        standards=standards_dirs,
        public_standards=public_standards,
        max_body_bytes=max_body,
        max_json_depth=max_depth,
    )
    _warn_of_password(db)
    busy = _cannot_listen(host, port)
    if busy is not None:  # before the ledger is created: a busy port changes nothing
        click.echo(
            f"error: cannot listen on {host}:{port}: {busy}; choose another --port", err=True
        )
        raise SystemExit(1)
    try:
        app = create_app(config)  # loads the standards: their problems stop the start here
        if db is not None:  # a ledger that does not exist yet is created, as `ledger init` would
            Ledger.open(db, create=True).close()
    except LoadError as error:
        for problem in error.problems:
            click.echo(str(problem))
        raise SystemExit(1) from None
    except CreditbankError as error:
        fail(error)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="info")
        return
    os.environ.update(config.worker_environment())
    uvicorn.run(
        "creditbank.service.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
