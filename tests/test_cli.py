"""The `katalog` command line, run as a real process against a store of the test's own (and in-process
with click's runner where a test plants a bug)."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from catalogue import cli
from catalogue.queries.proposals import parsed_contact, store_proposal
from catalogue.settings import Settings, get_settings
from catalogue.store import CatalogueStore
from tests.conftest import CATALOGUE_DATA, katalog, store_snapshot

KCS = "https://w3id.org/kcs/ontology#"


def test_load_is_idempotent_and_reports_changes(tmp_path: Path) -> None:
    env = {"KATALOG_STORE_PATH": str(tmp_path / "store")}
    first = katalog("load", env=env)
    assert first.returncode == 0, first.stderr
    assert "national-concept.ttl: added" in first.stdout
    second = katalog("load", env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-1].startswith("0 of ") and "national-concept.ttl: unchanged" in second.stdout


def test_reloading_a_changed_file_replaces_its_graph(tmp_path: Path, store_env: dict[str, str]) -> None:
    changed = tmp_path / "national-concept.ttl"
    text = (CATALOGUE_DATA / "national-concept.ttl").read_text(encoding="utf-8")
    changed.write_text(text.replace('"Lokální ekonomika"@cs', '"Místní ekonomika"@cs'), encoding="utf-8")
    result = katalog("load", str(changed), env=store_env)
    assert result.returncode == 0, result.stderr
    assert "national-concept.ttl: replaced, +1 -1 triples" in result.stdout
    labels = json.loads(
        katalog(
            "sparql",
            f"SELECT ?l WHERE {{ ?p a <{KCS}Pillar> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}",
            env=store_env,
        ).stdout
    )
    values = {b["l"]["value"] for b in labels["results"]["bindings"]}
    assert "Místní ekonomika" in values and "Lokální ekonomika" not in values


def test_sparql_select_prints_query_results_json(store_env: dict[str, str]) -> None:
    result = katalog("sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{KCS}TypeMeasure> }}", env=store_env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["head"]["vars"] == ["n"]
    assert int(answer["results"]["bindings"][0]["n"]["value"]) >= 3


def test_sparql_ask_and_construct_from_standard_input(store_env: dict[str, str]) -> None:
    ask = katalog("sparql", "-", stdin=f"ASK {{ ?p a <{KCS}Pillar> }}", env=store_env)
    assert json.loads(ask.stdout)["boolean"] is True
    construct = katalog("sparql", f"CONSTRUCT {{ ?p a <{KCS}Pillar> }} WHERE {{ ?p a <{KCS}Pillar> }}", env=store_env)
    assert construct.returncode == 0 and "Pillar" in construct.stdout
    graph = ox.parse(construct.stdout.encode(), format=ox.RdfFormat.TURTLE)
    assert len(list(graph)) >= 3


@pytest.mark.parametrize(
    ("args", "stdin", "cause"),
    [
        (("sparql", "SELECT ?x WHERE { ?x ?y }"), None, "invalid SPARQL query"),
        (("sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"), None, "updates are not allowed"),
        (("sparql", "-"), "DELETE WHERE { ?s ?p ?o }", "updates are not allowed"),
        (("sparql", "-"), "   ", "empty SPARQL query"),
        (("load", "does-not-exist.ttl"), None, "no such file"),
    ],
)
def test_bad_input_gives_one_line_and_leaves_the_store_as_it_was(
    store_env: dict[str, str], args: tuple[str, ...], stdin: str | None, cause: str
) -> None:
    before = store_snapshot(store_env)
    result = katalog(*args, stdin=stdin, env=store_env)
    assert result.returncode == 2
    assert cause in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert store_snapshot(store_env) == before


def test_malformed_turtle_is_refused_before_anything_is_written(tmp_path: Path, store_env: dict[str, str]) -> None:
    good = tmp_path / "good.ttl"
    good.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n", encoding="utf-8")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:x:a> <urn:x:b> .\n", encoding="utf-8")
    before = store_snapshot(store_env)
    result = katalog("load", str(good), str(bad), env=store_env)
    assert result.returncode == 2
    assert "bad.ttl: malformed Turtle" in result.stderr and "line 1" in result.stderr
    assert store_snapshot(store_env) == before


def test_a_locked_store_is_named_as_the_cause(store_env: dict[str, str]) -> None:
    holder = ox.Store(store_env["KATALOG_STORE_PATH"])  # this process holds the write lock
    try:
        result = katalog("load", env=store_env)
    finally:
        del holder
    assert result.returncode == 2
    assert "locked by another process" in result.stderr


def test_a_missing_store_is_named_as_the_cause(tmp_path: Path) -> None:
    result = katalog("stats", env={"KATALOG_STORE_PATH": str(tmp_path / "nowhere")})
    assert result.returncode == 2 and "run `katalog load` first" in result.stderr


def test_an_unreachable_remote_store_is_named_as_the_cause() -> None:
    env = {
        "KATALOG_STORE": "sparql",
        "KATALOG_SPARQL_QUERY_ENDPOINT": "http://127.0.0.1:9/query",
        "KATALOG_SPARQL_UPDATE_ENDPOINT": "http://127.0.0.1:9/update",
        "KATALOG_SPARQL_TIMEOUT": "2",
    }
    result = katalog("stats", env=env)
    assert result.returncode == 2 and "SPARQL endpoint" in result.stderr


@pytest.mark.parametrize("fmt", ["ttl", "trig", "nq", "jsonld"])
def test_export_writes_every_catalogue_triple(store_env: dict[str, str], tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"export.{fmt}"
    result = katalog("export", "--format", fmt, "--output", str(output), env=store_env)
    assert result.returncode == 0, result.stderr
    formats = {
        "ttl": ox.RdfFormat.TURTLE,
        "trig": ox.RdfFormat.TRIG,
        "nq": ox.RdfFormat.N_QUADS,
        "jsonld": ox.RdfFormat.JSON_LD,
    }
    exported = list(ox.parse(path=str(output), format=formats[fmt]))
    stored = ox.Store.read_only(store_env["KATALOG_STORE_PATH"])
    measures = f"SELECT ?m WHERE {{ GRAPH ?g {{ ?m a <{KCS}TypeMeasure> }} }}"
    expected = {str(row["m"]) for row in stored.query(measures)}
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    found = {
        str(t.subject) for t in exported if str(t.predicate) == rdf_type and str(t.object) == f"<{KCS}TypeMeasure>"
    }
    assert expected and found == expected
    assert "load-log" not in output.read_text(encoding="utf-8")


def test_no_export_format_contains_a_proposals_contact(store_env: dict[str, str], tmp_path: Path) -> None:
    settings = Settings(store_path=Path(store_env["KATALOG_STORE_PATH"]), index_path=tmp_path / "index")
    private = {
        "jana@obec.cz": "Holubi obsadili lavicky na namesti",
        "+420 777 123 456": "Chybi prechod u skoly v Dolni ulici",
    }
    with CatalogueStore.open(settings) as store:
        for contact, text in private.items():
            store_proposal(store, settings, text, parsed_contact(contact))
        stored = store.dump().decode()
    secrets = ["jana@obec.cz", "+420777123456", *private.values()]
    assert all(secret in stored for secret in secrets), "the proposals are in the store"
    for fmt in cli.EXPORT_FORMATS:
        output = tmp_path / f"export.{fmt}"
        result = katalog("export", "--format", fmt, "--output", str(output), env=store_env)
        assert result.returncode == 0, result.stderr
        exported = output.read_text(encoding="utf-8")
        assert "TypeMeasure" in exported
        for secret in [*secrets, "777 123 456", "/proposal/", "web/proposals"]:
            assert secret not in exported, (fmt, secret)


def test_stats_counts_resources_by_class_and_prints_the_catalogue_version(store_env: dict[str, str]) -> None:
    from catalogue.queries import version
    from catalogue.settings import Settings
    from catalogue.store import CatalogueStore

    result = katalog("stats", env=store_env)
    assert result.returncode == 0, result.stderr
    assert "TypeMeasure" in result.stdout and "Store on disk" in result.stdout
    settings = Settings(store_path=Path(store_env["KATALOG_STORE_PATH"]))
    with CatalogueStore.open(settings, read_only=True) as store:
        current = version.read(store, settings)
    assert current != version.UNVERSIONED
    assert f"Catalogue version: {current}" in result.stdout


def test_settings_are_all_documented_in_the_readme() -> None:
    from catalogue.settings import Settings

    readme = (CATALOGUE_DATA.parent.parent / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert f"KATALOG_{name.upper()}" in readme, f"KATALOG_{name.upper()} is not in README.md"


# -- internal errors ---------------------------------------------------------------------------------


def planted_bug(*args: object, **kwargs: object) -> None:
    raise ZeroDivisionError("a bug the test planted")


@pytest.fixture
def buggy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """``run(*args, env)``: `katalog` in-process with a bug where the store is opened; the settings are
    read afresh from ``env`` (the log goes to the test's folder unless ``env`` says where)."""
    monkeypatch.setattr(cli, "CatalogueStore", types.SimpleNamespace(open=planted_bug))

    def run(*args: str, env: dict[str, str]) -> Result:
        environment = {"KATALOG_LOG_FILE": str(tmp_path / "logs" / "katalog.log"), "KATALOG_DEBUG": "0", **env}
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(cli.main, list(args), env=environment, prog_name="katalog")
        finally:
            get_settings.cache_clear()

    return run


def test_a_bug_is_one_line_naming_the_log_where_its_traceback_is(buggy, tmp_path: Path) -> None:
    log = tmp_path / "logs" / "katalog.log"
    result = buggy("stats", env={})
    assert result.exit_code == cli.INTERNAL_ERROR_EXIT
    assert result.stderr.splitlines() == [
        f"katalog: internal error (a bug): ZeroDivisionError: a bug the test planted; the traceback is logged in {log}"
    ]
    logged = log.read_text(encoding="utf-8")
    assert "katalog stats" in logged and "Traceback (most recent call last)" in logged
    assert "in stats_command" in logged and "ZeroDivisionError: a bug the test planted" in logged
    assert log.stat().st_mode & 0o777 == 0o600 and log.parent.stat().st_mode & 0o777 == 0o700
    buggy("stats", env={})
    assert log.read_text(encoding="utf-8").count("Traceback") == 2, "every bug is logged, after the others"


@pytest.mark.parametrize(("args", "env"), [(("--debug",), {}), ((), {"KATALOG_DEBUG": "1"})], ids=["flag", "setting"])
def test_debugging_prints_a_bugs_traceback(buggy, args: tuple[str, ...], env: dict[str, str]) -> None:
    result = buggy(*args, "stats", env=env)
    assert result.exit_code == cli.INTERNAL_ERROR_EXIT
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):" and "in stats_command" in result.stderr
    assert lines[-1].startswith("katalog: internal error (a bug): ZeroDivisionError")


def test_a_bug_that_cannot_be_logged_prints_its_traceback(buggy, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    log = tmp_path / "a-file" / "katalog.log"
    result = buggy("stats", env={"KATALOG_LOG_FILE": str(log)})
    assert result.exit_code == cli.INTERNAL_ERROR_EXIT
    assert "Traceback (most recent call last)" in result.stderr and "in stats_command" in result.stderr
    assert f"could not be logged to {log}" in result.stderr.splitlines()[-1]


def test_an_expected_error_is_not_logged_as_a_bug(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "katalog.log"
    result = katalog("stats", env={"KATALOG_STORE_PATH": str(tmp_path / "nowhere"), "KATALOG_LOG_FILE": str(log)})
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "internal error" not in result.stderr and not log.exists()
