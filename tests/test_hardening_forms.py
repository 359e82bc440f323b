"""The proposal form under abuse and faults (issue 14): a token used once (W5), a rate limit that counts
only stored proposals (W8) by the client address the trusted proxies vouch for (W9), both kept in the
store so that they hold across processes, and a full disk that keeps what the visitor typed (F7)."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib.namespace import DCTERMS
from starlette.requests import Request

from api.app import create_app
from catalogue.editing.throttles import OneTimeKeys, Throttle
from catalogue.graphs import PROPOSALS_SENT, USED_FORM_TOKENS, private_graph
from catalogue.queries.proposals import proposals_graph
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import fill, oxigraph_server, running_server, server_settings
from web.clients import client_address
from web.forms import FORM_COOKIE, MAX_TOKEN_AGE_SECONDS, MIN_FILL_SECONDS, FormSigner
from web.state import PROPOSAL_PURPOSE, PROPOSALS_PER_WINDOW, SPENT_FORM_TOKENS

KEY = "hardening-forms-test-key"
SIGNER = FormSigner(KEY.encode(), PROPOSAL_PURPOSE)
ADDRESSES = itertools.count(1)
ISSUED = [int(time.time()) - 10]
"""When the last test token was issued: each next one a second earlier, past the minimum fill time, so no
two tokens of one browser are the same (a token is its issue time signed with the browser's cookie)."""
TOO_MANY = "příliš mnoho návrhů"
ALREADY_SENT = "Tento formulář už byl odeslán a návrh z něj jsme přijali"
NOT_STORED = "Návrh se teď nepodařilo uložit"


def settings_in(folder: Path, **more: object) -> Settings:
    """An empty store of its own: the form needs no catalogue data."""
    return Settings(store_path=folder / "store", index_path=folder / "index", secret_key=KEY, **more)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    application = create_app(settings_in(tmp_path_factory.mktemp("forms")))
    with TestClient(application):
        yield application


def browser(app: FastAPI, address: str | None = None) -> TestClient:
    """A browser with its form cookie, from an address of its own (so each test's rate limit starts afresh)."""
    client = TestClient(app, follow_redirects=False, client=(address or f"192.0.2.{next(ADDRESSES)}", 50000))
    client.cookies.set(FORM_COOKIE, f"cookie-{next(ADDRESSES)}")
    return client


def token(client: TestClient | httpx.Client) -> str:
    """A fresh token for the browser's cookie, issued long enough ago to pass the minimum fill time."""
    ISSUED[0] = min(ISSUED[0] - 1, int(time.time()) - 10)
    return SIGNER.token(client.cookies[FORM_COOKIE], now=ISSUED[0])


def send(client: TestClient | httpx.Client, form_token: str, problem: str, contact: str = "jana@obec.cz",
         headers: dict[str, str] | None = None, **extra: str) -> httpx.Response:
    return client.post("/navrh", data={"problem": problem, "kontakt": contact, "token": form_token, **extra},
                       headers=headers)


def stored_with(app: FastAPI, text: str) -> int:
    catalogue = app.state.catalogue
    graph = catalogue.store.graph(proposals_graph(catalogue.settings))
    return sum(1 for value in graph.objects(None, DCTERMS.description) if str(value) == text)


def page_token(page: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, "the form comes back to be sent again"
    return match.group(1)


# -- W5: a token is used once -----------------------------------------------------------------------------


def test_w5_a_token_a_proposal_was_stored_with_is_refused_after(app: FastAPI) -> None:
    client = browser(app)
    used = token(client)
    assert send(client, used, "Holubi na návsi").status_code == 303
    again = send(client, used, "Holubi na návsi", "+420 777 000 111")
    assert again.status_code == 409
    assert ALREADY_SENT in unescape(again.text)
    assert ">Holubi na návsi</textarea>" in again.text and 'value="+420 777 000 111"' in again.text
    fresh = page_token(again.text)
    assert fresh != used, "a new token, so a genuinely new proposal can still be sent"
    SIGNER.check(fresh, client.cookies[FORM_COOKIE], now=time.time() + MIN_FILL_SECONDS)
    assert stored_with(app, "Holubi na návsi") == 1


def test_w5_a_double_submit_stores_one_proposal(app: FastAPI) -> None:
    client = browser(app)
    twice = token(client)
    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(lambda _: send(client, twice, "Dvojklik na tlačítko").status_code, range(4)))
    assert statuses == [303, 409, 409, 409]
    assert stored_with(app, "Dvojklik na tlačítko") == 1


def test_a_token_refused_for_its_fields_can_be_sent_again(app: FastAPI) -> None:
    """Only a stored proposal uses its token: the form sent back for a wrong contact still works."""
    client = browser(app)
    first = token(client)
    wrong = send(client, first, "Rozbitá lavička", "jana@")
    assert wrong.status_code == 400 and page_token(wrong.text) == first
    assert send(client, first, "Rozbitá lavička").status_code == 303


def test_w5_used_tokens_are_kept_in_the_store_and_forgotten_after_a_token_s_age(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    keys = OneTimeKeys(USED_FORM_TOKENS, timedelta(seconds=MAX_TOKEN_AGE_SECONDS))
    start = datetime.now(UTC)
    with CatalogueStore.open(settings) as store:
        assert keys.claim(store, settings, "proposal:t", now=start) is not None
    with CatalogueStore.open(settings) as store:  # another process: the store opened anew
        assert keys.claim(store, settings, "proposal:t", now=start + timedelta(hours=3)) is None
        assert "proposal:t" not in store.dump().decode(), "kept as a hash"
        later = start + timedelta(seconds=MAX_TOKEN_AGE_SECONDS + 1)
        assert keys.claim(store, settings, "proposal:other", now=later) is not None
        claims = store.values("SELECT ?s WHERE { GRAPH ?g { ?s a ?kind } }",
                              {"g": private_graph(settings, USED_FORM_TOKENS)})
        assert len(claims) == 1, "the claim past the token's age is forgotten"
        released = keys.claim(store, settings, "proposal:third", now=later)
        assert released is not None
        keys.release(store, settings, released)
        assert keys.claim(store, settings, "proposal:third", now=later) is not None


# -- W8: only stored proposals count --------------------------------------------------------------------


def test_w8_refused_posts_do_not_count_against_the_rate_limit(app: FastAPI) -> None:
    client = browser(app)
    used = token(client)
    assert send(client, used, "První návrh radnice").status_code == 303
    refused = [
        send(client, "", "Bez tokenu"),
        send(client, "1700000000." + "0" * 64, "Podvržený token"),
        send(client, token(client), "Robot", web="https://spam.example"),
        send(client, token(client), "Špatný kontakt", "jana@"),
        send(client, token(client), "   "),
        send(client, SIGNER.token(client.cookies[FORM_COOKIE]), "Příliš rychle"),
        send(client, used, "Znovu týž token"),
    ] * 2
    assert all(400 <= response.status_code < 429 for response in refused), [r.status_code for r in refused]
    for number in range(PROPOSALS_PER_WINDOW - 1):
        assert send(client, token(client), f"Další návrh radnice {number}").status_code == 303
    over = send(client, token(client), "Jeden navíc")
    assert over.status_code == 429 and TOO_MANY in unescape(over.text)
    assert int(over.headers["Retry-After"]) > 0 and ">Jeden navíc</textarea>" in over.text


def test_the_proposal_throttle_forgets_after_its_window(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    throttle = Throttle(PROPOSALS_SENT, "ProposalSent", timedelta(seconds=60))
    start = datetime.now(UTC)
    with CatalogueStore.open(settings) as store:
        for second in (0, 1):
            throttle.count(store, settings, ["address:a"], now=start + timedelta(seconds=second))
        assert throttle.retry_after(store, settings, {"address:a": 2}, now=start + timedelta(seconds=2)) == 58
        assert throttle.retry_after(store, settings, {"address:b": 2}, now=start + timedelta(seconds=2)) == 0
        assert throttle.retry_after(store, settings, {"address:a": 2}, now=start + timedelta(seconds=61)) == 0
        throttle.count(store, settings, ["address:b"], now=start + timedelta(seconds=120))
        events = store.values("SELECT ?s WHERE { GRAPH ?g { ?s a ?kind } }",
                              {"g": private_graph(settings, PROPOSALS_SENT)})
        assert len(events) == 1, "the events past the window are forgotten"


# -- part 2: the limits hold across processes over one store ----------------------------------------------


def test_the_proposal_limits_hold_across_two_processes_over_one_store(tmp_path: Path) -> None:
    """Two apps over one Oxigraph server share no memory, as two `katalog serve` processes would not."""
    with oxigraph_server(tmp_path) as environment:
        one = create_app(server_settings(environment, tmp_path / "one", secret_key=KEY))
        two = create_app(server_settings(environment, tmp_path / "two", secret_key=KEY))
        with TestClient(one), TestClient(two):
            first, second = browser(one, "198.51.100.5"), browser(two, "198.51.100.5")
            second.cookies.set(FORM_COOKIE, first.cookies[FORM_COOKIE])  # one browser, either process
            used = token(first)
            assert send(first, used, "Návrh přes první proces").status_code == 303
            assert send(second, used, "Návrh přes první proces").status_code == 409
            for number in range(PROPOSALS_PER_WINDOW - 1):
                assert send(second, token(second), f"Návrh přes druhý proces {number}").status_code == 303
            assert send(first, token(first), "Šestý").status_code == 429
            assert send(second, token(second), "Šestý").status_code == 429


# -- W9: the client address ------------------------------------------------------------------------------


def request_from(peer: str | None, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "headers": headers, "client": (peer, 1234) if peer else None})


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "client"),
    [
        ([], "192.0.2.1", ["203.0.113.9"], "192.0.2.1"),  # no proxy trusted: the header is anyone's to write
        (["127.0.0.1"], "192.0.2.1", ["203.0.113.9"], "192.0.2.1"),  # not from the proxy
        (["127.0.0.1"], "127.0.0.1", ["203.0.113.9"], "203.0.113.9"),
        (["127.0.0.1"], "127.0.0.1", ["6.6.6.6, 203.0.113.9"], "203.0.113.9"),  # a forged leftmost hop
        (["127.0.0.1"], "127.0.0.1", ["6.6.6.6", "203.0.113.9"], "203.0.113.9"),  # two header lines
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", ["6.6.6.6, 203.0.113.9, 10.1.2.3"], "203.0.113.9"),
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", ["10.9.9.9, 10.1.2.3"], "10.9.9.9"),  # proxies only
        (["127.0.0.1"], "127.0.0.1", [], "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", ["junk, 203.0.113.9"], "203.0.113.9"),
        (["::1"], "::1", ["2001:db8::7"], "2001:db8::7"),
        (["127.0.0.1"], "::ffff:127.0.0.1", ["203.0.113.9"], "203.0.113.9"),  # a dual-stack server's IPv4 peer
        (["127.0.0.1"], None, ["203.0.113.9"], "unknown"),
    ],
)
def test_w9_client_address_reads_the_forwarded_header_from_the_right_and_only_from_trusted_proxies(
    proxies: list[str], peer: str | None, forwarded: list[str], client: str
) -> None:
    assert client_address(request_from(peer, *forwarded), Settings(trusted_proxies=proxies)) == client


