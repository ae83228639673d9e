"""Every error creditbank reports, in one shallow tree, each with a stable code.

A :class:`Problem` is one thing wrong with one input: a stable ``code``, a plain
``message`` saying what is wrong and how to fix it, and a :class:`Location` saying
where (file, 1-based line and column, and the YAML path inside the document).

>>> p = Problem("UNKNOWN_FIELD", "unknown field 'credit'; did you mean 'credits'?",
...             Location("rules.yaml", 12, 5, ("items", 0, "credit")))
>>> print(p)
rules.yaml:12:5: UNKNOWN_FIELD unknown field 'credit'; did you mean 'credits'? [items[0].credit]

Exceptions:

* :class:`CreditbankError` — the root; catch it to catch anything creditbank raises on purpose.
* :class:`LoadError` — one or more :class:`Problem` s found while loading standards or a portfolio;
  ``problems`` holds all of them, sorted by file and line.
* :class:`FileError` — a file could not be read or written (a missing directory, a device, a
  full disk …); ``code`` is one of :data:`FILE_ERROR_CODES`, ``problem`` locates it.
* :class:`BatchError` — ``creditbank batch`` cannot run or resume (an input that cannot be read,
  an output that is not a batch output, or one written under other standards or date).
* :class:`LedgerError` — a ledger command was refused (nothing was written) or the ledger
  database cannot be used; ``code`` is one of :data:`LEDGER_ERROR_CODES`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, get_args

__all__ = [
    "CLI_ERROR_CODES",
    "ERROR_CODES",
    "EVALUATION_ERROR_CODES",
    "FILE_ERROR_CODES",
    "LEDGER_ERROR_CODES",
    "SERVICE_ERROR_CODES",
    "BatchError",
    "CliErrorCode",
    "CreditbankError",
    "ErrorCode",
    "EvaluationError",
    "EvaluationErrorCode",
    "FileError",
    "FileErrorCode",
    "LedgerError",
    "LedgerErrorCode",
    "LoadError",
    "Location",
    "Problem",
    "format_path",
]

FileErrorCode = Literal[
    "FILE_NOT_FOUND",
    "FILE_TOO_LARGE",
    "NOT_A_FILE",
    "DIRECTORY_NOT_FOUND",
    "NOT_A_DIRECTORY",
    "PERMISSION_DENIED",
    "DISK_FULL",
    "READ_ONLY",
    "IO_ERROR",
]
"""The codes of errors the operating system gives while a file is read or written."""

ErrorCode = Literal[
    FileErrorCode,  # reading (or writing) the file
    "INVALID_UTF8",
    "BYTE_ORDER_MARK",
    "TAB_INDENTATION",
    "YAML_SYNTAX",
    "EMPTY_DOCUMENT",
    "MULTIPLE_DOCUMENTS",
    "DUPLICATE_KEY",
    "UNSUPPORTED_TAG",
    "ALIAS_LIMIT",
    "RECURSIVE_ALIAS",
    "TOO_DEEP",
    "NON_STRING_KEY",
    "TOML_SYNTAX",
    # the document's shape
    "UNKNOWN_KIND",
    "UNKNOWN_FIELD",
    "MISSING_FIELD",
    "WRONG_TYPE",
    "INVALID_VALUE",
    "INVALID_ID",
    "INVALID_DATE",
    "NEGATIVE_AMOUNT",
    "AMOUNT_PRECISION",
    "NOT_A_NUMBER",
    "DATE_RANGE_REVERSED",
    "TOO_MANY_ACHIEVEMENTS",
    "DUPLICATE_RANK",
    "DUPLICATE_LOCAL_ID",
    "MISSING_SOURCE",
    "PERSONAL_IDENTIFIER",
    # across files
    "DUPLICATE_ID",
    "NOTHING_TO_OVERRIDE",
    "DUPLICATE_ISSUER_IDENTIFIER",
    "UNKNOWN_REFERENCE",
    "WRONG_REFERENCE_KIND",
    "UNKNOWN_LEVEL",
    "LEVEL_NOT_ALLOWED",
    "UNKNOWN_GRADE",
    "UNKNOWN_REQUIREMENT",
    "PROGRAM_STRUCTURE",
    "NO_STANDARDS",
]

ERROR_CODES: dict[ErrorCode, str] = {
    "FILE_NOT_FOUND": "the path does not exist",
    "FILE_TOO_LARGE": "the file (or one batch record) is larger than the size limit",
    "NOT_A_FILE": "the path is not a regular file (a directory, a device, a pipe), or for "
    "standards neither a file nor a directory",
    "DIRECTORY_NOT_FOUND": "the directory to write the file into does not exist",
    "NOT_A_DIRECTORY": "a directory is wanted, but the path is a file (or a device, a FIFO …)",
    "PERMISSION_DENIED": "the operating system does not allow reading or writing the file",
    "DISK_FULL": "the disk (or the user's quota) is full; nothing was written",
    "READ_ONLY": "the file system is read-only; nothing was written",
    "IO_ERROR": "the operating system failed to read or write the file",
    "INVALID_UTF8": "the file is not valid UTF-8 (GBK? UTF-16?)",
    "BYTE_ORDER_MARK": "the file starts with a byte order mark",
    "TAB_INDENTATION": "a tab is used for indentation, which YAML forbids",
    "YAML_SYNTAX": "the text is not well-formed YAML",
    "EMPTY_DOCUMENT": "the file holds no document",
    "MULTIPLE_DOCUMENTS": "the file holds more than one YAML document",
    "DUPLICATE_KEY": "a mapping has the same key twice",
    "UNSUPPORTED_TAG": "a YAML tag other than the standard ones, or a merge key, is used",
    "ALIAS_LIMIT": "aliases expand the document beyond the limit (an alias bomb)",
    "RECURSIVE_ALIAS": "an alias refers to a node that contains it",
    "TOO_DEEP": "the document nests deeper than the limit",
    "NON_STRING_KEY": "a mapping key is not a string",
    "TOML_SYNTAX": "a configuration file (creditbank.toml, pyproject.toml) is not valid TOML",
    "UNKNOWN_KIND": "the document's `kind` is missing or not one creditbank knows",
    "UNKNOWN_FIELD": "a field the format does not have (with a suggestion)",
    "MISSING_FIELD": "a required field is absent",
    "WRONG_TYPE": "a value has the wrong type",
    "INVALID_VALUE": "a value is outside what the format allows",
    "INVALID_ID": "an identifier has characters identifiers may not have (e.g. full-width ６)",
    "INVALID_DATE": "a date is not a valid calendar date",
    "NEGATIVE_AMOUNT": "a credit, hour or count amount is negative",
    "AMOUNT_PRECISION": "an amount has more decimal places than the format allows",
    "NOT_A_NUMBER": "an amount is infinite or not a number",
    "DATE_RANGE_REVERSED": "an end date comes before its start date",
    "TOO_MANY_ACHIEVEMENTS": "a portfolio lists more achievements than the limit",
    "DUPLICATE_RANK": "two levels or grades of one scale share a rank",
    "DUPLICATE_LOCAL_ID": "two entries inside one item share an id",
    "MISSING_SOURCE": "an item neither cites a source (or cites an unverified one) nor is marked "
    "as an example",
    "PERSONAL_IDENTIFIER": "a field of a portfolio's profile looks like a resident identity "
    "number (身份证号); a profile holds opaque ids only",
    "DUPLICATE_ID": "two items of the same kind share an id (in one layer of standards, or in "
    "two layers without `overrides: true` on the later one)",
    "NOTHING_TO_OVERRIDE": "an item says `overrides: true` but no earlier layer of standards "
    "has an item of its kind and id",
    "DUPLICATE_ISSUER_IDENTIFIER": "two issuers (or one issuer twice) list the same credential "
    "issuer identifier",
    "UNKNOWN_REFERENCE": "a reference names an id that no item has (with a suggestion)",
    "WRONG_REFERENCE_KIND": "a reference names an item of the wrong kind",
    "UNKNOWN_LEVEL": "a level that the framework does not have",
    "LEVEL_NOT_ALLOWED": "a level the framework has but the unit does not allow",
    "UNKNOWN_GRADE": "a grade that the grade scale does not have",
    "UNKNOWN_REQUIREMENT": "a requirement the programme does not have",
    "PROGRAM_STRUCTURE": "a programme breaks the structure its guideline sets (教职成〔2019〕13号)",
    "NO_STANDARDS": "no standards files were found",
}

_missing = set(get_args(ErrorCode)) ^ set(ERROR_CODES)
assert not _missing, f"ERROR_CODES out of step with ErrorCode: {_missing}"

FILE_ERROR_CODES: dict[FileErrorCode, str] = {
    code: ERROR_CODES[code] for code in get_args(FileErrorCode)
}

PathItem = str | int


def format_path(path: Iterable[PathItem]) -> str:
    """Render a YAML path the way a person reads it.

    >>> format_path(("items", 3, "when", "level"))
    'items[3].when.level'
    >>> format_path(())
    ''
    """
    out = ""
    for item in path:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            out += f".{item}" if out else str(item)
    return out


@dataclass(frozen=True, order=True)
class Location:
    """Where an input came from. ``line`` and ``column`` count from 1."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: tuple[PathItem, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            parts.append(str(self.column if self.column is not None else 1))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with its stable code and location."""

    code: ErrorCode
    message: str
    location: Location = field(default_factory=Location)

    def __str__(self) -> str:
        text = f"{self.location}: {self.code} {self.message}"
        where = format_path(self.location.path)
        return f"{text} [{where}]" if where else text

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file or "", loc.line or 0, loc.column or 0, self.code, self.message)


