"""Whole GraphQL answers are kept per catalogue version (api/graphql/responses.py): a repeated query
runs no store query even when the data answers are forgotten, errors are never kept, and a change of
the loaded data is seen at once. Counted in-process on the real store, as in test_graphql_queries."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from catalogue.loader import load, source_for
from catalogue.settings import Settings
from catalogue.store import EmbeddedOxigraph

TREE = "{ pillars { iri label components { iri goals { iri measures { iri label funding { iri } } } } } }"
PROBLEM = "https://w3id.org/kcs/id/problem/mnoho-brownfieldu"
PROBLEM_LABEL = f'{{ resource(iri: "{PROBLEM}") {{ ... on Problem {{ label }} }} }}'


def client_for(folder: Path, store: Path, *, watch: bool = True, **settings: Any) -> TestClient:
    shutil.copytree(store, folder / "store")
    app = create_app(Settings(store_path=folder / "store", index_path=folder / "index", **settings), watch=watch)
    return TestClient(app)


@pytest.fixture
def store_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    for name in ("query", "construct_ntriples"):
        real = getattr(EmbeddedOxigraph, name)

        def counted(self: EmbeddedOxigraph, sparql: str, real: Any = real, **options: Any) -> Any:
            calls.append(sparql)
            return real(self, sparql, **options)

        monkeypatch.setattr(EmbeddedOxigraph, name, counted)
    return calls


def ask(client: TestClient, query: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, **extra})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def kept(tmp_path: Path, loaded_store_path: Path) -> Iterator[TestClient]:
    with client_for(tmp_path, loaded_store_path) as client:
        yield client


def test_a_repeated_query_is_answered_from_what_was_kept(kept: TestClient, store_calls: list[str]) -> None:
    first = ask(kept, TREE)
    assert "errors" not in first and len(store_calls) > 2
    kept.app.state.catalogue.graphql_answers.clear()  # type: ignore[attr-defined]  # the data answers are gone
    store_calls.clear()
    assert ask(kept, TREE) == first
    assert store_calls == []


def test_without_keeping_a_repeated_query_runs_again(
    tmp_path: Path, loaded_store_path: Path, store_calls: list[str]
) -> None:
    with client_for(tmp_path, loaded_store_path, graphql_cache_size=0) as client:
        first = ask(client, TREE)
        client.app.state.catalogue.graphql_answers.clear()  # type: ignore[attr-defined]
        store_calls.clear()
        assert ask(client, TREE) == first
        assert len(store_calls) > 2
        assert client.app.state.catalogue.graphql_responses is None  # type: ignore[attr-defined]


def test_errors_are_not_kept_and_variables_and_language_are_part_of_the_key(kept: TestClient) -> None:
    responses = kept.app.state.catalogue.graphql_responses  # type: ignore[attr-defined]
    assert responses is not None
    refused = ask(
        kept, "query ($text: String!) { problem(text: $text) { measures { score } } }", variables={"text": " "}
    )
    assert refused["errors"] and len(responses) == 0
    by_text = "query ($text: String!) { problem(text: $text, limit: 3) { measures { measure { iri } } } }"
    brownfields = ask(kept, by_text, variables={"text": "brownfieldy"})
    water = ask(kept, by_text, variables={"text": "hospodaření s dešťovou vodou"})
    assert brownfields != water and len(responses) == 2
    kept.post(
        "/graphql", json={"query": by_text, "variables": {"text": "brownfieldy"}}, headers={"Accept-Language": "en"}
    )
    assert len(responses) == 3


def test_a_change_of_the_data_is_seen_once_the_version_is_followed(tmp_path: Path, loaded_store_path: Path) -> None:
    # Without the app's own watcher, which could follow the change before the test does.
    with client_for(tmp_path, loaded_store_path, watch=False) as kept:
        assert ask(kept, PROBLEM_LABEL)["data"]["resource"]["label"] == "Město má na svém území mnoho brownfieldů"

        app = kept.app
        state = app.state.catalogue  # type: ignore[attr-defined]
        settings: Settings = state.settings
        changed = tmp_path / "problems.ttl"
        changed.write_text(
            (settings.data_dir / "problems.ttl")
            .read_text(encoding="utf-8")
            .replace('Město má na svém území mnoho brownfieldů"@cs', 'Město má mnoho opuštěných areálů"@cs'),
            encoding="utf-8",
        )
        load(state.store, [source_for(changed, settings)], settings)
        assert state.refresh()  # what the server's watcher does within a second

        assert ask(kept, PROBLEM_LABEL)["data"]["resource"]["label"] == "Město má mnoho opuštěných areálů"
