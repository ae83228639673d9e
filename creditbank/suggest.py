""" "Did you mean …?" suggestions for misspelt ids, fields and kinds.

>>> did_you_mean("cert-electrican", ["cert-electrician", "cert-welder"])
" did you mean 'cert-electrician'?"
>>> did_you_mean("zzz", ["cert-electrician"])
''
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def closest(word: str, candidates: Iterable[str], *, limit: int = 3) -> list[str]:
    """Candidates that look like ``word``, best first (full-width and case folded)."""
    pool = {_fold(c): c for c in candidates}
    folded = _fold(str(word))
    if folded in pool:
        return [pool[folded]]
    cutoff = 0.5 if len(folded) <= 3 else 0.6  # 三极 → 三级: one character in two
    matches = difflib.get_close_matches(folded, list(pool), n=limit, cutoff=cutoff)
    if not matches:
        matches = [key for key in pool if folded and (folded in key or key in folded)][:limit]
    return [pool[m] for m in matches]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ``" did you mean 'x'?"`` suffix, or an empty string when nothing is close."""
    found = closest(word, candidates, limit=1)
    return f" did you mean {found[0]!r}?" if found else ""
