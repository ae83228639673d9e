"""Which language a page speaks: ``?lang=`` (remembered in a cookie), the cookie, the browser's
``Accept-Language``, else Chinese."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.responses import Response

from creditbank.reports.labels import Lang

__all__ = ["LANG_COOKIE", "PageLang", "page_language", "remember_language"]

LANG_COOKIE = "creditbank_lang"
_LANGS: tuple[Lang, ...] = ("zh", "en")
_ONE_YEAR = 365 * 24 * 3600


def _from_accept_language(header: str) -> Lang | None:
    # "en-GB,en;q=0.9,zh;q=0.8": the first tag of the highest weight that we speak
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        if primary not in _LANGS:
            continue
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        if weight <= 0:
            continue
        candidate = (-weight, position, primary)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else None


def page_language(
    request: Request,
    lang: Annotated[str | None, Query(description="zh or en; remembered")] = None,
) -> Lang:
    """The language of this page (a dependency of every page route). An unknown ``?lang=``
    is ignored, as a browser would want: a page, not an error document."""
    if lang in _LANGS:
        return lang
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in _LANGS:
        return cookie
    return _from_accept_language(request.headers.get("accept-language", "")) or "zh"


PageLang = Annotated[Lang, Depends(page_language)]


def remember_language(request: Request, response: Response, lang: Lang) -> None:
    """Set the language cookie when the page was asked for in a language by ``?lang=``."""
    if request.query_params.get("lang") in _LANGS:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=_ONE_YEAR, httponly=True, samesite="lax", path="/"
        )
