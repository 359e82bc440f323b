"""The editor over HTTP, against the real app in-process: forms generated from the shapes (a property added
to the shapes appears), a refused form keeping what was typed with each problem at its field, drafts saved
with the checks' findings, submit → the reviewers' queue with diff and report → publish, reject with a
comment, the conflict view and its field-by-field rebase, revert, the resource page's history and the Atom
feed, and the anti-forgery token of every form."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from catalogue.editing import accounts
from catalogue.settings import Settings
from tests.conftest import app_client, logged_in_client
from tests.conftest import form_values as field_value
from tests.conftest import page_csrf as csrf

PASSWORD = "heslo editoru 2026"  # noqa: S105 - a test password
HTML = {"Accept": "text/html"}
KCS = "https://w3id.org/kcs/ontology#"
FVE = "https://w3id.org/kcs/id/realisation/lk-fve-gymnazium-ceska-lipa"
FVE_PAGE = "/id/realisation/lk-fve-gymnazium-ceska-lipa"
MEASURE = "https://w3id.org/kcs/id/measure/"
NUMBERS = itertools.count(1)
ATOM = "{http://www.w3.org/2005/Atom}"
EDITOR = "/ucet"  # any page of a logged-in person has a form with the session's token


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("web-editor")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index")
    with app_client(settings) as client:
        yield client


@pytest.fixture(scope="module")
def people(web: TestClient) -> dict[str, accounts.Account]:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    made = {}
    for name, role in (("kurator", "curator"), ("kuratorka", "curator"), ("recenzent", "reviewer")):
        made[name] = accounts.add_account(catalogue.store, catalogue.settings, f"{name}@obec.cz", PASSWORD, role,
                                          name=f"{name.capitalize()} Novák")
    return made


def browser(web: TestClient, who: accounts.Account | None = None) -> TestClient:
    """Another browser on the running app, logged in as ``who``."""
    return logged_in_client(web.app, who.email if who else None, PASSWORD, address=f"10.0.0.{next(NUMBERS)}")


def filled(page: str, name: str) -> list[str]:
    """The values of the inputs called ``name`` that hold something (a repeatable field has an empty one more)."""
    return [value for value in field_value(page, name) if value]


def legends(page: str) -> list[str]:
    """The names of the form's fields, as their legends give them (without "povinné")."""
    found = re.findall(r"<legend>(.*?)</legend>", page, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", re.sub(r'<span class="required">.*?</span>', "", legend))).strip()
            for legend in found]


def new_realisation(label: str, **more: str) -> dict[str, str]:
    return {
        "iri": "", "druh": "realizace", "zakladni_verze": "", "akce": "ulozit",
        "skos-prefLabel": label, "skos-prefLabel.lang": "cs",
        "dcterms-description": "Lampy se stmívají podle provozu a hlásí poruchy.", "dcterms-description.lang": "cs",
        "kcs-place": "Liberec", "kcs-place.iri": "",
        "kcs-realises": "Portál otevřených dat", "kcs-realises.iri": "",
        "kcs-year": "2024",
        "dcterms-source.kcs-seedFile": "", "dcterms-source.kcs-publicSource": "https://www.kolin.cz/lampy",
        "dcterms-source.kcs-section": "Tisková zpráva",
        "duvod": "Nová dobrá praxe z Kolína", "zdroj": "https://www.kolin.cz/lampy", **more,
    }


def save(client: TestClient, data: dict[str, str], path: str = "/upravy/novy/realizace"):
    form = client.get(path, headers=HTML)
    assert form.status_code == 200
    return client.post("/upravy/ulozit", data={**data, "csrf": csrf(form.text)}, headers=HTML)


def draft_id(response) -> str:
    assert response.status_code == 303, response.text[:2000]
    match = re.match(r"^/upravy/navrh/([0-9a-f]+)\?hotovo=ulozeno$", response.headers["location"])
    assert match
    return match.group(1)


