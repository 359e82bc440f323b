"""The scaled topology, started by the launcher `make topology` runs (api/deploy/topology.py): an Oxigraph
server, two `katalog serve` processes over it and nginx in front, all on 127.0.0.1 (issue 14, part 2).

An edit published through one process shows in the other within 2 s, search included; a proposal rate
limit holds across both; a process killed under load leaves the other answering every request through
nginx, and every write acknowledged before or after the kill is in the store; the Oxigraph server's
/update and /store are not reachable through nginx."""

from __future__ import annotations

import re
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.deploy.topology import Topology, nginx_binary, nginx_config, running
from catalogue.editing.accounts import add_account, create_token
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import free_port
from web.forms import FORM_COOKIE, FormSigner
from web.state import PROPOSAL_PURPOSE, PROPOSALS_PER_WINDOW

SECRET = "tajny-klic-topologie-na-zkousku-0123456789"  # noqa: S105 - the test topology's, to sign form tokens
PASSWORD = "dlouhe-heslo-na-zkousku"  # noqa: S105 - a test account's
ID = "https://w3id.org/kcs/id/"
SOLUTION = ID + "solution/lk-energeticky-management"
CESKA_LIPA = ID + "place/ceska-lipa"
SOURCE = '[ a kcs:SourceReference ; kcs:seedFile "002_46e3fac40e81357b.txt" ; kcs:section "5. Aktualizace zásobníku projektů" ]'

DRAFT = "__typename ... on Error { code message } ... on Draft { id status iri } ... on Invalid { problems { path message } }"
SAVE = f"""mutation ($iri: String!, $turtle: String!) {{
  saveDraft(iri: $iri, turtle: $turtle, reason: "zkouška topologie") {{ {DRAFT} }} }}"""
SUBMIT = f"mutation ($id: ID!) {{ submitDraft(id: $id) {{ {DRAFT} }} }}"
PUBLISH = """mutation ($id: ID!) { publishDraft(id: $id, comment: "v pořádku") { __typename
  ... on Error { code message } ... on Publication { iri catalogueVersion } ... on Invalid { problems { message } } } }"""
RESOURCE = """query ($iri: String!) { resource(iri: $iri) { __typename ... on Realisation { label } } }"""
SEARCH = (
    """query ($text: String!) { search(text: $text) { __typename ... on SearchHits { hits { resource { iri } } } } }"""
)
DRAFTS = """{ drafts(status: "draft") { __typename ... on DraftList { items { iri } } } }"""


@dataclass
class Site:
    topology: Topology
    curator: str
    """An API token of a curator."""
    reviewer: str


def distinct_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("topology")
    port, first, second, oxigraph = distinct_ports(4)
    settings = {"KATALOG_SECRET_KEY": SECRET, "KATALOG_ENVIRONMENT": "production"}
    with running(
        folder,
        processes=2,
        port=port,
        app_ports=[first, second],
        oxigraph_port=oxigraph,
        settings=settings,
        say=lambda _: None,
    ) as topology:
        environment = topology.environment()
        store_settings = Settings(
            store="sparql",
            sparql_query_endpoint=environment["KATALOG_SPARQL_QUERY_ENDPOINT"],
            sparql_update_endpoint=environment["KATALOG_SPARQL_UPDATE_ENDPOINT"],
            store_path=folder / "store",
            index_path=folder / "index-test",
        )
        with CatalogueStore.open(store_settings) as store:
            add_account(store, store_settings, "jana@example.cz", PASSWORD, "curator", name="Kurátorka Jana")
            add_account(store, store_settings, "petr@example.cz", PASSWORD, "reviewer", name="Recenzent Petr")
            curator = create_token(store, store_settings, "jana@example.cz")
            reviewer = create_token(store, store_settings, "petr@example.cz")
        yield Site(topology, curator, reviewer)


def graphql(base: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables or {}}, headers=headers, timeout=30
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def realisation(iri: str, label: str) -> str:
    return (
        f'<{iri}> a kcs:Realisation ; skos:prefLabel "{label}"@cs ; kcs:realises <{SOLUTION}> ; '
        f'kcs:place <{CESKA_LIPA}> ; kcs:year "2024"^^xsd:gYear ; dcterms:source {SOURCE} .'
    )


