"""With ``--format json`` every error of every command is one JSON document on standard
output, ``{"error": {"code", "message", "problems"?, "context"?}}``, with the exit codes of
text mode (1 the input has problems, 2 usage). The commands are discovered from the click
group, so a new command whose errors are not JSON fails here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from tests.paths import ROOT

PORTFOLIO = str(ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml")

# Commands without a JSON output: asking them for --format json is a usage error, itself
# one JSON document. Each says why it has no JSON output.
NO_JSON_FORMAT = {
    "batch": "writes JSON lines to a file; its report is a progress bar",
    "conformance export": "writes a dataset directory",
    "export case": "its output is JSON already (a CASE package)",
    "export clr": "its output is JSON already (a CLR credential)",
    "export ctdl": "its output is JSON-LD already",
    "ledger export": "its output is JSON lines already",
    "ledger init": "prints one line",
    "schema": "its output is JSON already (a JSON Schema)",
    "serve": "a server, not a report",
}


def _leaves(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found.extend(_leaves(command, (*prefix, name)))
        else:
            found.append((*prefix, name))
    return found


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def _value(param: click.Parameter) -> str:
    """A well-formed value naming something that does not exist."""
    if isinstance(param.type, click.Choice):
        return str(param.type.choices[0])
    if param.name == "as_of":
        return "2026-01-01"
    if param.name == "program":
        return "no-such-programme"
    if isinstance(param, click.Argument) and param.name in ("account", "application"):
        return "nobody"
    return "no-such-file.yaml"


def _error_arguments(path: tuple[str, ...]) -> list[str]:
    """The command's required arguments and options, each naming something missing; a
    ledger command also gets a ledger location that is not one."""
    command = _command(path)
    words = list(path[:1])
    if path[0] in ("ledger", "report"):  # the commands that read a ledger
        words += ["--db", "nowhere://ledger"]
    words += list(path[1:])
    for param in command.params:
        if param.name == "standards_dirs":
            words += ["--standards", "no-such-standards"]
        if not param.required:
            continue
        if isinstance(param, click.Argument):
            words.append(_value(param))
        else:
            words += [param.opts[0], _value(param)]
    words += _ALSO.get(path, [])
    if path in {("evaluate",), ("whatif",)}:
        words[1] = PORTFOLIO  # a real portfolio: the unknown programme is the error
    return words


_ALSO = {("ledger", "override"): ["--grant"]}
_BROKEN_CONFIG = {("config",)}
"""Commands whose arguments cannot be wrong: run beside a creditbank.toml that is not TOML."""
"""Options a command needs one of, which click cannot mark required."""


def _document(result: Any) -> dict[str, Any]:
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    try:
        document = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"not one JSON document on stdout: {result.stdout!r} {result.stderr!r}")
    assert isinstance(document, dict) and isinstance(document.get("error"), dict), document
    error = document["error"]
    assert isinstance(error["code"], str) and error["code"].isupper(), error
    assert isinstance(error["message"], str) and error["message"], error
    assert "Traceback" not in result.output
    return error


@pytest.mark.parametrize("path", _leaves(cli), ids=" ".join)
def test_every_command_answers_errors_as_json(
    path: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    format_param = next((p for p in _command(path).params if p.name == "output_format"), None)
    has_json = format_param is not None and "json" in getattr(format_param.type, "choices", ())
    name = " ".join(path)
    assert has_json != (name in NO_JSON_FORMAT), (
        f"{name}: give it --format json (errors then come as JSON) or list it in "
        "NO_JSON_FORMAT with why"
    )
    monkeypatch.chdir(tmp_path)  # no project configuration of the checkout is found
    if path in _BROKEN_CONFIG:  # its error path: a project configuration it cannot read
        (tmp_path / "creditbank.toml").write_text("standards = [\n", encoding="utf-8")
    result = CliRunner().invoke(cli, [*_error_arguments(path), "--format", "json"])
    error = _document(result)
    if not has_json:
        assert (error["code"], result.exit_code) == ("USAGE_ERROR", 2)
    else:  # the arguments are well formed: the error is the library's, exit 1
        assert result.exit_code == 1 and error["code"] != "USAGE_ERROR", error


@pytest.mark.parametrize(
    ("words", "code", "status"),
    [
        (["evaluate", "nothere.yaml", "--program", "x"], "FILE_NOT_FOUND", 1),
        (["evaluate", PORTFOLIO, "--program", "nope"], "UNKNOWN_PROGRAM", 1),
        (["evaluate", PORTFOLIO, "--program", "x", "--as-of", "2026-02-30"], "USAGE_ERROR", 2),
        (["evaluate", PORTFOLIO, "--bogus"], "USAGE_ERROR", 2),
        (["no-such-command"], "USAGE_ERROR", 2),
        (["ledger", "--db", "nowhere://x", "verify"], "BAD_LEDGER_URL", 1),
        (["validate", "nothere.yaml"], "FILE_NOT_FOUND", 1),
        (["whatif", PORTFOLIO, "--program", "demo-college:460301", "--add", "nope"], None, 1),
    ],
)
def test_error_paths_carry_their_code(words: list[str], code: str | None, status: int) -> None:
    result = CliRunner().invoke(cli, [*words, "--format=json"])
    error = _document(result)
    assert result.exit_code == status
    if code is not None:
        assert error["code"] == code
    assert result.stderr == ""


def test_located_problems_are_listed(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("kind: portfolio\nexample: true\nlearner: w\nachievements: 3\n", "utf-8")
    result = CliRunner().invoke(
        cli, ["evaluate", str(bad), "--program", "demo-college:460301", "--format", "json"]
    )
    error = _document(result)
    assert error["problems"] and all(
        p["file"] == str(bad) and p["line"] and p["code"] for p in error["problems"]
    )


def test_ledger_refusals_carry_their_context(tmp_path: Path) -> None:
    db = str(tmp_path / "bank.db")
    assert CliRunner().invoke(cli, ["ledger", "--db", db, "init"]).exit_code == 0
    result = CliRunner().invoke(cli, ["ledger", "--db", db, "verify", "--format", "json"])
    assert result.exit_code == 0, result.output
    words = ["ledger", "--db", db, "statement", "nobody", "--format", "json"]
    error = _document(CliRunner().invoke(cli, words))
    assert error["code"] == "UNKNOWN_ACCOUNT"


def test_text_mode_is_unchanged() -> None:
    result = CliRunner().invoke(cli, ["evaluate", "nothere.yaml", "--program", "x"])
    assert result.exit_code == 1
    assert result.stdout.startswith("nothere.yaml: FILE_NOT_FOUND")
    result = CliRunner().invoke(cli, ["evaluate", PORTFOLIO, "--bogus"])
    assert result.exit_code == 2 and "No such option" in result.stderr