def post(client: TestClient, path: str, page_path: str = EDITOR, **data: str):
    page = client.get(page_path, headers=HTML)
    assert page.status_code == 200
    return client.post(path, data={**data, "csrf": csrf(page.text)}, headers=HTML)


# -- the forms -------------------------------------------------------------------------------------------


def test_a_new_realisations_form_has_the_shapes_fields_in_their_order(web: TestClient, people) -> None:
    page = browser(web, people["kurator"]).get("/upravy/novy/realizace", headers=HTML)
    assert page.status_code == 200
    assert legends(page.text)[:8] == ["preferovaný název", "alternativní názvy", "skrytá synonyma", "popis", "místo",
                           "realizuje", "rok", "náklady (Kč)"]
    assert re.search(r'<p class="hint" id="kcs-year-napoveda">[^<]*čtyřmi číslicemi', page.text), "sh:description"
    assert 'data-picker="https://w3id.org/kcs/ontology#Place"' in page.text
    status = re.search(r'<select name="kcs-status"[^>]*>(.*?)</select>', page.text, re.S)
    assert status and len(re.findall(r'<option value="https://', status.group(1))) == 4, "sh:in is a closed list"


def test_a_property_added_to_the_shapes_appears_in_the_form(
    tmp_path: Path, loaded_store_path: Path, web: TestClient
) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(Settings().ontology_dir, ontology)
    shapes = ontology / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + """
kcsh:Realisation sh:property [ sh:path kcs:openedOn ; sh:name "zahájení provozu" ;
    sh:description "Den, kdy služba začala sloužit lidem." ; sh:order 12.5 ; sh:datatype xsd:date ; sh:maxCount 1 ] .
""", encoding="utf-8")
    shutil.copytree(loaded_store_path, tmp_path / "store")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index", ontology_dir=ontology)
    with app_client(settings) as client:
        catalogue = client.app.state.catalogue  # type: ignore[attr-defined]
        accounts.add_account(catalogue.store, catalogue.settings, "tvar@obec.cz", PASSWORD, "curator")
        page = browser(client, accounts.account_by_email(catalogue.store, catalogue.settings, "tvar@obec.cz"))
        form = page.get("/upravy/novy/realizace", headers=HTML).text
    names = legends(form)
    assert "zahájení provozu" in names
    assert names.index("rok") < names.index("zahájení provozu") < names.index("náklady (Kč)")
    assert "Den, kdy služba začala sloužit lidem." in form and 'name="kcs-openedOn"' in form


def test_a_year_in_words_is_saved_as_a_draft_with_the_error_at_its_field(web: TestClient, people) -> None:
    client = browser(web, people["kurator"])
    identifier = draft_id(save(client, new_realisation("Chytré lampy v Kolíně", **{"kcs-year": "dvacet"})))
    page = client.get(f"/upravy/navrh/{identifier}", headers=HTML)
    assert page.status_code == 200
    error = re.search(r'<p class="error-message" id="kcs-year-chyba">([^<]+)</p>', page.text)
    assert error and "čtyřmi číslicemi" in error.group(1)
    year_input = re.search(r'<input type="text" name="kcs-year" [^>]*>', page.text)
    assert year_input and 'value="dvacet"' in year_input.group(0) and 'aria-invalid="true"' in year_input.group(0)
    assert "kcs-year-chyba" in year_input.group(0), "the error is tied to its field"
    assert field_value(page.text, "skos-prefLabel")[0] == "Chytré lampy v Kolíně"
    assert field_value(page.text, "kcs-place")[0] == "Liberec", "a link shows the name, not the IRI"
    assert field_value(page.text, "duvod") == ["Nová dobrá praxe z Kolína"]


