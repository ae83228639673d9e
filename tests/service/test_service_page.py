"""docs/service.md tells the truth: its role table is the ledger's authority model (tried
command by command, role by role, on a real ledger), and its error tables are the codes and
statuses the service gives. (Its walkthrough runs in tests/test_docs_examples.py.)"""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from creditbank.errors import LEDGER_ERROR_CODES, SERVICE_ERROR_CODES, LedgerError
from creditbank.ledger import ROLES, Actor, Ledger
from creditbank.ledger.events import Role
from creditbank.models import Standards
from creditbank.service import problems
from tests.paths import ROOT

PAGE = (ROOT / "docs" / "service.md").read_text(encoding="utf-8")
ACCOUNT = "w-001"
ACTORS: dict[Role, Actor] = {
    "learner": Actor(id=ACCOUNT, role="learner"),
    "issuer": Actor(id="s-7", role="issuer", organisation="demo-employer"),
    "school_reviewer": Actor(id="t-2", role="school_reviewer", organisation="demo-college"),
    "academic_affairs": Actor(id="r-9", role="academic_affairs", organisation="demo-college"),
    "bank_operator": Actor(id="ops-1", role="bank_operator"),
}
PROGRAM = "demo-college:460301"
CERTIFICATE = {
    "id": "elec-l3",
    "unit": "skill:csco2022:6-31-01-03",
    "level": "三级",
    "earned_on": "2023-06-30",
}


def _table(heading: str) -> list[list[str]]:
    """The rows (cells stripped) of the table whose header line is ``heading``."""
    after = PAGE[PAGE.index(heading) :]
    rows = []
    for line in after.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:]  # the header and the |---| line


def _codes(text: str) -> list[str]:
    return re.findall(r"`([A-Z_]+)`", text)


# ------------------------------------------------------------------ routes


def _expand(cell: str) -> set[tuple[str, str]]:
    """The routes a cell names: ``METHOD /path`` items, and ``…/tail`` items that, with the
    method before them, extend the route before them when it ends in a ``{parameter}`` and
    otherwise replace its last segment (``…/statement`` after ``GET /v1/accounts/{account}``,
    ``…/approve`` after ``POST …/review``)."""
    found: set[tuple[str, str]] = set()
    method, path = "", ""
    for item in re.findall(r"`([^`]+)`", cell):
        if item.startswith("…/"):
            base = path if path.endswith("}") else path.rsplit("/", 1)[0]
            path = f"{base}/{item[2:]}"
        else:
            method, path = item.split(" ", 1)
        found.add((method, path))
    return found


def _served(standards: Standards) -> set[tuple[str, str]]:
    from creditbank.service import ServiceConfig, create_app

    document = create_app(ServiceConfig(), standards=standards).openapi()
    return {(m.upper(), path) for path, ops in document["paths"].items() for m in ops}


def _ledger_routes_landed(standards: Standards) -> None:
    # The page documents the ledger routes of the route contract (issue 17 item 2), written
    # by another helper at the same time: until they are on main, say so, precisely.
    if ("POST", "/v1/accounts") not in _served(standards):
        pytest.xfail("the ledger routes (POST /v1/accounts …) are not on main yet")


def test_the_route_table_is_the_services_routes(standards: Standards) -> None:
    _ledger_routes_landed(standards)
    served = _served(standards)
    shown: set[tuple[str, str]] = set()
    for row in _table("| route | what it answers | token |"):
        shown |= _expand(row[0])
    assert shown == served


# ------------------------------------------------------------------ roles

Setup = Callable[[Ledger], None]
Attempt = Callable[[Ledger, Actor], object]


def _opened(lg: Ledger) -> None:
    lg.open_account(ACCOUNT, actor=ACTORS["bank_operator"], key="open")


def _deposited(lg: Ledger) -> None:
    _opened(lg)
    lg.deposit(ACCOUNT, CERTIFICATE, actor=ACTORS["issuer"], key="deposit")


