"""What made a resource page look unfinished (issue 11, point 8): sources as raw seed file names, names
cut with „…“ without a word, a component with no name, and Czech applicant types and record kinds on
English pages. Facts come from the seeds (``seeds``) and the catalogue's Turtle (``catalogue``)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from catalogue.settings import Settings
from catalogue.vocabulary import KCS
from tests.conftest import ONTOLOGY, app_client

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ID = "https://w3id.org/kcs/id/"
CUT_SHORT = "Zdroj uvádí název jen zkráceně."
UNNAMED = "Název komponenty zatím katalog nezná"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[httpx.Client]:
    import shutil

    folder = tmp_path_factory.mktemp("offline-resources")
    shutil.copytree(loaded_store_path, folder / "store")
    with app_client(Settings(store_path=folder / "store", index_path=folder / "index"), Accept=BROWSER) as http:
        yield http


def path_of(iri: object) -> str:
    return "/" + str(iri).removeprefix("https://w3id.org/kcs/")


def _folded(text: str) -> str:
    """Lower case, letters and digits only, single spaces: a heading set in capitals over several
    lines of the seed reads the same as the title."""
    return " ".join(re.sub(r"[^\w.…]+", " ", text.casefold()).split())


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _sources(page: str) -> str:
    found = re.search(r'<section aria-labelledby="zdroj">(.*?)</section>', page, re.S)
    assert found, "the page lists its sources"
    return found.group(1)


# -- sources by title ---------------------------------------------------------------------------------


TITLE_PHRASES = {
    "000_3ea2d0c88e9b275f.txt": ("Zápis z 2. jednání komise pro Smart City dne 15.2. 2024",),
    "001_76a7cf1e9e422644.txt": ("Zápis z 2. jednání komise pro Smart City dne 15.2. 2024",),
    "002_46e3fac40e81357b.txt": ("Výroční zpráva za rok 2020", "Naplňování akčního plánu koncepce Chytřejší kraj pro Liberecký kraj"),
    "003_36a124587dff8c3a.txt": ("15. jednání Pracovní skupiny", "Smart Cities"),
    "004_a5790c3893364729.txt": ("Pracovní skupina pro Smart City", "20. jednání", "05.08.2021"),
}
"""What each seed's own opening prints of its title (a heading in capitals over several lines, a date on
the first slide): the titles of the catalogue's documents are made of these."""


def seed_titles(catalogue: Graph) -> dict[str, str]:
    """The Czech title of every document of the catalogue that is a seed file, by the file's name."""
    return {
        str(name): str(title)
        for document in catalogue.subjects(RDF.type, DCTERMS.BibliographicResource)
        for name in catalogue.objects(document, DCTERMS.identifier)
        for title in catalogue.objects(document, SKOS.prefLabel)
        if title.language == "cs"
    }


def test_every_cited_seed_is_a_document_titled_as_the_seed_itself_prints(seeds: dict[str, str], catalogue: Graph) -> None:
    cited = {str(name) for name in catalogue.objects(None, KCS.seedFile)}
    titles = seed_titles(catalogue)
    assert cited and cited <= set(titles), f"seeds that are no document of the catalogue: {cited - set(titles)}"
    assert set(titles) == set(TITLE_PHRASES) and set(titles) <= set(seeds)
    for name, title in titles.items():
        opening = _folded(seeds[name][:6000])
        for phrase in TITLE_PHRASES[name]:
            assert _folded(phrase) in opening, f"{name}: {phrase!r} is not in the seed's opening"
            assert phrase in title, f"{name}: the title is made of the seed's own phrases"


def test_a_source_shows_its_title_and_keeps_the_file_name_as_the_citation(
    client: httpx.Client, catalogue: Graph
) -> None:
    measure = URIRef(ID + "measure/program-vyuziti-brownfieldu")
    references = list(catalogue.objects(measure, DCTERMS.source))
    assert references
    sources = _sources(client.get(path_of(measure)).text)
    for reference in references:
        name = str(catalogue.value(reference, KCS.seedFile))
        title = seed_titles(catalogue)[name]
        assert f"<cite>{html.escape(title, quote=False)}</cite>" in sources, "a title a person reads"
        assert f'data-seed-file="{name}"' in sources and f"<code>{name}</code>" in sources, "the citation"
        assert html.escape(str(catalogue.value(reference, KCS.section)), quote=False) in sources
        assert sources.index(title) < sources.index(f"<code>{name}</code>"), "the title first, the file after"


