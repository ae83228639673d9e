"""Where the bundled standards live, and which standards a command uses by default."""

from __future__ import annotations

import os
from pathlib import Path

from creditbank.errors import CreditbankError

__all__ = ["ENV_VAR", "bundled_standards_path", "default_standards_path"]

ENV_VAR = "CREDITBANK_STANDARDS"


def bundled_standards_path() -> Path:
    """The directory of standards shipped with creditbank.

    Installed from a wheel they sit inside the package (``creditbank/_bundled/standards``);
    in a source checkout or editable install they are the top-level ``standards/``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_bundled" / "standards", here.parent / "standards"):
        if candidate.is_dir():
            return candidate
    raise CreditbankError(
        "the bundled standards are missing from this installation; reinstall creditbank"
    )


def default_standards_path(explicit: str | Path | None = None) -> Path:
    """``explicit`` if given, else ``$CREDITBANK_STANDARDS``, else the bundled standards."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env)
    return bundled_standards_path()
