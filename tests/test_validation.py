"""The catalogue passes the SHACL shapes and the OWL reasoner; broken facts are caught and located."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.settings import Settings
from catalogue.validation import CatalogueGraph, Problem, reasoner_problems, shacl_problems
from tests.conftest import CATALOGUE_DATA, katalog

FILES = sorted(CATALOGUE_DATA.glob("*.ttl"))


@pytest.fixture(scope="session")
def catalogue_problems() -> list[Problem]:
    return shacl_problems(CatalogueGraph.read(FILES), Settings())


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_every_catalogue_file_conforms_to_the_shapes(path: Path, catalogue_problems: list[Problem]) -> None:
    mine = [problem.describe() for problem in catalogue_problems if path.name in problem.file.split(", ")]
    assert mine == []


def test_ontology_and_data_are_consistent_for_the_reasoner() -> None:
    assert reasoner_problems(CatalogueGraph.read(FILES), Settings()) == []


def mutated(tmp_path: Path, replace: tuple[str, str], file: str) -> list[Path]:
    """The catalogue with one file changed by a text replacement (which must apply)."""
    paths = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        if path.name == file:
            assert replace[0] in text, f"{replace[0]!r} not in {file}"
            text = text.replace(replace[0], replace[1], 1)
        copy = tmp_path / path.name
        copy.write_text(text, encoding="utf-8")
        paths.append(copy)
    return paths


@pytest.mark.parametrize(
    ("file", "replace", "rule"),
    [
        # a measure cut off from its goal reaches no pillar
        ("national-concept.ttl", ("skos:broader goal:", "skos:related goal:"), "kcsh:TypeMeasure"),
        # a resource without its source
        ("national-concept.ttl", ("dcterms:source", "dcterms:references"), "kcsh:"),
        # a source reference naming a file that is not a seed
        (
            "funding.ttl",
            ('kcs:seedFile "004_a5790c3893364729.txt"', 'kcs:seedFile "slides.pdf"'),
            "kcsh:SourceReference",
        ),
        # a source reference naming both a seed file and a public register
        (
            "regions.ttl",
            (
                "kcs:publicSource <https://apl",
                'kcs:seedFile "002_46e3fac40e81357b.txt" ; kcs:publicSource <https://apl',
            ),
            "kcsh:SourceReference",
        ),
        # a public source that is no https address
        ("regions.ttl", ("kcs:publicSource <https://apl", "kcs:publicSource <http://apl"), "kcsh:SourceReference"),
        # a second Czech preferred label
        (
            "national-concept.ttl",
            ('skos:prefLabel "Lokální ekonomika"@cs', 'skos:prefLabel "Lokální ekonomika"@cs, "Ekonomika"@cs'),
            "kcsh:Described",
        ),
        # a component code that breaks the pattern
        ("national-concept.ttl", ('skos:notation "A4"', 'skos:notation "A-4"'), "kcsh:Component"),
        # a cost that is text
        ("liberec-project-stack.ttl", ("kcs:costCZK ", 'kcs:costCZK "hodně", '), "kcsh:SmartSolution"),
        # the project's brief cited as if it were a source
        ("funding.ttl", ('kcs:seedFile "004_a5790c3893364729.txt"', 'kcs:seedFile "DOMAIN.md"'), "kcsh:SourceReference"),
        # a curator's mark of a link the data does not state
        (
            "funding.ttl",
            (
                "rdf:subject programme:npo-2-8-1 ; rdf:predicate kcs:supportsMeasure ; "
                "rdf:object measure:program-vyuziti-brownfieldu",
                "rdf:subject programme:npo-2-8-1 ; rdf:predicate kcs:supportsMeasure ; "
                "rdf:object measure:dostupne-bydleni-a-brownfieldy",
            ),
            "kcsh:CuratorInference",
        ),
        # a mark without its reasoning
        ("5g-for-5-cities.ttl", ("kcs:reasoning", "skos:note"), "kcsh:CuratorInference kcs:reasoning"),
        # a mark of two triples at once
        (
            "national-concept.ttl",
            ("rdf:object pillar:lide-a-komunity ;", "rdf:object pillar:lide-a-komunity , pillar:lokalni-ekonomika ;"),
            "kcsh:CuratorInference rdf:object",
        ),
        # a mark whose subject is no IRI
        ("national-concept.ttl", ("rdf:subject component:b2 ;", 'rdf:subject "B2" ;'), "kcsh:CuratorInference rdf:subject"),
    ],
)
def test_shapes_catch_a_broken_fact(tmp_path: Path, file: str, replace: tuple[str, str], rule: str) -> None:
    problems = shacl_problems(CatalogueGraph.read(mutated(tmp_path, replace, file)), Settings())
    assert any(rule in problem.rule and file in problem.file for problem in problems), problems


def test_a_mark_of_nothing_is_named_by_the_triple_it_marks(tmp_path: Path) -> None:
    # Bílina's link to goal A4.5 dropped, its mark left behind
    dropped = ("kcs:servesGoal goal:a4-1 , goal:a4-4 , goal:a4-5 ;", "kcs:servesGoal goal:a4-1 , goal:a4-4 ;")
    problems = shacl_problems(CatalogueGraph.read(mutated(tmp_path, dropped, "5g-for-5-cities.ttl")), Settings())
    assert [(p.resource, p.rule, p.file) for p in problems] == [
        (
            "curator's inference [solution:5g-pro-5-mest-bilina kcs:servesGoal goal:a4-5]",
            "kcsh:CuratorInference",
            "5g-for-5-cities.ttl",
        )
    ]
    assert "neuvádějí" in problems[0].message


def test_reasoner_finds_an_inconsistency(tmp_path: Path) -> None:
    # a pillar that is also the cross-cutting area contradicts their disjointness
    paths = mutated(tmp_path, ("a kcs:Pillar", "a kcs:Pillar , kcs:CrossCuttingArea"), "national-concept.ttl")
    problems = reasoner_problems(CatalogueGraph.read(paths), Settings())
    assert [problem.rule for problem in problems] == ["owl:consistency"]


def test_validate_command_exit_codes(tmp_path: Path) -> None:
    conforming = katalog("validate", "--no-reasoner")
    assert conforming.returncode == 0, conforming.stdout + conforming.stderr
    broken = mutated(tmp_path, ("skos:broader goal:", "skos:related goal:"), "national-concept.ttl")
    failing = katalog("validate", "--no-reasoner", *map(str, broken))
    assert failing.returncode == 1
    located = [line for line in failing.stdout.splitlines() if "kcsh:TypeMeasure" in line]
    assert located and all("national-concept.ttl" in line and ": measure:" in line for line in located)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .", encoding="utf-8")
    error = katalog("validate", str(bad))
    assert error.returncode == 2 and "bad.ttl: malformed Turtle" in error.stderr
