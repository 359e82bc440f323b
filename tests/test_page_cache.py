"""Pages kept per catalogue version (issue 14, L1; api/kept_pages.py): a public page is rendered once per
catalogue version and sent again to every anonymous visitor who asks for it alike, never with one
visitor's personal bits (language, project, log-in, form token), and is fresh again once an edit is published."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.kept_pages import KeptPagesMiddleware
from catalogue.editing import accounts
from catalogue.loader import load, source_for
from catalogue.settings import Settings
from tests.conftest import TEST_BASE_URL, logged_in_client
from tests.test_demand import counts
from tests.test_follow_version import NEW_WORDS, changed_problems
from web.forms import RejectedForm

HTML = {"Accept": "text/html"}
PASSWORD = "heslo stránek 2026"  # noqa: S105 - a test password
PORTAL_PAGE = "/id/problem/mesto-nema-portal-otevrenych-dat"
PORTAL_LABEL = "Město nemá portál otevřených dat"
MATCHED = "Máme ve městě hodně brownfieldů"
MATCHED_FOLDED = "mame ve meste hodne brownfieldu"
UNMATCHED = "Holubi znečišťují náměstí"


@pytest.fixture
def web(tmp_path: Path, loaded_store_path: Path) -> Iterator[TestClient]:
    """The app over its own copy of the loaded catalogue (a test here changes it), following the version
    only when a test says so."""
    shutil.copytree(loaded_store_path, tmp_path / "store")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    with TestClient(create_app(settings, watch=False), base_url=TEST_BASE_URL, follow_redirects=False) as client:
        yield client


def kept(web: TestClient) -> KeptPagesMiddleware:
    layer = web.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, KeptPagesMiddleware):
        layer = layer.app
    return layer


def visitor(web: TestClient, **cookies: str) -> TestClient:
    """Another browser: its own cookies."""
    client = logged_in_client(web.app, None, PASSWORD)
    for name, value in cookies.items():
        client.cookies.set(name, value)
    return client


def test_a_page_is_kept_and_sent_again_alike(web: TestClient) -> None:
    first = visitor(web).get("/koncepce", headers=HTML)
    assert first.status_code == 200 and len(kept(web).pages) == 1
    again = visitor(web).get("/koncepce", headers=HTML)
    assert again.status_code == 200 and again.text == first.text
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert len(kept(web).pages) == 1


def test_the_operator_sets_how_many_pages_are_kept(tmp_path: Path, loaded_store_path: Path) -> None:
    shutil.copytree(loaded_store_path, tmp_path / "store")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index", page_cache_size=1)
    with TestClient(create_app(settings, watch=False), base_url=TEST_BASE_URL) as client:
        for path in ("/koncepce", "/dobra-praxe", "/financovani"):
            assert client.get(path, headers=HTML).status_code == 200
        assert len(kept(client).pages) == 1
    settings = settings.model_copy(update={"page_cache_size": 20_000, "page_cache_bytes": 0})
    with TestClient(create_app(settings, watch=False), base_url=TEST_BASE_URL) as client:
        assert client.get("/koncepce", headers=HTML).status_code == 200
        assert len(kept(client).pages) == 0


def test_a_published_edit_gives_a_fresh_page_and_answer(web: TestClient) -> None:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    page = visitor(web).get(PORTAL_PAGE, headers=HTML).text
    answer = visitor(web).get("/odpoved", params={"problem": NEW_WORDS}, headers=HTML).text
    assert "/id/problem/mnoho-brownfieldu" not in answer and len(kept(web).pages) == 2
    before = catalogue.version
    changed = changed_problems(Path(catalogue.settings.store_path).parent / "changed")
    load(catalogue.store, [source_for(changed, catalogue.settings)], catalogue.settings)
    assert catalogue.refresh() and catalogue.version != before
    after = visitor(web).get(PORTAL_PAGE, headers=HTML).text
    assert PORTAL_LABEL in page and PORTAL_LABEL not in after  # the edit took the problem out
    answer = visitor(web).get("/odpoved", params={"problem": NEW_WORDS}, headers=HTML).text
    assert "/id/problem/mnoho-brownfieldu" in answer


def test_each_language_has_its_own_page(web: TestClient) -> None:
    czech = visitor(web).get("/koncepce", headers=HTML).text
    english = visitor(web, jazyk="en").get("/koncepce", headers=HTML).text
    by_parameter = visitor(web).get("/koncepce", params={"lang": "en"}, headers=HTML).text
    assert '<html lang="cs"' in czech and '<html lang="en"' in english and '<html lang="en"' in by_parameter
    assert visitor(web).get("/koncepce", headers=HTML).text == czech


def test_a_logged_in_page_is_neither_kept_nor_served_from_what_was_kept(web: TestClient) -> None:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    accounts.add_account(catalogue.store, catalogue.settings, "kurator@stranky.cz", PASSWORD, "curator",
                         name="Kurátor Stránkový")
    anonymous = visitor(web).get("/koncepce", headers=HTML).text
    assert "Kurátor Stránkový" not in anonymous and "Přihlásit se" in anonymous
    signed_in = logged_in_client(web.app, "kurator@stranky.cz", PASSWORD, address="10.2.0.1")
    page = signed_in.get("/koncepce", headers=HTML).text
    assert "Kurátor Stránkový" in page and "Přihlásit se" not in page
    assert len(kept(web).pages) == 1
    assert visitor(web).get("/koncepce", headers=HTML).text == anonymous
    token = accounts.create_token(catalogue.store, catalogue.settings, "kurator@stranky.cz")
    by_token = visitor(web).get("/koncepce", headers={**HTML, "Authorization": f"Bearer {token}"}).text
    assert "Kurátor Stránkový" in by_token


def test_each_project_has_its_own_page(web: TestClient) -> None:
    empty = visitor(web).get("/koncepce", headers=HTML)
    client = visitor(web)
    client.post("/projekt/pridat", data={"iri": "https://w3id.org/kcs/id/measure/program-vyuziti-brownfieldu",
                                          "zpet": "/koncepce"})
    assert client.cookies.get("projekt"), "the project lives in its cookie"
    count = re.compile(r"<span data-project-count>(\d+)</span>")
    assert count.findall(empty.text) == ["0"]
    assert count.findall(client.get("/koncepce", headers=HTML).text) == ["1"]
    assert count.findall(visitor(web).get("/koncepce", headers=HTML).text) == ["0"]


def test_each_visitor_gets_a_proposal_token_of_their_own(web: TestClient) -> None:
    """A weak answer carries the proposal form, whose token is bound to the visitor's form cookie: the page
    is kept without it, and each visitor gets one for their own cookie (and the cookie when new)."""
    signer = web.app.state.catalogue.proposal_signer  # type: ignore[attr-defined]
    first, second = visitor(web), visitor(web)
    tokens, new_cookies = [], []
    for client in (first, second, first):
        page = client.get("/odpoved", params={"problem": UNMATCHED}, headers=HTML)
        found = re.search(r'name="token" value="([^"]+)"', page.text)
        assert page.status_code == 200 and found and "Poslat problém kurátorům" in page.text
        tokens.append(found.group(1))
        new_cookies.append("formular=" in page.headers.get("set-cookie", ""))
    assert len(kept(web).pages) == 1
    assert new_cookies == [True, True, False]
    assert first.cookies["formular"] != second.cookies["formular"] and tokens[0] != tokens[1]
    later = time.time() + 60  # past the form's least fill time
    signer.check(tokens[1], second.cookies["formular"], now=later)
    signer.check(tokens[2], first.cookies["formular"], now=later)
    with pytest.raises(RejectedForm):
        signer.check(tokens[1], first.cookies["formular"], now=later)


def test_a_kept_answer_page_still_counts_each_question(web: TestClient) -> None:
    for _ in range(3):
        page = visitor(web).get("/odpoved", params={"problem": MATCHED}, headers=HTML)
        assert page.status_code == 200 and "npo-2-8" in page.text
    assert len(kept(web).pages) == 1
    assert counts(web)[MATCHED_FOLDED] == 3
