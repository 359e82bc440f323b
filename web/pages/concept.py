"""The concept page (Koncepce): every strategy as a tree pillar → component → goal → measure with
counts, the regional strategies beside the national concept, and the links between their goals."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from catalogue.queries import concept, hierarchy
from catalogue.queries.common import InvalidIRI, checked_iri
from web.site import N_, language_of, number, plural, render
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

STRATEGY_PARAMETER = "strategie"

SMALL_TREE = 60
"""A strategy with at most this many concepts opens whole; a bigger one opens its pillars'
components only, so a national concept of hundreds of measures does not fill screens at once."""

COUNT_WORDS: dict[str, tuple[str, str]] = {
    "Pillar": ("pilíř", "pilířů"),
    "CrossCuttingArea": ("průřezová oblast", "průřezových oblastí"),
    "Component": ("komponenta", "komponent"),
    "Goal": ("cíl", "cílů"),
    "TypeMeasure": ("typové opatření", "typových opatření"),
    "projects": ("projekt", "projektů"),
    "services": ("služba", "služeb"),
}
"""What is counted: the Czech forms for one and for five and more (the plural tables of
``web/locale/concept.toml`` hold the rest)."""

COUNT_ORDER = (*hierarchy.LEVELS, "projects", "services")


def counted(lang: str, what: str, count: int) -> str:
    """``count`` and the word for ``what`` in the form that number takes in ``lang``."""
    one, many = COUNT_WORDS[what]
    return f"{number(count, lang=lang)}\u00a0{plural(lang, one, many, count)}"


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
