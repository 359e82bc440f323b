"""`katalog`: load, validate, query, export, back up and serve the catalogue.

Exit codes: 0 success (for `validate`: the catalogue conforms), 1 `validate` found problems (or `import`
an invalid row, or `load` refused a file and wrote nothing), 2 an error (bad input, unreachable or locked
store), 70 an internal error (a bug). An error is one line on standard error; a bug's line says where its
traceback was logged (``KATALOG_LOG_FILE``), and ``katalog --debug`` (or ``KATALOG_DEBUG=1``) prints the traceback too.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
import os
import sys
import traceback
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import pydantic
import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.parser import parseUpdate

from catalogue import graphs, imports
from catalogue.answer import AnswerFilters, answer_problem, render_answer
from catalogue.editing import accounts, audit, proposals
from catalogue.editing.authorisation import ROLES
from catalogue.errors import CatalogueError, InvalidInput
from catalogue.loader import LoadRefused, catalogue_sources, load, source_for
from catalogue.queries import overview, version
from catalogue.queries.measures import measure_details
from catalogue.search.index import open_index, reindex
from catalogue.settings import Settings, get_settings
from catalogue.store import CatalogueStore, QueryError, from_ox
from catalogue.validation import validate

F = TypeVar("F", bound=Callable[..., Any])

EXPORT_FORMATS = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "jsonld": "json-ld"}

ERROR_EXIT = 2
REFUSED_EXIT = 1
"""What `validate` and `import` answer when the data does not pass, and `load` when it refuses a file."""
INTERNAL_ERROR_EXIT = 70
"""sysexits.h's EX_SOFTWARE: a script tells a bug to report from an error it can put right (2)."""

BACKUP_FILE = "katalog.nq.gz"
PLAIN_BACKUP_FILE = "katalog.nq"


def _fail(message: str) -> NoReturn:
    click.echo(f"katalog: error: {message}", err=True)
    sys.exit(ERROR_EXIT)


