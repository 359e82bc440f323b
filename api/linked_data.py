"""Linked data: every IRI of the catalogue dereferences on this server.

Where an IRI is served. The instance base (``KATALOG_INSTANCE_BASE``) and the ontology IRI are
permanent identifiers; a GET of the IRI's path on this server answers for the resource. Under
``https://w3id.org/<namespace>/`` the path here is what follows the namespace, because w3id.org
redirects ``https://w3id.org/kcs/<rest>`` to ``<this server>/<rest>``: so
``https://w3id.org/kcs/id/measure/x`` is served at ``/id/measure/x`` and the ontology
``https://w3id.org/kcs/ontology`` (with its hash terms such as ``…#TypeMeasure``, which a browser
requests without the fragment) at ``/ontology``. Under any other host the IRI's own path is used
(``https://data.example.cz/kcs/id/`` → ``/kcs/id/``).

Forms. HTML for people; Turtle, JSON-LD and N-Triples for programs. The form is chosen by, in
order: a suffix (``/id/measure/x.ttl``, the stable URL of one form, which the ``Link`` headers
name), ``?format=html|ttl|jsonld|nt``, and the ``Accept`` header with its q-values (the most
specific media range decides a form's q; ties go to HTML, then Turtle, JSON-LD, N-Triples).

No ``Accept`` header, or ``*/*`` alone, gets HTML: the page anyone can read. Browsers always name
``text/html``, and RDF clients name the RDF types they read (rdflib, fetching a URL without a
format, lists every media type it parses and no wildcard), so only generic clients (curl, scripts,
link checkers and previews) send a bare ``*/*``, and for them the readable page is the safer answer.
(The W3C "Best Practice Recipes for Publishing RDF Vocabularies" default to RDF instead, but
recognise browsers by their User-Agent, which this server does not sniff.) The same rule holds
however the ``*/*`` is weighted, so the answer never flips between HTML and RDF by accident.
Every answer carries ``Vary: Accept``; a found resource also ``Link`` headers to its
other forms (``rel="alternate"``) and to its IRI (``rel="canonical"``). Pages, the resource's and the
errors', are the site's (:mod:`web.resource_pages`, :mod:`web.errors`), with its security headers; an
error in any other form is the API's one JSON error shape, with a code and a Czech message.

Versions. A resource's answer carries ``ETag: "<version>"``, the version of its description
(:func:`catalogue.editing.descriptions.read_description`, the same as GraphQL's ``version`` field and
``saveDraft``'s ``baseVersion``), in every form, so a client that edits what it read can say which
version it read. A request whose ``If-None-Match`` names that version is answered 304 with no body,
before the document is built. A page (HTML) is answered 304 only to a request without cookies: a
page also shows who is logged in and is in the language a cookie may choose, which the version does
not cover. The version covers the resource's own description, not its neighbours' labels nor the links
to it, which a document also shows: a client that must see those at once asks without the header.

The resource's IRI answers 200 with the negotiated document and ``Content-Location`` naming that
document's own URL, instead of a 303 to it: one request for clients, and the distinction between the
thing and the document stays explicit in the headers (``rel="canonical"`` is the IRI).

What a description holds is the query layer's (:mod:`catalogue.queries.resources`): the resource's
own triples and cited provenance, its neighbours' labels, and the links pointing to it, at most
``INCOMING_LIMIT`` of each kind. An instance base ending in ``#`` is not dereferenced: its one
document would be the whole catalogue, which /sparql serves better.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from catalogue import graphs
from catalogue.editing.descriptions import read_description
from catalogue.errors import CatalogueError, InvalidInput, NotAcceptable, NotFound, StoreError
from catalogue.queries import resources
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from web import resource_pages
from web.errors import error_response, html_error
from web.links import IriLinks, escaped, server_path
from web.site import N_, language_of
from web.state import site_catalogue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Form:
    """One representation of a resource: its name, its URL suffix and its media type."""

    name: str
    extension: str
    media_type: str
    content_type: str
    rdflib_format: str | None = None
    also_accepted: tuple[str, ...] = ()
    """Other media types this form answers (JSON-LD is JSON, so ``application/json`` gets it)."""


HTML = Form("HTML", "html", "text/html", "text/html; charset=utf-8")
TURTLE = Form("Turtle", "ttl", "text/turtle", "text/turtle; charset=utf-8", "turtle")
JSON_LD = Form("JSON-LD", "jsonld", "application/ld+json", "application/ld+json", "json-ld", ("application/json",))
N_TRIPLES = Form("N-Triples", "nt", "application/n-triples", "application/n-triples; charset=utf-8", "nt")
FORMS = (HTML, TURTLE, JSON_LD, N_TRIPLES)
"""In the server's order of preference, which settles ties between equal q-values."""
BY_EXTENSION = {form.extension: form for form in FORMS}

