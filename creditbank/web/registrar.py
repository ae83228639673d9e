"""The registrar pages ``/registrar``: token login, review queue, decisions, statements.

(Issue 18 item 2: built out by the registrar-pages work.)"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from creditbank.reports.labels import Lang
from creditbank.web.i18n import PageLang
from creditbank.web.render import page

__all__ = ["LABELS", "router"]

router = APIRouter()

LABELS: dict[Lang, dict[str, str]] = {
    "zh": {"registrar_title": "认定审核"},
    "en": {"registrar_title": "Registrar"},
}


@router.get("/registrar", response_class=HTMLResponse)
def registrar_home(request: Request, lang: PageLang) -> HTMLResponse:
    return page(request, "registrar.html.j2", lang, LABELS)