def test_a_refused_form_keeps_everything_typed_and_saves_nothing(web: TestClient, people) -> None:
    client = browser(web, people["kurator"])
    typed = new_realisation("Parkování u nádraží", **{"kcs-place": "Neexistující Lhota", "duvod": ""})
    answer = save(client, typed)
    assert answer.status_code == 400
    assert "Koncept nebyl uložen" in answer.text
    assert "„Neexistující Lhota“ v katalogu nenacházíme" in answer.text
    assert field_value(answer.text, "kcs-place")[0] == "Neexistující Lhota"
    assert field_value(answer.text, "skos-prefLabel")[0] == "Parkování u nádraží"
    assert field_value(answer.text, "dcterms-source.kcs-publicSource")[0] == "https://www.kolin.cz/lampy"
    home = client.get("/upravy", headers=HTML).text
    assert "Parkování u nádraží" not in home and "parkovani-u-nadrazi" not in home


def test_a_draft_without_a_reason_is_refused_at_the_reason_field(web: TestClient, people) -> None:
    client = browser(web, people["kurator"])
    answer = save(client, new_realisation("Senzory hluku", duvod="   "))
    assert answer.status_code == 400
    assert re.search(r'id="duvod-chyba">Uveďte důvod změny', answer.text)
    assert field_value(answer.text, "skos-prefLabel")[0] == "Senzory hluku"


def test_add_another_gives_one_more_entry_and_saves_nothing(web: TestClient, people) -> None:
    client = browser(web, people["kurator"])
    data = new_realisation("Sdílená kola", **{"skos-altLabel": "Bikesharing", "akce": "pridat:skos-altLabel"})
    answer = save(client, data)
    assert answer.status_code == 200
    assert field_value(answer.text, "skos-altLabel") == ["Bikesharing", "", ""]
    assert "sdilena-kola" not in client.get("/upravy", headers=HTML).text


def test_a_name_of_several_records_offers_them_and_the_choice_is_saved(web: TestClient, people) -> None:
    client = browser(web, people["kurator"])
    answer = save(client, new_realisation("Datový sklad Liberec", **{"kcs-realises": "Datový sklad"}))
    assert answer.status_code == 400
    assert "„Datový sklad“ (chytrá služba), „Datový sklad“ (chytré řešení)" in answer.text
    choice = re.search(r'<select id="kcs-realises-0-vyber" name="kcs-realises.iri">(.*?)</select>', answer.text, re.S)
    assert choice, "the candidates are offered at the field"
    service = "https://w3id.org/kcs/id/service/datovy-sklad"
    assert f'<option value="{service}">Datový sklad (chytrá služba)</option>' in choice.group(1)
    chosen = new_realisation("Datový sklad Liberec", **{"kcs-realises": "Datový sklad", "kcs-realises.iri": service})
    identifier = draft_id(client.post("/upravy/ulozit", data={**chosen, "csrf": csrf(answer.text)}, headers=HTML))
    page = client.get(f"/upravy/navrh/{identifier}", headers=HTML).text
    assert re.search(rf'name="kcs-realises.iri" value="{re.escape(service)}"', page)


def test_a_form_without_its_token_is_refused_and_saves_nothing(web: TestClient, people) -> None:
    client = browser(web, people["kurator"])
    answer = client.post("/upravy/ulozit", data=new_realisation("Bez tokenu"), headers=HTML)
    assert answer.status_code == 403
    assert "Formulář vypršel nebo nepochází z tohoto webu" in answer.text
    assert "bez-tokenu" not in client.get("/upravy", headers=HTML).text


# -- review, publication, history --------------------------------------------------------------------------