def _reports_errors(command: F) -> F:
    """Turn the catalogue's expected errors into one line on standard error and exit code 2, and
    anything else (a bug) into an internal error (:func:`_internal_error`)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CatalogueError as error:
            _fail(error.message)
        except (click.ClickException, click.Abort):
            raise  # click's own: a usage error or Ctrl-C, which click reports itself
        except Exception as error:
            _internal_error(error)

    return wrapper  # type: ignore[return-value]


def _internal_error(error: Exception) -> NoReturn:
    """A bug: its traceback is logged to the log file, and printed when debugging; standard error gets
    one line saying it is an internal error and where the traceback is."""
    try:
        settings: Settings | None = get_settings()
    except pydantic.ValidationError:  # then the log goes where it goes by default
        settings = None
    log_file: Path = settings.log_file if settings else Settings.model_fields["log_file"].default
    context = click.get_current_context()
    debug = bool(settings and settings.debug) or bool(context.find_root().params.get("debug"))
    trace = "".join(traceback.format_exception(error))
    summary = f"{type(error).__name__}: {' '.join(str(error).split())}"
    command = context.command_path + "".join(f" {name}={value!r}" for name, value in context.params.items())
    try:
        _log_traceback(log_file, command, trace)
    except OSError as cause:
        # The traceback must not be lost: with nowhere to log it, it is printed.
        click.echo(trace, err=True, nl=False)
        click.echo(
            f"katalog: internal error (a bug): {summary}; its traceback, above, could not be logged to "
            f"{log_file}: {cause.strerror or cause}",
            err=True,
        )
        sys.exit(INTERNAL_ERROR_EXIT)
    if debug:
        click.echo(trace, err=True, nl=False)
    click.echo(f"katalog: internal error (a bug): {summary}; the traceback is logged in {log_file}", err=True)
    sys.exit(INTERNAL_ERROR_EXIT)


def _log_traceback(log_file: Path, command: str, trace: str) -> None:
    _private_folder(log_file.parent)
    # Created readable by this user alone: a traceback may quote what people sent.
    descriptor = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    with os.fdopen(descriptor, "a", encoding="utf-8") as log:
        log.write(f"{when} {command} (pid {os.getpid()})\n{trace}\n")


def _private_folder(folder: Path) -> None:
    """Create ``folder`` for this user alone (missing parents as any folder); an existing one is left as it is."""
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode passes through the umask


def _settings() -> Settings:
    try:
        return get_settings()
    except pydantic.ValidationError as error:  # it lists every bad variable
        _fail(f"invalid settings: {' '.join(str(error).split())}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--debug",
    is_flag=True,
    help="Print the traceback of an internal error (a bug), not only where it is logged (as KATALOG_DEBUG=1).",
)
def main(debug: bool) -> None:
    """Katalog chytrých služeb: the knowledge graph of Czech smart-city policy."""


@main.command("load")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Load a file even if its graph would lose more than half of its triples.")
@_reports_errors
def load_command(files: tuple[Path, ...], force: bool) -> None:
    """Load FILES (default: the ontology and the whole catalogue) into the store, one named graph
    per file. Unchanged files are skipped; with no FILES, graphs whose file is gone are removed.

    Changed files are checked first: one that breaks the SHACL shapes, or would leave its graph with less
    than half of its triples (unless --force), is refused, nothing is written and the exit code is 1."""
    settings = _settings()
    sources = [source_for(path, settings) for path in files] if files else catalogue_sources(settings)
    with CatalogueStore.open(settings) as store:
        checks: dict[str, Any] = {"guard": True, "force": force, "warn": lambda note: click.echo(note, err=True)}
        try:
            if sys.stderr.isatty():
                with click.progressbar(length=len(sources), label="Loading", file=sys.stderr) as bar:
                    changes = load(
                        store, sources, settings, prune=not files, progress=lambda _: bar.update(1), **checks
                    )
            else:
                changes = load(store, sources, settings, prune=not files, **checks)
        except LoadRefused as refused:
            for line in refused.details:
                click.echo(line, err=True)
            click.echo(f"katalog: {refused.message}", err=True)
            sys.exit(REFUSED_EXIT)
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
    """Rebuild the search index from the store from scratch (it otherwise follows every change of the
    catalogue version, by the documents that changed)."""
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
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InvalidInput(f"cannot write {output}: {error.strerror or error}") from error
        click.echo(f"{len(exported)} graphs written to {output}", err=True)


@main.command("backup")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--plain", is_flag=True, help=f"Plain N-Quads ({PLAIN_BACKUP_FILE}) instead of gzip ({BACKUP_FILE}).")
@_reports_errors
def backup_command(folder: Path, plain: bool) -> None:
    """Copy everything the store holds into FOLDER as N-Quads: every graph, the private ones included
    (proposals with their senders' contacts), so the copy is readable by this user alone (the file
    0600, a folder it creates 0700). `katalog restore FOLDER` brings it back."""
    settings = _settings()
    present = _backups_in(folder)
    if present:
        raise InvalidInput(f"{present[0]} already exists: a backup is never overwritten, choose another folder")
    with CatalogueStore.open(settings, read_only=True) as store:
        nquads = store.dump()
    target = folder / (PLAIN_BACKUP_FILE if plain else BACKUP_FILE)
    _write_private(target, nquads if plain else gzip.compress(nquads, compresslevel=6))
    quads = nquads.count(b"\n")  # N-Quads is one quad a line
    click.echo(f"{quads} quads backed up to {target}")


@main.command("restore")
@click.argument("folder", type=click.Path(path_type=Path))
@_reports_errors
def restore_command(folder: Path) -> None:
    """Replace everything the store holds by the backup in FOLDER (made by `katalog backup`), then give
    the catalogue a new version, so that every running server follows within 2 s. The backup
    is read and checked whole before the store is touched."""
    settings = _settings()
    source, nquads = _read_backup(folder)
    try:
        quads = sum(1 for _ in ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as error:
        raise InvalidInput(f"{source} is not a backup: {' '.join(str(error).split())}") from error
    with CatalogueStore.open(settings) as store:
        store.replace_everything(nquads)
        store.update(version.bump(settings))
        index = open_index(settings, store)  # the index follows the data at once, as after a load
        index.close()
        current = version.read(store, settings)
    click.echo(f"{quads} quads restored from {source}; catalogue version {current}")


def _backups_in(folder: Path) -> list[Path]:
    return [path for path in (folder / BACKUP_FILE, folder / PLAIN_BACKUP_FILE) if path.exists()]


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, readable by this user alone; a reader never sees half of it (it is
    written beside, then renamed)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        _private_folder(path.parent)
        partial.unlink(missing_ok=True)  # left by a backup that was killed
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        partial.rename(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CatalogueError(f"cannot write {path}: {error.strerror or error}", code="WRITE_FAILED") from error


def _read_backup(folder: Path) -> tuple[Path, bytes]:
    """The backup file in ``folder`` and its N-Quads."""
    present = _backups_in(folder)
    if len(present) != 1:
        found = "both " + " and ".join(path.name for path in present) if present else "no backup"
        raise InvalidInput(f"{folder} holds {found}: it must hold {BACKUP_FILE} or {PLAIN_BACKUP_FILE}")
    source = present[0]
    try:
        data = source.read_bytes()
        return source, gzip.decompress(data) if source.name == BACKUP_FILE else data
    except (OSError, EOFError, zlib.error) as error:  # gzip's errors of a truncated or foreign file
        raise InvalidInput(f"cannot read the backup {source}: {' '.join(str(error).split())}") from error


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


@main.command("purge")
@_reports_errors
def purge_command() -> None:
    """Delete the contacts of proposals older than the retention period (proposal_retention_days)."""
    settings = _settings()
    with CatalogueStore.open(settings) as store:
        purged = proposals.purge(store, settings)
    click.echo(f"Deleted the contacts of {purged} proposal(s) older than {settings.proposal_retention_days:g} days")


@main.command("forget")
@click.argument("email")
@_reports_errors
def forget_command(email: str) -> None:
    """Delete every proposal the sender with EMAIL sent: its text and its contact."""
    settings = _settings()
    with CatalogueStore.open(settings) as store:
        forgotten = proposals.forget(store, settings, email)
    click.echo(f"Deleted {forgotten} proposal(s) sent by {email}")


INVALID_IMPORT_EXIT = 1


def _report_plan(planned: imports.Plan) -> None:
    for problem in planned.problems:
        click.echo(f"řádek {problem.row}, sloupec {problem.column or '–'}: chyba: {problem.message}")
    for row in planned.rows:
        where = f"řádek {row.row}: {imports.STATUS_NAMES[row.status]} <{row.resource}>"
        if row.status == imports.CHANGED:
            click.echo(f"{where} ({', '.join(row.fields)})")
        elif row.status == imports.ERROR:
            for error in row.errors:
                click.echo(f"{where}, sloupec {error.column or '–'}: {error.message}")
        else:
            click.echo(where)
    counts = ", ".join(f"{imports.STATUS_NAMES[status]}: {planned.count(status)}" for status in imports.STATUS_NAMES)
    click.echo(f"{len(planned.rows)} řádků ({counts})")


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--kind", required=True, type=click.Choice(imports.KINDS), help="What the file's rows describe.")
@click.option("--dry-run", is_flag=True, help="Only report row by row what the import would do; write nothing.")
@click.option("--author", metavar="EMAIL", help="The account whose draft the import becomes (needed unless --dry-run).")
@click.option("--reason", default="", help="Why the catalogue changes (default: the file's name).")
@_reports_errors
def import_command(file: Path, kind: str, dry_run: bool, author: str | None, reason: str) -> None:
    """Import FILE (UTF-8 CSV separated by ';' or ',', or XLSX) as one draft for review: each row is
    reported created, changed (which fields), unchanged, or an error at its column. Exit code 0 when
    every row is valid, 1 when any is not (nothing is written then), 2 when the file cannot be read."""
    settings = _settings()
    try:
        data = file.read_bytes()
    except OSError as error:
        raise InvalidInput(f"Soubor {file} nelze přečíst: {error.strerror or error}.") from error
    with CatalogueStore.open(settings) as store:
        account = None
        if not dry_run:
            account = accounts.account_by_email(store, settings, author or "")
            if account is None:
                raise InvalidInput("Import zapisuje návrh za účet: uveďte --author EMAIL existujícího účtu "
                                   "(nebo --dry-run).")
        index = open_index(settings, store)
        try:
            planned = imports.plan(store, settings, index, kind, file.name, data)
        finally:
            index.close()
        _report_plan(planned)
        if not planned.valid:
            click.echo("Nic nebylo zapsáno: opravte chyby a spusťte import znovu.", err=True)
            sys.exit(INVALID_IMPORT_EXIT)
        if account is not None:
            draft = imports.apply(store, settings, account, planned, reason or f"Import souboru {file.name}")  # type: ignore[arg-type]
            click.echo(f"Návrh {draft.id} ({len(draft.changes)} záznamů) čeká na odeslání ke schválení: "
                       f"/upravy/navrh/{draft.id}")


@main.command("serve")
@click.option("--host", help="Address to listen on (default: the KATALOG_HOST setting, 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: the KATALOG_PORT setting, 8000).")
@_reports_errors
def serve_command(host: str | None, port: int | None) -> None:
    """Serve the site and the API on the store."""
    from api.app import serve

    settings = _settings()
    CatalogueStore.open(settings).close()  # a locked or unreachable store is reported before serving
    serve(settings, host or settings.host, port or settings.port)


@main.command("settings")
def settings_command() -> None:
    """Print every setting, its environment variable, current value and help."""
    settings = _settings()
    for name, field in Settings.model_fields.items():
        click.echo(f"KATALOG_{name.upper()}={getattr(settings, name)}\n    {field.description}")


# -- accounts and tokens ------------------------------------------------------------------------------


def _read_password() -> str:
    """The password: typed at a terminal without echo (twice, to catch a typo), else one line of standard
    input, so that a script can pipe it in; never an argument, which other users could see in `ps`."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True))
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")