class CreditbankError(Exception):
    """The root of every error creditbank raises on purpose."""


EvaluationErrorCode = Literal[
    "UNKNOWN_PROGRAM",
    "UNKNOWN_UNIT",
    "UNKNOWN_LEVEL",
    "UNKNOWN_ACHIEVEMENT",
    "UNKNOWN_OCCUPATION",
    "INVALID_QUERY",
]
"""The codes of :class:`EvaluationError`: what a question to the engine named that the
standards (or the portfolio) lack, or ``INVALID_QUERY`` for a question it cannot read."""

EVALUATION_ERROR_CODES: dict[EvaluationErrorCode, str] = {
    "UNKNOWN_PROGRAM": "the standards have no programme with this id or catalogue code",
    "UNKNOWN_UNIT": "the standards have no unit with this id",
    "UNKNOWN_LEVEL": "the unit has no such level, or needs one",
    "UNKNOWN_ACHIEVEMENT": "the portfolio has no achievement with this id",
    "UNKNOWN_OCCUPATION": "no occupation has this code or name",
    "INVALID_QUERY": "the question cannot be read or answered as asked",
}

_missing_evaluation = set(get_args(EvaluationErrorCode)) ^ set(EVALUATION_ERROR_CODES)
assert not _missing_evaluation, f"EVALUATION_ERROR_CODES out of step: {_missing_evaluation}"


