"""The ledger never imports the interop adapters: interop deposits into the ledger, so the
dependency runs one way (interop -> ledger), and the verifier's vocabulary that both need
lives below them in ``creditbank.models.verification``."""

from __future__ import annotations

import ast
from pathlib import Path

import creditbank

PACKAGE = Path(creditbank.__file__).parent


def _imported(path: Path) -> set[str]:
    """Every module named by an import anywhere in ``path`` (also inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_ledger_imports_nothing_from_interop() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            n for n in _imported(path) if n.startswith("creditbank.interop")
        )
        for path in (PACKAGE / "ledger").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert offenders  # the walk found the ledger's modules


def test_the_verifier_and_the_ledger_share_one_reason_table() -> None:
    from creditbank.interop import verify
    from creditbank.ledger import events
    from creditbank.models import verification

    assert verify.REASON_STATUS is verification.REASON_STATUS
    assert events.REASON_STATUS is verification.REASON_STATUS
