"""The named graphs of the store, and which of them are private: the one place that says so.

Every graph IRI is ``<instance base>graph/<name>``:

- one graph per catalogue file (``graph/<file stem>``) and ``graph/ontology``: what ``katalog load``
  writes, each replaced whole when its file changes;
- ``graph/derived``: the relations the rules derive (:mod:`catalogue.rules`), rewritten after every
  change of the data;
- the system graphs ``graph/load-log`` (what each file graph was loaded from) and
  ``graph/version`` (the catalogue version, :mod:`catalogue.version`);
- ``graph/staging/<uuid>``: a graph being written, swapped into place in one transaction; one left
  behind by a killed process is never read and is removed by the next load;
- ``graph/curation/published``: the published description of every resource a curator edited, which then is
  no longer in its file's graph (:mod:`catalogue.editing`); ``graph/curation/history``: every published revision
  and who asserted each statement (PROV-O), public linked data;
- the private graphs (:data:`PRIVATE_GRAPHS`): what people send or own: proposals with their contact,
  accounts, API tokens, sessions, drafts, the audit log and the outbox of e-mails, and what limits the
  forms across processes (failed log-ins, proposals sent per address, used form tokens). No public way out of
  the store reads them: ``/sparql``, linked data, GraphQL, search and ``katalog export`` leave them out;
  ``katalog backup`` keeps them.

A file stem holds no ``/``, so no catalogue file can take the name of a derived, system, staging or
private graph, and ``katalog load`` never replaces or prunes those.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef

from catalogue.settings import Settings

ONTOLOGY = "ontology"
DERIVED = "derived"
LOAD_LOG = "load-log"
VERSION = "version"
STAGING = "staging/"

CURATED = "curation/published"
HISTORY = "curation/history"

PROPOSALS = "web/proposals"
ACCOUNTS = "private/accounts"
TOKENS = "private/tokens"
SESSIONS = "private/sessions"
DRAFTS = "private/drafts"
AUDIT = "private/audit"
LOGIN_FAILURES = "private/login-failures"
DEMAND = "private/demand"
OUTBOX = "private/outbox"
PROPOSALS_SENT = "private/proposals-sent"
USED_FORM_TOKENS = "private/used-form-tokens"

PRIVATE_GRAPHS: dict[str, str] = {
    PROPOSALS: "proposal/",
    ACCOUNTS: "account/",
    TOKENS: "token/",
    SESSIONS: "session/",
    DRAFTS: "draft/",
    AUDIT: "audit/",
    LOGIN_FAILURES: "login-failure/",
    DEMAND: "demand/",
    OUTBOX: "outbox/",
    PROPOSALS_SENT: "proposal-sent/",
    USED_FORM_TOKENS: "used-form-token/",
}
"""Each private graph's name and the IRI path (under the instance base) of the resources it holds, which
linked data, GraphQL and search never show: a proposal holds its sender's e-mail or telephone, an account
its e-mail and password hash, a draft what a curator has not published."""

SYSTEM_GRAPHS = (LOAD_LOG, VERSION)


def graph_iri(settings: Settings, name: str) -> URIRef:
    return URIRef(f"{settings.instance_base}graph/{name}")


def derived_graph(settings: Settings) -> URIRef:
    return graph_iri(settings, DERIVED)


def load_log_graph(settings: Settings) -> URIRef:
    return graph_iri(settings, LOAD_LOG)


def version_graph(settings: Settings) -> URIRef:
    return graph_iri(settings, VERSION)


def staging_prefix(settings: Settings) -> str:
    return str(graph_iri(settings, STAGING))


def curated_graph(settings: Settings) -> URIRef:
    return graph_iri(settings, CURATED)


def history_graph(settings: Settings) -> URIRef:
    return graph_iri(settings, HISTORY)


def private_graph(settings: Settings, name: str) -> URIRef:
    """One private graph by its name in :data:`PRIVATE_GRAPHS`."""
    if name not in PRIVATE_GRAPHS:
        raise KeyError(f"{name} is not a private graph")
    return graph_iri(settings, name)


def private_base(settings: Settings, name: str) -> str:
    """The IRI prefix of the resources the private graph ``name`` holds."""
    return f"{settings.instance_base}{PRIVATE_GRAPHS[name]}"


def private_graphs(settings: Settings) -> tuple[URIRef, ...]:
    """Every private graph of the store, whether it holds anything yet or not."""
    return tuple(graph_iri(settings, name) for name in PRIVATE_GRAPHS)


def is_private_resource(settings: Settings, iri: str) -> bool:
    """Whether ``iri`` names a resource a private graph holds (a proposal …)."""
    return any(iri.startswith(settings.instance_base + path) for path in PRIVATE_GRAPHS.values())


def is_staging(settings: Settings, graph: str) -> bool:
    return graph.startswith(staging_prefix(settings))


def public_graphs(settings: Settings, graphs: Iterable[str]) -> list[str]:
    """Those of ``graphs`` anyone may read: all but the private and staging ones, in the order given."""
    private = {str(graph) for graph in private_graphs(settings)}
    return [str(graph) for graph in graphs if str(graph) not in private and not is_staging(settings, str(graph))]


def exported_graphs(settings: Settings, graphs: Iterable[str]) -> list[str]:
    """Those of ``graphs`` ``katalog export`` writes: the public ones but the system graphs."""
    system = {str(graph_iri(settings, name)) for name in SYSTEM_GRAPHS}
    return [graph for graph in public_graphs(settings, graphs) if graph not in system]
