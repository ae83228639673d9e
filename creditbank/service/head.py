"""``HEAD`` wherever ``GET`` works (RFC 9110 §9.3.2): the ``GET`` response's status and
headers, without its body.

FastAPI routes declared with ``@router.get`` answer ``HEAD`` with 405; :class:`HeadAsGet`
(ASGI middleware, outside the application's own layers) runs a ``HEAD`` request as the
``GET`` it stands for and drops the body it would send, so the headers (``Content-Type``,
``Content-Length``, the problem document's status on an error) are exactly the ``GET``'s. A
path that has no ``GET`` stays 405, its ``Allow`` header naming what it does take.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet"]


class HeadAsGet:
    """Answer ``HEAD`` as ``GET`` without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the body's middle: nothing of it goes out
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
