"""The relevance set through the whole answer, with both engines: every statement must find every
resource it names in the first ten of the answer's list for that kind (hit@10 = 100 %); MRR is printed."""

from __future__ import annotations

import pytest

from catalogue.answer import ProblemAnswer, answer_problem
from tests.relevance import load_statements

STATEMENTS = load_statements()
CUTOFF = 10


def ranks(answer: ProblemAnswer) -> dict[str, int]:
    """Each listed IRI with its 1-based position in its list."""
    found = {match.measure.iri: rank for rank, match in enumerate(answer.measures, start=1)}
    for listed in (
        answer.services,
        answer.solutions,
        answer.realisations,
        answer.funding,
        answer.problems,
        answer.goals,
    ):
        for rank, item in enumerate(listed, start=1):
            found.setdefault(item.resource.iri, rank)
    return found


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_every_statement_finds_what_it_must(engine: str, catalogue_search, capsys) -> None:
    store, index = catalogue_search(engine)
    misses: list[str] = []
    reciprocal_ranks: list[float] = []
    for statement in STATEMENTS:
        answer = answer_problem(store, index, statement.text, limit=CUTOFF)
        positions = ranks(answer)
        missing = [iri for iri in statement.expected if positions.get(iri, CUTOFF + 1) > CUTOFF]
        if missing:
            misses.append(f"{statement.text!r} misses {missing}")
        best = min((positions[iri] for iri in statement.expected if iri in positions), default=None)
        reciprocal_ranks.append(1 / best if best else 0.0)
    hit_rate = 1 - len(misses) / len(STATEMENTS)
    mrr = sum(reciprocal_ranks) / len(reciprocal_ranks)
    with capsys.disabled():
        print(f"\n{engine}: {len(STATEMENTS)} statements, hit@{CUTOFF} = {hit_rate:.1%}, MRR = {mrr:.3f}")
    assert not misses, f"hit@{CUTOFF} = {hit_rate:.1%}; missed:\n" + "\n".join(misses)