def test_every_seed_of_the_catalogue_is_shown_by_its_title(client: httpx.Client, catalogue: Graph) -> None:
    """One resource per seed file the catalogue cites: none is shown only as a file name."""
    by_seed: dict[str, URIRef] = {}
    for subject, reference in catalogue.subject_objects(DCTERMS.source):
        name = catalogue.value(reference, KCS.seedFile)
        if name is not None and isinstance(subject, URIRef) and (subject, RDF.type, KCS.CuratorInference) not in catalogue:
            by_seed.setdefault(str(name), subject)
    for name, subject in sorted(by_seed.items()):
        sources = _sources(client.get(path_of(subject)).text)
        assert html.escape(seed_titles(catalogue)[name], quote=False) in sources, f"{subject}: {name} without title"


# -- names cut short --------------------------------------------------------------------------------


def _cut_names(catalogue: Graph) -> dict[URIRef, str]:
    return {
        subject: str(label)
        for subject, label in catalogue.subject_objects(SKOS.prefLabel)
        if isinstance(subject, URIRef) and label.language == "cs" and str(label).rstrip().endswith("…")
    }


def test_a_name_the_seed_cuts_short_says_that_the_seed_gives_no_more(
    client: httpx.Client, catalogue: Graph, seeds: dict[str, str]
) -> None:
    cut = _cut_names(catalogue)
    assert cut, "the seeds cut some official names short"
    for subject, label in cut.items():
        # The seed prints the name up to the same „…“: the catalogue keeps what the seed gives.
        kept = _folded(label.rstrip(" …,"))
        seed = str(catalogue.value(catalogue.value(subject, DCTERMS.source), KCS.seedFile))
        printed = _folded(seeds[seed])
        assert kept in printed, f"{subject}: {label!r} is not what {seed} prints"
        after = printed[printed.index(kept) + len(kept):].lstrip(" ,")
        assert after.startswith("…"), f"{seed} cuts {label!r} with „…“"

        page = client.get(path_of(subject)).text
        heading = re.search(r"<h1>(.*?)</h1>\s*<p class=\"notice\">(.*?)</p>", page, re.S)
        assert heading and html.escape(label, quote=False) in heading.group(1)
        assert CUT_SHORT in heading.group(2), f"{subject}: right below the name"
    whole = next(s for s in catalogue.subjects(RDF.type, KCS.TypeMeasure) if s not in cut)
    assert CUT_SHORT not in client.get(path_of(whole)).text, "a whole name gets no note"


# -- a component with no name -----------------------------------------------------------------------


def test_a_component_the_sources_do_not_name_shows_its_code_its_measures_and_that_its_name_is_unknown(
    client: httpx.Client, catalogue: Graph
) -> None:
    unnamed = [
        component
        for component in catalogue.subjects(RDF.type, KCS.Component)
        if (code := catalogue.value(component, SKOS.notation)) is not None
        and str(catalogue.value(component, SKOS.prefLabel)) == f"Komponenta {code}"
    ]
    assert unnamed, "the seed names ZPO3 only by its code"
    for component in unnamed:
        code = str(catalogue.value(component, SKOS.notation))
        measures = {m for m in catalogue.subjects(SKOS.broader, component) if (m, RDF.type, KCS.TypeMeasure) in catalogue}
        measures |= {m for m in catalogue.objects(component, SKOS.narrower) if (m, RDF.type, KCS.TypeMeasure) in catalogue}
        assert measures
        page = client.get(path_of(component)).text
        part = re.search(r'<section aria-labelledby="komponenta">(.*?)</section>', page, re.S)
        assert part, "the component's own part"
        assert f'<span class="tag">{code}</span>' in part.group(1)
        assert UNNAMED in part.group(1) and UNNAMED in page.split('<section', 1)[0], "said by the name and below"
        for measure in measures:
            label = html.escape(str(catalogue.value(measure, SKOS.prefLabel)), quote=False)
            assert f'<a href="{path_of(measure)}">{label}</a>' in part.group(1)
        english = client.get(path_of(component), params={"lang": "en"}).text
        assert "does not know this component's name yet" in english and UNNAMED not in english

    named = URIRef(ID + "component/a4")
    assert catalogue.value(named, SKOS.notation) is not None
    page = client.get(path_of(named)).text
    assert 'aria-labelledby="komponenta"' in page and UNNAMED not in page, "a named component is not marked"


