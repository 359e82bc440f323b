"""GraphiQL at /graphql in a browser with every other host unreachable: its React, ReactDOM and GraphiQL
come from the site itself, under the site's CSP, and it runs a query."""

from __future__ import annotations

import json

import httpx


def _local_only(page, server: str, asked_elsewhere: list[str]) -> None:
    """Requests to any host but the test's server fail, as on a machine offline."""

    def route(route) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            asked_elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", route)


def test_graphiql_loads_offline_and_runs_a_query(server, page, audit) -> None:
    asked_elsewhere: list[str] = []
    _local_only(page, server, asked_elsewhere)
    blocked_scripts: list[str] = []
    page.on(
        "console",
        lambda message: blocked_scripts.append(message.text)
        if message.type == "error" and "Content Security Policy" in message.text and "script" in message.text
        else None,
    )
    response = page.goto(server + "/graphql")
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy

    editor = page.locator(".graphiql-query-editor .CodeMirror")
    editor.wait_for()
    assert page.get_by_text("Načítá se GraphiQL").count() == 0, "the loading note is replaced by the IDE"
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".result-window")
    result.get_by_text('"pillars"').wait_for()
    answer = json.loads(result.inner_text().replace("\xa0", " "))
    expected = httpx.post(server + "/graphql", json={"query": "{ pillars { code label } }"}).json()
    assert answer == expected, "the example query's answer, as the API gives it"
    assert not asked_elsewhere, f"GraphiQL asked other hosts: {asked_elsewhere}"
    assert not blocked_scripts, blocked_scripts
    audit(page, "graphiql")


def test_a_shared_query_in_the_address_opens_in_the_editor(server, page) -> None:
    _local_only(page, server, [])
    page.goto(server + "/graphql?" + str(httpx.QueryParams({"q": "{ measures { code } }"})))
    page.locator(".graphiql-query-editor .CodeMirror").wait_for()
    assert "measures" in page.locator(".graphiql-query-editor .CodeMirror").inner_text()
