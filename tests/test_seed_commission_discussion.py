"""The rest of the Liberec Smart City commission's discussion of 15 Feb 2024 (seeds 000 and 001, the
same minutes extracted twice): the channels weighed for reaching citizens and the procedure
proposed for the city's Smart City concept, each in its speaker's words.

The tests cut the minutes into speaker turns ("J. Vytiska: …" up to the next "X. Name: ") by their
own parsing and check that every quotation in the graph is the seed's text, said by the speaker it
names, and that the turns about the channels and the procedure are quoted whole.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import SKOS

MINUTES = "000_3ea2d0c88e9b275f.txt"  # the cleaner extraction, cited
MINUTES_AGAIN = "001_76a7cf1e9e422644.txt"
ID = "https://w3id.org/kcs/id/"
PLATFORM = Namespace(ID + "solution/")["platforma-pro-komunikaci-s-obcany-liberec"]
CONCEPT = Namespace(ID + "strategy/")["koncepce-smart-city-liberec"]
RECORD = Namespace(ID + "document/")["zapis-komise-smart-city-liberec-2024-02-15"]
SPEAKER = re.compile(r"(?<![\w.])([A-Z]\. [A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ][a-záčďéěíňóřšťúůýž]+): ")

# The openings of the turns about the channels and about the procedure, as printed; each turn is
# read from the seed up to the next speaker.
CHANNEL_TURNS = ("J. Vytiska: O co nám jde",)
PROCEDURE_TURNS = (
    "J. Šolc: Nechť se vypracuje koncepce",
    "J. Vytiska: Za mě by mohl být postup následující",
    "M. Malý: V počátcích prvních důležitých kroků",
    "M. Čech: Když se bude dělat zadání strategie",
    "J. Šolc: Kdo by byl tady",
    "J. Šolc: Na příští jednání komise SC",
    "P. Židek: P. Maturová",
    "A. Lenert: Je to spíš inspirativnější",
)


def ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", ws(text).lower()) if unicodedata.category(c) != "Mn")


@pytest.fixture(scope="module")
def minutes(seeds: dict[str, str]) -> str:
    return ws(seeds[MINUTES])


def turn(minutes: str, opening: str) -> str:
    """One speaker's turn: from its opening to the next speaker, the next vote or the next point."""
    i = minutes.index(opening)
    ends = [m.start() for m in SPEAKER.finditer(minutes, i + len(opening))]
    ends += [minutes.find(mark, i) for mark in ("Hlasování o", "Smart City doporučuje", "2/ Plnění")]
    return minutes[i : min(e for e in ends if e > i)].strip()


def speaker_before(minutes: str, position: int) -> str:
    return [m.group(1) for m in SPEAKER.finditer(minutes, 0, position + 1) if m.start() <= position][-1]


def quotes(graph: Graph, node) -> list[str]:
    return [ws(str(n)) for n in graph.objects(node, SKOS.note) if SPEAKER.match(str(n))]


@pytest.mark.parametrize("node", [PLATFORM, CONCEPT, RECORD], ids=["platform", "concept", "minutes"])
def test_every_quotation_is_the_seeds_text_by_its_speaker(node, catalogue, minutes):
    for quote in quotes(catalogue, node):
        speaker = SPEAKER.match(quote).group(1)
        pieces = [p.strip() for p in quote[len(speaker) + 2 :].split("…") if p.strip()]
        assert pieces, quote
        for piece in pieces:
            assert piece in minutes, piece
        assert speaker_before(minutes, minutes.index(pieces[0])) == speaker, quote


def test_the_channels_weighed(catalogue, minutes):
    said = re.search(r"Tedy jakými způsoby – (.+?)\?", minutes)
    assert said
    channels = [c.strip(" ,") for c in said.group(1).split("bude to ") if c.strip(" ,")]
    assert channels[:3] == ["sms", "i-mail", "notifikace v aplikaci"]
    notes = quotes(catalogue, PLATFORM)
    for opening in CHANNEL_TURNS:
        assert turn(minutes, opening) in notes, opening
    (weighed,) = (n for n in notes if said.group(0) in n)
    assert all(channel in weighed for channel in channels)
    # the other tool named, which the commission's debate kept the city from buying
    for name in ("Munipolisy", "Monopolis"):
        assert name in minutes
        assert any(name in n for n in notes), name


def test_the_procedure_proposed_for_the_concept(catalogue, minutes):
    notes = quotes(catalogue, CONCEPT)
    quoted = " ".join(notes)
    for opening in PROCEDURE_TURNS:
        assert turn(minutes, opening) in quoted, opening
    proposal = turn(minutes, "J. Vytiska: Za mě by mohl být postup následující")
    assert "výběrové řízení na zpracovatele této koncepce" in proposal
    assert proposal in notes


def test_the_grant_note_is_on_the_minutes(catalogue, minutes):
    said = turn(minutes, "J. Bureš: Práce na úpravě dotace")
    assert said in quotes(catalogue, RECORD)


def test_the_second_extraction_has_the_same_turns(seeds):
    """Compared by letters alone: 001 has OCR slips such as "Necht'" for "Nechť"."""

    def letters(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", fold(text))

    again = letters(seeds[MINUTES_AGAIN])
    for opening in (*CHANNEL_TURNS, *PROCEDURE_TURNS, "J. Bureš: Práce na úpravě dotace"):
        assert letters(opening) in again, opening
