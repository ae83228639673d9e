"""What ``creditbank validate`` decides: are these standards files and portfolios valid?

:func:`validate` reads the files and directories given (or, without any, the default
standards) and reports every problem. Portfolios among them are checked against the
standards among them, or — when they hold none — against the default standards, so a
portfolio file can be checked on its own. With ``strict``, standards that load cleanly are
also checked for consistency (:func:`creditbank.graph.checks.run_checks`): an error finding
makes them invalid, a warning does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from creditbank.bundled import default_standards_paths, standards_paths
from creditbank.graph.checks import run_checks
from creditbank.graph.findings import Finding
from creditbank.loading import LoadReport, load_documents

__all__ = ["Validation", "validate"]


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
    without them the standards ``standards`` names (else ``$CREDITBANK_STANDARDS`` or the
    bundled ones). Portfolios among ``paths`` that hold no standards are checked against
    those default standards; a problem in them is reported before the portfolios' own.
    Never raises for bad input: every problem is in the report."""
    targets = standards_paths(paths) or default_standards_paths(standards)
    report = load_documents(targets)
    if paths and report.standards is not None and not len(report.standards) and report.portfolios:
        base = load_documents(default_standards_paths(standards))
        if base.problems:
            report.problems = base.problems + report.problems
        else:
            report = load_documents(targets, standards=base.standards)
    findings = None
    if strict and report.ok and report.standards is not None and report.standards_files:
        findings = run_checks(report.standards)
    return Validation(report, findings)
