"""Every catalogue resource cites a source that really contains the key words of its Czech label."""

from __future__ import annotations

import re
import unicodedata

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, SKOS

from catalogue.vocabulary import KCS


def fold(text: str) -> str:
    """Lower case without diacritics and with the PDF's line breaks and hyphenation undone."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", text)


def key_words(label: str) -> list[str]:
    return [word for word in re.findall(r"\w+", fold(label)) if len(word) >= 4 and not word.isdigit()]


def found_in(source: str, words: list[str], codes: list[str]) -> bool:
    """The label's key words are in the source, or (for a label the source prints only as a code,
    like PL for Polsko) one of the resource's codes stands there as a word of its own."""
    return all(word in source for word in words) or any(
        re.search(rf"(?<!\w){re.escape(fold(code))}(?!\w)", source) for code in codes
    )


def test_every_resource_cites_a_source_containing_its_label(catalogue: Graph, seeds: dict[str, str]) -> None:
    folded = {name: fold(text) for name, text in seeds.items()}
    unsourced, unfound = [], []
    for resource, label in catalogue.subject_objects(SKOS.prefLabel):
        if not isinstance(label, Literal) or label.language != "cs":
            continue
        references = list(catalogue.objects(resource, DCTERMS.source))
        files = {str(f) for ref in references for f in catalogue.objects(ref, KCS.seedFile)}
        public = {str(p) for ref in references for p in catalogue.objects(ref, KCS.publicSource)}
        if not files and not public:
            unsourced.append(str(resource))
            continue
        if not files:
            # A public register (a region's ISO code, the regions of towns, the concept's component
            # ZPO1) is not kept here to read.
            continue
        words = key_words(str(label))
        codes = [str(code) for code in catalogue.objects(resource, SKOS.notation)]
        if words and not any(found_in(folded.get(file, ""), words, codes) for file in files):
            missing = {file: [w for w in words if w not in folded.get(file, "")] for file in files}
            unfound.append(f"{resource} «{label}» {missing}")
    assert unsourced == [], "resources without a source"
    assert unfound == [], "labels whose words are not in the cited source"


def test_every_cited_seed_exists(catalogue: Graph, seeds: dict[str, str]) -> None:
    """Only the seeds are sources: the project's own notes (DOMAIN.md) are not."""
    cited = {str(file) for file in catalogue.objects(None, KCS.seedFile)}
    assert cited, "no resource cites a seed"
    assert cited <= set(seeds)


@pytest.mark.parametrize(
    ("label", "text"), [("Škola", "ŠKOLA"), ("Lidé a komunity", "lide a\n komunity"), ("Město", "mesto")]
)
def test_fold_ignores_case_diacritics_and_line_breaks(label: str, text: str) -> None:
    assert fold(label) == fold(text)