SERVICE_ERROR_CODES: dict[str, tuple[int, str]] = {
    "MALFORMED_JSON": (400, "the body is not JSON (or not UTF-8, or ended before it was sent)"),
    "TOO_DEEP": (400, "the body nests arrays and objects deeper than the service accepts"),
    "DUPLICATE_KEY": (400, "an object of the body names the same field twice"),
    "NUMBER_TOO_LARGE": (400, "a number of the body has more than 100 digits"),
    "BAD_CONTENT_LENGTH": (400, "the Content-Length header is not a number of bytes"),
    "UNKNOWN_QUERY_PARAMETER": (400, "a query parameter the route does not take"),
    "INVALID_IDEMPOTENCY_KEY": (
        400,
        "an Idempotency-Key that is not 1 to 128 printable ASCII characters other than ':'",
    ),
    "UNAUTHENTICATED": (401, "a bearer token is required"),
    "INVALID_TOKEN": (401, "the bearer token is not valid (unknown, revoked or malformed)"),
    "FORBIDDEN": (403, "the token's role or learner may not do this"),
    "CSRF": (403, "a form of the registrar pages was sent without its valid CSRF field"),
    "NOT_FOUND": (404, "no such route"),
    "METHOD_NOT_ALLOWED": (405, "the route does not accept this method"),
    "IDEMPOTENCY_CONFLICT": (409, "an Idempotency-Key already used for a different request"),
    "BODY_TOO_LARGE": (413, "the request body is larger than the service accepts"),
    "URI_TOO_LONG": (414, "the request's URL is longer than the service accepts"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "the body must be JSON (Content-Type: application/json)"),
    "INVALID_REQUEST": (422, "the request's fields are missing, of the wrong type or out of range"),
    "INVALID_DATE": (
        422,
        "a date of the request does not parse (not YYYY-MM-DD) or is a day the calendar "
        "lacks, on every route",
    ),
    "INVALID_INPUT": (422, "the input was refused by the library without a code of its own"),
    "NOTHING_DEPOSITED": (422, "a credential deposit that deposited no achievement"),
    "HTTP_ERROR": (400, "another HTTP error of the web framework (its own status)"),
    "INTERNAL_ERROR": (500, "a bug: logged with its traceback on the server, never in the answer"),
    "LEDGER_NOT_CONFIGURED": (503, "the service was started without a ledger (--db)"),
}
"""The codes ``creditbank serve`` gives of its own, each with its HTTP status and meaning
(problem documents, ``docs/service.md``). It also answers with the codes above: a portfolio
or fragment that does not load with its first problem's code (422), the engine's codes
(422; an unknown programme in a URL's path 404), the ledger's (statuses in
``docs/service.md``) and the interoperability codes."""


