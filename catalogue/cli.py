"""`katalog`: load, validate, query, export and serve the catalogue.

Exit codes: 0 success (for `validate`: the catalogue conforms), 1 `validate` found problems,
2 an error (bad input, unreachable or locked store); an error is one line on standard error.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.parser import parseUpdate

from catalogue import graphs
from catalogue.answer import AnswerFilters, InvalidProblem, answer_problem, measure_details, render_answer
from catalogue.loader import LoadError, catalogue_sources, load, source_for
from catalogue.queries import overview, version
from catalogue.search.engine import SearchError
from catalogue.search.index import open_index, reindex
from catalogue.settings import Settings, get_settings
from catalogue.store import CatalogueStore, QueryError, StoreError, from_ox
from catalogue.validation import ValidationError, validate

F = TypeVar("F", bound=Callable[..., Any])

EXPORT_FORMATS = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "jsonld": "json-ld"}


def _fail(message: str) -> None:
    click.echo(f"katalog: error: {message}", err=True)
    sys.exit(2)


def _reports_errors(command: F) -> F:
    """Turn the domain's expected errors into one line on standard error and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (StoreError, QueryError, LoadError, ValidationError, InvalidProblem, SearchError) as error:
            _fail(str(error))
        except Exception as error:  # settings errors and the like: still one clear line
            _fail(f"{type(error).__name__}: {' '.join(str(error).split())}")

    return wrapper  # type: ignore[return-value]


def _settings() -> Settings:
    try:
        return get_settings()
    except Exception as error:  # pydantic's ValidationError lists every bad variable
        _fail(f"invalid settings: {' '.join(str(error).split())}")
        raise  # unreachable: _fail exits


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Katalog chytrých služeb: the knowledge graph of Czech smart-city policy."""


@main.command("load")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@_reports_errors
def load_command(files: tuple[Path, ...]) -> None:
    """Load FILES (default: the ontology and the whole catalogue) into the store, one named graph
    per file. Unchanged files are skipped; with no FILES, graphs whose file is gone are removed."""
    settings = _settings()
    sources = [source_for(path, settings) for path in files] if files else catalogue_sources(settings)
    with CatalogueStore.open(settings) as store:
        if sys.stderr.isatty():
            with click.progressbar(length=len(sources), label="Loading", file=sys.stderr) as bar:
                changes = load(store, sources, settings, prune=not files, progress=lambda _: bar.update(1))
        else:
            changes = load(store, sources, settings, prune=not files)
        for change in changes:
            click.echo(change.describe())
        changed = [c for c in changes if c.status != "unchanged"]
        click.echo(f"{len(changed)} of {len(changes)} graphs changed")
        # The index follows the data at once, so no answer is ever given from words the store lost.
        index = open_index(settings, store)
        index.close()


@main.command("reindex")
@_reports_errors
def reindex_command() -> None:
    """Rebuild the search index from the store (it is also rebuilt whenever the loaded data changes)."""
    settings = _settings()
    with CatalogueStore.open(settings, read_only=True) as store:
        report = reindex(settings, store)
    click.echo(f"Indexed {report.documents} resources with {report.engine} in {report.seconds:.1f} s")


@main.command("ask")
@click.argument("text")
@click.option("--limit", default=10, show_default=True, help="How many measures (and items of each list) to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--strategy", metavar="IRI", help="Only measures of this strategy.")
@click.option("--pillar", metavar="IRI", help="Only measures reaching this pillar (or cross-cutting area).")
@click.option("--place", metavar="IRI", help="Only solutions and realisations in this place or region.")
@click.option("--applicant", metavar="IRI", help="Only funding open to this applicant type.")
@_reports_errors
def ask_command(
    text: str,
    limit: int,
    as_json: bool,
    strategy: str | None,
    pillar: str | None,
    place: str | None,
    applicant: str | None,
) -> None:
    """Answer a municipality's problem described in TEXT (Czech): the type measures that address it
    and why, their goals, components and pillars, funding, services and realisations."""
    settings = _settings()
    filters = AnswerFilters(strategy=strategy, pillar=pillar, place=place, applicant_type=applicant)
    with CatalogueStore.open(settings, read_only=True) as store:
        index = open_index(settings, store)
        try:
            answer = answer_problem(store, index, text, filters=filters, limit=limit)
        finally:
            index.close()
        details = measure_details(store, [match.measure.iri for match in answer.measures])
    if as_json:
        payload = dataclasses.asdict(answer)
        for match in payload["measures"]:
            detail = details.get(match["measure"]["iri"])
            match["detail"] = dataclasses.asdict(detail) if detail else None
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(render_answer(answer, details))


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--no-reasoner", is_flag=True, help="Skip the OWL consistency check (HermiT).")
@_reports_errors
def validate_command(files: tuple[Path, ...], no_reasoner: bool) -> None:
    """Check FILES (default: the whole catalogue) against the SHACL shapes and the OWL reasoner.

    Exit 0 when the catalogue conforms, 1 when it does not, 2 on an error."""
    settings = _settings()
    paths = list(files) or [source.path for source in catalogue_sources(settings)[1:]]
    problems = validate(settings, paths, reasoner=not no_reasoner)
    for problem in problems:
        click.echo(problem.describe())
    if problems:
        click.echo(f"{len(problems)} problems: the catalogue does not conform", err=True)
        sys.exit(1)
    click.echo(f"{len(paths)} files conform to the shapes" + ("" if no_reasoner else " and are consistent"))


def _read_query(query: str) -> str:
    text = sys.stdin.read() if query == "-" else query
    if not text.strip():
        raise QueryError("empty SPARQL query")
    return text


def _refuse_updates(text: str) -> None:
    try:
        parseUpdate(text)
    except Exception:  # not an update: the query engine will report what is wrong with it
        return
    raise QueryError("SPARQL updates are not allowed here: `katalog sparql` is read-only (use `katalog load`)")


@main.command("sparql")
@click.argument("query")
@_reports_errors
def sparql_command(query: str) -> None:
    """Run a read-only SPARQL QUERY (or - to read it from standard input).

    SELECT and ASK print SPARQL 1.1 Query Results JSON; CONSTRUCT and DESCRIBE print Turtle."""
    text = _read_query(query)
    settings = _settings()
    with CatalogueStore.open(settings, read_only=True) as store:
        try:
            result = store.query(text)
        except QueryError:
            _refuse_updates(text)
            raise
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            payload = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON) or b"{}")
            click.echo(json.dumps(payload, ensure_ascii=False, indent=1))
        else:
            graph = Graph()
            for triple in result:
                graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
            click.echo(graph.serialize(format="turtle"))


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(EXPORT_FORMATS)),
    default="ttl",
    show_default=True,
    help="ttl merges every graph; trig, nq and jsonld keep one named graph per catalogue file.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
@_reports_errors
def export_command(fmt: str, output: Path | None) -> None:
    """Export the loaded catalogue: its files' graphs and the derived graph, never the private graphs
    (proposals with their senders' contacts) nor the load log (`katalog backup` copies everything)."""
    settings = _settings()
    with CatalogueStore.open(settings, read_only=True) as store:
        exported = sorted(graphs.exported_graphs(settings, (str(graph) for graph in store.graph_names())))
        dataset = Dataset()
        for graph in exported:
            target = dataset.graph(URIRef(graph))
            target += store.graph(graph)
    if fmt == "ttl":
        merged = Graph()
        for s, p, o, _graph in dataset.quads((None, None, None, None)):
            merged.add((s, p, o))
        text = merged.serialize(format="turtle")
    else:
        text = dataset.serialize(format=EXPORT_FORMATS[fmt])
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(exported)} graphs written to {output}", err=True)


