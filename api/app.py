"""The application factory: every server and every test builds the app here, with explicit settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from api import graphql as graphql_api
from api import linked_data, sparql
from catalogue.queries import overview
from catalogue.search.index import open_index
from catalogue.settings import Settings, get_settings
from catalogue.store import CatalogueStore, StoreError
from web import errors
from web.routes import router as web_router
from web.site import STATIC


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the store is opened when the app starts and closed when it stops."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = CatalogueStore.open(settings)
        # Built here if missing or out of step with the store, so the first answer is already current.
        app.state.search = open_index(settings, app.state.store)
        try:
            async with sparql.query_pool(app, settings):
                yield
        finally:
            app.state.search.close()
            app.state.search = None
            app.state.store.close()
            app.state.store = None

    app = FastAPI(
        title="Katalog chytrých služeb",
        description="Katalog chytrých služeb a znalostní graf koncepce Smart Cities.",
        lifespan=lifespan,
        docs_url=None if settings.environment == "production" else "/docs",
    )
    app.state.settings = settings
    app.state.store = None
    app.state.search = None

    @app.get("/healthz", summary="Health check: 200 once the store and the search index are open")
    def healthz(request: Request) -> JSONResponse:
        store = request.app.state.store
        if store is None or request.app.state.search is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        try:
            overview.check_store(store)
        except StoreError as error:
            return JSONResponse({"status": "store unavailable", "detail": str(error)}, status_code=503)
        return JSONResponse({"status": "ok", "store": store.description, "search": settings.search_engine})

    app.include_router(graphql_api.router)
    app.include_router(sparql.router)
    app.include_router(linked_data.router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    # Last, so that an instance base at the server's root cannot shadow the site's own pages.
    app.include_router(linked_data.resource_router(settings))
    return app
