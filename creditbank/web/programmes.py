"""The programme browser ``/programmes``: programmes, requirements, rules with sources, map.

(Issue 18 item 3: built out by the learner-pages work.)"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from creditbank.reports.labels import Lang
from creditbank.web.i18n import PageLang
from creditbank.web.render import page

__all__ = ["LABELS", "router"]

router = APIRouter()

LABELS: dict[Lang, dict[str, str]] = {
    "zh": {"programmes_title": "专业"},
    "en": {"programmes_title": "Programmes"},
}


@router.get("/programmes", response_class=HTMLResponse)
def programme_list(request: Request, lang: PageLang) -> HTMLResponse:
    return page(request, "programmes.html.j2", lang, LABELS)