# Every answer varies by Accept, errors included, so no cache hands an HTML 404 to an RDF client.
VARY = {"Vary": "Accept"}

VOCABULARIES = {
    "kcs": resources.ONTOLOGY_IRI + "#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "vann": "http://purl.org/vocab/vann/",
}

# A first path segment under the instance base becomes a prefix (measure:, place: …) when it is a
# plain name, as catalogue/data/README.md's prefixes are.
_PREFIX_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def negotiate(accept: str | None) -> Form | None:
    """The form that ``accept`` (an HTTP Accept header) prefers, or None when it accepts none of them."""
    if accept is None or not accept.strip():
        return HTML
    ranges: list[tuple[str, float]] = []
    for item in accept.split(","):
        media_range, *parameters = (part.strip() for part in item.split(";"))
        if not media_range:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0  # a malformed weight cannot be honoured: leave the range out
        if 0.0 <= quality <= 1.0:
            ranges.append((media_range.lower(), quality))

    def quality_of(form: Form) -> float:
        # RFC 9110 §12.5.1: the most specific matching range gives a type its weight.
        best: tuple[int, float] = (-1, 0.0)
        for media_range, quality in ranges:
            if media_range in (form.media_type, *form.also_accepted):
                specificity = 2
            elif media_range == form.media_type.split("/")[0] + "/*":
                specificity = 1
            elif media_range == "*/*":
                specificity = 0
            else:
                continue
            if specificity > best[0]:
                best = (specificity, quality)
        return best[1]

    weighted = [(quality_of(form), -order, form) for order, form in enumerate(FORMS)]
    quality, _, form = max(weighted, key=lambda item: (item[0], item[1]))
    return form if quality > 0 else None


@dataclass(frozen=True)
class _Subject:
    """What a request is about: the IRI, the path of its document here, and how to read it."""

    iri: str
    document: str
    graph: Callable[[CatalogueStore, str], Graph]


