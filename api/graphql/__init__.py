"""The GraphQL API at ``/graphql``: strawberry on FastAPI, GraphiQL in a browser outside production.

GraphiQL is the site's own page (``graphiql.html``) with the site's security headers: React, ReactDOM and
GraphiQL come from the package graphene-django-graphiql-static (its built files only; nothing of Django is
imported), served under ``/static/graphiql/vendor/`` (:data:`GRAPHIQL_ASSETS`), and started by the site's
own script (``ide/graphiql-start.js``), so the IDE loads with no other host and no inline script.

Every operation is executed in a worker thread with an event loop of its own (:class:`OperationThreads`),
not on the server's event loop: resolving and completing an answer is Python work that never waits, so
on the server's loop even an allowed operation of a few hundred milliseconds would hold up every page,
``/sparql`` and ``/healthz`` meanwhile.
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from cross_web import AsyncHTTPRequestAdapter
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api.graphql import demand
from api.graphql.context import Context, get_context
from api.graphql.responses import kept_answer
from api.graphql.schema import schema
from web.site import SECURITY_HEADERS
from web.state import site_catalogue

T = TypeVar("T")

HERE = Path(__file__).parent
GRAPHIQL_PAGE = HERE / "graphiql.html"
GRAPHIQL_SCRIPTS = HERE / "ide"
"""The page's own script and style, served under ``/static/graphiql/``."""


def _graphiql_assets() -> Path:
    # Found without importing the package (its Django views are never used).
    spec = importlib.util.find_spec("graphene_django_graphiql_static")
    if spec is None or spec.origin is None:
        raise RuntimeError("graphene-django-graphiql-static is missing: `make setup` installs it")
    return Path(spec.origin).parent / "static" / "graphene_django_graphiql_static"


GRAPHIQL_ASSETS = _graphiql_assets()
"""GraphiQL's built files (React, ReactDOM, GraphiQL and its CSS), served under ``/static/graphiql/vendor/``."""

GRAPHIQL_HEADERS = {
    **SECURITY_HEADERS,
    # The site's policy, and GraphiQL's stylesheet may use the fonts it carries in itself (data: URLs).
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"] + "; font-src 'self' data:",
}

OPERATION_THREADS = 8
"""Operations executed at once; more wait for a thread. The limits of one operation's time and size
(``KATALOG_GRAPHQL_TIMEOUT``, ``KATALOG_GRAPHQL_MAX_NODES``) keep a costly one from holding a thread
long, and a cheap one need not wait behind a few costly ones."""


class OperationThreads:
    """Threads that each execute one operation at a time on an event loop of their own, kept for the
    thread's life (a new loop per operation would cost more than a small answer)."""

    def __init__(self, threads: int) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="graphql")
        self._local = threading.local()

    async def run(self, operation: Coroutine[Any, Any, T]) -> T:
        """What ``operation`` gives, run on one of the threads."""
        return await asyncio.wrap_future(self._pool.submit(self._run, operation))

    def _run(self, operation: Coroutine[Any, Any, T]) -> T:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(operation)
        finally:
            # An operation stopped at a limit may leave work behind (a dataloader's batch, a sibling
            # field awaiting the store): it must not go on running during the thread's next operation.
            if leftovers := asyncio.all_tasks(loop):
                for task in leftovers:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))


OPERATIONS = OperationThreads(OPERATION_THREADS)


class CatalogueGraphQLRouter(GraphQLRouter[Context, None]):
    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # The router is shared by every app of the process, so production is read from the app's settings.
        if site_catalogue(request).settings.environment == "production":
            return PlainTextResponse(NO_IDE, status_code=404)  # type: ignore[return-value]
        return HTMLResponse(GRAPHIQL_PAGE.read_text(encoding="utf-8"), headers=GRAPHIQL_HEADERS)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        kept = kept_answer(context, request_data.query, request_data.variables, request_data.operation_name)
        if kept is not None:
            await demand.replay(context, request_data.query, request_data.variables, request_data.operation_name)
            return kept
        execute = super().execute_single(request, request_adapter, sub_response, context, root_value, request_data)
        result = await OPERATIONS.run(execute)
        demand.remember(context, request_data.query, request_data.variables, request_data.operation_name)
        return result


NO_IDE = "GraphiQL je v produkčním prostředí vypnuté; dotazy posílejte metodou POST na /graphql."

router = CatalogueGraphQLRouter(schema, path="/graphql", context_getter=get_context)

__all__ = ["GRAPHIQL_ASSETS", "GRAPHIQL_SCRIPTS", "router"]
