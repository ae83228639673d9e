"""The line that says which standards a command used: where they came from and their
fingerprint (issue 20: an edited copy that is not the one loaded must not pass unseen)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from creditbank.bundled import BUNDLED, bundled_standards_path, default_standards_paths
from creditbank.models import Standards

__all__ = ["standards_line", "standards_record", "used_paths"]

_LABELS = {"zh": ("标准", "指纹"), "en": ("standards", "fingerprint")}


def used_paths(standards_dirs: Sequence[str]) -> list[str]:
    """The layers a command given ``--standards standards_dirs`` loads, as shown: absolute
    paths, the bundled standards named so (``bundled (PATH)``)."""
    bundled = bundled_standards_path()
    return [
        f"{BUNDLED} ({bundled})" if path.resolve() == bundled else str(path.absolute())
        for path in map(Path, default_standards_paths(standards_dirs))
    ]


def standards_line(
    standards_dirs: Sequence[str], standards: Standards, lang: Literal["zh", "en"] = "en"
) -> str:
    """``standards PATH, PATH · fingerprint sha256:…`` (in ``lang``)."""
    label, fingerprint = _LABELS[lang]
    return (
        f"{label} {', '.join(used_paths(standards_dirs))} · {fingerprint} {standards.fingerprint()}"
    )


def standards_record(standards_dirs: Sequence[str], standards: Standards) -> dict[str, object]:
    """The same for JSON output: ``{"paths": [...], "fingerprint": "sha256:…"}``."""
    return {"paths": used_paths(standards_dirs), "fingerprint": standards.fingerprint()}
