"""The project configuration, found the way pytest and ruff find theirs.

From the working directory upwards, the first directory that holds ``creditbank.toml``, or a
``pyproject.toml`` with a ``[tool.creditbank]`` table, holds the configuration (a
``pyproject.toml`` without that table is passed over; ``creditbank.toml`` wins over a
``pyproject.toml`` in the same directory). Its keys:

* ``standards``: the layers of standards, a list of directories or files (a single string
  is one layer), relative to the configuration file; ``bundled`` names the bundled ones;
* ``program``: the programme commands use when ``--program`` is not given;
* ``lang``: ``zh`` or ``en``;
* ``ledger``: the ledger, a path (relative to the configuration file) or a URL.

A value is taken from, in order: the command line, the environment
(``$CREDITBANK_STANDARDS``, ``$CREDITBANK_LEDGER``), the configuration file, and the
default (the bundled standards, Chinese, no programme, no ledger). :func:`settings` says
which one each value in effect came from.

A bad file is a :class:`~creditbank.errors.LoadError` whose problems are located
``FILE:LINE:COL: CODE message``: ``TOML_SYNTAX``, ``UNKNOWN_FIELD`` (with a suggestion),
``WRONG_TYPE`` or ``INVALID_VALUE``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from creditbank.errors import ErrorCode, LoadError, Location, Problem
from creditbank.fileio import read_bytes
from creditbank.suggest import did_you_mean

__all__ = [
    "CONFIG_FILE",
    "CONFIG_KEYS",
    "ENVIRONMENT",
    "ProjectConfig",
    "Setting",
    "find_config",
    "project_config",
    "read_config",
    "setting_problems",
    "settings",
]

CONFIG_FILE = "creditbank.toml"
PYPROJECT = "pyproject.toml"
CONFIG_KEYS = ("standards", "program", "lang", "ledger")
ENVIRONMENT: Mapping[str, str] = {
    "standards": "CREDITBANK_STANDARDS",
    "ledger": "CREDITBANK_LEDGER",
}
"""The environment variables that set a key (they win over the configuration file)."""

_LANGS = ("zh", "en")
_MAX_BYTES = 1 << 20  # a configuration is a few lines; a bigger file is a mistake
_BUNDLED = "bundled"  # the word creditbank.bundled.BUNDLED; repeated to keep this module leaf


@dataclass(frozen=True)
class ProjectConfig:
    """What a configuration file says (``file`` None: there is none). ``standards`` are
    resolved against the file's directory (``bundled`` stays the word); so is a ``ledger``
    that is a path rather than a URL."""

    file: Path | None = None
    standards: tuple[str, ...] = ()
    program: str | None = None
    lang: Literal["zh", "en"] | None = None
    ledger: str | None = None


@dataclass(frozen=True)
class Setting:
    """One value in effect: ``source`` is ``option``, ``environment``, ``file`` or
    ``default``; ``origin`` says which (``--standards``, ``$CREDITBANK_STANDARDS``, the
    file's path, or what the default is)."""

    name: str
    value: str | tuple[str, ...] | None
    source: Literal["option", "environment", "file", "default"]
    origin: str

    def to_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"name": self.name, "value": value, "source": self.source, "origin": self.origin}


def find_config(start: str | Path | None = None) -> Path | None:
    """The configuration file for ``start`` (default: the working directory), or None."""
    here = Path(start if start is not None else Path.cwd()).absolute()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


_TOOL_TABLE = re.compile(r"^\s*\[\s*tool\s*\.\s*creditbank\s*\]", re.MULTILINE)


def _has_tool_table(path: Path) -> bool:
    # a text search first: most pyproject.toml files are not creditbank's, and parsing
    # them all on the way up would cost every command a TOML parse
    try:
        return _TOOL_TABLE.search(path.read_text(encoding="utf-8", errors="replace")) is not None
    except OSError:
        return False


def project_config(start: str | Path | None = None) -> ProjectConfig:
    """The configuration found from ``start`` (see :func:`find_config`), or an empty one."""
    found = find_config(start)
    return read_config(found) if found is not None else ProjectConfig()


def read_config(path: str | Path) -> ProjectConfig:
    """Read ``creditbank.toml`` or the ``[tool.creditbank]`` table of a ``pyproject.toml``.

    Raises :class:`~creditbank.errors.LoadError` (every problem, located) for a file that is
    not TOML, an unknown key or a value of the wrong type, and
    :class:`~creditbank.errors.FileError` when it cannot be read."""
    path = Path(path)
    name = str(path)
    text, document = _parse(path)
    pyproject = path.name == PYPROJECT
    table: Any = document.get("tool", {}).get("creditbank", {}) if pyproject else document
    prefix = ("tool", "creditbank") if pyproject else ()
    problems: list[Problem] = []

    def problem(code: ErrorCode, key: str, message: str) -> None:
        line, column = _key_position(text, key, pyproject)
        problems.append(Problem(code, message, Location(name, line, column, (*prefix, key))))

    if not isinstance(table, dict):
        problem("WRONG_TYPE", "creditbank", "[tool.creditbank] must be a table")
        raise LoadError(problems)
    for key in table:
        if key not in CONFIG_KEYS:
            problem(
                "UNKNOWN_FIELD",
                key,
                f"unknown key {key!r}; the keys are {', '.join(CONFIG_KEYS)}."
                + did_you_mean(key, CONFIG_KEYS),
            )
    base = path.absolute().parent
    standards: tuple[str, ...] = ()
    raw = table.get("standards")
    if isinstance(raw, str):
        raw = [raw]
    if raw is not None:
        if not isinstance(raw, list) or not all(isinstance(p, str) and p for p in raw):
            problem("WRONG_TYPE", "standards", "standards must be a list of directories or files")
        else:
            standards = tuple(p if p == _BUNDLED else str(base / p) for p in raw)
    values: dict[str, str | None] = {}
    for key in ("program", "lang", "ledger"):
        value = table.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            problem("WRONG_TYPE", key, f"{key} must be a non-empty string")
            value = None
        values[key] = value
    lang = values["lang"]
    if lang is not None and lang not in _LANGS:
        problem("INVALID_VALUE", "lang", f"lang must be zh or en, not {lang!r}")
        lang = None
    ledger = values["ledger"]
    if ledger is not None and "://" not in ledger and not Path(ledger).is_absolute():
        ledger = str(base / ledger)
    if problems:
        raise LoadError(problems)
    return ProjectConfig(
        file=path,
        standards=standards,
        program=values["program"],
        lang="en" if lang == "en" else "zh" if lang == "zh" else None,
        ledger=ledger,
    )


