"""A golden case's standards and portfolio, loaded; standards written out as one document.

``bundled`` in a case means the standards shipped with creditbank; inline documents are
written to files and loaded with them, so their problems point at a file and line.
:func:`standards_document` turns loaded standards back into a single ``kind: standards``
document that loads to the same standards (the same fingerprint) — what the conformance
dataset ships instead of the word ``bundled``.
"""

from __future__ import annotations

import functools
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import yaml

from creditbank.bundled import bundled_standards_path
from creditbank.conformance.golden import Case, CaseError
from creditbank.fileio import write_atomic
from creditbank.loading import load_portfolio_text, load_standards
from creditbank.models import Portfolio, Program, Standards
from creditbank.models.plain import to_plain
from creditbank.models.standards import ITEM_KINDS
from creditbank.serialize import dump_portfolio

__all__ = [
    "SECTION_OF",
    "CaseSpec",
    "dump_case_yaml",
    "load_case_portfolio",
    "load_case_standards",
    "portfolio_document",
    "resolve_program",
    "standards_document",
]

SECTION_OF: dict[str, str] = {
    "framework": "frameworks",
    "occupation": "occupations",
    "unit": "units",
    "issuer": "issuers",
    "program": "programs",
    "rule": "rules",
    "cap": "caps",
    "grade_scale": "grade_scales",
    "period_set": "period_sets",
    "eligibility_rule": "eligibility",
}
"""The section of a ``kind: standards`` document holding each item kind."""


class _Dumper(yaml.SafeDumper):
    """Writes the reader's exact decimals back as YAML numbers, digit for digit."""


_Dumper.add_representer(
    Decimal,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", str(value)),
)


def dump_case_yaml(data: Any) -> str:
    """YAML text of data as the case reader gave it (decimals exact)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


@functools.cache
def _bundled() -> Standards:
    return load_standards(bundled_standards_path())


class CaseSpec(Protocol):
    """What loading a case's standards needs: its name and its standards (the conversion
    cases' :class:`~creditbank.conformance.golden.Case`, the eligibility cases' own)."""

    @property
    def name(self) -> str: ...

    @property
    def standards(self) -> tuple[str | dict[str, Any], ...]: ...


def load_case_standards(case: CaseSpec, workdir: Path | None = None) -> Standards:
    """The case's standards: bundled, inline, or both (inline files go into ``workdir``).

    Raises :class:`creditbank.LoadError` when they do not load.
    """
    if case.standards == ("bundled",):
        return _bundled()
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="creditbank-case-") as tmp:
            return load_case_standards(case, Path(tmp))
    paths: list[Path] = []
    for index, part in enumerate(case.standards):
        if part == "bundled":
            paths.append(bundled_standards_path())
        else:
            inline = workdir / f"{case.name}.inline-{index}.yaml"
            write_atomic(inline, dump_case_yaml(part))
            paths.append(inline)
    return load_standards(*paths)


def load_case_portfolio(case: Case, standards: Standards, *, reverse: bool = False) -> Portfolio:
    """The case's portfolio, checked against its standards (``reverse``: achievements reversed)."""
    data = dict(case.portfolio)
    if reverse:
        data["achievements"] = list(reversed(data.get("achievements", [])))
    return load_portfolio_text(dump_case_yaml(data), standards, file=f"{case.name}:portfolio")


def resolve_program(standards: Standards, name: str) -> Program:
    """A programme by id, or by its catalogue code when exactly one programme has it."""
    if name in standards.programs:
        return standards.programs[name]
    by_code = [p for p in standards.programs.values() if p.code == name]
    if len(by_code) == 1:
        return by_code[0]
    raise CaseError(f"no single programme has the id or code {name!r}")


def standards_document(standards: Standards) -> dict[str, Any]:
    """One ``kind: standards`` document holding every item (plain data, Decimals exact).

    Loading it gives standards with the same fingerprint.
    """
    document: dict[str, Any] = {"kind": "standards"}
    for kind in ITEM_KINDS:
        items = standards.of_kind(kind)
        if items:
            document[SECTION_OF[kind]] = [to_plain(item) for item in items.values()]
    return document


def portfolio_document(portfolio: Portfolio) -> dict[str, Any]:
    """A ``kind: portfolio`` document of a portfolio (plain data)."""
    return dump_portfolio(portfolio)
