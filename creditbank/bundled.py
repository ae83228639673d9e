"""Where the bundled standards live, and which standards a command uses by default."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from creditbank.errors import CreditbankError

__all__ = [
    "BUNDLED",
    "ENV_VAR",
    "bundled_standards_path",
    "default_standards_path",
    "default_standards_paths",
    "standards_paths",
]

ENV_VAR = "CREDITBANK_STANDARDS"
BUNDLED = "bundled"
"""The word that names the bundled standards where a command takes standards directories
(``--standards bundled --standards my-school``); ``./bundled`` is a directory of that name."""


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
    """``explicit`` if given, else ``$CREDITBANK_STANDARDS``, else the bundled standards: one
    layer (see :func:`default_standards_paths` for several)."""
    found = default_standards_paths([explicit] if explicit else [])
    if len(found) != 1:
        raise CreditbankError(
            f"${ENV_VAR} names {len(found)} layers of standards; load them all "
            "(default_standards_paths()), not one"
        )
    return found[0]


def standards_paths(given: Iterable[str | Path]) -> list[Path]:
    """The layers of standards named by ``given``, in order: ``bundled`` (:data:`BUNDLED`)
    is the bundled standards, anything else a file or directory."""
    return [bundled_standards_path() if str(p) == BUNDLED else Path(p) for p in given]


def default_standards_paths(explicit: Iterable[str | Path] = ()) -> list[Path]:
    """The layers of standards a command uses: ``explicit`` if any (``--standards``, which
    repeats), else ``$CREDITBANK_STANDARDS`` (layers separated by ``os.pathsep``, e.g.
    ``bundled:my-school``), else ``standards`` of the project configuration found from the
    working directory (``creditbank.toml`` or ``[tool.creditbank]``: see
    :mod:`creditbank.config`), else the bundled standards."""
    chosen = list(explicit)
    if not chosen:
        from_env = os.environ.get(ENV_VAR)
        chosen = [p for p in from_env.split(os.pathsep) if p] if from_env else []
    if not chosen:
        from creditbank.config import project_config  # noqa: PLC0415 - config reads bundled's words

        chosen = list(project_config().standards) or [BUNDLED]
    return standards_paths(chosen)
