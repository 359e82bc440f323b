"""Editing through GraphQL on the real app: drafts saved, checked, submitted, published by a reviewer and
reverted, the history of a resource, conflicts with all three sides, the refusals (one's own draft,
nobody logged in, a session cookie without its anti-forgery header), and the version a resource
carries in GraphQL and as the ETag of its IRI.

The app is the product's (``create_app``) on a store of this module with the seed catalogue loaded;
accounts and tokens are made with the editing layer, as ``katalog`` makes them. Every test edits
resources of its own, so the tests do not depend on one another's order."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from catalogue.editing.accounts import account_by_email, add_account, create_session, create_token
from catalogue.settings import Settings

KCS = "https://w3id.org/kcs/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ID = "https://w3id.org/kcs/id/"
YEAR = KCS + "year"
PREF_LABEL = SKOS + "prefLabel"
CESKA_LIPA = ID + "place/ceska-lipa"
SOLUTION = ID + "solution/lk-energeticky-management"
SEED_REALISATION = ID + "realisation/lk-fve-gymnazium-ceska-lipa"
SEED_LABEL = "FVE Gymnázium Česká Lípa"
PASSWORD = "dlouhe-heslo-na-zkousku"  # noqa: S105 - a test account's

SOURCE = '[ a kcs:SourceReference ; kcs:seedFile "002_46e3fac40e81357b.txt" ; kcs:section "5. Aktualizace zásobníku projektů" ]'

DRAFT_FIELDS = """
  __typename
  ... on Error { code message }
  ... on Draft { id status author reason baseVersion iri kind turtle isNew problems { path message severity } }
  ... on EditConflict { draftId baseVersion currentVersion base current draft
                        fields { field base current draft conflicting } }
  ... on Invalid { problems { path message } }
"""
SAVE = f"""mutation ($iri: String!, $turtle: String!, $reason: String!, $base: String) {{
  saveDraft(iri: $iri, turtle: $turtle, reason: $reason, baseVersion: $base) {{ {DRAFT_FIELDS} }} }}"""
SUBMIT = f"mutation ($id: ID!) {{ submitDraft(id: $id) {{ {DRAFT_FIELDS} }} }}"
REJECT = f"mutation ($id: ID!, $comment: String!) {{ rejectDraft(id: $id, comment: $comment) {{ {DRAFT_FIELDS} }} }}"
PUBLICATION_FIELDS = """
  __typename
  ... on Error { code message }
  ... on Publication { iri version revision catalogueVersion draftId }
  ... on Invalid { problems { path message } }
  ... on EditConflict { draftId fields { field base current draft } }