def test_an_edit_published_through_one_process_shows_in_the_other_within_2_s_search_included(site: Site) -> None:
    one, other = site.topology.app_url(1), site.topology.app_url(2)
    word = "Lavičkomat" + secrets.token_hex(3)
    iri = ID + "realisation/zkouska-topologie-" + secrets.token_hex(4)
    label = f"Chytrá lavička {word} u nádraží"
    assert graphql(other, SEARCH, {"text": word})["search"]["hits"] == []

    draft = graphql(one, SAVE, {"iri": iri, "turtle": realisation(iri, label)}, site.curator)["saveDraft"]
    assert draft["__typename"] == "Draft", draft
    assert graphql(one, SUBMIT, {"id": draft["id"]}, site.curator)["submitDraft"]["status"] == "submitted"
    publication = graphql(one, PUBLISH, {"id": draft["id"]}, site.reviewer)["publishDraft"]
    assert publication["__typename"] == "Publication", publication
    published = time.monotonic()

    shown = found = False
    while time.monotonic() - published < 2.0 and not (shown and found):
        shown = graphql(other, RESOURCE, {"iri": iri})["resource"] == {"__typename": "Realisation", "label": label}
        hits = graphql(other, SEARCH, {"text": word})["search"]["hits"]
        found = iri in [hit["resource"]["iri"] for hit in hits]
        time.sleep(0.1)
    assert shown, "the other process does not show the published resource within 2 s"
    assert found, "the other process's search does not find the published resource within 2 s"
    assert httpx.get(f"{other}/healthz", timeout=5).json()["catalogueVersion"] == publication["catalogueVersion"]


def propose(base: str, number: int) -> httpx.Response:
    """Send one valid proposal to ``base`` with a form token signed as the site signs it."""
    cookie = secrets.token_urlsafe(16)
    token = FormSigner(SECRET.encode(), PROPOSAL_PURPOSE).token(cookie, now=time.time() - 10)
    return httpx.post(
        f"{base}/navrh",
        data={
            "problem": f"Obec potřebuje sdílená kola na nádraží, návrh číslo {number}",
            "kontakt": "jana@obec.cz",
            "token": token,
        },
        cookies={FORM_COOKIE: cookie},
        headers={"Accept": "text/html"},
        timeout=30,
    )


def test_the_proposal_rate_limit_of_an_address_holds_across_both_processes(site: Site) -> None:
    """Each process counting on its own would let twice the limit through."""
    one, other = site.topology.app_url(1), site.topology.app_url(2)
    statuses = [propose(one if number % 2 else other, number).status_code for number in range(PROPOSALS_PER_WINDOW)]
    assert statuses == [303] * PROPOSALS_PER_WINDOW
    assert propose(one, 100).status_code == 429
    assert propose(other, 101).status_code == 429
    assert propose(site.topology.url, 102).status_code == 429, "nor through nginx (the same client address)"


def test_the_oxigraph_servers_update_and_store_are_not_reachable_through_nginx(site: Site) -> None:
    base = site.topology.url
    dropped = httpx.post(f"{base}/update", data={"update": "DROP ALL"}, timeout=10)
    assert dropped.status_code in (404, 405)
    assert httpx.get(f"{base}/store", params={"default": ""}, timeout=10).status_code == 404
    assert httpx.put(f"{base}/store", params={"default": ""}, content=b"", timeout=10).status_code in (404, 405)
    # The catalogue is still all there.
    assert httpx.get(f"{base}/koncepce", timeout=10).status_code == 200
    assert "Prostředí pro život" in httpx.get(f"{base}/koncepce", timeout=10).text