def test_w9_a_trusted_proxy_that_is_no_address_is_refused_when_the_settings_are_read() -> None:
    with pytest.raises(ValueError, match="KATALOG_TRUSTED_PROXIES: 'nginx' is not an IP address"):
        Settings(trusted_proxies=["127.0.0.1", "nginx"])
    assert Settings(trusted_proxies=["10.0.0.0/8", "::1"]).trusted_proxies == ["10.0.0.0/8", "::1"]


def test_w9_behind_a_trusted_proxy_each_client_counts_and_a_forged_hop_does_not_escape(tmp_path: Path) -> None:
    with TestClient(create_app(settings_in(tmp_path, trusted_proxies=["127.0.0.1"]))) as started:
        proxy = browser(started.app, "127.0.0.1")  # type: ignore[arg-type]
        for number in range(PROPOSALS_PER_WINDOW):
            forged = {"X-Forwarded-For": f"198.51.100.{number}, 203.0.113.7"}
            assert send(proxy, token(proxy), f"Za proxy {number}", headers=forged).status_code == 303
        forged = {"X-Forwarded-For": "198.51.100.99, 203.0.113.7"}
        assert send(proxy, token(proxy), "Za proxy navíc", headers=forged).status_code == 429
        other = {"X-Forwarded-For": "203.0.113.8"}
        assert send(proxy, token(proxy), "Jiná radnice za týmž proxy", headers=other).status_code == 303


