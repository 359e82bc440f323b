"""Log-in, log-out, one's own account and the admin pages over HTTP, against the real app in-process: the
session cookie's flags, sessions that really end on the server, throttling with 429 and Retry-After,
and who may open which page (401, 303, 403, 200)."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from catalogue.editing import accounts, audit
from catalogue.settings import Settings
from tests.conftest import app_client
from web.auth import SESSION_COOKIE, csrf_token
from web.forms import FORM_COOKIE

PASSWORD = "správné heslo 2026"  # noqa: S105 - a test password
HTML = {"Accept": "text/html"}
NUMBERS = itertools.count(1)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("web-accounts")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index")
    with app_client(settings) as client:
        yield client


@pytest.fixture
def client(web: TestClient) -> TestClient:
    web.cookies.clear()
    return web


def other_client(web: TestClient, *, base_url: str = "http://testserver", address: str = "testclient") -> TestClient:
    """Another browser on the same running app (its catalogue is open already): own cookies, own address."""
    return TestClient(web.app, base_url=base_url, follow_redirects=False, client=(address, 50000))


def make(web: TestClient, role: str = "curator", **more: str) -> accounts.Account:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    email = f"ucet{next(NUMBERS)}-{role}@obec.cz"
    return accounts.add_account(catalogue.store, catalogue.settings, email, PASSWORD, role, name=f"Jana {role}",
                                **more)


def login_form(client: TestClient, path: str = "/prihlaseni") -> str:
    page = client.get(path, headers=HTML)
    assert page.status_code == 200
    match = re.search(r'name="token" value="([^"]+)"', page.text)
    assert match and client.cookies.get(FORM_COOKIE)
    return match.group(1)


def log_in(client: TestClient, email: str, password: str = PASSWORD, zpet: str = ""):
    token = login_form(client)
    return client.post("/prihlaseni", data={"email": email, "heslo": password, "token": token, "zpet": zpet},
                       headers=HTML)


def csrf_of(client: TestClient, path: str = "/ucet") -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', client.get(path, headers=HTML).text)
    assert match, "a logged-in form carries the session's anti-forgery token"
    return match.group(1)


def test_log_in_sets_a_session_cookie_for_http_only_and_same_site_and_goes_back(client: TestClient) -> None:
    account = make(client)
    response = log_in(client, account.email.upper(), zpet="/odpoved?problem=brownfieldy")
    assert response.status_code == 303 and response.headers["location"] == "/odpoved?problem=brownfieldy"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie
    page = client.get("/ucet", headers=HTML)
    assert page.status_code == 200 and account.email in page.text and "kurátor" in page.text
    assert f"{account.name}<span class=\"visually-hidden\"> – můj účet</span>" in page.text, "the header names it"


def test_over_https_the_session_cookie_is_secure(web: TestClient) -> None:
    account = make(web)
    browser = other_client(web, base_url="https://testserver")
    response = log_in(browser, account.email)
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]
    assert browser.get("/ucet", headers=HTML).status_code == 200


def test_a_return_path_off_the_site_is_not_followed(client: TestClient) -> None:
    account = make(client)
    for away in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client.cookies.clear()
        response = log_in(client, account.email, zpet=away)
        assert response.status_code == 303 and response.headers["location"] == "/ucet"


def test_a_wrong_password_and_an_unknown_email_get_one_message_and_keep_the_email(client: TestClient) -> None:
    account = make(client)
    answers = [log_in(client, account.email, "špatné heslo 12345"), log_in(client, "nikdo@obec.cz", PASSWORD)]
    for response, email in zip(answers, (account.email, "nikdo@obec.cz"), strict=True):
        assert response.status_code == 400
        assert "E-mail nebo heslo nejsou správné." in unescape(response.text)
        assert f'value="{email}"' in response.text, "the e-mail stays in its field"
        assert "heslo 12345" not in response.text and PASSWORD not in response.text, "never the password"
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    notices = [re.findall(r'<p class="notice"[^>]*>.*?</p>', response.text) for response in answers]
    assert notices[0] == notices[1] and len(notices[0]) == 1, "the two answers say the same"


def test_a_forged_log_in_form_is_refused_and_a_fast_one_is_not(client: TestClient) -> None:
    account = make(client)
    login_form(client)
    forged = client.post("/prihlaseni", data={"email": account.email, "heslo": PASSWORD, "token": "1.abc"})
    assert forged.status_code == 403 and f'value="{account.email}"' in forged.text
    # A password manager fills and sends the form at once: the token's minimum fill time does not apply.
    assert log_in(client, account.email).status_code == 303


def test_a_log_in_form_s_token_is_spent_at_its_first_try(client: TestClient) -> None:
    account = make(client)
    token = login_form(client)
    form = {"email": account.email, "heslo": "špatné heslo 12345", "token": token}
    assert client.post("/prihlaseni", data=form, headers=HTML).status_code == 400
    replayed = client.post("/prihlaseni", data={**form, "heslo": PASSWORD}, headers=HTML)
    assert replayed.status_code == 409 and SESSION_COOKIE not in replayed.headers.get("set-cookie", "")
    assert "Tento formulář už byl jednou odeslán." in unescape(replayed.text)
    assert f'value="{account.email}"' in replayed.text, "the e-mail stays in its field"
    fresh = re.search(r'name="token" value="([^"]+)"', replayed.text)
    assert fresh and fresh.group(1) != token, "the refusal comes with a token of its own"
    again = client.post("/prihlaseni", data={**form, "heslo": PASSWORD, "token": fresh.group(1)}, headers=HTML)
    assert again.status_code == 303 and again.headers["location"] == "/ucet"


def test_log_out_ends_the_session_on_the_server(client: TestClient, web: TestClient) -> None:
    account = make(client)
    assert log_in(client, account.email).status_code == 303
    secret = client.cookies[SESSION_COOKIE]
    token = csrf_of(client)
    refused = client.post("/odhlaseni", data={"csrf": "0" * 64}, headers=HTML)
    assert refused.status_code == 403 and "Formulář vypršel" in refused.text
    assert client.get("/ucet", headers=HTML).status_code == 200, "a forged log-out ends nothing"
    response = client.post("/odhlaseni", data={"csrf": token}, headers=HTML)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]
    # The old cookie, kept by whoever copied it, opens nothing any more.
    stolen = other_client(web)
    stolen.cookies.set(SESSION_COOKIE, secret)
    again = stolen.get("/ucet", headers=HTML)
    assert again.status_code == 303 and again.headers["location"].startswith("/prihlaseni?zpet=")
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    assert accounts.account_for_session(catalogue.store, catalogue.settings, secret) is None
    actions = [entry.action for entry in audit.entries(catalogue.store, catalogue.settings, limit=5)]
    assert actions[0] == audit.LOGOUT


@pytest.mark.parametrize("path", ["/sprava/ucty", "/sprava/zaznam"])
def test_the_admin_pages_by_who_asks(web: TestClient, path: str) -> None:
    anonymous = other_client(web)
    assert anonymous.get(path).status_code == 401, "a program without an account"
    assert anonymous.get(path, headers={"Authorization": "Bearer kcs_nonsense"}).status_code == 401
    redirected = anonymous.get(path, headers=HTML)
    assert redirected.status_code == 303
    location = urlsplit(redirected.headers["location"])
    assert location.path == "/prihlaseni" and parse_qs(location.query) == {"zpet": [path]}

    for role in ("curator", "reviewer"):
        browser = other_client(web)
        assert log_in(browser, make(web, role).email).status_code == 303
        refused = browser.get(path, headers=HTML)
        assert refused.status_code == 403 and "Tuto stránku mohou otevřít jen správci katalogu." in refused.text

    admin = make(web, "admin")
    browser = other_client(web)
    assert log_in(browser, admin.email, zpet=path).headers["location"] == path
    assert browser.get(path, headers=HTML).status_code == 200
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    token = accounts.create_token(catalogue.store, catalogue.settings, admin.email)
    assert other_client(web).get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_an_admin_adds_an_account_changes_its_role_and_disables_it(web: TestClient) -> None:
    admin = make(web, "admin")
    browser = other_client(web)
    log_in(browser, admin.email)
    token = csrf_of(browser, "/sprava/ucty")
    email = f"novy{next(NUMBERS)}@obec.cz"
    fields = {"csrf": token, "email": email, "jmeno": "Nový Kurátor", "role": "curator", "organizace": "",
              "heslo": "krátké"}
    short = browser.post("/sprava/ucty", data=fields, headers=HTML)
    assert short.status_code == 400 and "Heslo musí mít alespoň 12 znaků." in unescape(short.text)
    assert f'value="{email}"' in short.text and 'value="Nový Kurátor"' in short.text, "what was typed is kept"
    assert "krátké" not in short.text, "but never the password"
    forged = browser.post("/sprava/ucty", data={**fields, "csrf": "", "heslo": PASSWORD}, headers=HTML)
    assert forged.status_code == 403
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    assert accounts.account_by_email(catalogue.store, catalogue.settings, email) is None

    added = browser.post("/sprava/ucty", data={**fields, "heslo": PASSWORD}, headers=HTML)
    assert added.status_code == 303 and added.headers["location"] == "/sprava/ucty?hotovo=pridan"
    page = browser.get(added.headers["location"], headers=HTML)
    assert "Účet byl založen." in page.text and email in page.text
    taken = browser.post("/sprava/ucty", data={**fields, "email": email.upper(), "heslo": PASSWORD}, headers=HTML)
    assert taken.status_code == 400 and "Účet s tímto e-mailem už existuje." in taken.text

    new_one = other_client(web)
    assert log_in(new_one, email).status_code == 303
    ministry = browser.post("/sprava/ucty/role", data={"csrf": token, "email": email, "role": "ministry"},
                            headers=HTML)
    assert ministry.status_code == 400 and "potřebuje organizaci" in ministry.text
    changed = browser.post("/sprava/ucty/role", data={"csrf": token, "email": email, "role": "reviewer"},
                           headers=HTML)
    assert changed.status_code == 303
    assert accounts.account_by_email(catalogue.store, catalogue.settings, email).role == "reviewer"  # type: ignore[union-attr]
    assert new_one.get("/ucet", headers=HTML).status_code == 303, "a changed role logs the account out"

    assert log_in(new_one, email).status_code == 303
    disabled = browser.post("/sprava/ucty/zablokovat", data={"csrf": token, "email": email}, headers=HTML)
    assert disabled.status_code == 303
    assert new_one.get("/ucet", headers=HTML).status_code == 303
    assert log_in(new_one, email).status_code == 400, "a disabled account cannot log in"
    listed = browser.get("/sprava/ucty", headers=HTML).text
    row = listed.split(f"<th scope=\"row\">{email}</th>")[1].split("</tr>")[0]
    assert "zablokovaný" in row


def test_changing_ones_password_ends_the_other_sessions(web: TestClient) -> None:
    account = make(web)
    laptop, phone = other_client(web), other_client(web)
    log_in(laptop, account.email)
    log_in(phone, account.email)
    token = csrf_of(laptop)
    wrong = laptop.post("/ucet/heslo", data={"csrf": token, "stare": "nevím nevím nevím", "nove": "nové heslo 2027",
                                             "znovu": "nové heslo 2027"}, headers=HTML)
    assert wrong.status_code == 400 and "Současné heslo není správné." in wrong.text
    assert "nevím nevím" not in wrong.text and "nové heslo 2027" not in wrong.text
    differ = laptop.post("/ucet/heslo", data={"csrf": token, "stare": PASSWORD, "nove": "nové heslo 2027",
                                              "znovu": "nové heslo 2028"}, headers=HTML)
    assert differ.status_code == 400 and "se liší" in differ.text
    changed = laptop.post("/ucet/heslo", data={"csrf": token, "stare": PASSWORD, "nove": "nové heslo 2027",
                                               "znovu": "nové heslo 2027"}, headers=HTML)
    assert changed.status_code == 303 and changed.headers["location"] == "/ucet?hotovo=heslo"
    assert "Heslo bylo změněno." in laptop.get("/ucet?hotovo=heslo", headers=HTML).text, "this browser goes on"
    assert phone.get("/ucet", headers=HTML).status_code == 303, "the other is logged out"
    assert log_in(phone, account.email).status_code == 400
    assert log_in(phone, account.email, "nové heslo 2027").status_code == 303


def test_too_many_failures_for_one_account_get_429_with_retry_after(web: TestClient) -> None:
    account = make(web)
    browser = other_client(web, address="198.51.100.1")
    limit = web.app.state.catalogue.settings.login_failures_per_account  # type: ignore[attr-defined]
    for _ in range(limit):
        assert log_in(browser, account.email, "hádám heslo 0000").status_code == 400
    throttled = log_in(browser, account.email)
    assert throttled.status_code == 429
    assert 14 * 60 < int(throttled.headers["Retry-After"]) <= 15 * 60
    text = unescape(throttled.text)
    assert "Příliš mnoho neúspěšných pokusů o přihlášení. Zkuste to prosím znovu za 15 min." in text
    assert f'value="{account.email}"' in throttled.text
    # From another address too: the limit is the account's.
    assert log_in(other_client(web, address="198.51.100.2"), account.email).status_code == 429


def test_too_many_failures_from_one_address_get_429(web: TestClient) -> None:
    account = make(web)
    browser = other_client(web, address="198.51.100.77")
    limit = web.app.state.catalogue.settings.login_failures_per_address  # type: ignore[attr-defined]
    for number in range(limit):
        assert log_in(browser, f"hadam{number}@obec.cz", "hádám heslo 0000").status_code == 400
    throttled = log_in(browser, account.email)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert log_in(other_client(web, address="198.51.100.78"), account.email).status_code == 303


def test_the_audit_log_is_paged_newest_first(web: TestClient) -> None:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    for number in range(60):
        audit.record(catalogue.store, catalogue.settings, "draft-saved", subject=f"https://example.org/{number}")
    admin = make(web, "admin")
    browser = other_client(web)
    log_in(browser, admin.email)
    first = browser.get("/sprava/zaznam", headers=HTML)
    assert first.status_code == 200
    assert first.text.index("přihlášení") < first.text.index("koncept uložen"), "the log-in was last"
    assert 'href="/sprava/zaznam?strana=2"' in first.text
    second = browser.get("/sprava/zaznam?strana=2", headers=HTML)
    assert second.status_code == 200 and "https://example.org/0<" in second.text.replace("</code>", "<")


def test_the_header_offers_log_in_and_the_pages_speak_english(client: TestClient) -> None:
    home = client.get("/", headers=HTML)
    assert '<a href="/prihlaseni?zpet=/">Přihlásit se</a>' in home.text
    english = client.get("/prihlaseni?lang=en", headers=HTML)
    assert "<h1>Log in</h1>" in english.text and "Password" in english.text


def test_the_csrf_token_is_the_sessions_own(web: TestClient) -> None:
    one, two = other_client(web), other_client(web)
    log_in(one, make(web).email)
    log_in(two, make(web).email)
    assert csrf_of(one) != csrf_of(two)
    # A token of one session does not fit another's.
    refused = two.post("/ucet/heslo", data={"csrf": csrf_of(one), "stare": PASSWORD, "nove": "x" * 12,
                                            "znovu": "x" * 12}, headers=HTML)
    assert refused.status_code == 403


def test_a_bearer_token_needs_no_csrf_and_a_session_does(web: TestClient) -> None:
    from fastapi import Request

    from web.auth import check_csrf

    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    account = make(web)
    token = accounts.create_token(catalogue.store, catalogue.settings, account.email)

    def request(headers: dict[str, str], cookies: dict[str, str]) -> Request:
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        if cookies:
            raw.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))
        return Request({"type": "http", "headers": raw, "app": web.app, "method": "POST", "path": "/graphql",
                        "query_string": b""})

    check_csrf(request({"Authorization": f"Bearer {token}"}, {}), None)
    secret = accounts.create_session(catalogue.store, catalogue.settings, account)
    with_cookie = request({}, {SESSION_COOKIE: secret})
    with pytest.raises(Exception, match="Formulář vypršel"):
        check_csrf(with_cookie, None)
    check_csrf(with_cookie, csrf_token(with_cookie))
