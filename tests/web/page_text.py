"""What a page says in words of its own, for the one-language checks.

A page's text is its text nodes outside codes and data: ``<code>``, the map (``<svg>``), the
form's own contents (``<textarea>``, ``<option>``), anything of class ``data``, and the
language switch (``hreflang``). What the standards and the portfolio say (names, sources,
descriptions) is data too: it is cut out of each text before the words are looked at."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from html.parser import HTMLParser
from typing import Any

from creditbank.models import Standards
from creditbank.models.standards import ITEM_KINDS

__all__ = ["english_words", "han_outside_data", "page_texts"]

_SKIPPED = frozenset({"code", "svg", "textarea", "style", "script", "option", "title"})
_VOID = frozenset({"br", "input", "meta", "link", "img", "col", "hr", "wbr", "source"})
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z]{2,}")
_ENUM = re.compile(r"[a-z][a-z0-9_]*")
ACRONYMS = frozenset({"creditbank", "YAML", "JSON", "CLR", "VC", "JWT", "KB"})
"""Names that are the same in both languages (formats, the program's own name)."""


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: list[bool] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        names = dict(attrs)
        data = "data" in (names.get("class") or "").split() or "hreflang" in names
        self.skipping.append(tag in _SKIPPED or data)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.skipping:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.skipping) and data.strip():
            self.texts.append(data.strip())


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@cache
def _standards_data(standards: Standards) -> tuple[str, ...]:
    found: set[str] = set()
    for kind in ITEM_KINDS:
        for item in standards.of_kind(kind).values():
            found.update(_strings(item.model_dump(mode="json")))
    # not enumeration values (``credit``, ``exempt_courses``): pages show them translated,
    # and cutting them out would hide an untranslated one
    shown = (s for s in found if len(s) > 1 and not _ENUM.fullmatch(s))
    return tuple(sorted(shown, key=len, reverse=True))


def page_texts(html: str, standards: Standards, *, extra_data: Iterable[str] = ()) -> list[str]:
    """The page's own texts: text nodes outside codes and data, with every string of the
    standards and of ``extra_data`` (a portfolio's text: its values) cut out."""
    parser = _Texts()
    parser.feed(html)
    data = list(_standards_data(standards))
    for text in extra_data:
        data += [
            value.strip().strip("'\"")
            for line in text.splitlines()
            for value in [line.partition(":")[2]]
            if len(value.strip().strip("'\"")) > 1
        ]
    data.sort(key=len, reverse=True)
    texts = []
    for text in parser.texts:
        own = text
        for value in data:
            if value in own:
                own = own.replace(value, " ")
        if own.strip():
            texts.append(own)
    return texts


def english_words(texts: Iterable[str]) -> set[str]:
    """Words of Latin letters in ``texts`` (for a Chinese page: there must be none), but
    the names both languages share."""
    return {word for text in texts for word in _WORD.findall(text)} - ACRONYMS


def han_outside_data(texts: Iterable[str]) -> list[str]:
    """The texts that hold Chinese characters (for an English page: there must be none)."""
    return [text for text in texts if _HAN.search(text)]
