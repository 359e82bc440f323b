"""Crash safety (issue 14, part 3): the serving process is killed (SIGKILL) 50 times at random moments
while edits are published and proposals sent. Every write the server acknowledged is in the store
afterwards, and the search index, once a server opens it again, agrees with the store document for
document."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from catalogue.editing.accounts import add_account, create_token
from catalogue.queries.documents import search_documents
from catalogue.queries.proposals import proposals_graph
from catalogue.search.engine import DIGESTS_FILE, document_digest
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import answers, free_port, running_server
from tests.test_graphql_editing import ID, PASSWORD, PUBLISH, SAVE, SUBMIT, realisation
from web.forms import FORM_COOKIE, FormSigner
from web.state import PROPOSAL_PURPOSE

KILLS = int(os.environ.get("KATALOG_TEST_KILLS", "50"))
SEARCH = "query ($text: String!) { search(text: $text, limit: 5) { ... on SearchHits { hits { resource { iri } } } } }"
SECRET = secrets.token_hex(16)
"""The server's form-signing key, so that the test can sign the proposal form's tokens itself."""


@dataclass
class Acknowledged:
    """What a server answered as done: published realisations (IRI → label) and stored proposals' texts."""

    published: dict[str, str] = field(default_factory=dict)
    proposals: list[str] = field(default_factory=list)


@dataclass
class Writer:
    base: str
    curator: str
    reviewer: str
    acknowledged: Acknowledged
    numbers: Iterator[int] = field(default_factory=itertools.count)
    cut_off: int = 0
    """Writes in flight when the server was killed (neither acknowledged nor refused)."""
    failures: list[str] = field(default_factory=list)
    """What went wrong other than the server dying (a refusal, a wrong answer): the test fails on any."""

    def graphql(self, client: httpx.Client, query: str, variables: dict[str, object], token: str) -> dict:
        response = client.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
        )
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    def publish_one(self, client: httpx.Client) -> None:
        number = next(self.numbers)
        iri = f"{ID}realisation/havarie-{number}"
        label = f"Odolná realizace číslo {number} {secrets.token_hex(3)}"
        draft = self.graphql(
            client, SAVE, {"iri": iri, "turtle": realisation(iri, label), "reason": "zkouška"}, self.curator
        )["saveDraft"]
        assert draft["__typename"] == "Draft", draft
        self.graphql(client, SUBMIT, {"id": draft["id"]}, self.curator)
        publication = self.graphql(client, PUBLISH, {"id": draft["id"]}, self.reviewer)["publishDraft"]
        assert publication["__typename"] == "Publication", publication
        self.acknowledged.published[iri] = label

    def propose_one(self, client: httpx.Client) -> None:
        number = next(self.numbers)
        cookie = secrets.token_urlsafe(16)
        token = FormSigner(SECRET.encode(), PROPOSAL_PURPOSE).token(cookie, now=time.time() - 10)
        text = f"Havarijní návrh číslo {number} {secrets.token_hex(3)}"
        # Each from an address of its own, as behind a trusted proxy: the rate limit is not what is tested.
        address = f"10.{number // 250 % 250}.{number % 250}.1"
        client.cookies.set(FORM_COOKIE, cookie)
        response = client.post(
            "/navrh",
            data={"problem": text, "kontakt": "jana@obec.cz", "token": token},
            headers={"X-Forwarded-For": address},
        )
        client.cookies.clear()
        assert response.status_code == 303, response.text
        self.acknowledged.proposals.append(text)

    def run_until_dead(self, pid: int, write: Callable[[httpx.Client], None]) -> None:
        """``write`` until the server dies under the writer: a request cut off by the kill is not acknowledged."""
        with httpx.Client(base_url=self.base, timeout=30, follow_redirects=False) as client:
            while Servers.running(pid):
                try:
                    write(client)
                except httpx.TransportError:
                    self.cut_off += 1
                    return
                except Exception as error:
                    if Servers.running(pid):
                        self.failures.append(repr(error))
                    return


