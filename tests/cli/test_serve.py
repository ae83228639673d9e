"""``creditbank serve`` before it listens: errors that are ordinary errors, not uvicorn's."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from creditbank.cli import cli


def test_a_busy_port_is_an_ordinary_error_and_creates_nothing(tmp_path: Path) -> None:
    """uvicorn exited 3 with its own '[Errno 98]' line after the ledger file was created
    (new-user review, session 7)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        db = tmp_path / "bank.db"
        result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--port", str(port)])
    assert result.exit_code == 1, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "choose another --port" in result.output
    assert not db.exists()


def test_an_unknown_host_is_an_ordinary_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--host", "no such host", "--db", str(tmp_path / "b.db")]
    )
    assert result.exit_code == 1 and "cannot listen on no such host" in result.output


# Review finding (issue 17): a PostgreSQL password in --db went, in clear, to the worker
# processes in $CREDITBANK_SERVICE_CONFIG, and nothing said that the command line shows it.

_SECRET_URL = "postgresql://bank:s%40cret-42@db.internal:5432/credit?sslmode=require"


def test_a_password_in_the_db_url_is_warned_of_without_printing_it() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--db", _SECRET_URL, "--port", str(port), "--workers", "2"]
        )
    assert result.exit_code == 1, result.output  # the busy port: nothing was started
    assert "warning: the --db URL postgresql://bank:***@db.internal:5432/credit" in result.output
    assert "PGPASSWORD or a pgpass file" in result.output
    assert "cret-42" not in result.output


def test_no_warning_without_a_password(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--db", "postgresql://bank@db.internal/credit", "--port", str(port)]
        )
    assert result.exit_code == 1 and "warning" not in result.output


def test_the_workers_get_the_password_through_pgpassword_only() -> None:
    # Imported here: creditbank.service needs the serve extra, the other tests do not.
    from creditbank.service.config import (
        CONFIG_ENV_VAR,
        PASSWORD_ENV_VAR,
        ServiceConfig,
    )

    environment = ServiceConfig(ledger=_SECRET_URL).worker_environment()
    assert set(environment) == {CONFIG_ENV_VAR, PASSWORD_ENV_VAR}
    assert environment[PASSWORD_ENV_VAR] == "s@cret-42"  # percent-decoded, as libpq reads it
    assert "cret" not in environment[CONFIG_ENV_VAR]
    config = ServiceConfig.from_env(environment)
    assert config.ledger == "postgresql://bank@db.internal:5432/credit?sslmode=require"
    for plain in (None, "bank.db", "postgresql://bank@db.internal/credit"):
        environment = ServiceConfig(ledger=plain).worker_environment()
        assert environment == {CONFIG_ENV_VAR: ServiceConfig(ledger=plain).to_env()}


# Review finding (issue 17): d981eda took the password out of the URL's user part only; one
# given as a ``?password=`` query parameter (which libpq reads too) still went to the workers
# in $CREDITBANK_SERVICE_CONFIG, and serve did not warn of it.

_QUERY_URL = "postgresql://bank@db.internal:5432/credit?sslmode=require&password=s%40cret-43"


def test_a_password_in_the_query_goes_to_the_workers_through_pgpassword_only() -> None:
    from creditbank.service.config import CONFIG_ENV_VAR, PASSWORD_ENV_VAR, ServiceConfig

    environment = ServiceConfig(ledger=_QUERY_URL).worker_environment()
    assert set(environment) == {CONFIG_ENV_VAR, PASSWORD_ENV_VAR}
    assert environment[PASSWORD_ENV_VAR] == "s@cret-43"
    assert "cret" not in environment[CONFIG_ENV_VAR]
    config = ServiceConfig.from_env(environment)
    assert config.ledger == "postgresql://bank@db.internal:5432/credit?sslmode=require"
    # both forms: libpq takes the query's, and neither stays in the URL
    both = "postgresql://bank:first@db.internal/credit?password=second&sslmode=require"
    environment = ServiceConfig(ledger=both).worker_environment()
    assert environment[PASSWORD_ENV_VAR] == "second"
    assert ServiceConfig.from_env(environment).ledger == (
        "postgresql://bank@db.internal/credit?sslmode=require"
    )


def test_a_password_in_the_query_is_warned_of_without_printing_it() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--db", _QUERY_URL, "--port", str(port), "--workers", "2"]
        )
    assert result.exit_code == 1, result.output  # the busy port: nothing was started
    shown = "postgresql://bank@db.internal:5432/credit?sslmode=require&password=***"
    assert f"warning: the --db URL {shown}" in result.output
    assert "cret-43" not in result.output