@main.group("user")
def user_group() -> None:
    """Manage the accounts of curators, reviewers, ministries and admins (every change is audited)."""


@user_group.command("add")
@click.argument("email")
@click.option("--role", required=True, metavar="ROLE", help=f"One of: {', '.join(ROLES)}.")
@click.option("--organisation", metavar="IRI", help="The catalogue's organisation of the account (a ministry's).")
@click.option("--name", help="The name the published history shows (default: the e-mail's part before the @).")
@_reports_errors
def user_add_command(email: str, role: str, organisation: str | None, name: str | None) -> None:
    """Add an account for EMAIL; its password (at least 12 characters) is read from standard input."""
    password = _read_password()
    accounts.checked_password(password)  # before the store is opened: a short one costs nothing
    settings = _settings()
    with CatalogueStore.open(settings) as store:
        account = accounts.add_account(store, settings, email, password, role, organisation=organisation, name=name)
    click.echo(f"Account {account.email} added with role {account.role}")


@user_group.command("list")
@_reports_errors
def user_list_command() -> None:
    """List every account: e-mail, name, role, organisation and state."""
    settings = _settings()
    with CatalogueStore.open(settings) as store:
        found = accounts.accounts(store, settings)
        audit.record(store, settings, audit.ACCOUNTS_LISTED, detail="katalog user list")
    rows = [("E-mail", "Name", "Role", "Organisation", "State")] + [
        (a.email, a.name, a.role, a.organisation or "-", "disabled" if a.disabled else "active") for a in found
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        click.echo("  ".join(value.ljust(width) for value, width in zip(row[:4], widths, strict=True)) + "  " + row[4])
    click.echo(f"{len(found)} accounts")


@user_group.command("disable")
@click.argument("email")
@_reports_errors
def user_disable_command(email: str) -> None:
    """Disable the account of EMAIL: it can no longer log in, its sessions end and its tokens are revoked."""
    settings = _settings()
    with CatalogueStore.open(settings) as store:
        account = accounts.disable(store, settings, email)
    click.echo(f"Account {account.email} disabled; its sessions ended and its tokens revoked")


@user_group.command("set-role")
@click.argument("email")
@click.argument("role")
@click.option("--organisation", metavar="IRI", help="The account's organisation (a ministry's account needs one).")
@_reports_errors
def user_set_role_command(email: str, role: str, organisation: str | None) -> None:
    """Give the account of EMAIL the ROLE; its sessions end, so it logs in again in its new role."""
    settings = _settings()
    with CatalogueStore.open(settings) as store:
        account = accounts.set_role(store, settings, email, role, organisation=organisation)
    click.echo(f"Account {account.email} now has role {account.role}; its sessions ended")


@user_group.command("set-password")
@click.argument("email")
@_reports_errors
def user_set_password_command(email: str) -> None:
    """Give the account of EMAIL a new password, read from standard input; its sessions end."""
    password = _read_password()
    accounts.checked_password(password)
    settings = _settings()
    with CatalogueStore.open(settings) as store:
        account = accounts.set_password(store, settings, email, password)
    click.echo(f"Password of {account.email} changed; its sessions ended")


@main.group("token")
def token_group() -> None:
    """Manage API tokens (for GraphQL mutations with `Authorization: Bearer TOKEN`)."""


@token_group.command("create")
@click.argument("email")
@click.option("--expires", type=float, metavar="DAYS", help="Days the token is valid (default: until the account "
              "is disabled).")
@_reports_errors
def token_create_command(email: str, expires: float | None) -> None:
    """Create an API token for the account of EMAIL and print it: it is shown only this once (the store keeps
    only its hash)."""
    settings = _settings()
    with CatalogueStore.open(settings) as store:
        token = accounts.create_token(store, settings, email, expires_days=expires)
    click.echo(token)
