"""The library's own checks, as one call each: what is wrong with standards or a portfolio.

These are the checks :func:`creditbank.load_standards` and :func:`creditbank.load_portfolio`
run after validating each item: references, levels, grades, requirements, provenance.
Handy for standards built in Python (e.g. by :mod:`creditbank.testing.strategies`).

>>> import creditbank
>>> bundled = creditbank.load_standards(creditbank.bundled_standards_path())
>>> standards_problems(bundled)
[]
"""

from __future__ import annotations

from creditbank.errors import Problem
from creditbank.loading.crosscheck import ItemRecord, check_portfolio, check_standards
from creditbank.models import Portfolio, Standards

__all__ = ["portfolio_problems", "standards_problems"]


def standards_problems(standards: Standards) -> list[Problem]:
    """Every cross-item problem of ``standards`` (empty when they would load)."""
    _, problems = check_standards(ItemRecord(item, None, ()) for item in standards)
    return problems


def portfolio_problems(portfolio: Portfolio, standards: Standards) -> list[Problem]:
    """Every problem of ``portfolio`` against ``standards`` (unknown units, levels, grades)."""
    return check_portfolio(portfolio, standards, None)
