"""Helpers for testing with creditbank, and for testing other systems against it.

* assertions with readable failure messages: :func:`assert_recognised`,
  :func:`assert_not_recognised`;
* the library's own checks as one call: :func:`standards_problems`,
  :func:`portfolio_problems`;
* hypothesis strategies in :mod:`creditbank.testing.strategies` (needs ``hypothesis``);
* a pytest plugin, :mod:`creditbank.testing.plugin` (fixtures ``creditbank_standards``,
  ``creditbank_standards_dir``, ``creditbank_ledger``), registered as an entry point;
* ledger actors and achievements in :mod:`creditbank.testing.ledger`.

Nothing here imports hypothesis or pytest.
"""

from creditbank.testing.assertions import assert_not_recognised, assert_recognised
from creditbank.testing.validate import portfolio_problems, standards_problems

__all__ = [
    "assert_not_recognised",
    "assert_recognised",
    "portfolio_problems",
    "standards_problems",
]
