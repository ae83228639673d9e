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