def _applied(lg: Ledger) -> None:
    _deposited(lg)
    lg.apply(ACCOUNT, PROGRAM, actor=ACTORS["bank_operator"], key="apply")


def _reviewed(lg: Ledger) -> None:
    _applied(lg)
    lg.review(ACCOUNT, "app-1", actor=ACTORS["school_reviewer"], key="review")


# Each command of the page's table: the state it is tried in (one where the right role
# succeeds or gets past the authority check), and the attempt.
COMMANDS: dict[str, tuple[Setup, Attempt]] = {
    "open": (lambda lg: None, lambda lg, a: lg.open_account(ACCOUNT, actor=a, key="k")),
    "deposit": (
        _opened,
        lambda lg, a: lg.deposit(ACCOUNT, CERTIFICATE, actor=a, key="k"),
    ),
    "apply": (_deposited, lambda lg, a: lg.apply(ACCOUNT, PROGRAM, actor=a, key="k")),
    "review": (_applied, lambda lg, a: lg.review(ACCOUNT, "app-1", actor=a, key="k")),
    "approve": (_reviewed, lambda lg, a: lg.approve(ACCOUNT, "app-1", actor=a, key="k")),
    "reject": (
        _applied,
        lambda lg, a: lg.reject(ACCOUNT, "app-1", actor=a, key="k", reason="not ours"),
    ),
    "override": (
        _applied,
        lambda lg, a: lg.override(
            ACCOUNT, "app-1", actor=a, key="k", action="deny", achievement="elec-l3", reason="x"
        ),
    ),
    "revoke": (
        _deposited,
        lambda lg, a: lg.revoke(ACCOUNT, "elec-l3", actor=a, key="k", reason="withdrawn"),
    ),
    "expire": (
        _deposited,
        lambda lg, a: lg.expire(ACCOUNT, "elec-l3", actor=a, key="k", as_of=dt.date.today()),
    ),
    "profile": (_opened, lambda lg, a: lg.record_profile(ACCOUNT, actor=a, key="k", region="44")),
    "funding": (
        _opened,
        lambda lg, a: lg.fund(
            ACCOUNT,
            "demo-college:460301",
            actor=a,
            key="k",
            scheme="求学圆梦行动",
            rule="fund:demo-college:460301:qxym",
        ),
    ),
}


def _authorised(path: Path, standards: Standards, command: str, role: Role) -> bool:
    """Whether the ledger lets ``role`` give ``command`` (refused only by NOT_AUTHORISED;
    another refusal, say an achievement not yet expired, comes after the authority check)."""
    _, attempt = COMMANDS[command]
    with Ledger.open(path, standards) as lg:
        try:
            attempt(lg, ACTORS[role])
        except LedgerError as error:
            return error.code != "NOT_AUTHORISED"
    return True


def test_the_role_table_is_the_ledgers_authority_model(
    standards: Standards, tmp_path: Path
) -> None:
    table = {row[0]: row for row in _table("| command | route | who may (role) |")}
    assert sorted(table) == sorted(COMMANDS)
    for command, (setup, _) in COMMANDS.items():
        start = tmp_path / f"{command}.db"
        with Ledger.open(start, standards, create=True) as lg:
            setup(lg)
        allowed = set()
        for role in ROLES:
            attempt = tmp_path / f"{command}-{role}.db"
            shutil.copyfile(start, attempt)
            if _authorised(attempt, standards, command, role):
                allowed.add(role)
        shown = {r for r in re.findall(r"`(\w+)`", table[command][2]) if r in ROLES}
        assert shown == allowed, f"{command}: the page says {shown}, the ledger allows {allowed}"


def test_a_wrong_role_table_would_fail(standards: Standards, tmp_path: Path) -> None:
    """The check above can fail: a learner may not review."""
    path = tmp_path / "bank.db"
    with Ledger.open(path, standards, create=True) as lg:
        _applied(lg)
    assert not _authorised(path, standards, "review", "learner")
    assert _authorised(path, standards, "review", "school_reviewer")


