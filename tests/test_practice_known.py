"""Dobrá praxe shows what is known (issue 11, point 5): the source's notes on status and cost where the
structured value is missing, a filter by measure or goal that follows the links the rules derive, and a
tile map that counts what the view lists. Every expectation is computed from the Turtle."""

from __future__ import annotations

import re
from html import unescape

import httpx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from catalogue.queries.practice import CostNote, cost_note
from catalogue.vocabulary import KCS
from tests.test_web_practice import expected_by_region, found, get, region_codes

REALISATION, SOLUTION = KCS.Realisation, KCS.SmartSolution


def czech(graph: Graph, node: Node, prop: URIRef) -> list[str]:
    return [str(o) for o in graph.objects(node, prop) if isinstance(o, Literal) and o.language in ("cs", None)]


def cards(html: str) -> dict[str, str]:
    """The cards of the list by the IRI path their heading links to, as text without tags."""
    found_cards = {}
    for card in html.split('<li class="card">')[1:]:
        card = card[: card.index("</li>")]
        link = re.search(r'href="(/id/[^"]+)"', card)
        assert link, card
        found_cards[link.group(1)] = card
    return found_cards


def fact(card: str, heading: str) -> str:
    """The text of the card's ``<dd>`` under ``heading``."""
    match = re.search(rf"<dt>{heading}</dt>\s*<dd>(.*?)</dd>", card, re.DOTALL)
    assert match, f"no {heading} on the card"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def path_of(iri: Node) -> str:
    return "/id/" + str(iri).split("/id/", 1)[1]


def test_a_card_shows_the_source_s_status_and_cost_notes_where_the_values_are_missing(
    site: httpx.Client, catalogue: Graph
) -> None:
    shown = cards(get(site).text)
    realisations = set(catalogue.subjects(RDF.type, REALISATION))
    assert len(shown) == min(len(realisations), 20)
    status_notes = cost_notes = 0
    for item in realisations:
        card = shown[path_of(item)]
        status, cost = fact(card, "Stav"), fact(card, "Náklady")
        notes = sorted(czech(catalogue, item, KCS.statusNote), key=lambda n: (len(n), n))
        if catalogue.value(item, KCS.status) is None and notes:
            assert status == f"{notes[0]} (podle zdroje)"
            status_notes += 1
        elif catalogue.value(item, KCS.status) is None:
            assert status == "neuvedeno"
        amounts = [n for n in czech(catalogue, item, SKOS.note) if re.search(r"\d+ tis\. Kč", n)]
        if catalogue.value(item, KCS.costCZK) is None and amounts:
            amount = re.search(r"\d+ tis\. Kč", amounts[0])
            assert amount and cost.startswith(amount.group(0)), cost
            assert "(podle zdroje)" in cost and "Poznámka zdroje" in cost and amounts[0] in cost
            cost_notes += 1
        elif catalogue.value(item, KCS.costCZK) is None and not any("Kč" in n for n in czech(catalogue, item, SKOS.note)):
            assert cost == "neuvedeno"
    # The seed catalogue's realisations state no status or cost, only notes: they are what is known.
    assert status_notes > 0 and cost_notes > 0


def test_the_amount_of_a_cost_note_is_the_one_it_names() -> None:
    note = cost_note(["Náklady na dokumentaci (v přípravě): FVE gymnázia, 260 tis. Kč bez DPH"])
    assert note is not None and note.amount == "260 tis. Kč bez DPH"
    assert cost_note(["zpracován koncept možných variant řešení"]) is None
    # A note naming several amounts is shown whole, with no one amount picked out of it.
    several = cost_note(["20mil.Kč realizace, provoz 3 mil. Kč ročně"])
    assert several is not None and several.amount is None and several.note.startswith("20mil.Kč")
    # Of several notes, the shortest that names an amount.
    assert cost_note(["Celkem cca 2 mil. Kč na celý projekt", "0,5 mil Kč"]) == CostNote("0,5 mil Kč", "0,5 mil Kč")


def fulfilled(graph: Graph, kind: URIRef) -> dict[str, set[str]]:
    """Measure or goal → the items of ``kind`` that fulfil it or a concept under it: as the item, the
    solution or service it realises, or a service either includes, states it serves."""
    found_items: dict[str, set[str]] = {}
    for item in set(graph.subjects(RDF.type, kind)):
        realised = {item, *graph.objects(item, KCS.realises)}
        things = realised | {s for r in realised for s in graph.objects(r, KCS.includesService)}
        served = {c for t in things for p in (KCS.servesMeasure, KCS.servesGoal) for c in graph.objects(t, p)}
        reached = set(served)
        for concept in served:
            reached |= {c for c in graph.transitive_objects(concept, SKOS.broader) if c is not None}
        for concept in reached:
            if (concept, RDF.type, KCS.TypeMeasure) in graph or (concept, RDF.type, KCS.Goal) in graph:
                found_items.setdefault(str(concept), set()).add(str(item))
    return found_items


def offered(html: str, select: str) -> dict[str, int]:
    """The options of the ``<select id=select>`` with their counts ("… (6)"), by value."""
    block = html[html.index(f'<select id="{select}"') : html.index("</select>", html.index(f'<select id="{select}"'))]
    return {
        unescape(value): int(count)
        for value, count in re.findall(r'<option value="([^"]+)"[^>]*>[^<]*\((\d+)\)</option>', block)
    }


def test_the_measure_or_goal_filter_follows_the_derived_links(site: httpx.Client, catalogue: Graph) -> None:
    for kind, name in ((REALISATION, "realizace"), (SOLUTION, "reseni")):
        expected = fulfilled(catalogue, kind)
        html = get(site, f"?druh={name}").text
        options = offered(html, "filtr-opatreni")
        # Every type measure is offered, and every goal something of this kind fulfils.
        measures = {str(m) for m in catalogue.subjects(RDF.type, KCS.TypeMeasure)}
        assert measures <= set(options)
        assert {c for c in expected if c not in measures} <= set(options)
        assert any(options.values()), "nothing of this kind fulfils any measure or goal"
        for concept, count in options.items():
            assert count == len(expected.get(concept, set())), concept
            if count:
                assert found(get(site, f"?druh={name}&opatreni={concept}").text) == count, concept


def tiles(html: str) -> dict[str, int]:
    return {
        unescape(name): int(count.replace("\u00a0", ""))
        for name, count in re.findall(r'<a class="tile" href="[^"]+">\s*<title>([^<]+): ([\d\u00a0]+)</title>', html)
    }


def test_the_map_counts_what_the_view_lists(site: httpx.Client, catalogue: Graph) -> None:
    codes = region_codes(catalogue)
    names = {czech(catalogue, URIRef(region), SKOS.prefLabel)[0]: region for region in codes}
    for kind, name in ((REALISATION, "realizace"), (SOLUTION, "reseni")):
        html = get(site, f"?druh={name}").text
        counted = tiles(html)
        assert len(counted) == 14
        expected = expected_by_region(catalogue, kind)
        assert {names[label]: count for label, count in counted.items() if count} == dict(expected)
        for label, count in counted.items():
            if count:
                listed = found(get(site, f"?druh={name}&misto={names[label]}").text)
                assert listed == count, label
    # Solutions and realisations lie in different regions: the solutions view is not the realisations'.
    assert expected_by_region(catalogue, SOLUTION) != expected_by_region(catalogue, REALISATION)
