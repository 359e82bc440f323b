"""The proposals inbox: curators see what municipalities sent with the contact (nobody else does), move a
proposal from new to triaged and on with the reply recorded, convert it into a draft problem linked to
it; `katalog purge` deletes contacts past the retention period and `katalog forget` one sender's data;
the proposal form's privacy note states both."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from catalogue.editing import accounts, drafts, proposals
from catalogue.errors import Forbidden, InvalidInput, Unauthenticated
from catalogue.queries.proposals import Contact, store_proposal
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import app_client, katalog, logged_in_client

PASSWORD = "heslo kurátora 2026"  # noqa: S105 - a test password
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("inbox")
    shutil.copytree(loaded_store_path, folder / "store")
    with app_client(Settings(store_path=folder / "store", index_path=folder / "index")) as client:
        yield client


@pytest.fixture(scope="module")
def world(web: TestClient) -> tuple[Settings, CatalogueStore]:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    return catalogue.settings, catalogue.store


@pytest.fixture(scope="module")
def people(world) -> dict[str, accounts.Account]:
    settings, store = world
    return {role: accounts.add_account(store, settings, f"{role}@obec.cz", PASSWORD, role, name=role,
                                       organisation="https://w3id.org/kcs/id/organisation/mmr" if role == "ministry"
                                       else None)
            for role in ("curator", "reviewer", "ministry", "admin")}


def sent(world, text: str, email: str = "starosta@obec-lhota.cz", *, days_ago: float = 0) -> str:
    settings, store = world
    now = datetime.now(UTC) - timedelta(days=days_ago)
    return str(store_proposal(store, settings, text, Contact("email", email), now=now))


def logged_in(web: TestClient, email: str) -> TestClient:
    return logged_in_client(web.app, email, PASSWORD)


def test_only_those_who_triage_see_the_proposals_and_their_contacts(web: TestClient, world, people) -> None:
    settings, store = world
    sent(world, "Chybí nám sdílená kola pro turisty", "kola@obec-lhota.cz")
    for role in ("curator", "reviewer", "admin"):
        listed = proposals.inbox(store, settings, people[role])
        assert any(p.contact == "kola@obec-lhota.cz" for p in listed)
    with pytest.raises(Forbidden):
        proposals.inbox(store, settings, people["ministry"])
    with pytest.raises(Unauthenticated):
        proposals.inbox(store, settings, None)
    page = logged_in(web, "curator@obec.cz").get("/upravy/navrhy-obci", headers=HTML)
    assert page.status_code == 200 and "kola@obec-lhota.cz" in page.text and "Chybí nám sdílená kola" in page.text
    assert logged_in(web, "ministry@obec.cz").get("/upravy/navrhy-obci", headers=HTML).status_code == 403
    anonymous = TestClient(web.app, base_url="http://testserver", follow_redirects=False)
    assert anonymous.get("/upravy/navrhy-obci", headers=HTML).status_code == 303
    assert "kola@obec-lhota.cz" not in web.post("/sparql", data={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"},
                                                headers={"Accept": "text/csv"}).text


def test_a_proposal_moves_from_new_to_triaged_to_answered_with_its_reply(web: TestClient, world, people) -> None:
    settings, store = world
    identifier = sent(world, "Nevíme, jak začít se smart city").rsplit("/", 1)[-1]
    curator = logged_in(web, "curator@obec.cz")
    page = curator.get(f"/upravy/navrhy-obci/{identifier}", headers=HTML)
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert token
    triaged = curator.post(f"/upravy/navrhy-obci/{identifier}", data={"csrf": token.group(1), "stav": "triaged",
                                                                      "akce": "stav"}, headers=HTML)
    assert triaged.status_code == 303
    no_reply = curator.post(f"/upravy/navrhy-obci/{identifier}",
                            data={"csrf": token.group(1), "stav": "answered", "odpoved": "", "akce": "stav"}, headers=HTML)
    assert no_reply.status_code == 400 and "Napište odpověď" in no_reply.text
    answered = curator.post(f"/upravy/navrhy-obci/{identifier}", data={
        "csrf": token.group(1), "stav": "answered", "odpoved": "Začněte koncepcí Smart City.", "akce": "stav"},
        headers=HTML)
    assert answered.status_code == 303
    done = proposals.get_proposal(store, settings, people["curator"], identifier)
    assert done.status == "answered" and done.reply == "Začněte koncepcí Smart City." and done.replied is not None
    with pytest.raises(InvalidInput, match="ho převést nelze"):
        proposals.triage(store, settings, people["curator"], identifier, "triaged")


def test_converting_a_proposal_starts_a_draft_problem_linked_to_it(web: TestClient, world, people) -> None:
    settings, store = world
    identifier = sent(world, "Máme mnoho prázdných obchodů v centru").rsplit("/", 1)[-1]
    curator = logged_in(web, "curator@obec.cz")
    page = curator.get(f"/upravy/navrhy-obci/{identifier}", headers=HTML)
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert token
    converted = curator.post(f"/upravy/navrhy-obci/{identifier}", data={"csrf": token.group(1), "akce": "prevest"},
                             headers=HTML)
    assert converted.status_code == 303 and converted.headers["location"].startswith("/upravy/navrh/")
    draft_id = converted.headers["location"].rsplit("/", 1)[-1]
    draft = drafts.get_draft(store, settings, people["curator"], draft_id)
    assert draft.kind == "problem" and "Máme mnoho prázdných obchodů v centru" in draft.description.ntriples()
    proposal = proposals.get_proposal(store, settings, people["curator"], identifier)
    assert proposal.status == "converted" and proposal.converted_into == draft_id
    assert f'href="/upravy/navrh/{draft_id}"' in curator.get(f"/upravy/navrhy-obci/{identifier}", headers=HTML).text


def test_purge_deletes_old_contacts_and_forget_one_senders_proposals(tmp_path: Path, loaded_store_path: Path) -> None:
    shutil.copytree(loaded_store_path, tmp_path / "store")
    env = {"KATALOG_STORE_PATH": str(tmp_path / "store"), "KATALOG_LOG_FILE": str(tmp_path / "katalog.log"),
           "KATALOG_PROPOSAL_RETENTION_DAYS": "30"}
    settings = Settings(store_path=tmp_path / "store", proposal_retention_days=30)
    with CatalogueStore.open(settings) as store:
        for text, email, days in (("Starý návrh", "stary@obec.cz", 40), ("Nový návrh", "novy@obec.cz", 5),
                                  ("Druhý návrh téhož", "novy@obec.cz", 1)):
            store_proposal(store, settings, text, Contact("email", email), now=datetime.now(UTC) - timedelta(days=days))
    purged = katalog("purge", env=env)
    assert purged.returncode == 0 and "Deleted the contacts of 1 proposal(s) older than 30 days" in purged.stdout
    forgotten = katalog("forget", "NOVY@obec.cz", env=env)
    assert forgotten.returncode == 0 and "Deleted 2 proposal(s)" in forgotten.stdout
    with CatalogueStore.open(settings) as store:
        admin = accounts.add_account(store, settings, "admin@obec.cz", PASSWORD, "admin")
        left = proposals.inbox(store, settings, admin)
    assert [(p.text, p.contact) for p in left] == [("Starý návrh", "")], "the old one keeps its text, not its contact"


def test_the_proposal_form_states_the_retention_and_the_right_to_be_forgotten(web: TestClient) -> None:
    page = web.get("/odpoved", params={"problem": "něco úplně neznámého xyz"}, headers=HTML).text
    assert "Kontakt smažeme nejpozději 180 dní po odeslání" in page
    assert "o smazání všeho, co jste poslali, můžete kurátory katalogu požádat kdykoli" in page
