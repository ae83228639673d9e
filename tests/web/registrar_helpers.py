"""Driving the registrar pages from a test: log in with a token, read the hidden fields of a
page's forms, post a form as the browser would."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from creditbank.web.registrar import SESSION_COOKIE

__all__ = ["field", "form_fields", "log_in", "session_cookie", "visible_text"]


def field(page: str, name: str) -> str:
    """The value of the first hidden field ``name`` of ``page``."""
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no field {name!r} on the page"
    return html.unescape(found.group(1))


def form_fields(page: str, action_end: str) -> dict[str, str]:
    """The hidden fields of the form whose action ends with ``action_end``."""
    found = re.search(
        rf'<form method="post" action="[^"]*{re.escape(action_end)}"[^>]*>(.*?)</form>',
        page,
        re.S,
    )
    assert found, f"no form posting to …{action_end}"
    return {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', found.group(1)
        )
    }


def log_in(client: TestClient, secret: str | None) -> Any:
    """Open the login page, then post ``secret`` with the login form's check field."""
    login_page = client.get("/registrar")
    assert login_page.status_code == 200, login_page.text
    return client.post(
        "/registrar/login",
        data={"token": secret or "", "login_csrf": field(login_page.text, "login_csrf")},
        follow_redirects=False,
    )


def session_cookie(response: Any) -> str | None:
    """The ``Set-Cookie`` header that sets or clears the session cookie, if any."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{SESSION_COOKIE}="):
            return header
    return None


class _Text(HTMLParser):
    """The text a person reads, less ``<code>``, ``<style>`` and elements marked
    ``lang="en"`` (the library's own English sentences) or the language switch."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        english = named.get("lang") == "en" and tag != "html"
        if self._skip or tag in ("code", "style", "title") or named.get("hreflang") or english:
            self._skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)
