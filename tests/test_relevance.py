"""The relevance set through the whole answer, with both engines: every statement in the catalogue's scope
must find every resource it names in the first ten of the answer's list for that kind (hit@10 = 100 %),
and every statement out of it must be answered "no good match"; MRR is printed."""

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
    forced: list[str] = []
    reciprocal_ranks: list[float] = []
    in_scope = [statement for statement in STATEMENTS if not statement.out_of_scope]
    out_of_scope = [statement for statement in STATEMENTS if statement.out_of_scope]
    for statement in in_scope:
        answer = answer_problem(store, index, statement.text, limit=CUTOFF)
        positions = ranks(answer)
        missing = [iri for iri in statement.expected if positions.get(iri, CUTOFF + 1) > CUTOFF]
        if missing:
            misses.append(f"{statement.text!r} misses {missing}")
        best = min((positions[iri] for iri in statement.expected if iri in positions), default=None)
        reciprocal_ranks.append(1 / best if best else 0.0)
    for statement in out_of_scope:
        answer = answer_problem(store, index, statement.text, limit=CUTOFF)
        if answer.good_match:
            forced.append(f"{statement.text!r} is answered as a good match: {[m.measure.iri for m in answer.measures]}")
    hit_rate = 1 - len(misses) / len(in_scope)
    mrr = sum(reciprocal_ranks) / len(reciprocal_ranks)
    with capsys.disabled():
        print(
            f"\n{engine}: {len(in_scope)} statements in scope, hit@{CUTOFF} = {hit_rate:.1%}, MRR = {mrr:.3f}; "
            f"{len(out_of_scope) - len(forced)} of {len(out_of_scope)} out of scope answered \"no good match\""
        )
    assert not misses, f"hit@{CUTOFF} = {hit_rate:.1%}; missed:\n" + "\n".join(misses)
    assert not forced, "out of scope, yet a good match:\n" + "\n".join(forced)
