"""``creditbank serve``: the library over HTTP (FastAPI), for platforms not written in Python.

Modules, one job each: :mod:`~creditbank.service.config` (what a running service is told),
:mod:`~creditbank.service.state` (what it holds while it runs: the standards, the ledger's
location, who a token is), :mod:`~creditbank.service.principal` (who a token says is
calling), :mod:`~creditbank.service.problems` (every error as an RFC 9457
problem document carrying creditbank's stable codes), :mod:`~creditbank.service.limits` (the
limits on a request: size, media type, strict JSON, depth, URL, query parameters),
:mod:`~creditbank.service.openapi` (errors in the OpenAPI document as problem documents),
:mod:`~creditbank.service.auth` (bearer tokens and roles), :mod:`~creditbank.service.app`
(the application assembled) and the routes under :mod:`creditbank.service.routes`, one module
per area. Route handlers only parse, call the
library and return what it gives: nothing is decided in a handler.

This package needs the ``serve`` extra (FastAPI and uvicorn); ``import creditbank`` never
loads it.
"""

from creditbank.service.app import create_app
from creditbank.service.config import ServiceConfig

__all__ = ["ServiceConfig", "create_app"]
