"""Rows of issue 14 (the server under abuse), each tested by name."""

from __future__ import annotations

import pytest

from catalogue.queries.sparql_guard import InvalidQuery, check_query


def test_s16_deeply_nested_sparql_is_refused_in_czech() -> None:
    """2,000 nested groups once reached rdflib's parser and died as a RecursionError (a 500)."""
    query = "SELECT * WHERE " + "{" * 2000 + " ?s ?p ?o " + "}" * 2000
    with pytest.raises(InvalidQuery) as refused:
        check_query(query)
    assert refused.value.status == 400
    assert "vnořený příliš hluboko" in str(refused.value)


def test_s16_nesting_scan_ignores_strings_iris_and_comments() -> None:
    """Braces in literals, comments and comparisons do not count towards the depth."""
    noise = '"' + "{" * 300 + '" ' + "'''" + "(" * 300 + "''' "
    query = (
        "# " + "{" * 300 + "\n"
        "SELECT ?s WHERE { ?s <http://example.org/p> ?o . "
        f"FILTER (?o < 5 || ?o IN ({noise.strip().replace(' ', ', ')})) }}"
    )
    assert check_query(query).form == "SELECT"
