"""The learner page ``/``: a trial evaluation of an uploaded or pasted portfolio, no account.

(Issue 18 item 1: built out by the learner-pages work.)"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from creditbank.reports.labels import Lang
from creditbank.web.i18n import PageLang
from creditbank.web.render import page

__all__ = ["LABELS", "router"]

router = APIRouter()

LABELS: dict[Lang, dict[str, str]] = {
    "zh": {"learner_title": "学分试算"},
    "en": {"learner_title": "Try your credits"},
}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, lang: PageLang) -> HTMLResponse:
    return page(request, "learner.html.j2", lang, LABELS)