class EvaluationError(CreditbankError):
    """An evaluation or a query cannot run: an unknown programme, unit or level, or a
    question it cannot read; ``code`` is one of :data:`EVALUATION_ERROR_CODES`.

    >>> error = EvaluationError("unknown programme 'x'", "UNKNOWN_PROGRAM")
    >>> error.code, str(error)
    ('UNKNOWN_PROGRAM', "unknown programme 'x'")
    """

    def __init__(self, message: str, code: EvaluationErrorCode = "INVALID_QUERY") -> None:
        self.code: EvaluationErrorCode = code
        self.message = message
        super().__init__(message)


CliErrorCode = Literal[
    "USAGE_ERROR", "COMMAND_FAILED", "CHECK_FAILED", "INVALID_INPUT", "INTERNAL_ERROR"
]
"""The codes of errors the command line itself reports (``--format json`` prints them as
``{"error": {"code": …}}``); a library error keeps its own code."""

CLI_ERROR_CODES: dict[CliErrorCode, str] = {
    "USAGE_ERROR": "the command line is wrong: an unknown option or command, a bad or missing "
    "value (exit 2)",
    "COMMAND_FAILED": "the command cannot do what was asked with these arguments (exit 1)",
    "CHECK_FAILED": "a check the command ran did not pass (conformance cases that fail); the "
    "report says which (exit 1)",
    "INVALID_INPUT": "the input has a problem that has no more specific code (exit 1)",
    "INTERNAL_ERROR": "a bug in creditbank (exit 70); set CREDITBANK_DEBUG=1 and report it",
}

_missing_cli = set(get_args(CliErrorCode)) ^ set(CLI_ERROR_CODES)
assert not _missing_cli, f"CLI_ERROR_CODES out of step: {_missing_cli}"


class BatchError(CreditbankError):
    """A batch cannot run (or resume): unreadable input, an output that is not ours, a
    programme that does not exist, or an output written under other standards or date."""


