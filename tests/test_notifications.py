"""E-mail notifications (catalogue/editing/notifications.py) against a real SMTP server on 127.0.0.1 that the
tests start and stop (aiosmtpd): reviewers hear of a submitted draft, the author of its publication or
rejection with the reviewer's comment, curators of a proposal. Without SMTP settings nothing fails and the
admins' outbox (/sprava/posta) lists what would have been sent; with the SMTP server down the action still
succeeds and the outbox records the failure. The outbox is private: /sparql never shows it."""

from __future__ import annotations

import email
import email.policy
import itertools
import re
import shutil
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from catalogue import graphs
from catalogue.editing import accounts, authorisation, drafts, notifications
from catalogue.editing.authorisation import Subject
from catalogue.queries import version
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import app_client, free_port
from web.forms import FORM_COOKIE, FormSigner, secret_key
from web.state import PROPOSAL_PURPOSE

BASE = "https://w3id.org/kcs/id/"
SOLUTION = BASE + "solution/lk-energeticky-management"
NEW_IRI = BASE + "realisation/nova-realizace"
LABEL = "Chytré veřejné osvětlení v Mimoni"
PASSWORD = "správné heslo 123"  # noqa: S105 - the test accounts' password
PUBLIC_URL = "https://katalog.example.cz"
HTML = {"Accept": "text/html"}
ADDRESSES = itertools.count(1)
NO_MATCH = "xyzzy kvakva plumbus"

NEW = f"""<{NEW_IRI}> a kcs:Realisation ;
    skos:prefLabel "{LABEL}"@cs ;
    dcterms:description "Obec vyměnila svítidla za chytrá."@cs ;
    kcs:realises <{SOLUTION}> ;
    kcs:place place:ceska-lipa ;
    kcs:year "2023"^^xsd:gYear ;
    dcterms:source [ a kcs:SourceReference ; kcs:publicSource <https://www.mimon.cz/osvetleni> ;
                     kcs:section "Aktuality, 3. 3. 2023" ] ."""


