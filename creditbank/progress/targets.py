"""Reading a targets file (:class:`~creditbank.models.targets.TargetsDocument`).

The same safe YAML reader and the same located problems as standards files
(``FILE:LINE:COL: CODE message``): :func:`load_targets` raises
:class:`~creditbank.errors.LoadError` with every problem of the file.
"""

from __future__ import annotations

from pathlib import Path

from creditbank.bundled import bundled_standards_path
from creditbank.errors import LoadError, Problem
from creditbank.loading.loader import document_kind, validate_document
from creditbank.loading.yaml_reader import read_yaml_file
from creditbank.models.targets import TargetsDocument

__all__ = ["bundled_targets_path", "load_targets"]


def bundled_targets_path() -> Path:
    """The bundled targets: the three national targets for 2030 of the 2025 opinion."""
    return bundled_standards_path() / "targets" / "national-2030.yaml"


def load_targets(path: Path | str) -> TargetsDocument:
    """The targets of the file at ``path``; :class:`LoadError` locating every problem."""
    doc, problems = read_yaml_file(Path(path), display=str(path))
    if doc is None or problems:
        raise LoadError(problems)
    kind, problems = document_kind(doc)
    if kind is None:
        raise LoadError(problems)
    if kind != "targets":
        raise LoadError(
            [
                Problem(
                    "UNKNOWN_KIND",
                    f"this is a {kind} file; a targets file starts with `kind: targets`",
                    doc.location(("kind",)),
                )
            ]
        )
    model, problems = validate_document(doc, kind)
    if not isinstance(model, TargetsDocument) or problems:
        raise LoadError(problems)
    return model