def _folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@main.command("stats")
@_reports_errors
def stats_command() -> None:
    """Print what the store holds: resources per class, triples per graph, size on disk."""
    settings = _settings()
    with CatalogueStore.open(settings, read_only=True) as store:
        counts = overview.class_counts(store)
        sizes = overview.graph_sizes(store)
        current = version.read(store, settings)
    click.echo("Resources by class:")
    for count in counts:
        click.echo(f"  {count.cls:<20} {count.count:>8}")
    click.echo("Triples by graph:")
    for size in sizes:
        click.echo(f"  {size.graph:<60} {size.triples:>8}")
    click.echo(f"Triples in all: {sum(size.triples for size in sizes)}")
    click.echo(f"Catalogue version: {current}")
    if settings.store == "oxigraph":
        click.echo(f"Store on disk: {_folder_size(settings.store_path) / 1e6:.1f} MB at {settings.store_path}")


@main.command("serve")
@click.option("--host", help="Address to listen on (default: the KATALOG_HOST setting, 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: the KATALOG_PORT setting, 8000).")
@_reports_errors
def serve_command(host: str | None, port: int | None) -> None:
    """Serve the site and the API on the store."""
    import uvicorn

    from api.app import create_app

    settings = _settings()
    CatalogueStore.open(settings).close()  # a locked or unreachable store is reported before serving
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


@main.command("settings")
def settings_command() -> None:
    """Print every setting, its environment variable, current value and help."""
    settings = _settings()
    for name, field in Settings.model_fields.items():
        click.echo(f"KATALOG_{name.upper()}={getattr(settings, name)}\n    {field.description}")