def _parse(path: Path) -> tuple[str, dict[str, Any]]:
    """The text of a configuration file and its TOML document (located errors)."""
    import tomllib  # noqa: PLC0415 - only commands run in a configured project pay for it

    name = str(path)
    raw_bytes = read_bytes(path, _MAX_BYTES)
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LoadError(
            [Problem("INVALID_UTF8", f"not UTF-8 text ({error.reason})", Location(name))]
        ) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, column = _position(str(error), text)
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", str(error))
        raise LoadError(
            [Problem("TOML_SYNTAX", f"not valid TOML: {message}", Location(name, line, column))]
        ) from None


def _position(message: str, text: str) -> tuple[int | None, int | None]:
    """Where tomllib's message says the error is (its error has no position fields before
    Python 3.14); "end of document" is after the last character."""
    found = re.search(r"line (\d+), column (\d+)", message)
    if found:
        return int(found[1]), int(found[2])
    return text.count("\n") + 1, len(text.rsplit("\n", 1)[-1]) + 1


def _key_position(text: str, key: str, pyproject: bool) -> tuple[int | None, int | None]:
    """Line and column of ``key =`` in the configuration's table (the table header when
    the key is not written on a line of its own)."""
    lines = text.splitlines()
    inside = not pyproject
    header: tuple[int, int] | None = None
    pattern = re.compile(rf"^(\s*)[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = _TOOL_TABLE.match(line) is not None or (not pyproject and inside)
            if inside and header is None:
                header = (number, 1)
            continue
        if inside and (match := pattern.match(line)):
            return number, len(match[1]) + 1
    return header if header is not None else (None, None)


def settings(
    options: Mapping[str, str | tuple[str, ...] | None] | None = None,
    *,
    start: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Setting, ...]:
    """Each key's value in effect and where it came from: ``options`` (what the command
    line gave; None or empty for not given), then ``environ`` (default ``os.environ``),
    then the configuration found from ``start``, then the default."""
    options = options or {}
    environ = os.environ if environ is None else environ
    config = project_config(start)
    where = str(config.file) if config.file is not None else ""
    from_file: dict[str, str | tuple[str, ...] | None] = {
        "standards": config.standards or None,
        "program": config.program,
        "lang": config.lang,
        "ledger": config.ledger,
    }
    defaults: dict[str, tuple[str | tuple[str, ...] | None, str]] = {
        "standards": ((_BUNDLED,), "the bundled standards"),
        "program": (None, "none: give --program"),
        "lang": ("zh", "Chinese"),
        "ledger": (None, "none: give --db"),
    }
    out: list[Setting] = []
    for key in CONFIG_KEYS:
        given = options.get(key)
        variable = ENVIRONMENT.get(key)
        if given:
            out.append(Setting(key, given, "option", f"--{'db' if key == 'ledger' else key}"))
        elif variable is not None and environ.get(variable):
            value: str | tuple[str, ...] = environ[variable]
            if key == "standards":
                value = tuple(p for p in environ[variable].split(os.pathsep) if p)
            out.append(Setting(key, value, "environment", f"${variable}"))
        elif from_file[key] is not None:
            out.append(Setting(key, from_file[key], "file", where))
        else:
            value_default, said = defaults[key]
            out.append(Setting(key, value_default, "default", said))
    return tuple(out)


def setting_problems(in_effect: tuple[Setting, ...]) -> tuple[Problem, ...]:
    """What is wrong with the settings in effect that reading them did not show: a
    standards layer that does not exist (FILE_NOT_FOUND). Otherwise only a command that
    loads the standards would find out, long after ``creditbank config`` said all was well.
    A layer from the file is located at the file's ``standards`` key."""
    problems: list[Problem] = []
    for setting in in_effect:
        if setting.name != "standards" or not isinstance(setting.value, tuple):
            continue
        location = Location(setting.origin)
        if setting.source == "file":
            path = Path(setting.origin)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            line, column = _key_position(text, "standards", path.name == "pyproject.toml")
            location = Location(setting.origin, line, column)
        for layer in setting.value:
            if layer != _BUNDLED and not Path(layer).exists():
                problems.append(
                    Problem(
                        "FILE_NOT_FOUND",
                        f"standards layer {layer} does not exist",
                        location,
                    )
                )
    return tuple(problems)