class LoadError(CreditbankError):
    """Standards or a portfolio could not be loaded; ``problems`` says every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems), key=Problem.sort_key))
        count = len(self.problems)
        head = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n… and {count - 20} more" if count > 20 else ""
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found:\n{head}{more}")

    @property
    def codes(self) -> tuple[ErrorCode, ...]:
        """The codes of all problems, in report order."""
        return tuple(p.code for p in self.problems)


class FileError(CreditbankError):
    """A file could not be read or written; nothing was written (see :mod:`creditbank.fileio`).

    >>> error = FileError("DISK_FULL", "no space left on the device", "out/result.json")
    >>> print(error)
    out/result.json: DISK_FULL no space left on the device
    >>> error.problem.code, error.problem.location.file
    ('DISK_FULL', 'out/result.json')
    """

    def __init__(self, code: FileErrorCode, message: str, path: str) -> None:
        self.code: FileErrorCode = code
        self.message = message
        self.path = path
        super().__init__(f"{path}: {code} {message}")

    @property
    def problem(self) -> Problem:
        """The error as a :class:`Problem` located at the file."""
        return Problem(self.code, self.message, Location(self.path))


LedgerErrorCode = Literal[
    # the database
    "LEDGER_NOT_FOUND",
    "NOT_A_LEDGER",
    "SCHEMA_TOO_NEW",
    "LEDGER_BUSY",
    "STORE_REFUSED",
    "READ_ONLY",
    "DISK_FULL",
    "LEDGER_IO_ERROR",
    "CORRUPT_SCHEMA",
    "NOT_A_FILE",
    "BAD_LEDGER_URL",
    "BACKEND_MISSING",
    "LEDGER_UNREACHABLE",
    "LEDGER_NOT_EMPTY",
    "SOURCE_NOT_VERIFIED",
    # the command's shape
    "MALFORMED_COMMAND",
    "PERSONAL_IDENTIFIER",
    "AMOUNT_NOT_EXACT",
    "IDEMPOTENCY_CONFLICT",
    # what it refers to
    "UNKNOWN_ACCOUNT",
    "ACCOUNT_EXISTS",
    "UNKNOWN_ACHIEVEMENT",
    "DUPLICATE_ACHIEVEMENT",
    "CREDENTIAL_IN_OTHER_ACCOUNT",
    "SUBJECT_MISMATCH",
    "CREDENTIAL_EXPIRED",
    "CREDENTIAL_STATUS_UNCHECKED",
    "INVALID_ACHIEVEMENT",
    "UNKNOWN_APPLICATION",
    "UNKNOWN_PROGRAM",
    "UNKNOWN_FUNDING_RULE",
    # authority and workflow
    "NOT_AUTHORISED",
    "SEPARATION_OF_DUTIES",
    "INVALID_TRANSITION",
    "ACHIEVEMENT_INACTIVE",
    "NOT_EXPIRED",
    "EVALUATION_FAILED",
    # API tokens
    "UNKNOWN_TOKEN",
    "BAD_TOKEN_REQUEST",
]

LEDGER_ERROR_CODES: dict[LedgerErrorCode, str] = {
    "LEDGER_NOT_FOUND": "no ledger database at the path (create one with init)",
    "NOT_A_LEDGER": "the file is not a creditbank ledger database",
    "SCHEMA_TOO_NEW": "the ledger was written by a newer creditbank; upgrade to open it",
    "LEDGER_BUSY": "another writer held the ledger longer than the timeout; try again",
    "STORE_REFUSED": "the database refused the change (a constraint or trigger of the store)",
    "READ_ONLY": "the ledger's file or directory cannot be written (a read-only mount, or no "
    "write permission); reading it still works",
    "DISK_FULL": "the disk holding the ledger is full; nothing was written",
    "LEDGER_IO_ERROR": "the operating system could not read or write the ledger's files",
    "CORRUPT_SCHEMA": "the SQL text of the ledger's tables, indexes or triggers is damaged (SQLite "
    "cannot read it, or, for a command that writes, it differs from creditbank's); restore "
    "from a backup",
    "NOT_A_FILE": "the ledger path is a directory, a device or a pipe, not a regular file",
    "BAD_LEDGER_URL": "the ledger's location is not a file path, sqlite:///PATH or "
    "postgresql://...",
    "BACKEND_MISSING": "the ledger is on PostgreSQL but psycopg is not installed (install "
    "creditbank[postgres])",
    "LEDGER_UNREACHABLE": "the PostgreSQL server of the ledger cannot be reached or refused "
    "the login",
    "LEDGER_NOT_EMPTY": "the destination ledger already holds events; copy only into an empty one",
    "SOURCE_NOT_VERIFIED": "the ledger to copy does not verify; a copy would carry its damage",
    "MALFORMED_COMMAND": "a command's fields are missing, of the wrong type or out of range",
    "PERSONAL_IDENTIFIER": "an id looks like a personal identifier (身份证号); use an opaque id",
    "AMOUNT_NOT_EXACT": "a credit amount has more than two decimal places",
    "IDEMPOTENCY_CONFLICT": "the idempotency key was used before for a different command",
    "UNKNOWN_ACCOUNT": "no account has this id (open it first)",
    "ACCOUNT_EXISTS": "an account with this id is already open",
    "UNKNOWN_ACHIEVEMENT": "the account holds no achievement with this id",
    "DUPLICATE_ACHIEVEMENT": "the account already holds an achievement with this id",
    "CREDENTIAL_IN_OTHER_ACCOUNT": "the credential was deposited into another account",
    "SUBJECT_MISMATCH": "the credential names another subject than the account's credentials",
    "CREDENTIAL_EXPIRED": "the credential's validity ended before the deposit",
    "CREDENTIAL_STATUS_UNCHECKED": "the credential's status (revocation) was not checked and "
    "unchecked status was not accepted explicitly",
    "INVALID_ACHIEVEMENT": "the achievement names units, levels or grades the standards lack",
    "UNKNOWN_APPLICATION": "the account has no application with this id",
    "UNKNOWN_PROGRAM": "the standards have no such programme, or it names no school",
    "UNKNOWN_FUNDING_RULE": "a funded place was granted under a rule that is not a funding "
    "eligibility rule of that programme and scheme",
    "NOT_AUTHORISED": "the actor's role or organisation may not give this command",
    "SEPARATION_OF_DUTIES": "the same person may not both review and approve an application",
    "INVALID_TRANSITION": "the application is not in a state where this step is allowed",
    "ACHIEVEMENT_INACTIVE": "the achievement was revoked or has expired",
    "NOT_EXPIRED": "the achievement has not expired on the given day",
    "EVALUATION_FAILED": "the engine could not evaluate the portfolio against the programme",
    "UNKNOWN_TOKEN": "the ledger has no API token with this id",
    "BAD_TOKEN_REQUEST": "a token's role, learner account or organisation does not fit the "
    "ledger's authority model (a learner's token names its account, an issuer's or school "
    "staff's its organisation)",
}

_missing_ledger = set(get_args(LedgerErrorCode)) ^ set(LEDGER_ERROR_CODES)
assert not _missing_ledger, f"LEDGER_ERROR_CODES out of step: {_missing_ledger}"


class LedgerError(CreditbankError):
    """A ledger command was refused, and nothing was written; or the ledger cannot be used.

    ``code`` is stable (see :data:`LEDGER_ERROR_CODES`); ``detail`` names what it is about.

    >>> error = LedgerError("UNKNOWN_ACCOUNT", "no account 'w-1'", account="w-1")
    >>> print(error)
    UNKNOWN_ACCOUNT: no account 'w-1'
    >>> error.detail
    {'account': 'w-1'}
    """

    def __init__(self, code: LedgerErrorCode, message: str, **detail: str) -> None:
        self.code: LedgerErrorCode = code
        self.message = message
        self.detail: dict[str, str] = dict(detail)
        super().__init__(f"{code}: {message}")
