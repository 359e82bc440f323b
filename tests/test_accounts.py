"""Accounts, sessions, API tokens, log-in throttling and the audit log (catalogue.editing.accounts and
.audit) on a real store; and that none of their private graphs leaves the store by a public way."""

from __future__ import annotations

import hashlib
import inspect
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from catalogue import graphs
from catalogue.editing import accounts, audit
from catalogue.errors import InvalidInput, NotFound, TooManyAttempts
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import katalog, running_server

PASSWORD = "dlouhé heslo 2026"  # noqa: S105 - a test password
MMR = "https://w3id.org/kcs/id/organisation/mmr"


@pytest.fixture(scope="module")
def catalogue_copy(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Path:
    folder = tmp_path_factory.mktemp("accounts")
    shutil.copytree(loaded_store_path, folder / "store")
    return folder / "store"


@pytest.fixture
def opened(catalogue_copy: Path) -> Iterator[tuple[CatalogueStore, Settings]]:
    """The loaded catalogue's store (organisations to name), shared by the module's tests: each uses
    e-mails of its own."""
    settings = Settings(store_path=catalogue_copy, index_path=catalogue_copy.parent / "index")
    with CatalogueStore.open(settings) as store:
        yield store, settings


@pytest.fixture
def empty(settings: Settings) -> Iterator[tuple[CatalogueStore, Settings]]:
    """An empty store of the test's own."""
    with CatalogueStore.open(settings) as store:
        yield store, settings


def dump(store: CatalogueStore) -> str:
    return store.dump().decode()


def test_passwords_are_hashed_with_argon2id_and_never_kept(empty, production_hasher) -> None:
    store, settings = empty
    account = accounts.add_account(store, settings, " Jana.Nova@Obec.CZ ", PASSWORD, "curator")
    assert account.email == "jana.nova@obec.cz" and account.name == "jana.nova"
    assert account.agent.startswith(f"{settings.instance_base}agent/")
    assert account.iri.startswith(graphs.private_base(settings, graphs.ACCOUNTS))
    text = dump(store)
    assert PASSWORD not in text
    hashes = [line.split('"')[1] for line in text.splitlines() if "passwordHash" in line]
    assert len(hashes) == 1 and hashes[0].startswith("$argon2id$")
    # The product's parameters (RFC 9106's low-memory ones), not the cheap ones of the other tests.
    assert hashes[0].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert f"<{graphs.private_graph(settings, graphs.ACCOUNTS)}>" in text


@pytest.mark.parametrize(
    ("email", "password", "role", "more", "field", "message"),
    [
        ("a@obec.cz", "krátké", "curator", {}, "password", "alespoň 12 znaků"),
        ("a@obec.cz", "x" * 11, "curator", {}, "password", "alespoň 12 znaků (zadané má 11)"),
        ("a@obec", PASSWORD, "curator", {}, "email", "není platná e-mailová adresa"),
        ("", PASSWORD, "curator", {}, "email", "Vyplňte e-mail."),
        ("a@obec.cz", PASSWORD, "boss", {}, "role", "Neznámá role „boss“"),
        ("a@obec.cz", PASSWORD, "ministry", {}, "organisation", "potřebuje organizaci"),
        ("a@obec.cz", PASSWORD, "ministry", {"organisation": "not an iri"}, "organisation", "není IRI organizace"),
        ("a@obec.cz", PASSWORD, "ministry", {"organisation": "https://example.org/x"}, "organisation",
         "katalog nezná"),
    ],
)
def test_bad_input_is_refused_naming_the_field(opened, email, password, role, more, field, message) -> None:
    store, settings = opened
    with pytest.raises(InvalidInput, match=re.escape(message)) as refused:
        accounts.add_account(store, settings, email, password, role, **more)
    assert refused.value.field == field
    assert accounts.account_by_email(store, settings, "a@obec.cz") is None


def test_an_email_is_taken_whatever_its_case(opened) -> None:
    store, settings = opened
    accounts.add_account(store, settings, "dvakrat@obec.cz", PASSWORD, "curator")
    with pytest.raises(InvalidInput, match="už existuje") as refused:
        accounts.add_account(store, settings, "DvaKrat@Obec.cz", "jiné dlouhé heslo", "admin")
    assert refused.value.field == "email"
    assert [a.email for a in accounts.accounts(store, settings)].count("dvakrat@obec.cz") == 1


def test_a_ministry_account_has_its_organisation(opened) -> None:
    store, settings = opened
    account = accounts.add_account(store, settings, "mmr@mmr.cz", PASSWORD, "ministry", organisation=MMR, name="MMR")
    assert account.organisation == MMR and account.role == "ministry"
    assert accounts.account_by_iri(store, settings, account.iri) == account


def test_authenticate(opened) -> None:
    store, settings = opened
    account = accounts.add_account(store, settings, "overit@obec.cz", PASSWORD, "reviewer", name="Petr")
    assert accounts.authenticate(store, settings, "Overit@Obec.cz", PASSWORD) == account
    assert accounts.authenticate(store, settings, "overit@obec.cz", PASSWORD + "x") is None
    assert accounts.authenticate(store, settings, "nikdo-takovy@obec.cz", PASSWORD) is None
    assert accounts.authenticate(store, settings, "", PASSWORD) is None


def test_a_hash_of_weaker_parameters_is_replaced_at_log_in(empty, production_hasher) -> None:
    store, settings = empty
    account = accounts.add_account(store, settings, "stary@obec.cz", PASSWORD, "curator")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    accounts._write_hash(store, settings, account, weak)
    assert weak in dump(store)
    assert accounts.authenticate(store, settings, account.email, PASSWORD) == account
    text = dump(store)
    assert weak not in text and "$argon2id$v=19$m=65536" in text
    assert accounts.authenticate(store, settings, account.email, PASSWORD) == account


def test_disabling_ends_the_sessions_and_revokes_the_tokens(opened) -> None:
    store, settings = opened
    account = accounts.add_account(store, settings, "zablokovat@obec.cz", PASSWORD, "curator")
    sessions = [accounts.create_session(store, settings, account) for _ in range(2)]
    token = accounts.create_token(store, settings, account.email)
    assert all(accounts.account_for_session(store, settings, secret) == account for secret in sessions)
    assert accounts.account_for_token(store, settings, token) == account
    assert accounts.disable(store, settings, account.email).disabled
    assert all(accounts.account_for_session(store, settings, secret) is None for secret in sessions)
    assert accounts.account_for_token(store, settings, token) is None
    assert accounts.session_count(store, settings, account) == 0
    assert hashlib.sha256(token.encode()).hexdigest() not in dump(store), "revoked, not merely refused"
    assert accounts.authenticate(store, settings, account.email, PASSWORD) is None
    with pytest.raises(InvalidInput, match="zablokovaný"):
        accounts.create_token(store, settings, account.email)


def test_a_password_change_ends_every_session(opened) -> None:
    store, settings = opened
    account = accounts.add_account(store, settings, "heslo@obec.cz", PASSWORD, "curator")
    secret = accounts.create_session(store, settings, account)
    with pytest.raises(InvalidInput, match="alespoň 12"):
        accounts.set_password(store, settings, account.email, "krátké")
    assert accounts.account_for_session(store, settings, secret) == account, "a refused change ends nothing"
    accounts.set_password(store, settings, account.email, "úplně nové heslo")
    assert accounts.account_for_session(store, settings, secret) is None
    assert accounts.authenticate(store, settings, account.email, PASSWORD) is None
    assert accounts.authenticate(store, settings, account.email, "úplně nové heslo") == account


def test_a_role_change_ends_every_session_and_the_last_admin_stays(empty) -> None:
    store, settings = empty
    admin = accounts.add_account(store, settings, "spravce@obec.cz", PASSWORD, "admin")
    curator = accounts.add_account(store, settings, "kurator@obec.cz", PASSWORD, "curator")
    secret = accounts.create_session(store, settings, curator)
    assert accounts.set_role(store, settings, curator.email, "reviewer").role == "reviewer"
    assert accounts.account_for_session(store, settings, secret) is None
    for refused in (lambda: accounts.set_role(store, settings, admin.email, "curator"),
                    lambda: accounts.disable(store, settings, admin.email)):
        with pytest.raises(InvalidInput, match="jediný aktivní účet správce"):
            refused()
    accounts.set_role(store, settings, curator.email, "admin")
    assert accounts.disable(store, settings, admin.email).disabled
    with pytest.raises(NotFound, match="neexistuje"):
        accounts.set_role(store, settings, "nikdo@obec.cz", "admin")


def test_tokens_are_kept_only_as_hashes_and_expire(empty) -> None:
    store, settings = empty
    account = accounts.add_account(store, settings, "api@obec.cz", PASSWORD, "curator")
    token = accounts.create_token(store, settings, account.email, expires_days=30)
    lasting = accounts.create_token(store, settings, account.email)
    assert token.startswith("kcs_") and len(token) > 40 and token != lasting
    text = dump(store)
    assert token not in text and lasting not in text
    assert hashlib.sha256(token.encode()).hexdigest() in text
    assert accounts.account_for_token(store, settings, token) == account
    later = datetime.now(UTC) + timedelta(days=31)
    assert accounts.account_for_token(store, settings, token, now=later) is None
    assert accounts.account_for_token(store, settings, lasting, now=later) == account
    assert accounts.account_for_token(store, settings, token[:-1] + "x") is None
    with pytest.raises(InvalidInput, match="kladný počet dní") as refused:
        accounts.create_token(store, settings, account.email, expires_days=0)
    assert refused.value.field == "expires"


def test_sessions_keep_only_a_hash_and_end_when_idle_or_old(empty) -> None:
    store, settings = empty
    account = accounts.add_account(store, settings, "relace@obec.cz", PASSWORD, "curator")
    start = datetime.now(UTC)
    secret = accounts.create_session(store, settings, account, now=start)
    assert secret not in dump(store)
    # Used every 11 hours, it lasts past 12 idle hours, but never past 7 days.
    moment = start
    while moment + timedelta(hours=11) < start + timedelta(days=7):
        moment += timedelta(hours=11)
        assert accounts.account_for_session(store, settings, secret, now=moment) == account
    assert accounts.account_for_session(store, settings, secret, now=start + timedelta(days=7, hours=1)) is None
    idle = accounts.create_session(store, settings, account, now=start)
    assert accounts.account_for_session(store, settings, idle, now=start + timedelta(hours=12, minutes=1)) is None
    ended = accounts.create_session(store, settings, account)
    assert accounts.end_session(store, settings, ended) == account
    assert accounts.account_for_session(store, settings, ended) is None
    assert accounts.account_for_session(store, settings, "") is None


def test_log_ins_are_throttled_per_account_and_the_counters_outlive_the_process(settings: Settings) -> None:
    with CatalogueStore.open(settings) as store:
        account = accounts.add_account(store, settings, "hadani@obec.cz", PASSWORD, "curator")
        for _ in range(4):
            assert accounts.authenticate(store, settings, account.email, "hádám hádám", client="192.0.2.1") is None
        for _ in range(3):
            assert accounts.authenticate(store, settings, account.email, PASSWORD, client="192.0.2.1") == account
    # Another process (the store opened anew) counts the same failures: a successful log-in did not count.
    with CatalogueStore.open(settings) as store:
        assert accounts.authenticate(store, settings, account.email, "hádám hádám", client="192.0.2.2") is None
        with pytest.raises(TooManyAttempts, match="Zkuste to prosím znovu za 15 min") as throttled:
            accounts.authenticate(store, settings, account.email, PASSWORD, client="192.0.2.3")
        assert 14 * 60 < throttled.value.retry_after <= 15 * 60
        # After the window, the right password works again.
        later = datetime.now(UTC) + timedelta(minutes=16)
        assert accounts.authenticate(store, settings, account.email, PASSWORD, client="192.0.2.3", now=later) == account
        assert "hadani@obec.cz" not in "".join(
            line for line in dump(store).splitlines() if str(graphs.private_graph(settings, graphs.LOGIN_FAILURES)) in line
        ), "the counters keep a hash, not the e-mail"


def test_log_ins_are_throttled_per_address(empty) -> None:
    store, settings = empty
    account = accounts.add_account(store, settings, "adresa@obec.cz", PASSWORD, "curator")
    for number in range(settings.login_failures_per_address):
        assert accounts.authenticate(store, settings, f"zkousim{number}@obec.cz", "nic nic nic", client="192.0.2.9") is None
    with pytest.raises(TooManyAttempts):
        accounts.authenticate(store, settings, account.email, PASSWORD, client="192.0.2.9")
    assert accounts.authenticate(store, settings, account.email, PASSWORD, client="192.0.2.10") == account


def test_the_audit_log_records_newest_first_and_never_the_password(empty) -> None:
    store, settings = empty
    admin = accounts.add_account(store, settings, "audit@obec.cz", PASSWORD, "admin")
    accounts.authenticate(store, settings, admin.email, PASSWORD, client="192.0.2.20")
    accounts.authenticate(store, settings, "Cizi@Obec.cz", "tajné heslo co nikdo nezná", client="192.0.2.20")
    secret = accounts.create_session(store, settings, admin)
    accounts.end_session(store, settings, secret)
    other = accounts.add_account(store, settings, "druhy@obec.cz", PASSWORD, "curator", actor=admin)
    accounts.set_role(store, settings, other.email, "reviewer", actor=admin)
    accounts.set_password(store, settings, other.email, "další dlouhé heslo", actor=admin)
    accounts.create_token(store, settings, other.email, actor=admin)
    accounts.disable(store, settings, other.email, actor=admin)
    found = audit.entries(store, settings, limit=100)
    assert [entry.action for entry in found] == [
        audit.ACCOUNT_DISABLED, audit.TOKEN_CREATED, audit.PASSWORD_CHANGED, audit.ROLE_CHANGED,
        audit.ACCOUNT_ADDED, audit.LOGOUT, audit.LOGIN_FAILED, audit.LOGIN, audit.ACCOUNT_ADDED,
    ]
    assert audit.entry_count(store, settings) == len(found)
    failed = found[6]
    assert failed.subject == "cizi@obec.cz" and failed.actor is None and "192.0.2.20" in failed.detail
    assert found[0].actor == admin.iri and found[0].actor_email == admin.email and found[0].subject == other.iri
    assert found[-1].actor is None, "the first account is made at the console"
    assert "tajné heslo" not in dump(store) and "další dlouhé heslo" not in dump(store)
    assert [entry.iri for entry in audit.entries(store, settings, limit=3, offset=2)] == [e.iri for e in found[2:5]]


def test_the_audit_log_only_ever_grows() -> None:
    """The module writes by ``store.insert`` (INSERT DATA) alone, and has no way to remove or replace."""
    source = inspect.getsource(audit)
    assert "store.insert(" in source
    for remover in ("store.update(", "drop_graph(", "replace_graph(", "replace_everything("):
        assert remover not in source
    with pytest.raises(InvalidInput):
        audit.record(None, Settings(), "Not an action")  # type: ignore[arg-type]


def test_the_private_graphs_never_leave_by_a_public_way(tmp_path: Path, loaded_store_path: Path) -> None:
    """Accounts, tokens, sessions, log-in failures and the audit log stay out of /sparql, linked data and
    `katalog export`, as the proposals do."""
    shutil.copytree(loaded_store_path, tmp_path / "private")
    settings = Settings(store_path=tmp_path / "private", index_path=tmp_path / "private-index")
    with CatalogueStore.open(settings) as store:
        account = accounts.add_account(store, settings, "tajny.ucet@obec.cz", PASSWORD, "admin", name="Tajná Správkyně")
        token = accounts.create_token(store, settings, account.email)
        accounts.create_session(store, settings, account)
        accounts.authenticate(store, settings, account.email, "špatně špatně", client="192.0.2.30")
        present = {str(graph) for graph in store.graph_names()}
    private = {str(graphs.private_graph(settings, name))
               for name in (graphs.ACCOUNTS, graphs.TOKENS, graphs.SESSIONS, graphs.AUDIT, graphs.LOGIN_FAILURES)}
    assert private <= present, "each private graph holds something"

    exported = katalog("export", "--format", "nq", env={"KATALOG_STORE_PATH": str(tmp_path / "private")})
    assert exported.returncode == 0, exported.stderr
    for secret in ("tajny.ucet@obec.cz", "$argon2id$", "Tajná Správkyně", *private):
        assert secret not in exported.stdout

    csv = {"Accept": "text/csv"}
    with running_server(tmp_path / "server", tmp_path / "private") as base:

        def sparql(query: str, **params: str) -> httpx.Response:
            return httpx.get(f"{base}/sparql", params={"query": query, **params}, headers=csv, timeout=30)

        union = sparql("SELECT ?s ?o WHERE { ?s ?p ?o FILTER (isLiteral(?o) && (CONTAINS(STR(?o), 'tajny.ucet') "
                       "|| STRSTARTS(STR(?o), '$argon2'))) }")
        assert union.status_code == 200 and "tajny.ucet" not in union.text and "argon2" not in union.text
        listed = sparql("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert listed.status_code == 200 and not any(graph in listed.text for graph in private)
        for graph in sorted(private):
            for refused in (
                sparql(f"SELECT ?o FROM <{graph}> WHERE {{ ?s ?p ?o }}"),
                sparql("SELECT ?o WHERE { ?s ?p ?o }", **{"default-graph-uri": graph}),
            ):
                assert refused.status_code == 403 and "neveřejný" in refused.text
        path = account.iri.removeprefix("https://w3id.org/kcs")
        for url, accept in ((path, "text/html"), (path, "text/turtle"), (path + ".ttl", "*/*")):
            answer = httpx.get(base + url, headers={"Accept": accept}, timeout=30)
            assert answer.status_code == 404 and "tajny.ucet" not in answer.text
        # The token works where it is meant to: the admin page, not as a way to read the graphs.
        page = httpx.get(f"{base}/sprava/ucty", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert page.status_code == 200 and "tajny.ucet@obec.cz" in page.text
