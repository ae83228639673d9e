"""Printable reports: an evaluation, an account statement, each one self-contained HTML document.

The documents are laid out for A4 paper (``@page``), carry their CSS and the programme map
(SVG) inline, need no script and fetch nothing, so a file mailed or archived prints the same
anywhere. Every label is in one language (:mod:`creditbank.reports.labels`); every value is
escaped (standards and portfolios are written by others). The CLI writes them
(``creditbank evaluate --format html``, ``creditbank eligibility --format html``,
``creditbank ledger statement --format html``) and a service can return the same text.
"""

from __future__ import annotations

from creditbank.reports.eligibility import eligibility_report
from creditbank.reports.evaluation import evaluation_report
from creditbank.reports.labels import LABELS, VALUES, Lang
from creditbank.reports.statement import statement_report

__all__ = [
    "LABELS",
    "VALUES",
    "Lang",
    "eligibility_report",
    "evaluation_report",
    "statement_report",
]
