"""The query layer: one named query per need, parameters bound, results mapped to plain dataclasses.

The site, the API, the CLI and the search index read the graph only through these modules; none of
them writes SPARQL. Single parameters are bound by the engine (Oxigraph substitutions), never joined
into the text; Oxigraph binds only variables the query projects, so every parameter is also in the
SELECT. Lists of IRIs go through :func:`common.iri_values`, which checks each IRI first.
"""