def test_w9_the_log_in_throttle_counts_the_client_behind_a_trusted_proxy(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, trusted_proxies=["127.0.0.1"], login_failures_per_address=3)
    with TestClient(create_app(settings), follow_redirects=False, client=("127.0.0.1", 50000)) as proxy:
        def log_in(email: str, hop: str) -> int:
            page = proxy.get("/prihlaseni")
            form = {"email": email, "heslo": "špatné heslo", "token": page_token(page.text)}
            return proxy.post("/prihlaseni", data=form, headers={"X-Forwarded-For": hop}).status_code

        for number in range(3):
            assert log_in(f"hadam{number}@obec.cz", f"198.51.100.{number}, 203.0.113.7") == 400
        assert log_in("dalsi@obec.cz", "198.51.100.50, 203.0.113.7") == 429
        assert log_in("dalsi@obec.cz", "203.0.113.8") == 400, "another client behind the proxy is not locked out"


def test_w9_a_rotating_forwarded_for_does_not_escape_the_limit_of_katalog_serve(tmp_path: Path) -> None:
    """The real server on 127.0.0.1, no proxy trusted: the header must not change who the client is."""
    with CatalogueStore.open(settings_in(tmp_path / "empty")):
        pass
    served = running_server(tmp_path / "served", tmp_path / "empty" / "store", {"KATALOG_SECRET_KEY": KEY})
    with served as base, httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        client.cookies.set(FORM_COOKIE, "served-cookie")
        statuses = [
            send(client, token(client), f"Rotující hlavička {number}",
                 headers={"X-Forwarded-For": f"203.0.113.{number}"}).status_code
            for number in range(PROPOSALS_PER_WINDOW + 1)
        ]
    assert statuses == [303] * PROPOSALS_PER_WINDOW + [429]