class Mailbox:
    """What the local SMTP server received, as parsed messages with their envelope recipients."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.received if address in recipients]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def _settings(folder: Path, loaded_store_path: Path, **more: object) -> Settings:
    shutil.copytree(loaded_store_path, folder / "store")
    return Settings(store_path=folder / "store", index_path=folder / "index", public_url=PUBLIC_URL, **more)


def _people(store: CatalogueStore, settings: Settings) -> dict[str, accounts.Account]:
    made = {
        role: accounts.add_account(store, settings, f"{role}@example.cz", PASSWORD, role, name=f"Jméno {role}")
        for role in ("curator", "reviewer", "admin")
    }
    made["curator2"] = accounts.add_account(store, settings, "druhy@example.cz", PASSWORD, "curator", name="Druhý")
    made["gone"] = accounts.add_account(store, settings, "pryc@example.cz", PASSWORD, "reviewer", name="Pryč")
    accounts.disable(store, settings, "pryc@example.cz")
    return made


def _submitted(
    store: CatalogueStore, settings: Settings, people: dict[str, accounts.Account], author: str = "curator"
) -> drafts.Draft:
    saved = drafts.save_draft(store, settings, people[author], NEW_IRI, NEW, "Nová dobrá praxe z Mimoně", None)
    return drafts.submit_draft(store, settings, people[author], saved.draft.id)


def _states(store: CatalogueStore, settings: Settings) -> dict[str, str]:
    return {entry.to: entry.state for entry in notifications.outbox(store, settings)}


# -- through SMTP ----------------------------------------------------------------------------------------


def test_a_submitted_draft_mails_its_reviewers_in_czech(smtp, tmp_path: Path, loaded_store_path: Path) -> None:
    mailbox, port = smtp
    settings = _settings(tmp_path, loaded_store_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    with CatalogueStore.open(settings) as store:
        people = _people(store, settings)
        draft = _submitted(store, settings, people)
        assert draft.status == "submitted"
        assert notifications.wait_for_mail(10)
        got = {address for recipients, _ in mailbox.received for address in recipients}
        assert got == {"reviewer@example.cz", "admin@example.cz"}, "those who may publish it, not its author"
        [message] = mailbox.to("reviewer@example.cz")
        assert message["Subject"] == f"Ke schválení: {LABEL}"
        body = message.get_content()
        assert message.get_content_charset() == "utf-8"
        assert f"„{LABEL}“ (realizace)" in body and "Jméno curator" in body and "Nová dobrá praxe z Mimoně" in body
        assert f"{PUBLIC_URL}/upravy/navrh/{draft.id}" in body
        assert "Katalog chytrých služeb" in message["From"]
        assert set(_states(store, settings).values()) == {notifications.SENT}
        assert all(entry.sent for entry in notifications.outbox(store, settings))


def test_publication_and_rejection_mail_the_author_with_the_comment(
    smtp, tmp_path: Path, loaded_store_path: Path
) -> None:
    mailbox, port = smtp
    settings = _settings(tmp_path, loaded_store_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    with CatalogueStore.open(settings) as store:
        people = _people(store, settings)
        draft = _submitted(store, settings, people)
        drafts.reject_draft(store, settings, people["reviewer"], draft.id, "Chybí zdroj s datem, doplňte ho prosím.")
        assert notifications.wait_for_mail(10)
        [rejected] = mailbox.to("curator@example.cz")
        assert rejected["Subject"] == f"Zamítnuto: {LABEL}"
        body = rejected.get_content()
        assert "byl zamítnut" in body and "Chybí zdroj s datem, doplňte ho prosím." in body
        assert "Jméno reviewer" in body and f"{PUBLIC_URL}/upravy/navrh/{draft.id}" in body

        drafts.submit_draft(store, settings, people["curator"], draft.id)
        drafts.publish_draft(store, settings, people["reviewer"], draft.id, "Výborně, děkujeme.")
        assert notifications.wait_for_mail(10)
        published = mailbox.to("curator@example.cz")[1]
        assert published["Subject"] == f"Zveřejněno: {LABEL}"
        body = published.get_content()
        assert "byl zveřejněn" in body and "Výborně, děkujeme." in body
        assert f"{PUBLIC_URL}/id/realisation/nova-realizace" in body
        assert not mailbox.to("reviewer@example.cz") or all(
            "Ke schválení" in message["Subject"] for message in mailbox.to("reviewer@example.cz")
        ), "the reviewer hears only of submissions"


def test_with_the_smtp_server_down_the_action_succeeds_and_the_outbox_records_the_failure(
    tmp_path: Path, loaded_store_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    closed = free_port()  # nothing listens there
    settings = _settings(tmp_path, loaded_store_path, smtp_host="127.0.0.1", smtp_port=closed, smtp_starttls=False,
                         smtp_timeout=2)
    with CatalogueStore.open(settings) as store:
        people = _people(store, settings)
        draft = _submitted(store, settings, people)
        assert drafts.get_draft(store, settings, people["curator"], draft.id).status == "submitted"
        assert notifications.wait_for_mail(10)
        entries = notifications.outbox(store, settings)
        assert {entry.to for entry in entries} == {"reviewer@example.cz", "admin@example.cz"}
        assert {entry.state for entry in entries} == {notifications.FAILED}
        assert all("Connection" in entry.error or "refused" in entry.error.lower() for entry in entries), entries
        assert all(entry.sent is None for entry in entries)
    assert any("could not be sent" in record.getMessage() for record in caplog.records)


def test_without_smtp_settings_nothing_is_sent_and_the_outbox_lists_it(tmp_path: Path, loaded_store_path: Path) -> None:
    settings = _settings(tmp_path, loaded_store_path)
    assert settings.smtp_host is None
    with CatalogueStore.open(settings) as store:
        people = _people(store, settings)
        draft = _submitted(store, settings, people)
        drafts.publish_draft(store, settings, people["admin"], draft.id)
        entries = notifications.outbox(store, settings)
        assert [(entry.to, entry.reason) for entry in entries] == [
            ("curator@example.cz", notifications.PUBLISHED),
            *sorted(
                [("reviewer@example.cz", notifications.SUBMITTED), ("admin@example.cz", notifications.SUBMITTED)],
                key=lambda pair: [entry.to for entry in entries].index(pair[0]),
            ),
        ]
        assert {entry.state for entry in entries} == {notifications.UNSENT}
        assert "(bez komentáře)" in entries[0].body
        assert notifications.outbox_count(store, settings) == 3


def test_the_outbox_is_a_private_graph(settings: Settings) -> None:
    outbox = graphs.private_graph(settings, graphs.OUTBOX)
    assert outbox in graphs.private_graphs(settings)
    assert graphs.public_graphs(settings, [str(outbox)]) == []
    assert graphs.is_private_resource(settings, f"{BASE}outbox/123")


# -- over HTTP ---------------------------------------------------------------------------------------------


def _browser(web: TestClient, who: accounts.Account | None = None) -> TestClient:
    client = TestClient(web.app, base_url="http://testserver", follow_redirects=False,
                        client=(f"10.1.0.{next(ADDRESSES)}", 50000))
    if who is not None:
        page = client.get("/prihlaseni", headers=HTML)
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        assert token
        answer = client.post("/prihlaseni", data={"email": who.email, "heslo": PASSWORD, "token": token.group(1)},
                             headers=HTML)
        assert answer.status_code == 303
    return client


def _propose(web: TestClient, settings: Settings, problem: str) -> None:
    client = TestClient(web.app, headers=HTML, client=(f"192.0.2.{next(ADDRESSES)}", 50000), follow_redirects=False)
    page = client.get("/odpoved", params={"problem": NO_MATCH})
    assert page.status_code == 200 and client.cookies.get(FORM_COOKIE)
    token = FormSigner(secret_key(settings), PROPOSAL_PURPOSE).token(client.cookies[FORM_COOKIE],
                                                                    now=time.time() - 10)
    sent = client.post("/navrh", data={"problem": problem, "kontakt": "starosta@obec-dolni.cz", "token": token})
    assert sent.status_code == 303 and sent.headers["location"] == "/navrh/odeslano", sent.text[:500]


def test_a_proposal_mails_the_curators_without_the_senders_contact(
    smtp, tmp_path: Path, loaded_store_path: Path
) -> None:
    mailbox, port = smtp
    settings = _settings(tmp_path, loaded_store_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                         secret_key="test-secret")  # noqa: S106 - a test key
    with app_client(settings) as web:
        catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
        people = _people(catalogue.store, settings)
        _propose(web, settings, "Holubi znečišťují náměstí a lavičky")
    # No waiting here: the app's shutdown lets the mail thread finish and record it before the store closes.
    got = {address for recipients, _ in mailbox.received for address in recipients}
    assert got == {people[who].email for who in ("curator", "curator2", "reviewer", "admin")}, "who may triage"
    assert "pryc@example.cz" not in got, "never a disabled account"
    [message] = mailbox.to("druhy@example.cz")
    assert message["Subject"] == "Nový podnět: Holubi znečišťují náměstí a lavičky"
    body = message.get_content()
    assert "„Holubi znečišťují náměstí a lavičky“" in body
    assert "starosta@" not in body, "the sender's contact stays in the proposals graph"
    [proposal] = [line for line in body.splitlines() if line.startswith(f"{PUBLIC_URL}/upravy/navrhy-obci/")]
    assert re.fullmatch(rf"{re.escape(PUBLIC_URL)}/upravy/navrhy-obci/[0-9a-f-]{{36}}", proposal)
    with CatalogueStore.open(settings) as store:
        assert set(_states(store, settings).values()) == {notifications.SENT}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    """The site without SMTP settings: the outbox only lists what would have been sent."""
    settings = _settings(tmp_path_factory.mktemp("outbox-web"), loaded_store_path)
    with app_client(settings) as client:
        yield client


@pytest.fixture(scope="module")
def web_people(web: TestClient) -> dict[str, accounts.Account]:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    return _people(catalogue.store, catalogue.settings)


def test_the_admins_outbox_page_shows_what_would_have_been_sent(web: TestClient, web_people) -> None:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    draft = _submitted(catalogue.store, catalogue.settings, web_people)
    drafts.reject_draft(catalogue.store, catalogue.settings, web_people["reviewer"], draft.id, "Doplňte zdroj.")

    admin = _browser(web, web_people["admin"])
    assert 'href="/sprava/posta"' in admin.get("/ucet", headers=HTML).text, "the admin's account page links it"
    page = admin.get("/sprava/posta", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert "Odeslaná pošta" in text and "Server SMTP není nastaven" in text
    assert f"Ke schválení: {LABEL}" in text and f"Zamítnuto: {LABEL}" in text
    assert "reviewer@example.cz" in text and "curator@example.cz" in text
    assert "Doplňte zdroj." in text and f"{PUBLIC_URL}/upravy/navrh/{draft.id}" in text
    assert text.count('data-state="unsent"') == 3
    assert "3 zprávy" in text

    english = _browser(web, web_people["admin"])
    assert english.get("/jazyk/en", params={"zpet": "/sprava/posta"}).status_code == 303
    shown = english.get("/sprava/posta", headers=HTML).text
    assert "<h1>Outbox</h1>" in shown and "not sent (no SMTP server is set)" in shown and "3 messages" in shown


def test_only_admins_may_read_the_outbox_by_the_table(web_people) -> None:
    outbox = Subject(authorisation.OUTBOX_KIND)
    assert [role for role in authorisation.ROLES if authorisation.READ_OUTBOX in authorisation.PERMISSIONS[role]] == [
        "admin"
    ]
    assert authorisation.may(web_people["admin"], authorisation.READ_OUTBOX, outbox)
    assert not authorisation.may(web_people["reviewer"], authorisation.READ_OUTBOX, outbox)


@pytest.mark.parametrize("role", ["curator", "reviewer"])
def test_others_may_not_read_the_outbox(web: TestClient, web_people, role: str) -> None:
    assert _browser(web, web_people[role]).get("/sprava/posta", headers=HTML).status_code == 403


def test_a_browser_without_an_account_is_sent_to_log_in(web: TestClient) -> None:
    answer = _browser(web).get("/sprava/posta", headers=HTML)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/prihlaseni")
    assert _browser(web).get("/sprava/posta", headers={"Accept": "application/json"}).status_code == 401


def test_sparql_never_shows_the_outbox(web: TestClient, web_people) -> None:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    draft = _submitted(catalogue.store, catalogue.settings, web_people, author="curator2")
    # A publication gives a new catalogue version, so /sparql reads a snapshot taken after the outbox was written.
    drafts.publish_draft(catalogue.store, catalogue.settings, web_people["admin"], draft.id)
    assert notifications.outbox_count(catalogue.store, catalogue.settings) > 0
    catalogue.refresh()  # or the server's watcher has already: either way the next query reads the new version
    assert catalogue.version == version.read(catalogue.store, catalogue.settings)
    for query in (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/kcs/private#Message> }",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o FILTER (CONTAINS(STR(?s), '/outbox/')) } }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER (CONTAINS(STR(?o), 'reviewer@example.cz')) }",
    ):
        answer = web.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"]["bindings"][0]["n"]["value"] == "0", query
