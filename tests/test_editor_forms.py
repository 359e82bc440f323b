"""The editor's form model, read from the SHACL shapes: the fields of a class in sh:order through sh:node,
what each holds, a property added to the shapes appearing without code, and the values of a form turned
into statements and back."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from catalogue.editing import forms
from catalogue.editing.descriptions import Description
from catalogue.editing.descriptions import term_value as forms_value
from catalogue.editing.forms import Entry

REPO = Path(__file__).resolve().parent.parent
SHAPES = REPO / "ontology" / "shapes.ttl"
ONTOLOGY = REPO / "ontology" / "kcs.ttl"
KCS = "https://w3id.org/kcs/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RESOURCE = "https://w3id.org/kcs/id/realisation/zkouska"


def test_a_realisations_fields_follow_sh_node_and_sh_order() -> None:
    form = forms.form_for(SHAPES, ONTOLOGY, KCS + "Realisation")
    paths = [f.path for f in form.fields]
    assert paths[:4] == [SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", DCTERMS + "description"]
    assert paths[4:6] == [KCS + "place", KCS + "realises"]
    assert paths[-1] == DCTERMS + "source"
    orders = [f.order if f.order is not None else -1.0 for f in form.fields]
    assert -1.0 not in orders and orders == sorted(orders)  # every field has its sh:order, in that order
    fields = {f.path: f for f in form.fields}
    assert fields[KCS + "year"].kind == "year" and fields[KCS + "year"].max_count == 1
    assert fields[KCS + "year"].name == "rok" and "čtyřmi číslicemi" in fields[KCS + "year"].help
    assert fields[KCS + "costCZK"].kind == "decimal"
    assert fields[SKOS + "prefLabel"].kind == "text" and fields[SKOS + "prefLabel"].required
    assert fields[KCS + "place"].kind == "link" and fields[KCS + "place"].classes == (KCS + "Place",)
    assert set(fields[KCS + "realises"].classes) == {KCS + "SmartService", KCS + "SmartSolution"}  # sh:or
    assert fields[KCS + "hasIndicator"].repeatable and not fields[KCS + "year"].repeatable
    status = fields[KCS + "status"]
    assert status.kind == "choice" and status.choices_are_iris and len(status.choices) == 4
    source = fields[DCTERMS + "source"]
    assert source.kind == "node" and source.node_class == KCS + "SourceReference"
    assert [p.path for p in source.parts] == [KCS + "seedFile", KCS + "publicSource", KCS + "section"]
    assert [p.kind for p in source.parts] == ["string", "iri", "string"]


def test_a_property_added_to_the_shapes_appears_in_the_form(tmp_path: Path) -> None:
    copy = tmp_path / "shapes.ttl"
    copy.write_text(
        SHAPES.read_text(encoding="utf-8")
        + """
kcsh:Realisation sh:property [
    sh:path kcs:opened ; sh:name "zahájení provozu" ; sh:description "Den, kdy služba začala sloužit." ;
    sh:order 12.5 ; sh:datatype xsd:date ; sh:maxCount 1 ] ,
  [ sh:path kcs:channel ; sh:name "kanál" ; sh:in ( "web" "aplikace" ) ; sh:order 12.6 ] ,
  [ sh:path kcs:accessible ; sh:datatype xsd:boolean ] .
