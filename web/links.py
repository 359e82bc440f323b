"""Where the catalogue's IRIs are served on this site, and how a path or IRI is written into a link.

Under ``https://w3id.org/<namespace>/`` the path here is what follows the namespace, because w3id.org
redirects ``https://w3id.org/kcs/<rest>`` to ``<this server>/<rest>``: so
``https://w3id.org/kcs/id/measure/x`` is served at ``/id/measure/x`` and the ontology
``https://w3id.org/kcs/ontology`` at ``/ontology``. Under any other host the IRI's own path is used
(``https://data.example.cz/kcs/id/`` → ``/kcs/id/``).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from catalogue.queries.resources import ONTOLOGY_IRI
from catalogue.settings import Settings

_W3ID_HOST = "w3id.org"
# What may stay unescaped when a path or IRI goes into an HTTP header or an href (RFC 3986's
# reserved and unreserved characters, and '%' so that existing escapes stay as they are).
_URI_SAFE = ":/?#[]@!$&'()*+,;=%-._~"


def server_path(iri: str) -> str:
    """The path on this server at which ``iri`` (or, for a hash IRI, its document) is answered."""
    parts = urlsplit(iri)
    path = parts.path or "/"
    if parts.hostname == _W3ID_HOST:
        # w3id.org keeps the first segment (the namespace) for itself and redirects the rest here.
        path = "/" + path.lstrip("/").partition("/")[2]
    return path


def escaped(path_or_iri: str) -> str:
    """``path_or_iri`` with non-ASCII and unsafe characters %-escaped, fit for a header or an href."""
    return quote(path_or_iri, safe=_URI_SAFE)


class IriLinks:
    """The mapping between the catalogue's IRIs and this server's paths, for one deployment."""

    def __init__(self, settings: Settings) -> None:
        self.instance_base = settings.instance_base
        self.instance_path = server_path(settings.instance_base)
        self.ontology_path = server_path(ONTOLOGY_IRI)

    def href(self, iri: str) -> str:
        """Where a browser on this site finds ``iri``: its page here when it is ours, else the IRI."""
        if iri.startswith(self.instance_base) and not self.instance_base.endswith("#"):
            return escaped(self.instance_path + iri[len(self.instance_base) :])
        ontology, hash_sign, term = iri.partition("#")
        if ontology == ONTOLOGY_IRI:
            return escaped(self.ontology_path + hash_sign + term)
        return iri
