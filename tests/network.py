"""A network that refuses: no test reaches the network (the ``no_network`` fixture of
``tests/conftest.py``, and the interop tests' own loaders)."""

from __future__ import annotations

import socket
import urllib.request
from typing import Any

import pytest


class NetworkUsed(AssertionError):
    """Raised by anything that tries to reach the network during a test."""


def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every socket connection and urllib request in the test raise."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise NetworkUsed(f"network access attempted: {args[:2]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
