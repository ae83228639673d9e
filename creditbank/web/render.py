"""The pages' Jinja2 environment and the one way a page handler answers: :func:`page`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from starlette.responses import HTMLResponse

from creditbank._version import __version__
from creditbank.reports.labels import Lang, value
from creditbank.reports.render import jinja_environment
from creditbank.web.i18n import remember_language
from creditbank.web.labels import LABELS as COMMON

__all__ = ["page"]


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
        jinja_environment("creditbank.web")
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