""",
        encoding="utf-8",
    )
    form = forms.form_for(copy, ONTOLOGY, KCS + "Realisation")
    paths = [f.path for f in form.fields]
    assert (
        paths.index(KCS + "year")
        < paths.index(KCS + "opened")
        < paths.index(KCS + "channel")
        < paths.index(KCS + "costCZK")
    )
    opened = form.field(KCS + "opened")
    assert opened is not None and opened.kind == "date" and opened.name == "zahájení provozu" and not opened.repeatable
    channel = form.field(KCS + "channel")
    assert channel is not None and channel.kind == "choice" and channel.choices == ("web", "aplikace")
    assert not channel.choices_are_iris
    accessible = form.field(KCS + "accessible")
    assert accessible is not None and accessible.kind == "boolean" and paths[-1] == KCS + "accessible"  # no order: last
    assert forms.form_for(SHAPES, ONTOLOGY, KCS + "Realisation").field(KCS + "opened") is None


def test_a_problem_has_the_scheme_field_of_every_shape_that_targets_it() -> None:
    form = forms.form_for(SHAPES, ONTOLOGY, KCS + "Problem")
    scheme = form.field(SKOS + "inScheme")
    assert scheme is not None and scheme.required and scheme.kind == "link"
    assert form.only([SKOS + "prefLabel"]).paths == {SKOS + "prefLabel"}


def test_form_values_become_statements_and_come_back() -> None:
    form = forms.form_for(SHAPES, ONTOLOGY, KCS + "Realisation")
    sent = {
        "skos-prefLabel": ["Zkouška", "Trial"],
        "skos-prefLabel.lang": ["cs", "en"],
        "kcs-year": ["dvacet"],
        "kcs-costCZK": ["1 500 000,50"],
        "kcs-place": ["https://w3id.org/kcs/id/place/liberec"],
        "kcs-status": ["https://w3id.org/kcs/id/descriptor/stav-projektu-2"],
        "dcterms-source.kcs-seedFile": ["", ""],
        "dcterms-source.kcs-publicSource": ["https://www.liberec.cz/", ""],
        "dcterms-source.kcs-section": ["Projekty", ""],
        "kcs-hasIndicator": [""],
    }
    values = forms.values_from(form, sent)
    assert values["kcs-hasIndicator"] == [] and len(values["dcterms-source"]) == 1
    triples, errors = forms.triples_from(form, RESOURCE, values)
    assert errors == []
    description = forms.described(RESOURCE, triples)
    objects = {(t.predicate.value, str(t.object)) for t in description.own()}
    assert (KCS + "year", f'"dvacet"^^<{XSD}gYear>') in objects  # kept, for the checks to mark
    assert (KCS + "costCZK", f'"1500000.50"^^<{XSD}decimal>') in objects
    assert (SKOS + "prefLabel", '"Trial"@en') in objects
    node = next(t.object for t in description.own() if t.predicate.value == DCTERMS + "source")
    assert isinstance(node, ox.NamedNode) and node.value.startswith(RESOURCE + "#n-")
    back = forms.values_of(form, description)
    assert back["kcs-year"] == [Entry("dvacet")]
    assert back["dcterms-source"][0].parts["kcs-section"] == "Projekty"
    assert [e.lang for e in back["skos-prefLabel"]] == ["cs", "en"]


def test_a_value_that_cannot_be_a_statement_is_an_error_at_its_field() -> None:
    form = forms.form_for(SHAPES, ONTOLOGY, KCS + "Realisation")
    values = forms.values_from(
        form,
        {
            "kcs-status": ["něco jiného"],
            "kcs-place": ["Liberec"],
            "dcterms-source.kcs-publicSource": ["není adresa"],
            "dcterms-source.kcs-section": ["Oddíl"],
        },
    )
    _, errors = forms.triples_from(form, RESOURCE, values)
    assert {e.key for e in errors} == {"kcs-status", "kcs-place", "dcterms-source.kcs-publicSource"}
    assert all(e.message for e in errors)


def _description(*pairs: tuple[str, ox.NamedNode | ox.Literal]) -> Description:
    root = ox.NamedNode(RESOURCE)
    return forms.described(RESOURCE, [ox.Triple(root, ox.NamedNode(p), o) for p, o in pairs])


def test_a_draft_moved_onto_the_current_version_keeps_both_changes() -> None:
    label = SKOS + "prefLabel"
    year = KCS + "year"
    gyear = ox.NamedNode(XSD + "gYear")
    base = _description((label, ox.Literal("Stará", language="cs")), (year, ox.Literal("2020", datatype=gyear)))
    current = _description((label, ox.Literal("Jejich", language="cs")), (year, ox.Literal("2021", datatype=gyear)))
    draft = _description((label, ox.Literal("Moje", language="cs")), (year, ox.Literal("2020", datatype=gyear)))
    moved, both = forms.rebased(base, current, draft)
    values = {(t.predicate.value, forms_value(t.object)) for t in moved.own()}
    assert values == {(label, "Moje"), (year, "2021")}
    assert both == [label]
    taken = forms.merged(moved, current, both)
    assert {(t.predicate.value, forms_value(t.object)) for t in taken.own()} == {(label, "Jejich"), (year, "2021")}