class _Site(IriLinks):
    """The linked-data answers of one deployment."""

    def namespaces(self, graph: Graph) -> dict[str, str]:
        """The prefixes worth declaring for ``graph``: the vocabularies it uses and, for every kind of
        catalogue resource in it, ``<kind>: <instance base><kind>/``."""
        iris = {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
        iris |= {str(term.datatype) for _, _, term in graph if isinstance(term, Literal) and term.datatype}
        used = {
            prefix: namespace
            for prefix, namespace in VOCABULARIES.items()
            if any(i.startswith(namespace) for i in iris)
        }
        for iri in sorted(iris):
            if iri.startswith(self.instance_base):
                kind, slash, _ = iri[len(self.instance_base) :].partition("/")
                if slash and _PREFIX_NAME.match(kind) and kind not in used:
                    used[kind] = f"{self.instance_base}{kind}/"
        return used

    def serialise(self, graph: Graph, form: Form) -> bytes:
        namespaces = self.namespaces(graph)
        for prefix, namespace in namespaces.items():
            graph.bind(prefix, namespace, override=True, replace=True)
        if form is JSON_LD:
            return graph.serialize(format="json-ld", context=namespaces, auto_compact=True, encoding="utf-8")
        assert form.rdflib_format is not None
        return graph.serialize(format=form.rdflib_format, encoding="utf-8")

    # -- answers -------------------------------------------------------------------------------------

    def answer(self, request: Request, subject: _Subject, explicit: Form | None) -> Response:
        """The answer for ``subject`` in the ``explicit`` form, or else in the one ``Accept`` asks for."""
        form = explicit or negotiate(request.headers.get("accept"))
        return self.find(request, subject, form) or self.not_found(request, subject.iri, form)

    def find(self, request: Request, subject: _Subject, form: Form | None) -> Response | None:
        """The answer for ``subject`` in ``form`` (None: no form the client accepts, a 406), or None
        when the store knows nothing about it; with the resource's version as its ETag."""
        try:
            tag = self.entity_tag(request, subject)
        except InvalidIRI:
            return self.bad_iri(request, subject, form)
        except StoreError as error:
            log.error("reading the version of %s failed: %s", subject.iri, error)
            return _problem(request, error, N_("Chyba serveru"), form)
        cacheable = form is not None and (form is not HTML or not request.cookies)
        wanted = request.headers.get("if-none-match")
        if tag is not None and form is not None and cacheable and etag_matches(wanted, tag):
            return Response(status_code=304, headers={**VARY, "ETag": tag, **self.document_headers(subject, form)})
        answer = self.build(request, subject, form)
        if tag is not None and answer is not None and answer.status_code == 200:
            answer.headers["ETag"] = tag
        return answer

    def entity_tag(self, request: Request, subject: _Subject) -> str | None:
        """The resource's version as an HTTP entity tag (quoted); None for the ontology, and for an IRI
        the catalogue does not describe."""
        if subject.graph is not resources.describe:
            return None
        catalogue = site_catalogue(request)
        checked_iri(subject.iri)
        version = read_description(catalogue.store, catalogue.settings, subject.iri).version
        return f'"{version}"' if version else None

    def build(self, request: Request, subject: _Subject, form: Form | None) -> Response | None:
        store: CatalogueStore = site_catalogue(request).store
        try:
            if form is HTML:
                # In the page's language: English labels and names of kinds where the data has them.
                page = resources.page(store, subject.iri, language_of(request))
                if page is None:
                    return None
                alternates = [
                    resource_pages.Alternate(other.name, other.media_type, self.document_url(subject, other))
                    for other in FORMS
                    if other is not HTML
                ]
                return resource_pages.resource_page(
                    request, store, page, alternates, {**VARY, **self.document_headers(subject, HTML)}
                )
            graph = subject.graph(store, subject.iri)
        except InvalidIRI:
            return self.bad_iri(request, subject, form)
        except StoreError as error:
            log.error("dereferencing %s failed: %s", subject.iri, error)
            return _problem(request, error, N_("Chyba serveru"), form)
        if len(graph) == 0:
            return None
        if form is None:
            supported = ", ".join(f.media_type for f in FORMS)
            refused = NotAcceptable(
                f"Tento zdroj je k dispozici jen ve formátech {supported} (podle hlavičky Accept), "
                "nebo na adrese s příponou .html, .ttl, .jsonld či .nt."
            )
            return error_response(refused, {**VARY, "Link": self.link_header(subject, None)})
        return _document(self.serialise(_plain_strings(graph), form), form, self.document_headers(subject, form))

    def document_url(self, subject: _Subject, form: Form) -> str:
        return escaped(f"{subject.document}.{form.extension}")

    def link_header(self, subject: _Subject, served: Form | None) -> str:
        links = [
            f'<{self.document_url(subject, form)}>; rel="alternate"; type="{form.media_type}"'
            for form in FORMS
            if form is not served
        ]
        links.append(f'<{escaped(subject.iri)}>; rel="canonical"')
        return ", ".join(links)

    def document_headers(self, subject: _Subject, form: Form) -> dict[str, str]:
        return {"Link": self.link_header(subject, form), "Content-Location": self.document_url(subject, form)}

    def not_found(self, request: Request, iri: str, form: Form | None) -> Response:
        missing = NotFound(f"Katalog nezná zdroj {iri}. Zkontrolujte adresu, nebo začněte na úvodní stránce.")
        return _problem(request, missing, N_("Záznam nenalezen"), form)

    def bad_iri(self, request: Request, subject: _Subject, form: Form | None) -> Response:
        refused = InvalidIRI(
            f"Adresa {subject.document!r} nemůže být identifikátorem zdroje katalogu: obsahuje znaky, "
            "které identifikátor (IRI) nepřipouští."
        )
        return _problem(request, refused, N_("Neplatná adresa"), form)


def etag_matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (by the weak comparison RFC 9110 prescribes for
    it: ``W/"x"`` matches ``"x"``), or is ``*``."""
    if not if_none_match:
        return False
    for item in if_none_match.split(","):
        candidate = item.strip()
        if candidate == "*" or candidate.removeprefix("W/") == tag:
            return True
    return False


def _problem(request: Request, error: CatalogueError, title: str, form: Form | None) -> Response:
    """``error`` in the client's form: a page in the site's look for browsers (``title`` heads it), the
    API's JSON error for others."""
    if form is HTML:
        return html_error(request, error.status, title=title, detail=error.public_message, headers=VARY)
    return error_response(error, VARY)


def _document(body: bytes, form: Form, headers: dict[str, str]) -> Response:
    # nosniff: a literal of the catalogue that looks like markup must never make a browser read it as HTML.
    headers = {**VARY, "X-Content-Type-Options": "nosniff", **headers}
    return Response(body, media_type=form.content_type, headers=headers)


def _plain_strings(graph: Graph) -> Graph:
    """``graph`` with ``"x"^^xsd:string`` written as ``"x"``: the same literal in RDF 1.1, and how the
    catalogue's files write it (the store hands strings back with the datatype spelled out)."""
    typed = [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and o.datatype == XSD.string]
    for s, p, o in typed:
        graph.remove((s, p, o))
        graph.add((s, p, Literal(str(o))))
    return graph


def _explicit_form(request: Request, format: str | None) -> Form | Response | None:
    """The form ``?format=`` asks for, None when absent, or the 400 answer for an unknown one."""
    if format is None:
        return None
    form = BY_EXTENSION.get(format)
    if form is None:
        allowed = ", ".join(BY_EXTENSION)
        unknown = InvalidInput(f"Neznámý formát {format!r}: parametr format může být {allowed}.", field="format")
        return _problem(request, unknown, N_("Neplatný požadavek"), negotiate(request.headers.get("accept")))
    return form


_FORMAT_QUERY = Query(None, description="Vynucený formát: html, ttl, jsonld nebo nt (jinak podle hlavičky Accept).")
_ONTOLOGY = _Subject(resources.ONTOLOGY_IRI, server_path(resources.ONTOLOGY_IRI), resources.describe_ontology)

router = APIRouter(tags=["Linked data"])
"""The ontology's routes: its IRI is the same in every deployment, and so is its path here."""


@router.api_route(_ONTOLOGY.document, methods=["GET", "HEAD"], summary="The ontology, by content negotiation")
def ontology(request: Request, format: str | None = _FORMAT_QUERY) -> Response:
    explicit = _explicit_form(request, format)
    if isinstance(explicit, Response):
        return explicit
    return _Site(site_catalogue(request).settings).answer(request, _ONTOLOGY, explicit)


@router.api_route(_ONTOLOGY.document + ".{extension}", methods=["GET", "HEAD"], summary="The ontology in one form")
def ontology_form(request: Request, extension: str) -> Response:
    site = _Site(site_catalogue(request).settings)
    form = BY_EXTENSION.get(extension)
    if form is None:
        return site.not_found(request, f"{_ONTOLOGY.iri}.{extension}", negotiate(request.headers.get("accept")))
    return site.answer(request, _ONTOLOGY, form)


def resource_router(settings: Settings) -> APIRouter:
    """The route that answers for every IRI under ``settings``' instance base.

    Include it after the site's own pages: an instance base at a server's root (``https://x.cz/``)
    then answers for every path the pages do not take."""
    resource_routes = APIRouter(tags=["Linked data"])
    if settings.instance_base.endswith("#"):
        # One document would have to describe the whole catalogue: such a catalogue is read by /sparql.
        log.warning("instance base %s is a hash namespace: its resources are not dereferenced", settings.instance_base)
        return resource_routes
    site = _Site(settings)

    @resource_routes.api_route(
        site.instance_path + "{path:path}", methods=["GET", "HEAD"], summary="A catalogue resource, by its IRI"
    )
    def resource(request: Request, path: str, format: str | None = _FORMAT_QUERY) -> Response:
        explicit = _explicit_form(request, format)
        if isinstance(explicit, Response):
            return explicit
        if graphs.is_private_resource(settings, site.instance_base + path):
            # A proposal holds its sender's contact: it is the curators', not the public's.
            form = explicit or negotiate(request.headers.get("accept"))
            return site.not_found(request, site.instance_base + path, form)
        stem, dot, extension = path.rpartition(".")
        suffix_form = BY_EXTENSION.get(extension) if dot and "/" not in extension else None
        if suffix_form is not None and explicit in (None, suffix_form):
            # The document URL of one form; should the store know no such resource, the dot may
            # belong to the IRI itself, which the reading below tries.
            subject = _Subject(site.instance_base + stem, site.instance_path + stem, resources.describe)
            answer = site.find(request, subject, suffix_form)
            if answer is not None:
                return answer
        subject = _Subject(site.instance_base + path, site.instance_path + path, resources.describe)
        return site.answer(request, subject, explicit)

    return resource_routes
