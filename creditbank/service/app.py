"""The service's application: the state, the error handlers and the routes, assembled."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from creditbank._version import __version__
from creditbank.models import Standards
from creditbank.service.config import ServiceConfig
from creditbank.service.head import HeadAsGet
from creditbank.service.limits import RequestLimits, known_query_only
from creditbank.service.openapi import PROBLEM_RESPONSES, document_problems
from creditbank.service.problems import install_problem_handlers
from creditbank.service.routes import compute, ledger, meta, registrar
from creditbank.service.routes import standards as standards_routes
from creditbank.service.state import ServiceState
from creditbank.web import router as pages

__all__ = ["app_from_environment", "create_app"]

_DESCRIPTION = """\
creditbank over HTTP: convert learning outcomes into credits under published rules, and keep
learners' tamper-evident credit-bank accounts. Every error is an RFC 9457 problem document
(`application/problem+json`) with a stable `code`. Ledger routes need
`Authorization: Bearer TOKEN` (issued by `creditbank ledger token issue`).
"""


def create_app(
    config: ServiceConfig | None = None, *, standards: Standards | None = None
) -> FastAPI:
    """The application for ``config`` (the defaults when None). ``standards``: already
    loaded standards to serve (otherwise loaded from ``config.standards``; a
    :class:`~creditbank.errors.LoadError` when they have problems)."""
    config = config or ServiceConfig()
    state = ServiceState(config, standards)
    app = FastAPI(
        title="creditbank",
        version=__version__,
        description=_DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        dependencies=[Depends(known_query_only)],
    )
    app.add_middleware(
        RequestLimits,
        max_body_bytes=config.max_body_bytes,
        max_json_depth=config.max_json_depth,
    )
    app.add_middleware(HeadAsGet)  # added last: the outermost, so HEAD is GET throughout
    app.state.creditbank = state
    install_problem_handlers(app)
    # The computations first: a request is matched against the routes in order, each route
    # tried costs several µs in FastAPI's router, and an evaluation is the most frequent
    # request (benchmarks/RESULTS.md, "creditbank serve").
    for module in (compute, meta, standards_routes, ledger):
        app.include_router(module.router, responses=PROBLEM_RESPONSES)
    app.include_router(pages)  # the pages for people (creditbank.web); not in the OpenAPI
    app.include_router(registrar.router)  # the registrar's pages: the API's own token checks
    document_problems(app)
    return app


def app_from_environment() -> FastAPI:
    """The application configured by ``$CREDITBANK_SERVICE_CONFIG`` (how ``creditbank serve
    --workers N`` builds one in each worker process)."""
    return create_app(ServiceConfig.from_env())