# -- F7: a full disk ----------------------------------------------------------------------------------------


def test_f7_a_full_disk_keeps_the_visitor_s_text_and_a_token_for_the_retry(small_disk: Path, tmp_path: Path) -> None:
    settings = Settings(store_path=small_disk / "store", index_path=tmp_path / "index", secret_key=KEY)
    with TestClient(create_app(settings)) as started:
        client = browser(started.app)  # type: ignore[arg-type]
        assert send(client, token(client), "Návrh před zaplněním disku").status_code == 303
        filler = fill(small_disk)
        full = send(client, token(client), "Zaplněný disk, text nesmí zmizet", "+420 603 111 222")
        assert full.status_code == 503 and int(full.headers["Retry-After"]) > 0
        assert NOT_STORED in unescape(full.text) and "nic neztratilo" in unescape(full.text)
        assert ">Zaplněný disk, text nesmí zmizet</textarea>" in full.text and 'value="+420 603 111 222"' in full.text
        # The token itself when no claim of it landed, else one as old: either passes at once and is unused.
        again = page_token(full.text)
        SIGNER.check(again, client.cookies[FORM_COOKIE])
        catalogue = started.app.state.catalogue  # type: ignore[attr-defined]
        assert not SPENT_FORM_TOKENS.claimed(catalogue.store, catalogue.settings, "proposal:" + again)
        assert stored_with(started.app, "Zaplněný disk, text nesmí zmizet") == 0  # type: ignore[arg-type]
        # Space freed: the same page sent again is stored, without a restart.
        filler.unlink()
        sent = send(client, again, "Zaplněný disk, text nesmí zmizet", "+420 603 111 222")
        assert sent.status_code == 303, sent.text
        assert stored_with(started.app, "Zaplněný disk, text nesmí zmizet") == 1  # type: ignore[arg-type]
