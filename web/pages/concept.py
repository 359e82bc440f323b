"""The concept page (Koncepce): every strategy as a tree pillar → component → goal → measure with
counts, the regional strategies beside the national concept, and the links between their goals."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from catalogue.queries import concept, hierarchy
from catalogue.queries.common import InvalidIRI, checked_iri
from web.site import N_, language_of, number, render, translate
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

STRATEGY_PARAMETER = "strategie"

SMALL_TREE = 60
"""A strategy with at most this many concepts opens whole; a bigger one opens its pillars'
components only, so a national concept of hundreds of measures does not fill screens at once."""

COUNT_WORDS: dict[str, tuple[str, str, str]] = {
    "Pillar": (N_("pilíř"), N_("pilíře"), N_("pilířů")),
    "CrossCuttingArea": (N_("průřezová oblast"), N_("průřezové oblasti"), N_("průřezových oblastí")),
    "Component": (N_("komponenta"), N_("komponenty"), N_("komponent")),
    "Goal": (N_("cíl"), N_("cíle"), N_("cílů")),
    "TypeMeasure": (N_("typové opatření"), N_("typová opatření"), N_("typových opatření")),
    "projects": (N_("projekt"), N_("projekty"), N_("projektů")),
    "services": (N_("služba"), N_("služby"), N_("služeb")),
}
"""What is counted, in Czech's three forms: 1 cíl, 2–4 cíle, 0 and 5+ cílů."""

COUNT_ORDER = (*hierarchy.LEVELS, "projects", "services")


def czech_plural(count: int, one: str, few: str, many: str) -> str:
    """The form of a Czech noun that goes with ``count``."""
    if count == 1:
        return one
    if 2 <= count <= 4:
        return few
    return many


def counted(lang: str, what: str, count: int) -> str:
    """``count`` and the word for ``what`` in the form that number takes. English has two forms,
    which the Czech singular and the Czech form for five and more translate to."""
    one, few, many = COUNT_WORDS[what]
    word = czech_plural(count, one, few, many) if lang == "cs" else translate(lang, one if count == 1 else many)
    return f"{number(count, lang=lang)}\u00a0{word}"


def figures(lang: str, counts: Mapping[str, int], *, zeros: bool = False) -> str:
    """The counts as one phrase („2 komponenty, 3 cíle“), in a fixed order; counts of zero are left
    out unless ``zeros``."""
    return ", ".join(
        counted(lang, what, counts.get(what, 0)) for what in COUNT_ORDER if what in counts and (zeros or counts[what])
    )


def _error(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


@router.get("/koncepce")
def concept_page(request: Request) -> HTMLResponse:
    store = site_catalogue(request).store
    lang = language_of(request)
    asked = request.query_params.get(STRATEGY_PARAMETER) or None
    if asked is not None:
        try:
            checked_iri(asked)
        except InvalidIRI:
            return _error(
                request,
                400,
                N_("Neplatná adresa strategie"),
                N_(
                    "Parametr „strategie“ musí být úplná adresa (IRI) strategie z katalogu. "
                    "Vyberte strategii z nabídky na stránce Koncepce."
                ),
            )
    strategies = concept.strategies(store, lang)
    if asked is not None and asked not in {strategy.iri for strategy in strategies}:
        return _error(
            request,
            404,
            N_("Strategie nenalezena"),
            N_("Katalog žádnou strategii s touto adresou nezná. Vyberte strategii z nabídky na stránce Koncepce."),
        )
    found = hierarchy.hierarchy(store, lang, strategy=asked)
    return render(
        request,
        "concept.html",
        {
            "trees": [tree for tree in found.trees if tree.roots],
            "without_hierarchy": [tree.strategy for tree in found.trees if not tree.roots],
            "links": found.links,
            "strategy_options": [(strategy.iri, strategy.label) for strategy in strategies],
            "asked": asked,
            "kinds": concept.class_labels(store, lang),
            "small_tree": SMALL_TREE,
            "figures": lambda counts, zeros=False: figures(lang, counts, zeros=zeros),
        },
    )