"""
PUBLISH = f"mutation ($id: ID!) {{ publishDraft(id: $id, comment: \"v pořádku\") {{ {PUBLICATION_FIELDS} }} }}"
REVERT = f"""mutation ($iri: String!, $to: String!, $reason: String!) {{
  revert(iri: $iri, toVersion: $to, reason: $reason) {{ {PUBLICATION_FIELDS} }} }}"""
DRAFTS = """query ($status: String) { drafts(status: $status) { __typename ... on Error { code message }
  ... on Invalid { problems { path message } }
  ... on DraftList { items { id status author iri } } } }"""
HISTORY = """query ($iri: String!) { history(iri: $iri) { __typename ... on Error { code message }
  ... on Invalid { problems { path message } }
  ... on History { iri version versions { iri version baseVersion authorName publisherName time reason revertOf
    added { subject predicate object } removed { subject predicate object } } } } }"""
RESOURCE = """query ($iri: String!) { resource(iri: $iri) { __typename ... on Error { code message }
  ... on Realisation { iri label version turtle year places { iri } } } }"""


@dataclass
class Editors:
    client: TestClient
    settings: Settings
    curator: str
    """An API token of the curator Kurátorka Jana."""
    other_curator: str
    reviewer: str
    curator_session: str


@pytest.fixture(scope="module")
def editors(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[Editors]:
    """The app on a copy of the loaded seed catalogue, with two curators and a reviewer, each with a token."""
    folder = tmp_path_factory.mktemp("editing")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index")
    # Not following the version by itself: what a publication shows at once is the mutation's own refresh.
    with TestClient(create_app(settings, watch=False), base_url="http://testserver", follow_redirects=False) as client:
        store = client.app.state.catalogue.store  # type: ignore[attr-defined]
        add_account(store, settings, "jana@example.cz", PASSWORD, "curator", name="Kurátorka Jana")
        add_account(store, settings, "karel@example.cz", PASSWORD, "curator", name="Kurátor Karel")
        reviewer = add_account(store, settings, "petr@example.cz", PASSWORD, "reviewer", name="Recenzent Petr")
        assert reviewer.role == "reviewer"
        jana = account_by_email(store, settings, "jana@example.cz")
        assert jana is not None
        yield Editors(
            client=client,
            settings=settings,
            curator=create_token(store, settings, "jana@example.cz"),
            other_curator=create_token(store, settings, "karel@example.cz"),
            reviewer=create_token(store, settings, "petr@example.cz"),
            curator_session=create_session(store, settings, jana),
        )


def ask(
    editors: Editors,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The data of one GraphQL operation; a GraphQL error fails the test (every failure is a result)."""
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    editors.client.cookies.clear()
    for name, value in (cookies or {}).items():
        editors.client.cookies.set(name, value)
    response = editors.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=sent)
    editors.client.cookies.clear()
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]  # type: ignore[no-any-return]


def realisation(iri: str, label: str, year: str = "2023") -> str:
    return (
        f'<{iri}> a kcs:Realisation ; skos:prefLabel "{label}"@cs ; kcs:realises <{SOLUTION}> ; '
        f'kcs:place <{CESKA_LIPA}> ; kcs:year "{year}"^^xsd:gYear ; dcterms:source {SOURCE} .'
    )


def save(editors: Editors, token: str, iri: str, turtle: str, base: str | None = None, reason: str = "doplnění"):
    return ask(editors, SAVE, {"iri": iri, "turtle": turtle, "reason": reason, "base": base}, token=token)["saveDraft"]


def published(editors: Editors, author: str, iri: str, turtle: str, base: str | None = None) -> dict[str, Any]:
    """Save, submit and have the reviewer publish a draft; the publication."""
    draft = save(editors, author, iri, turtle, base)
    assert draft["__typename"] == "Draft", draft
    assert ask(editors, SUBMIT, {"id": draft["id"]}, token=author)["submitDraft"]["status"] == "submitted"
    publication = ask(editors, PUBLISH, {"id": draft["id"]}, token=editors.reviewer)["publishDraft"]
    assert publication["__typename"] == "Publication", publication
    return publication


def current(editors: Editors, iri: str) -> dict[str, Any]:
    return ask(editors, RESOURCE, {"iri": iri})["resource"]  # type: ignore[no-any-return]


# -- saving --------------------------------------------------------------------------------------