def test_the_nginx_configuration_repeats_the_apps_limits_and_nginx_accepts_it(tmp_path: Path) -> None:
    settings = Settings(
        header_timeout=7.5, max_body_bytes=300_000, max_upload_bytes=5 * 2**20, sparql_client_concurrency=3
    )
    config = nginx_config(settings, port=18080, app_ports=[18081, 18082, 18083], folder=tmp_path, temp=tmp_path)
    assert not re.search(r"@[A-Z_]+@", config[config.index("daemon off;") :]), "every placeholder is filled in"
    for line in (
        "client_header_timeout 7500ms;",
        "client_body_timeout 7500ms;",
        "keepalive_timeout 3750ms;",
        "client_max_body_size 300000;",
        "client_max_body_size 5242880;",
        "limit_conn sparql_clients 3;",
        "listen 127.0.0.1:18080;",
        "server 127.0.0.1:18083 max_fails=0;",
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "nejvýše 292.969 kB",
        "nejvýše 5 MB",
    ):
        assert line in config, line
    (tmp_path / "nginx.conf").write_text(config, encoding="utf-8")
    checked = subprocess.run(
        [
            nginx_binary(),
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(tmp_path / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr


def test_nginx_refuses_a_body_over_the_cap_itself_in_czech(site: Site) -> None:
    """Past the cap the app would refuse the body before reading it, and nginx, still sending it, could only
    answer 502; it refuses it itself."""
    too_big = httpx.post(
        f"{site.topology.url}/graphql",
        content=b"x" * (2 * 2**20),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert too_big.status_code == 413
    assert "Tělo požadavku je příliš velké: smí mít nejvýše 1 MB" in too_big.text


@dataclass
class Load:
    """A bounded load through nginx: pages read and drafts saved by a few clients, each request timed."""

    base: str
    curator: str
    stop: threading.Event = field(default_factory=threading.Event)
    results: list[tuple[float, float, str, bool, str]] = field(default_factory=list)
    """(started, ended, what, succeeded, detail)."""
    saved: list[str] = field(default_factory=list)
    """The IRIs of the drafts whose saving was acknowledged."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, number: int) -> None:
        pages = ["/", "/koncepce", "/healthz", "/odpoved?problem=brownfieldy"]
        with httpx.Client(base_url=self.base, timeout=30) as client:
            for request in range(10_000):
                if self.stop.is_set():
                    return
                started = time.monotonic()
                if request % 3 == 2:
                    iri = f"{ID}realisation/zkouska-zateze-{number}-{request}"
                    what, ok, detail = "save", False, ""
                    try:
                        answer = client.post(
                            "/graphql",
                            json={
                                "query": SAVE,
                                "variables": {
                                    "iri": iri,
                                    "turtle": realisation(iri, f"Zátěžová realizace {number}-{request}"),
                                },
                            },
                            headers={"Authorization": f"Bearer {self.curator}"},
                        )
                        saved = (
                            answer.status_code == 200 and answer.json()["data"]["saveDraft"]["__typename"] == "Draft"
                        )
                        ok, detail = saved, f"{answer.status_code} {answer.text[:200]}"
                    except httpx.HTTPError as error:
                        detail = repr(error)
                    if ok:
                        with self.lock:
                            self.saved.append(iri)
                else:
                    what = pages[request % len(pages)]
                    try:
                        answer = client.get(what)
                        ok, detail = answer.status_code == 200, f"{answer.status_code} {answer.text[:200]}"
                    except httpx.HTTPError as error:
                        ok, detail = False, repr(error)
                with self.lock:
                    self.results.append((started, time.monotonic(), what, ok, detail))


def test_a_process_killed_under_load_leaves_the_other_answering_and_loses_nothing_acknowledged(site: Site) -> None:
    load = Load(site.topology.url, site.curator)
    clients = [threading.Thread(target=load.client, args=(number,)) for number in range(4)]
    for client in clients:
        client.start()
    try:
        # Killed once the load is well under way (the first pages of a process just started are slow).
        warmed = time.monotonic()
        while len(load.results) < 40 and time.monotonic() - warmed < 30:
            time.sleep(0.2)
        time.sleep(1)
        killed = time.monotonic()
        site.topology.processes["app-1"].kill()  # SIGKILL: no goodbye to nginx or the store
        site.topology.processes["app-1"].wait(timeout=10)
        time.sleep(5)
    finally:
        load.stop.set()
        for client in clients:
            client.join(timeout=60)

    before = [result for result in load.results if result[1] < killed]
    after = [result for result in load.results if result[0] > killed]
    assert len(before) >= 10 and len(after) >= 10, f"too little load to tell: {len(before)} before, {len(after)} after"
    assert all(result[3] for result in before), [result for result in before if not result[3]][:3]
    failed = [result for result in after if not result[3]]
    assert failed == [], f"{len(failed)} of {len(after)} requests after the kill failed: {failed[:3]}"
    assert httpx.get(f"{site.topology.app_url(2)}/healthz", timeout=5).status_code == 200

    # Every acknowledged write is in the store, as the surviving process reads it.
    drafts = graphql(site.topology.app_url(2), DRAFTS, token=site.curator)["drafts"]["items"]
    missing = set(load.saved) - {draft["iri"] for draft in drafts}
    assert load.saved and not missing, f"{len(missing)} of {len(load.saved)} acknowledged drafts are missing"
