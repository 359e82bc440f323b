"""Example queries that the site shows people, kept with the other queries so that the API's code
composes none: the SPARQL endpoint's page runs this one from a link."""

ENDPOINT_EXAMPLE = """PREFIX kcs: <https://w3id.org/kcs/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?measure ?label ?above ?code WHERE {
  ?measure a kcs:TypeMeasure ;
    skos:prefLabel ?label ;
    skos:broader ?above .
  OPTIONAL { ?above skos:notation ?code }
  FILTER (lang(?label) = "cs")
}
ORDER BY ?label
LIMIT 20"""
"""The example of ``/sparql``'s page: type measures with the concept right above each (a goal or a
component) and its code."""
