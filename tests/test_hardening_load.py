"""Issue 14, F4: `katalog load` refuses a file that parses but lost most of its content, or breaks the
SHACL shapes, and writes nothing; `--force` lets a graph shrink on purpose."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.graphs import graph_iri
from catalogue.settings import Settings
from tests.conftest import CATALOGUE_DATA, katalog, store_snapshot


def triples_in(env: dict[str, str], name: str) -> int:
    store = ox.Store.read_only(env["KATALOG_STORE_PATH"])
    try:
        return len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri(Settings(), name)))))
    finally:
        del store


def first_blocks(text: str, blocks: int) -> str:
    """The prefixes of a Turtle file and its first ``blocks`` statements (blocks end with " .\\n\\n")."""
    pieces = re.split(r"(?<= \.\n)\n", text)
    return "\n".join(pieces[:blocks]) + "\n"


@pytest.mark.parametrize("kept", [8, 0], ids=["cut-short", "emptied"])
def test_f4_a_file_that_lost_most_of_its_triples_is_refused_and_nothing_is_written(
    tmp_path: Path, store_env: dict[str, str], kept: int
) -> None:
    original = (CATALOGUE_DATA / "funding.ttl").read_text(encoding="utf-8")
    shrunk = tmp_path / "funding.ttl"
    shrunk.write_text(first_blocks(original, kept) if kept else "# nothing left\n", encoding="utf-8")
    before, size = store_snapshot(store_env), triples_in(store_env, "funding")
    result = katalog("load", str(shrunk), env=store_env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert str(shrunk) in result.stderr and f"z {size} na " in result.stderr and "--force" in result.stderr
    assert "Nic nebylo načteno" in result.stderr
    assert store_snapshot(store_env) == before


def test_f4_force_loads_a_file_that_shrank_on_purpose(tmp_path: Path, store_env: dict[str, str]) -> None:
    # The synonyms only add labels to resources of other files: a shorter list breaks no link.
    shorter = tmp_path / "synonyms.ttl"
    shorter.write_text(first_blocks((CATALOGUE_DATA / "synonyms.ttl").read_text(encoding="utf-8"), 3), encoding="utf-8")
    size = triples_in(store_env, "synonyms")
    refused = katalog("load", str(shorter), env=store_env)
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert triples_in(store_env, "synonyms") == size
    forced = katalog("load", "--force", str(shorter), env=store_env)
    assert forced.returncode == 0, forced.stderr
    assert "synonyms.ttl: replaced" in forced.stdout
    assert 0 < triples_in(store_env, "synonyms") < size / 2


def test_f4_a_file_breaking_the_shapes_is_refused_with_the_violation_named(
    tmp_path: Path, store_env: dict[str, str]
) -> None:
    broken = tmp_path / "funding.ttl"
    text = (CATALOGUE_DATA / "funding.ttl").read_text(encoding="utf-8")
    assert "kcs:callOf" in text
    broken.write_text(text.replace("kcs:callOf", "kcs:callFor", 1), encoding="utf-8")
    before = store_snapshot(store_env)
    result = katalog("load", "--force", str(broken), env=store_env)  # --force lets nothing break the shapes
    assert result.returncode == 1, result.stdout + result.stderr
    assert "funding.ttl: <https://w3id.org/kcs/id/call/efekt-8-2021>:" in result.stderr
    assert "[kcsh:FundingCall kcs:callOf]" in result.stderr and "SHACL" in result.stderr
    assert store_snapshot(store_env) == before


def test_f4_removing_a_resource_other_files_link_to_is_refused_naming_the_linking_file(
    tmp_path: Path, store_env: dict[str, str]
) -> None:
    text = (CATALOGUE_DATA / "funding.ttl").read_text(encoding="utf-8")
    start = text.index("programme:npo-1-4-1-6\n    a kcs:FundingProgramme")
    end = text.index("\n\n", start)
    without = tmp_path / "funding.ttl"
    without.write_text(text[:start] + text[end:], encoding="utf-8")
    before = store_snapshot(store_env)
    result = katalog("load", str(without), env=store_env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "funding.ttl: <https://w3id.org/kcs/id/programme/npo-1-4-1-6>:" in result.stderr
    assert "na který dál odkazuje 5g-for-5-cities.ttl" in result.stderr
    assert store_snapshot(store_env) == before


def test_the_whole_seed_catalogue_passes_the_load_checks(tmp_path: Path) -> None:
    """`make run` loads the seed data into a new store: every file is checked, and all of them pass."""
    env = {"KATALOG_STORE_PATH": str(tmp_path / "store")}
    result = katalog("load", env=env)
    assert result.returncode == 0, result.stderr
    assert "funding.ttl: added" in result.stdout
