"""The GraphQL API at ``/graphql``: strawberry on FastAPI, GraphiQL in a browser outside production."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from strawberry.fastapi import GraphQLRouter

from api.graphql.context import Context, get_context
from api.graphql.schema import schema
from web.state import site_catalogue


class CatalogueGraphQLRouter(GraphQLRouter[Context, None]):
    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # The router is shared by every app of the process, so production is read from the app's settings.
        if site_catalogue(request).settings.environment == "production":
            return PlainTextResponse(NO_IDE, status_code=404)  # type: ignore[return-value]
        return await super().render_graphql_ide(request)


NO_IDE = "GraphiQL je v produkčním prostředí vypnuté; dotazy posílejte metodou POST na /graphql."

router = CatalogueGraphQLRouter(schema, path="/graphql", context_getter=get_context)

__all__ = ["router"]
