"""``/zmeny.atom``: the catalogue's published changes as an Atom feed (RFC 4287), the newest first, so that
anyone can follow what curators change; each entry links to the resource's page and says what changed
field by field. Only public history is in it (:mod:`catalogue.editing.history` keeps accounts out)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalogue.editing import history as editing_history
from catalogue.editing.forms import Shown
from web.history import ShownHistory, link_names, shown_history
from web.links import IriLinks
from web.site import N_, language_of, site_url, translate
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50
FEED_TITLE = N_("Změny katalogu chytrých služeb")


def _text(value: Shown, shown: ShownHistory) -> str:
    if value.parts:
        return "; ".join(f"{shown.names.of(prop)}: {_text(part, shown)}" for prop, part in value.parts)
    return shown.links.get(value.iri, value.iri) if value.iri else value.text


@router.get("/zmeny.atom")
def changes_feed(request: Request) -> Response:
    catalogue = site_catalogue(request)
    lang = language_of(request)
    revisions = editing_history.recent(catalogue.store, catalogue.settings, FEED_ENTRIES)
    shown = shown_history(catalogue.store, catalogue.settings, revisions, lang)
    labels = link_names(catalogue.store, sorted({r.resource for r in revisions}), lang)
    links = IriLinks(catalogue.settings)
    site = site_url(request)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = translate(lang, FEED_TITLE)
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"{catalogue.settings.instance_base}zmeny"
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": f"{site}/zmeny.atom"})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": f"{site}/"})
    newest = revisions[0].time.isoformat() if revisions else "2021-01-01T00:00:00+00:00"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = newest
    for item in shown.revisions:
        revision = item.revision
        label = labels.get(revision.resource) or revision.resource.rsplit("/", 1)[-1]
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = f"{label}: {revision.reason}"
        ET.SubElement(entry, f"{{{ATOM}}}id").text = revision.iri
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = revision.time.isoformat()
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = revision.author_name
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": site + links.href(revision.resource)})
        lines = []
        for change in item.changes:
            values = [f"− {_text(v, shown)}" for v in change.removed] + [f"+ {_text(v, shown)}" for v in change.added]
            lines.append(f"{shown.names.of(change.path)}: {', '.join(values)}")
        if revision.source:
            lines.append(f"{translate(lang, 'zdroj')}: {revision.source}")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = "\n".join(lines)
    body = ET.tostring(feed, encoding="unicode", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")