def test_submit_review_publish_then_the_page_history_the_answer_and_the_feed_show_it(web: TestClient, people) -> None:
    author = browser(web, people["kurator"])
    identifier = draft_id(save(author, new_realisation("Chytré osvětlení Kolín", **{"kcs-year": "dvacet"})))
    fixed = new_realisation("Chytré osvětlení Kolín")
    assert draft_id(save(author, fixed, f"/upravy/navrh/{identifier}")) == identifier, "the same draft is updated"
    submitted = post(author, f"/upravy/navrh/{identifier}/odeslat", f"/upravy/navrh/{identifier}")
    assert submitted.status_code == 303

    reviewer = browser(web, people["recenzent"])
    queue = reviewer.get("/upravy/ke-schvaleni", headers=HTML)
    assert queue.status_code == 200 and "Chytré osvětlení Kolín" in queue.text
    item = queue.text[queue.text.index("Chytré osvětlení Kolín"):]
    assert "<ins>" in item and "Kontroly nenašly žádnou chybu." in item, "the queue shows the diff and the report"
    own = post(author, f"/upravy/navrh/{identifier}/zverejnit")
    assert own.status_code == 403, "an author does not publish their own draft"
    published = post(reviewer, f"/upravy/navrh/{identifier}/zverejnit", f"/upravy/navrh/{identifier}",
                      komentar="Děkujeme")
    assert published.status_code == 303
    page_path = published.headers["location"].split("?")[0]
    assert page_path == "/id/realisation/chytre-osvetleni-kolin"

    page = web.get(page_path, headers=HTML).text
    history = page[page.index('id="historie"'):]
    assert "Historie změn" in page and "Kurator Novák" in history and "Nová dobrá praxe z Kolína" in history
    assert re.search(r"<th scope=\"row\">rok</th>\s*<td>–</td>\s*<td><ins><span>2024</span></ins>", history)
    answer = web.get("/odpoved", params={"problem": "chytré osvětlení Kolín"}, headers=HTML).text
    assert "Chytré osvětlení Kolín" in answer
    feed = ET.fromstring(web.get("/zmeny.atom").content)  # noqa: S314 - the app's own feed
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert "Chytré osvětlení Kolín: Nová dobrá praxe z Kolína" in titles
    assert "kurator@obec.cz" not in web.get("/zmeny.atom").text, "no account's e-mail in the public feed"


def test_a_rejection_needs_a_comment_and_the_author_reads_it(web: TestClient, people) -> None:
    author = browser(web, people["kuratorka"])
    identifier = draft_id(save(author, new_realisation("Chytré koše Kolín")))
    post(author, f"/upravy/navrh/{identifier}/odeslat", f"/upravy/navrh/{identifier}")
    reviewer = browser(web, people["recenzent"])
    empty = post(reviewer, f"/upravy/navrh/{identifier}/zamitnout", f"/upravy/navrh/{identifier}", komentar=" ")
    assert empty.status_code == 400 and "Napište autorovi, proč návrh zamítáte." in empty.text
    rejected = post(reviewer, f"/upravy/navrh/{identifier}/zamitnout", f"/upravy/navrh/{identifier}",
                    komentar="Chybí zdroj o nákladech.")
    assert rejected.status_code == 303
    page = author.get(f"/upravy/navrh/{identifier}", headers=HTML).text
    assert 'data-draft-status="rejected"' in page and "Chybí zdroj o nákladech." in page
    assert filled(page, "skos-prefLabel") == ["Chytré koše Kolín"], "a rejected draft can be fixed and resent"


