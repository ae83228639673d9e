"""What ``creditbank validate`` decides: are these standards files and portfolios valid?

:func:`validate` reads the files and directories given (or, without any, the default
standards) and reports every problem. Portfolios among them are checked against the
standards among them, or — when they hold none — against the default standards, so a
portfolio file can be checked on its own. With ``strict``, standards that load cleanly are
also checked for consistency (:func:`creditbank.graph.checks.run_checks`): an error finding
makes them invalid, a warning does not.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from creditbank.bundled import default_standards_paths, standards_paths
from creditbank.errors import LoadError, Problem
from creditbank.loading import LoadReport, load_documents

if TYPE_CHECKING:
    from creditbank.graph.findings import Finding

__all__ = ["FILE_NAME", "Validation", "validate", "validate_texts"]

_PART = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
FILE_NAME = re.compile(rf"(?:{_PART}/)*{_PART}\.(?:ya?ml|json)")
"""A name :func:`validate_texts` accepts: relative, ``/``-separated parts that do not start
with a dot (so never ``..``, never hidden), ending in ``.yaml``, ``.yml`` or ``.json``."""


@dataclass(frozen=True)
class Validation:
    """The outcome: the files' load report and, when strict, the consistency findings."""

    report: LoadReport
    findings: list[Finding] | None = None
    """None unless ``strict`` and the standards loaded without problems."""

    @property
    def errors(self) -> list[Finding]:
        """The findings that make the standards invalid."""
        return [f for f in self.findings or () if f.severity == "error"]

    @property
    def ok(self) -> bool:
        """Every file valid, and (strict) no consistency error."""
        return self.report.ok and not self.errors


def validate(
    paths: Sequence[str | Path] = (),
    standards: Sequence[str | Path] = (),
    *,
    strict: bool = False,
) -> Validation:
    """Check ``paths`` (files or directories; ``bundled`` names the bundled standards), or
    without them the standards ``standards`` names (else ``$CREDITBANK_STANDARDS``, the
    project configuration's or the bundled ones). Portfolios among ``paths`` that hold no
    standards are checked against those default standards; a problem in them is reported
    before the portfolios' own. Never raises for bad input: every problem is in the report."""
    try:
        # a bad creditbank.toml is a problem of the input like any other
        targets = standards_paths(paths) or default_standards_paths(standards)
        report = load_documents(targets)
        no_standards = report.standards is not None and not len(report.standards)
        base = (
            load_documents(default_standards_paths(standards))
            if paths and no_standards and report.portfolio_files
            else None
        )
    except LoadError as error:
        return Validation(LoadReport(problems=list(error.problems)), None)
    if base is not None:
        if base.problems:
            report.problems = base.problems + report.problems
        else:
            report = load_documents(targets, standards=base.standards)
    findings = None
    if strict and report.ok and report.standards is not None and report.standards_files:
        # the graph stack (networkx) only for --strict: plain validation stays light
        from creditbank.graph.checks import run_checks  # noqa: PLC0415

        findings = run_checks(report.standards)
    return Validation(report, findings)


def validate_texts(files: Mapping[str, str], *, strict: bool = False) -> Validation:
    """:func:`validate` for files given as text by name (a request to a service): the files
    are checked together as ``creditbank validate NAME ...`` checks them when they lie in
    the working directory, and every problem names the file by its given name.

    Names must match :data:`FILE_NAME`, and no name may be the folder of another
    (:class:`ValueError` otherwise): text given by a caller never names a place on the disk.
    """
    for name in files:
        if not FILE_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a relative NAME.yaml, NAME.yml or NAME.json")
    folders = {
        "/".join(name.split("/")[:end]) for name in files for end in range(1, name.count("/") + 1)
    }
    clash = sorted(folders & set(files))
    if clash:
        raise ValueError(f"{clash[0]!r} is given as a file and as a folder of another file")
    with tempfile.TemporaryDirectory(prefix="creditbank-validate-") as directory:
        root = Path(directory)
        for name, text in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            # as written: a lone surrogate (JSON allows "\ud800") is the reader's
            # INVALID_UTF8 problem, as in a file, not an error here
            target.write_bytes(text.encode("utf-8", "surrogatepass"))
        # the reader names a file as the path it was given: the absolute one, shortened again
        outcome = validate([root / name for name in files], strict=strict)
        prefix = f"{root}/"
        report = outcome.report
        report.problems = [_renamed(p, prefix) for p in report.problems]
        report.files = [f.removeprefix(prefix) for f in report.files]
        report.standards_files = [f.removeprefix(prefix) for f in report.standards_files]
        report.portfolios = [(n.removeprefix(prefix), p) for n, p in report.portfolios]
        return outcome


def _renamed(problem: Problem, prefix: str) -> Problem:
    where = problem.location
    file = where.file.removeprefix(prefix) if where.file is not None else None
    return Problem(
        problem.code,
        problem.message.replace(prefix, ""),
        replace(where, file=file) if file != where.file else where,
    )