# -- English pages ----------------------------------------------------------------------------------


def _czech_labels(graph: Graph, subjects: set[URIRef], predicate: URIRef) -> dict[URIRef, str]:
    return {s: str(label) for s in subjects for label in graph.objects(s, predicate) if label.language == "cs"}


def _names_shown(page: str, iri: URIRef) -> list[str]:
    """What a page calls ``iri`` wherever it links to it or offers it in a filter; a name marked as
    Czech (``lang="cs"``) is given as ``cs:`` and the name."""
    target = rf'(?:href="{re.escape(path_of(iri))}"|value="{re.escape(str(iri))}")'
    found = re.findall(target + r"([^>]*)>(<span[^>]*>)?([^<]*)<", page)
    return [("cs:" if 'lang="cs"' in attributes + span else "") + html.unescape(name).strip() for attributes, span, name in found]


def test_english_pages_show_no_czech_applicant_type_or_record_kind(client: httpx.Client, catalogue: Graph) -> None:
    ontology = Graph().parse(ONTOLOGY / "kcs.ttl")
    applicants = {a for a in catalogue.objects(None, KCS.eligibleApplicant) if isinstance(a, URIRef)}
    assert applicants
    english_names: dict[URIRef, str] = {}
    for applicant in applicants:
        english_names[applicant] = next(
            (str(label) for label in catalogue.objects(applicant, SKOS.prefLabel) if label.language == "en"), ""
        )
        assert english_names[applicant], f"{applicant} has an English label"
    czech_applicants = _czech_labels(catalogue, applicants, SKOS.prefLabel)
    kinds = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    czech_kinds = set(_czech_labels(ontology, kinds, RDFS.label).values())
    english_kinds = {str(label) for c in kinds for label in ontology.objects(c, RDFS.label) if label.language == "en"}

    funding = {s for s in catalogue.subjects(KCS.eligibleApplicant, None) if isinstance(s, URIRef)}
    one_of_each_kind = set()
    for kind in kinds:
        named = sorted(s for s in catalogue.subjects(RDF.type, kind) if isinstance(s, URIRef))
        one_of_each_kind.update(named[:1])
    resources = sorted(funding | one_of_each_kind | applicants)
    pages = [path_of(resource) for resource in resources]
    pages += ["/financovani", "/odpoved?" + str(httpx.QueryParams({"problem": "brownfieldy"}))]
    applicant_shown = 0
    for path in pages:
        answer = client.get(path, params={"lang": "en"})
        assert answer.status_code == 200, path
        kind_line = re.search(r'<p class="resource-kind">(.*?)</p>', answer.text, re.S)
        if path.startswith("/id/"):
            assert kind_line, f"{path} says what kind of record it is"
            shown = {html.unescape(name).strip() for name in re.findall(r">([^<>]+)</a>", kind_line.group(1))}
            assert shown and not shown & czech_kinds, f"{path}: record kinds {shown & czech_kinds} in Czech"
            assert shown & english_kinds, f"{path}: {shown} are the ontology's English names"
        for applicant, czech in czech_applicants.items():
            names = _names_shown(answer.text, applicant)
            assert czech not in names, f"{path}: the applicant type {czech!r} in Czech"
            assert all(name == english_names[applicant] for name in names), (path, names)
            applicant_shown += len(names)
    assert applicant_shown, "the English pages do show applicant types"
