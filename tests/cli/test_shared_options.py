"""The options several commands share are declared once (creditbank/cli/options.py) and
mean the same everywhere: same name, type, destination and default (issue 16, item 1)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner

import creditbank.cli
from creditbank.cli import cli

SHARED = ("--as-of", "--program", "--standards", "--format", "--lang", "--db")
CLI_DIR = Path(creditbank.cli.__file__).parent


def _commands(
    command: click.Command, path: str = "creditbank"
) -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, f"{path} {name}")


def _options(flag: str) -> list[tuple[str, click.Option]]:
    return [
        (where, param)
        for where, command in _commands(cli)
        for param in command.params
        if isinstance(param, click.Option) and flag in param.opts
    ]


def test_only_options_py_spells_the_shared_options() -> None:
    spelled = {
        f"{path.name}:{node.lineno}": node.value
        for path in sorted(CLI_DIR.glob("*.py"))
        if path.name != "options.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in SHARED
    }
    assert spelled == {}


def test_every_shared_option_has_one_name_type_and_default() -> None:
    found = {flag: _options(flag) for flag in SHARED}
    assert all(found.values()), found  # every one is used somewhere
    for where, option in found["--as-of"]:
        assert option.name == "as_of", where
        assert isinstance(option.type, click.DateTime), where
        assert list(option.type.formats) == ["%Y-%m-%d"], where
        assert option.help and "YYYY-MM-DD" in option.help, where
    for where, option in found["--program"]:
        assert (option.name, option.type) == ("program", click.STRING), where
        assert option.help, where
    for where, option in found["--standards"]:
        assert (option.name, option.multiple, option.metavar) == ("standards_dirs", True, "DIR"), (
            where
        )
    for where, option in found["--format"]:
        assert option.name == "output_format", where
        assert isinstance(option.type, click.Choice) and "json" in option.type.choices, where
        assert option.show_default and option.help, where
    for where, option in found["--lang"]:
        assert isinstance(option.type, click.Choice), where
        # the default is read from creditbank.toml when there is one (issue 20), else zh
        default = option.default() if callable(option.default) else option.default
        assert (list(option.type.choices), default) == (["zh", "en"], "zh"), where
    for where, option in found["--db"]:  # `ledger` and `serve`
        assert (option.name, option.envvar) == ("db", "CREDITBANK_LEDGER"), where


def test_a_required_shared_option_is_asked_for() -> None:
    """An explicit default=None would make click (8.3) take a required option as given."""
    required = [
        (where, option) for flag in SHARED for where, option in _options(flag) if option.required
    ]
    assert {o.opts[0] for _, o in required} >= {"--program", "--as-of"}
    runner = CliRunner()
    result = runner.invoke(cli, ["evaluate", "portfolio.yaml"])
    assert result.exit_code == 2 and "Missing option '--program'" in result.output
    result = runner.invoke(
        cli,
        [
            "ledger",
            "expire",
            "w-1",
            "a-1",
            "--actor",
            "op-1",
            "--role",
            "bank_operator",
            "--key",
            "k",
        ],
    )
    assert result.exit_code == 2 and "Missing option '--as-of'" in result.output


def test_a_day_the_calendar_lacks_is_called_that() -> None:
    """--as-of 2026-02-30 said "does not match the format '%Y-%m-%d'", which was false
    (new-user review, session 7; issue 20 item 6)."""
    runner = CliRunner()
    args = ["evaluate", "portfolio.yaml", "--program", "460301", "--as-of"]
    result = runner.invoke(cli, [*args, "2026-02-30"])
    assert result.exit_code == 2
    assert "not a day of the calendar" in result.output
    assert "does not match the format" not in result.output
    result = runner.invoke(cli, [*args, "26-2-3"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    assert "--as-of DATE" in runner.invoke(cli, ["evaluate", "--help"]).output
