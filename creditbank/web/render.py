"""The pages' Jinja2 environment and the one way a page handler answers: :func:`page`."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from fastapi import Request
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse

from creditbank._version import __version__
from creditbank.reports.labels import Lang, value
from creditbank.web.i18n import remember_language
from creditbank.web.labels import LABELS as COMMON

__all__ = ["page"]


@cache
def _environment() -> Environment:
    # autoescape everything: every page shows text from standards and portfolios others wrote
    return Environment(
        loader=PackageLoader("creditbank.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def page(
    request: Request,
    template: str,
    lang: Lang,
    labels: Mapping[Lang, Mapping[str, str]],
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """``template`` (extending ``layout.html.j2``) rendered in ``lang`` with the common labels
    and the area's ``labels`` as ``t``, ``v`` for creditbank's own vocabulary, the request's
    path (for the language switch) and ``context``; the language remembered when asked for."""
    words = {**COMMON[lang], **labels[lang]}
    html = (
        _environment()
        .get_template(template)
        .render(
            lang=lang,
            other_lang="en" if lang == "zh" else "zh",
            t=words,
            v=lambda word: value(lang, word),
            path=request.url.path,
            version=__version__,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    remember_language(request, response, lang)
    return response
