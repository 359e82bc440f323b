"""The query layer: one named query per need, parameters bound, results mapped to plain dataclasses.

The site, the API, the CLI and the search index read the graph only through these modules; none of
them writes SPARQL. Relations the catalogue derives (which measures a realisation fulfils, which
funding supports a measure …) are read from the derived graph (:mod:`catalogue.rules`), never derived
again here. Single parameters are bound by :func:`catalogue.store.bind` as SPARQL terms, the same on
the embedded store and the Oxigraph server; lists of IRIs go through :func:`common.iri_values`, which
checks each IRI first.
"""