@dataclass
class Servers:
    """Starts the serving process (a forked `katalog serve`, see :mod:`tests.forked_server`) and kills it."""

    forker: subprocess.Popen[str]
    port: int

    def start(self) -> int:
        assert self.forker.stdin is not None and self.forker.stdout is not None
        self.forker.stdin.write(f"serve {self.port}\n")
        self.forker.stdin.flush()
        return int(self.forker.stdout.readline())

    @staticmethod
    def running(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self, pid: int) -> None:
        """SIGKILL the server and its /sparql workers, and wait until they are gone and the port is free."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self.running(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self.running(pid)


@contextlib.contextmanager
def servers(settings: Settings, log: Path) -> Iterator[Servers]:
    forker = subprocess.Popen(
        [sys.executable, "-m", "tests.forked_server", str(log)],
        env={
            "PATH": str(Path(sys.executable).parent),
            "KATALOG_STORE_PATH": str(settings.store_path),
            "KATALOG_INDEX_PATH": str(settings.index_path),
            "KATALOG_SECRET_KEY": SECRET,
            "KATALOG_TRUSTED_PROXIES": '["127.0.0.1"]',
        },
        cwd=Path(__file__).resolve().parent.parent,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield Servers(forker, free_port())
    finally:
        forker.kill()
        forker.wait(timeout=10)


def healthy(base: str, pid: int, within: float) -> bool:
    return answers(
        lambda: Servers.running(pid) and httpx.get(f"{base}/healthz", timeout=1).status_code == 200, within=within
    )


@pytest.fixture
def settings(tmp_path: Path, loaded_store_path: Path) -> Settings:
    shutil.copytree(loaded_store_path, tmp_path / "store")
    return Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")


def test_every_acknowledged_write_survives_fifty_kills_and_the_index_agrees(settings: Settings, tmp_path: Path) -> None:
    with CatalogueStore.open(settings) as store:
        add_account(store, settings, "jana@example.cz", PASSWORD, "curator", name="Kurátorka Jana")
        add_account(store, settings, "petr@example.cz", PASSWORD, "reviewer", name="Recenzent Petr")
        curator = create_token(store, settings, "jana@example.cz")
        reviewer = create_token(store, settings, "petr@example.cz")
    log = tmp_path / "server.log"
    acknowledged = Acknowledged()
    seed = int.from_bytes(os.urandom(4))  # in the failure messages, to replay a run
    chance = random.Random(seed)
    during_startup = 0
    with servers(settings, log) as serving:
        base = f"http://127.0.0.1:{serving.port}"
        writer = Writer(base, curator, reviewer, acknowledged)
        for _ in range(KILLS):
            pid, threads = serving.start(), []
            try:
                # One kill in five while the server starts (opening the store, bringing the index up to
                # date); the others while it publishes edits and stores proposals at once.
                if chance.random() < 0.2:
                    during_startup += 1
                    time.sleep(chance.uniform(0.1, 1.5))
                else:
                    assert healthy(base, pid, within=60), log.read_text(errors="replace")[-3000:]
                    threads = [
                        threading.Thread(target=writer.run_until_dead, args=(pid, write))
                        for write in (writer.publish_one, writer.propose_one)
                    ]
                    for thread in threads:
                        thread.start()
                    time.sleep(chance.uniform(0.3, 3.0))
            finally:
                serving.kill(pid)
            for thread in threads:
                thread.join(timeout=60)
    assert not writer.failures, (seed, writer.failures)
    # The kills came while writes were under way, and enough writes were acknowledged to tell.
    assert writer.cut_off >= (KILLS - during_startup) // 2, (seed, writer.cut_off)
    assert len(acknowledged.published) >= KILLS // 5 and len(acknowledged.proposals) >= KILLS // 2, acknowledged

    # A real `katalog serve` opens the store and the index after the last kill, as an operator's restart would.
    with running_server(
        tmp_path / "after",
        None,
        env={"KATALOG_STORE_PATH": str(settings.store_path), "KATALOG_INDEX_PATH": str(settings.index_path)},
    ) as base:
        published = sorted(acknowledged.published.items())
        for iri, label in chance.sample(published, min(10, len(published))):
            found = httpx.post(f"{base}/graphql", json={"query": SEARCH, "variables": {"text": label}}, timeout=30)
            assert iri in [hit["resource"]["iri"] for hit in found.json()["data"]["search"]["hits"]], (
                label,
                found.text,
            )

    with CatalogueStore.open(settings, read_only=True) as store:
        labels = {
            row["s"]: row["label"]
            for row in store.values(
                "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
            )
        }
        missing = {iri: label for iri, label in acknowledged.published.items() if labels.get(iri) != label}
        assert not missing, f"acknowledged publications lost: {missing}"
        texts = {
            row["t"]
            for row in store.values(
                f"SELECT ?t WHERE {{ GRAPH <{proposals_graph(settings)}> {{ ?p <http://purl.org/dc/terms/description> ?t }} }}"
            )
        }
        lost = [text for text in acknowledged.proposals if text not in texts]
        assert not lost, f"acknowledged proposals lost: {lost}"
        kept = json.loads((settings.index_path / DIGESTS_FILE).read_text(encoding="utf-8"))
        assert kept == {document.iri: document_digest(document) for document in search_documents(store)}
