"""The application factory: every server and every test builds the app here, with explicit settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from api import graphql as graphql_api
from api import linked_data, sparql
from api.body_limit import BodyLimitMiddleware
from api.hosts import AllowedHostsMiddleware, allowed_hosts
from api.kept_pages import KeptPagesMiddleware
from api.state import AppState
from catalogue.editing import notifications
from catalogue.errors import StoreError, error_body
from catalogue.queries import overview
from catalogue.settings import Settings, get_settings
from web import errors
from web.routes import router as web_router
from web.site import STATIC

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, watch: bool = True) -> FastAPI:
    """Build the app; the catalogue (store, search index) is opened when the app starts and closed when
    it stops. While it runs it follows the catalogue version (``watch``; tests that change the store
    themselves may call :meth:`AppState.refresh` instead)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Built here if missing or out of step with the store, so the first answer is already current.
        state = await asyncio.to_thread(AppState.open, settings)
        app.state.catalogue = state
        if watch:
            state.watch()
        try:
            async with sparql.query_pool(state):
                yield
        finally:
            app.state.catalogue = None
            # The e-mails on their way are sent (or fail) and recorded in the outbox before the store closes.
            await asyncio.to_thread(notifications.wait_for_mail, 2 * settings.smtp_timeout)
            await asyncio.to_thread(state.close)

    app = FastAPI(
        title="Katalog chytrých služeb",
        description="Katalog chytrých služeb a znalostní graf koncepce Smart Cities.",
        lifespan=lifespan,
        # Production gives no map of the API beyond what the site links: no schema, no explorers.
        docs_url=None if settings.environment == "production" else "/docs",
        redoc_url=None if settings.environment == "production" else "/redoc",
        openapi_url=None if settings.environment == "production" else "/openapi.json",
    )
    app.state.catalogue = None
    app.add_middleware(KeptPagesMiddleware, settings=settings)  # innermost: of requests the others let through
    app.add_middleware(BodyLimitMiddleware, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes)
    app.add_middleware(AllowedHostsMiddleware, hosts=allowed_hosts(settings))  # outermost: before any body is read

    @app.get("/healthz", summary="Health check: 200 once the store and the search index are open")
    def healthz(request: Request) -> JSONResponse:
        state: AppState | None = request.app.state.catalogue
        if state is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        try:
            overview.check_store(state.store)
        except StoreError as error:
            # The cause (which may name a path on disk) goes to the log, not to whoever asks.
            log.error("health check: %s", error)
            body = error_body(error.code, error.public_message)
            return JSONResponse({"status": "unavailable", **body}, status_code=503)
        return JSONResponse({"status": "ok", "catalogueVersion": state.version})

    app.include_router(graphql_api.router)
    app.include_router(sparql.router)
    app.include_router(linked_data.router)
    app.include_router(web_router)
    # GraphiQL's files before the site's: a mount takes every path under its own.
    app.mount("/static/graphiql/vendor", StaticFiles(directory=graphql_api.GRAPHIQL_ASSETS), name="graphiql-vendor")
    app.mount("/static/graphiql", StaticFiles(directory=graphql_api.GRAPHIQL_SCRIPTS), name="graphiql")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    # Last, so that an instance base at the server's root cannot shadow the site's own pages.
    app.include_router(linked_data.resource_router(settings))
    return app


KEEP_ALIVE_SECONDS = 5
"""Seconds an idle connection is kept after an answer (never longer than the header timeout)."""


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the app built from ``settings`` on ``host``:``port`` until interrupted (`katalog serve`)."""
    import uvicorn

    from api import server

    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        # A connection slow to send its request head is closed, and the open connections are capped
        # (uvicorn has neither limit); see api/server.py.
        http=server.protocol(settings.header_timeout),
        timeout_keep_alive=max(1, min(KEEP_ALIVE_SECONDS, int(settings.header_timeout))),
        # The client's address is the app's decision (web/clients.py, KATALOG_TRUSTED_PROXIES): uvicorn
        # would otherwise take X-Forwarded-For from any peer on its default trusted address, 127.0.0.1.
        proxy_headers=False,
    )