def test_another_accounts_unsent_draft_is_not_readable(web: TestClient, people) -> None:
    author = browser(web, people["kurator"])
    identifier = draft_id(save(author, new_realisation("Soukromý koncept")))
    other = browser(web, people["kuratorka"])
    assert other.get(f"/upravy/navrh/{identifier}", headers=HTML).status_code == 403
    assert browser(web, people["recenzent"]).get(f"/upravy/navrh/{identifier}", headers=HTML).status_code == 403
    anonymous = browser(web).get(f"/upravy/navrh/{identifier}", headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/prihlaseni?zpet=")


def test_a_conflict_shows_base_current_and_draft_and_keeps_the_text(web: TestClient, people) -> None:
    first, second = browser(web, people["kurator"]), browser(web, people["kuratorka"])
    reviewer = browser(web, people["recenzent"])
    first_form = first.get(f"/upravy/upravit?iri={FVE}", headers=HTML)
    second_form = second.get(f"/upravy/upravit?iri={FVE}", headers=HTML)
    assert first_form.status_code == second_form.status_code == 200

    def edited(form: str, description: str, reason: str) -> dict[str, list[str]]:
        names = set(re.findall(r'name="([^"]+)"', form))
        data = {name: field_value(form, name) for name in names if field_value(form, name)}
        for select in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
            chosen = re.search(r'<option value="([^"]*)" selected>', select.group(2))
            data.setdefault(select.group(1), []).append(chosen.group(1) if chosen else "")
        data["dcterms-description"] = [description]
        data["dcterms-description.lang"] = ["cs"]
        data["duvod"], data["akce"] = [reason], ["ulozit"]
        return data

    one = first.post("/upravy/ulozit", data=edited(first_form.text, "Elektrárna na střeše gymnázia.", "Popis"),
                     headers=HTML)
    two_data = edited(second_form.text, "Fotovoltaika o výkonu 50 kWp.", "Výkon elektrárny")
    one_id = draft_id(one)
    post(first, f"/upravy/navrh/{one_id}/odeslat", f"/upravy/navrh/{one_id}")
    assert post(reviewer, f"/upravy/navrh/{one_id}/zverejnit", f"/upravy/navrh/{one_id}").status_code == 303

    two = second.post("/upravy/ulozit", data=two_data, headers=HTML)
    two_id = draft_id(two)
    page = second.get(f"/upravy/navrh/{two_id}", headers=HTML).text
    assert "Záznam se mezitím změnil" in page
    conflict = page[page.index('id="konflikt"'):page.index("</section>", page.index('id="konflikt"'))]
    row = re.search(r'<tr class="conflicting">\s*<th scope="row">popis.*?</tr>', conflict, re.S)
    assert row, "the description, changed by both, is marked"
    assert "Elektrárna na střeše gymnázia." in row.group(0) and "Fotovoltaika o výkonu 50 kWp." in row.group(0)
    assert filled(page, "dcterms-description") == ["Fotovoltaika o výkonu 50 kWp."], "nothing typed is lost"
    refused = post(reviewer, f"/upravy/navrh/{two_id}/zverejnit")
    assert refused.status_code == 403, "a draft not yet submitted is not even readable to the reviewer"

    kept = post(second, f"/upravy/navrh/{two_id}/sloucit", f"/upravy/navrh/{two_id}")
    assert kept.status_code == 303
    moved = second.get(f"/upravy/navrh/{two_id}", headers=HTML).text
    assert "Záznam se mezitím změnil" not in moved
    assert filled(moved, "dcterms-description") == ["Fotovoltaika o výkonu 50 kWp."]
    post(second, f"/upravy/navrh/{two_id}/odeslat", f"/upravy/navrh/{two_id}")
    assert post(reviewer, f"/upravy/navrh/{two_id}/zverejnit", f"/upravy/navrh/{two_id}").status_code == 303
    assert "Fotovoltaika o výkonu 50 kWp." in web.get(FVE_PAGE, headers=HTML).text


def test_a_revert_brings_the_old_text_back_as_a_new_revision(web: TestClient, people) -> None:
    author, reviewer = browser(web, people["kurator"]), browser(web, people["recenzent"])
    iri = "https://w3id.org/kcs/id/realisation/lk-fve-gymnazium-dr-a-randy-jablonec-nad-nisou"
    form = author.get(f"/upravy/upravit?iri={iri}", headers=HTML)
    old_label = field_value(form.text, "skos-prefLabel")[0]
    names = set(re.findall(r'name="([^"]+)"', form.text))
    data = {name: field_value(form.text, name) for name in names if field_value(form.text, name)}
    data["skos-prefLabel"] = ["FVE Gymnázium Jablonec (nový název)"]
    data["duvod"], data["akce"] = ["Přejmenování"], ["ulozit"]
    identifier = draft_id(author.post("/upravy/ulozit", data=data, headers=HTML))
    post(author, f"/upravy/navrh/{identifier}/odeslat", f"/upravy/navrh/{identifier}")
    post(reviewer, f"/upravy/navrh/{identifier}/zverejnit", f"/upravy/navrh/{identifier}")
    page_path = "/id/realisation/lk-fve-gymnazium-dr-a-randy-jablonec-nad-nisou"
    page = reviewer.get(page_path, headers=HTML).text
    assert "FVE Gymnázium Jablonec (nový název)" in page
    link = re.search(r'href="(/upravy/vratit\?iri=[^"]+)">Vrátit na stav před touto změnou', page)
    assert link
    confirm = reviewer.get(unescape(link.group(1)), headers=HTML)
    assert confirm.status_code == 200 and old_label in confirm.text
    version = re.search(r'name="verze" value="([^"]+)"', confirm.text)
    assert version
    no_reason = reviewer.post("/upravy/vratit", data={"csrf": csrf(confirm.text), "iri": iri,
                                                      "verze": version.group(1), "duvod": ""}, headers=HTML)
    assert no_reason.status_code == 400 and "Uveďte důvod změny" in no_reason.text
    reverted = reviewer.post("/upravy/vratit", data={"csrf": csrf(confirm.text), "iri": iri,
                                                     "verze": version.group(1), "duvod": "Původní název"},
                             headers=HTML)
    assert reverted.status_code == 303
    after = web.get(page_path, headers=HTML).text
    heading = re.search(r"<h1>(.*?)</h1>", after, re.S)
    assert heading and old_label in heading.group(1)
    assert after.count('class="revision"') == 2 and "Původní název" in after[after.index('id="historie"'):]


def test_a_curator_edits_only_the_labels_of_a_concept_and_the_rest_is_kept(web: TestClient, people) -> None:
    client = browser(web, people["kurator"])
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    measure = catalogue.store.values(
        f"SELECT ?m WHERE {{ ?m a <{KCS}TypeMeasure> ; <http://www.w3.org/2004/02/skos/core#broader> ?g }} "
        "ORDER BY ?m LIMIT 1"
    )[0]["m"]
    form = client.get(f"/upravy/upravit?iri={measure}", headers=HTML)
    assert form.status_code == 200
    assert "U pojmů koncepce můžete měnit jen názvy a synonyma" in form.text
    assert 'name="skos-hiddenLabel"' in form.text and 'name="skos-broader"' not in form.text
    assert 'name="dcterms-description"' not in form.text
    names = set(re.findall(r'name="([^"]+)"', form.text))
    data = {name: field_value(form.text, name) for name in names if field_value(form.text, name)}
    data["skos-hiddenLabel"] = ["brownfieldy v centru"]
    data["duvod"], data["akce"] = ["Slovo, které obce používají"], ["ulozit"]
    identifier = draft_id(client.post("/upravy/ulozit", data=data, headers=HTML))
    page = client.get(f"/upravy/navrh/{identifier}", headers=HTML).text
    changes = page[page.index('id="zmeny-nadpis"'):]
    assert "brownfieldy v centru" in changes and "broader" not in changes, "the hierarchy is kept as it was"


def test_the_picker_offers_matching_resources_to_editors_only(web: TestClient, people) -> None:
    client = browser(web, people["kurator"])
    found = client.get("/upravy/vyber", params={"trida": f"{KCS}Place", "q": "lipa"})
    assert found.status_code == 200
    assert any(item["label"] == "Česká Lípa" for item in found.json())
    measures = client.get("/upravy/vyber", params={"trida": f"{KCS}TypeMeasure", "q": "brownfieldy"}).json()
    assert measures and all(item["iri"].startswith(MEASURE) for item in measures)
    assert browser(web).get("/upravy/vyber", params={"trida": f"{KCS}Place", "q": "lipa"}).status_code == 401


def test_the_editor_speaks_english_on_the_switch(web: TestClient, people) -> None:
    client = browser(web, people["kurator"])
    client.get("/jazyk/en")
    page = client.get("/upravy/novy/realizace", headers=HTML).text
    assert "Save the draft" in page and "Reason for the change" in page and "New record" in page
