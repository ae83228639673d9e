"""The bundled standards, loaded once per test process.

For values a test module needs at import time (a default argument, a hypothesis strategy, a
state machine); a test function takes the ``standards`` fixture instead.
"""

from __future__ import annotations

import functools

import creditbank
from creditbank.models import Standards


@functools.cache
def bundled_standards() -> Standards:
    """The standards that ship with the package (loaded on the first call)."""
    return creditbank.load_standards(creditbank.bundled_standards_path())