def test_a_new_resource_is_saved_as_a_draft_with_its_author_and_checks(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-nova-lavicka"

    draft = save(editors, editors.curator, iri, realisation(iri, "Chytrá lavička u nádraží"), reason="nový záznam")

    assert draft["__typename"] == "Draft"
    assert (draft["status"], draft["author"], draft["reason"], draft["isNew"]) == (
        "draft", "Kurátorka Jana", "nový záznam", True,
    )
    assert draft["baseVersion"] is None and draft["iri"] == iri and draft["kind"] == "realisation"
    assert "Chytrá lavička u nádraží" in draft["turtle"] and draft["problems"] == []
    # Not published: the catalogue does not know it yet.
    assert current(editors, iri)["__typename"] == "NotFound"


def test_a_new_resource_over_an_existing_iri_is_a_conflict_and_the_draft_is_kept(editors: Editors) -> None:
    seed = current(editors, SEED_REALISATION)

    conflict = save(editors, editors.other_curator, SEED_REALISATION, realisation(SEED_REALISATION, "Jiný název"))

    assert conflict["__typename"] == "EditConflict" and conflict["code"] == "CONFLICT"
    assert conflict["baseVersion"] is None and conflict["currentVersion"] == seed["version"]
    assert conflict["base"] == "" and SEED_LABEL in conflict["current"] and "Jiný název" in conflict["draft"]
    labels = next(change for change in conflict["fields"] if change["field"] == PREF_LABEL)
    assert labels["base"] == [] and labels["current"] == [f'"{SEED_LABEL}"@cs']
    assert labels["draft"] == ['"Jiný název"@cs']
    kept = ask(editors, DRAFTS, token=editors.other_curator)["drafts"]["items"]
    assert {"id": conflict["draftId"], "status": "draft", "author": "Kurátor Karel", "iri": SEED_REALISATION} in kept
    # Nothing was published.
    assert current(editors, SEED_REALISATION)["version"] == seed["version"]


def test_turtle_that_does_not_parse_is_invalid_at_the_turtle_field(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-rozbita"

    invalid = save(editors, editors.curator, iri, f'<{iri}> a kcs:Realisation ; skos:prefLabel "bez konce')

    assert invalid["__typename"] == "Invalid" and invalid["code"] == "INVALID"
    [problem] = invalid["problems"]
    assert problem["path"] == "turtle" and "Turtle" in problem["message"]
    assert iri not in {d["iri"] for d in ask(editors, DRAFTS, token=editors.curator)["drafts"]["items"]}


def test_a_year_dvacet_is_a_warning_on_save_and_invalid_on_publication(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-spatny-rok"

    draft = save(editors, editors.curator, iri, realisation(iri, "Realizace se slovním rokem", year="dvacet"))

    assert draft["__typename"] == "Draft"
    [warning] = draft["problems"]
    assert warning["path"] == YEAR and "„dvacet“" in warning["message"] and "čtyřmi číslicemi" in warning["message"]
    ask(editors, SUBMIT, {"id": draft["id"]}, token=editors.curator)
    refused = ask(editors, PUBLISH, {"id": draft["id"]}, token=editors.reviewer)["publishDraft"]
    assert refused["__typename"] == "Invalid" and refused["code"] == "INVALID"
    assert [problem["path"] for problem in refused["problems"]] == [YEAR]
    assert current(editors, iri)["__typename"] == "NotFound"


def test_a_reason_is_required(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-bez-duvodu"

    invalid = save(editors, editors.curator, iri, realisation(iri, "Bez důvodu"), reason="  ")

    assert invalid["__typename"] == "Invalid" and [p["path"] for p in invalid["problems"]] == ["reason"]


# -- review and publication -----------------------------------------------------------------------


def test_a_published_draft_is_visible_at_once_in_realisations_and_search(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-zelena-strecha"
    listing = """query ($place: String!) { realisations(filter: {place: $place}, first: 100) {
      ... on RealisationConnection { items { iri label } } } }"""
    search = '{ search(text: "Zelená střecha radnice Kvítkov") { ... on SearchHits { hits { resource { iri } } } } }'
    before = ask(editors, listing, {"place": CESKA_LIPA})["realisations"]["items"]  # now kept for this version
    assert iri not in {item["iri"] for item in before}

    publication = published(editors, editors.curator, iri, realisation(iri, "Zelená střecha radnice Kvítkov"))

    after = ask(editors, listing, {"place": CESKA_LIPA})["realisations"]["items"]
    assert {"iri": iri, "label": "Zelená střecha radnice Kvítkov"} in after
    assert len(after) == len(before) + 1
    hits = ask(editors, search)["search"]["hits"]
    assert hits and hits[0]["resource"]["iri"] == iri
    found = current(editors, iri)
    assert found["version"] == publication["version"] and found["year"] == 2023
    assert found["places"] == [{"iri": CESKA_LIPA}]
    assert publication["catalogueVersion"] == editors.client.get("/healthz").json()["catalogueVersion"]


def test_one_may_not_publish_ones_own_draft(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-vlastni"
    draft = save(editors, editors.reviewer, iri, realisation(iri, "Vlastní návrh recenzenta"))
    ask(editors, SUBMIT, {"id": draft["id"]}, token=editors.reviewer)

    refused = ask(editors, PUBLISH, {"id": draft["id"]}, token=editors.reviewer)["publishDraft"]

    assert refused["__typename"] == "Forbidden" and refused["code"] == "FORBIDDEN"
    assert "Vlastní návrh" in refused["message"]
    # Neither may a curator publish another's draft.
    curator = ask(editors, PUBLISH, {"id": draft["id"]}, token=editors.curator)["publishDraft"]
    assert curator["code"] == "FORBIDDEN"
    assert current(editors, iri)["__typename"] == "NotFound"


def test_a_rejected_draft_goes_back_to_its_author_with_the_comment(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-zamitnuta"
    draft = save(editors, editors.curator, iri, realisation(iri, "Zamítnutý návrh"))
    ask(editors, SUBMIT, {"id": draft["id"]}, token=editors.curator)

    rejected = ask(editors, REJECT, {"id": draft["id"], "comment": "Chybí zdroj."}, token=editors.reviewer)

    assert rejected["rejectDraft"]["status"] == "rejected"
    mine = ask(editors, DRAFTS, {"status": "rejected"}, token=editors.curator)["drafts"]["items"]
    assert [d["iri"] for d in mine if d["id"] == draft["id"]] == [iri]


def test_history_shows_each_version_and_revert_restores_an_earlier_one(editors: Editors) -> None:
    iri = SEED_REALISATION.replace("ceska-lipa", "dr-a-randy-jablonec-nad-nisou")
    seed = current(editors, iri)
    assert seed["__typename"] == "Realisation"
    assert ask(editors, HISTORY, {"iri": iri})["history"]["versions"] == []
    old_label = f'"{seed["label"]}"@cs'
    changed = seed["turtle"].replace(f'"{seed["label"]}"@cs', '"FVE na gymnáziu v Jablonci"@cs')
    assert changed != seed["turtle"]

    publication = published(editors, editors.curator, iri, changed, base=seed["version"])

    history = ask(editors, HISTORY, {"iri": iri})["history"]
    assert history["version"] == publication["version"] != seed["version"]
    [version] = history["versions"]
    assert (version["authorName"], version["publisherName"], version["reason"]) == (
        "Kurátorka Jana", "Recenzent Petr", "doplnění",
    )
    assert (version["version"], version["baseVersion"]) == (publication["version"], seed["version"])
    assert version["time"].startswith("20")
    assert version["added"] == [{"subject": iri, "predicate": PREF_LABEL, "object": '"FVE na gymnáziu v Jablonci"@cs'}]
    assert version["removed"] == [{"subject": iri, "predicate": PREF_LABEL, "object": old_label}]

    reverted = ask(editors, REVERT, {"iri": iri, "to": seed["version"], "reason": "omyl"}, token=editors.reviewer)

    assert reverted["revert"]["__typename"] == "Publication" and reverted["revert"]["version"] == seed["version"]
    assert current(editors, iri)["label"] == seed["label"]
    newest, first = ask(editors, HISTORY, {"iri": iri})["history"]["versions"]
    assert (newest["reason"], newest["authorName"], newest["version"]) == ("omyl", "Recenzent Petr", seed["version"])
    assert first["version"] == publication["version"] and first["revertOf"] is None
    assert newest["added"] == [{"subject": iri, "predicate": PREF_LABEL, "object": old_label}]
    assert newest["removed"] == version["added"]
    # A curator may not revert; a reviewer may go back to a published version, which the revision names.
    refused = ask(editors, REVERT, {"iri": iri, "to": publication["version"], "reason": "x"}, token=editors.curator)
    assert refused["revert"]["code"] == "FORBIDDEN"
    again = ask(editors, REVERT, {"iri": iri, "to": publication["version"], "reason": "přece"}, token=editors.reviewer)
    assert again["revert"]["version"] == publication["version"]
    assert ask(editors, HISTORY, {"iri": iri})["history"]["versions"][0]["revertOf"] == first["iri"]
    same = ask(editors, REVERT, {"iri": iri, "to": publication["version"], "reason": "znovu"}, token=editors.reviewer)
    assert same["revert"]["__typename"] == "Invalid" and same["revert"]["problems"][0]["path"] == "toVersion"


def test_a_stale_base_is_a_conflict_with_base_current_and_draft(editors: Editors) -> None:
    iri = SEED_REALISATION.replace("ceska-lipa", "spsse-a-vos-liberec").replace("gymnazium-", "")
    seed = current(editors, iri)
    assert seed["__typename"] == "Realisation", seed
    old = f'"{seed["label"]}"@cs'
    theirs = seed["turtle"].replace(old, '"Verze Jany"@cs')
    mine = seed["turtle"].replace(old, '"Verze Karla"@cs')
    karel = save(editors, editors.other_curator, iri, mine, base=seed["version"])  # before Jana's is published
    assert karel["__typename"] == "Draft"
    ask(editors, SUBMIT, {"id": karel["id"]}, token=editors.other_curator)
    publication = published(editors, editors.curator, iri, theirs, base=seed["version"])

    # Publishing the draft made on the old base, and saving it again on that base, are both conflicts.
    late = ask(editors, PUBLISH, {"id": karel["id"]}, token=editors.reviewer)["publishDraft"]
    conflict = save(editors, editors.other_curator, iri, mine, base=seed["version"])

    assert conflict["__typename"] == "EditConflict" and conflict["code"] == "CONFLICT"
    assert conflict["draftId"] == karel["id"]
    assert (conflict["baseVersion"], conflict["currentVersion"]) == (seed["version"], publication["version"])
    assert old in conflict["base"] and "Verze Jany" in conflict["current"] and "Verze Karla" in conflict["draft"]
    assert conflict["fields"] == [{
        "field": PREF_LABEL, "base": [old], "current": ['"Verze Jany"@cs'], "draft": ['"Verze Karla"@cs'],
        "conflicting": True,
    }]
    assert late["__typename"] == "EditConflict" and late["draftId"] == karel["id"]
    assert late["fields"] == [{"field": PREF_LABEL, "base": [old], "current": ['"Verze Jany"@cs'],
                               "draft": ['"Verze Karla"@cs']}]
    assert current(editors, iri)["label"] == "Verze Jany"


# -- who is asking ---------------------------------------------------------------------------------


def test_nobody_logged_in_is_unauthenticated_as_a_result(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-anonym"

    saved = save(editors, "neplatny-token", iri, realisation(iri, "Anonym"))
    listed = ask(editors, DRAFTS)["drafts"]
    anonymous = ask(editors, SAVE, {"iri": iri, "turtle": realisation(iri, "Anonym"), "reason": "x"})["saveDraft"]

    for answer in (saved, listed, anonymous):
        assert answer["__typename"] == "Unauthenticated" and answer["code"] == "UNAUTHENTICATED"
        assert "přihlaste" in answer["message"]


def test_a_session_cookie_needs_the_csrf_header_for_a_change(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-relace"
    cookie = {"relace": editors.curator_session}
    variables = {"iri": iri, "turtle": realisation(iri, "Přes relaci"), "reason": "z prohlížeče"}
    me = ask(editors, "{ me { ... on Me { name role csrfToken } } }", cookies=cookie)["me"]
    assert me["name"] == "Kurátorka Jana" and me["role"] == "curator" and len(me["csrfToken"]) >= 32

    without = ask(editors, SAVE, variables, cookies=cookie)["saveDraft"]
    forged = ask(editors, SAVE, variables, cookies=cookie, headers={"X-CSRF-Token": "0" * 64})["saveDraft"]
    with_header = ask(editors, SAVE, variables, cookies=cookie, headers={"X-CSRF-Token": me["csrfToken"]})["saveDraft"]

    for refused in (without, forged):
        assert refused["__typename"] == "Forbidden" and refused["code"] == "FORBIDDEN"
        assert "X-CSRF-Token" in refused["message"] and "relace" in refused["message"]
    assert with_header["__typename"] == "Draft" and with_header["author"] == "Kurátorka Jana"
    # Reading needs no header; a token needs none for a change either.
    assert iri in {d["iri"] for d in ask(editors, DRAFTS, cookies=cookie)["drafts"]["items"]}
    assert ask(editors, "{ me { ... on Me { csrfToken } } }", token=editors.curator)["me"]["csrfToken"] == ""


# -- nothing private is kept, nothing changed is answered from before ----------------------------------


def test_drafts_and_mutations_are_never_answered_from_kept_answers(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-soukroma"
    draft = save(editors, editors.curator, iri, realisation(iri, "Soukromý návrh Jany"))

    janas = ask(editors, DRAFTS, token=editors.curator)["drafts"]["items"]
    karels = ask(editors, DRAFTS, token=editors.other_curator)["drafts"]["items"]
    anonymous = ask(editors, DRAFTS)["drafts"]

    assert draft["id"] in {d["id"] for d in janas} and draft["id"] not in {d["id"] for d in karels}
    assert anonymous["__typename"] == "Unauthenticated"
    # The same mutation twice runs twice: the second submit finds the draft already submitted.
    assert ask(editors, SUBMIT, {"id": draft["id"]}, token=editors.curator)["submitDraft"]["status"] == "submitted"
    again = ask(editors, SUBMIT, {"id": draft["id"]}, token=editors.curator)["submitDraft"]
    assert again["__typename"] == "Invalid" and again["problems"][0]["path"] == "status"
    kept = editors.client.app.state.catalogue.graphql_responses  # type: ignore[attr-defined]
    assert kept is not None and not any("Soukromý" in repr(answer) for answer in kept._answers.values())


def test_an_unknown_draft_is_not_found(editors: Editors) -> None:
    missing = ask(editors, SUBMIT, {"id": "0123456789abcdef"}, token=editors.curator)["submitDraft"]

    assert missing["__typename"] == "NotFound" and missing["code"] == "NOT_FOUND" and "návrh" in missing["message"]


# -- the version and the ETag --------------------------------------------------------------------


def test_the_etag_of_an_iri_is_its_graphql_version_and_follows_a_publication(editors: Editors) -> None:
    iri = ID + "realisation/zkouska-etag"
    path = "/id/realisation/zkouska-etag"
    publication = published(editors, editors.curator, iri, realisation(iri, "Verze jedna"))
    version = current(editors, iri)["version"]
    turtle = {"Accept": "text/turtle"}

    first = editors.client.get(path, headers=turtle)
    unchanged = editors.client.get(path, headers={**turtle, "If-None-Match": first.headers["etag"]})

    assert version == publication["version"] and first.status_code == 200
    assert first.headers["etag"] == f'"{version}"'
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["etag"] == f'"{version}"'
    assert editors.client.get(path + ".nt").headers["etag"] == f'"{version}"'

    second = published(editors, editors.curator, iri, realisation(iri, "Verze dvě"), base=version)

    after = editors.client.get(path, headers={**turtle, "If-None-Match": first.headers["etag"]})
    assert second["version"] != version and current(editors, iri)["version"] == second["version"]
    assert after.status_code == 200 and after.headers["etag"] == f'"{second["version"]}"'
    assert "Verze dvě" in after.text


def test_every_resource_type_has_its_version(editors: Editors) -> None:
    query = """{ pillars { version components { version goals { version measures { iri version } } } } }"""

    pillars = ask(editors, query)["pillars"]

    measure = pillars[0]["components"][0]["goals"][0]["measures"][0]
    assert len(measure["version"]) == 16
    tag = editors.client.get(measure["iri"].removeprefix("https://w3id.org/kcs"), headers={"Accept": "text/turtle"})
    assert tag.headers["etag"] == f'"{measure["version"]}"'
    assert all(len(pillar["version"]) == 16 for pillar in pillars)