# ------------------------------------------------------------------ errors

SOURCES = sorted((ROOT / "creditbank" / "service").rglob("*.py"))
# Where the service gives a code of its own with a literal status: ServiceProblem(STATUS,
# "CODE", …), problem_response(request, STATUS, "CODE", …) and the {STATUS: "CODE"} map of
# HTTP errors. (A few codes come with a computed status, UNKNOWN_PROGRAM or a JSON parser's
# DUPLICATE_KEY: the page must still name only codes the service's code holds.)
GIVEN = re.compile(
    r"(?:ServiceProblem\(\s*|problem_response\(\s*request,\s*)(\d{3}),\s*\"([A-Z_]+)\""
    r"|(\d{3}): \"([A-Z_]+)\""
)


def test_the_services_own_codes_and_statuses_are_the_pages(standards: Standards) -> None:
    _ledger_routes_landed(standards)
    given = set()
    texts = ""
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        texts += text
        for match in GIVEN.finditer(text):
            status, code = (match[1], match[2]) if match[1] else (match[3], match[4])
            given.add((code, int(status)))
    shown = {(row[0].strip("`"), int(row[1])) for row in _table("| code | status | when |")}
    assert given - shown == set(), "codes the service gives that the page does not show"
    unknown = {code for code, _ in shown if f'"{code}"' not in texts}
    assert unknown == set(), "codes the page shows that the service does not give"


def test_the_ledger_codes_statuses_are_the_pages() -> None:
    shown: dict[str, int] = {}
    for status, codes in _table("| status | ledger codes |"):
        shown |= dict.fromkeys(_codes(codes), int(status))
    assert set(shown) <= set(LEDGER_ERROR_CODES)
    assert {c: problems.status_of_ledger_error(c) for c in shown} == shown
    not_422 = {c for c in LEDGER_ERROR_CODES if problems.status_of_ledger_error(c) != 422}
    assert set(shown) == not_422


@pytest.mark.parametrize("heading", ["| code | status | when |", "| status | ledger codes |"])
def test_the_tables_are_found(heading: str) -> None:
    assert len(_table(heading)) >= 5


# Review finding (issue 17): the service's own codes were missing from the error codes page
# (docs/reference/errors.md, generated from creditbank/errors.py by creditbank.docgen).

_NOT_CODES = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
"""Upper-case strings of the service's code that are no error codes: HTTP methods."""


def _service_codes() -> set[str]:
    """Every error code the service's code names: each upper-case string literal but the
    names of its own constants (``__all__``), the environment variables it reads and the
    HTTP methods."""
    from creditbank.service import config

    names: set[str] = set()
    literals: set[str] = set()
    for source in SOURCES:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
    environment = {config.CONFIG_ENV_VAR, config.PASSWORD_ENV_VAR}
    codes = {s for s in literals if re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*", s)}
    return codes - names - environment - _NOT_CODES


def test_every_code_the_service_gives_is_on_the_error_codes_page() -> None:
    page = (ROOT / "docs" / "reference" / "errors.md").read_text(encoding="utf-8")
    codes = _service_codes()
    assert {"NOTHING_DEPOSITED", "UNAUTHENTICATED", "HTTP_ERROR", "INVALID_DATE"} <= codes
    missing = sorted(code for code in codes if f"| `{code}` |" not in page)
    assert missing == [], f"not on docs/reference/errors.md: {missing}"


def test_the_service_codes_statuses_are_the_registrys() -> None:
    """SERVICE_ERROR_CODES (the page's table) gives each code the status the service's code
    gives it, where that status is written with the code."""
    given = set()
    for source in SOURCES:
        for match in GIVEN.finditer(source.read_text(encoding="utf-8")):
            status, code = (match[1], match[2]) if match[1] else (match[3], match[4])
            given.add((code, int(status)))
    registry = {(code, status) for code, (status, _) in SERVICE_ERROR_CODES.items()}
    assert given - registry == set()
