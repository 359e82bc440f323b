"""The guide ("Návod") and the accessibility statement: the site's two pages of prose.

The guide follows the talk that introduced the catalogue (seed 004, Walletzký): its own list of what a
guide must say, and its brownfield example, step by step from the problem to the project. Each step
quotes the talk and links the page of this site that does the step. The quotes are kept here, not in
the template, so that a test can find every one of them in the seed text.

Both pages send their visitors to the curators through the answer page's proposal form, the one way
to reach them: it appears when the catalogue finds no good match, so the links describe a problem the
catalogue has no answer for (a test keeps them so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from web.site import N_, language_of, render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Source:
    """Where the guide's steps come from: a talk kept as a seed document."""

    seed_file: str
    title: str
    author: str
    event: str


SOURCE = Source(
    seed_file="004_a5790c3893364729.txt",
    title="Katalog chytrých služeb jako součást implementace SMART koncepce",
    author="Ing. Leonard Walletzký, Ph.D.",
    event=N_("20. jednání Pracovní skupiny pro Smart Cities při MMR, 5. 8. 2021"),
)


PROPOSAL_FORM = "navrh-nadpis"
"""The id of the proposal form's heading on the answer page (web/templates/answer.html)."""


def answer_url(problem: str, fragment: str = "") -> str:
    """The answer page for ``problem``, scrolled to ``fragment`` when one is given."""
    return "/odpoved?" + urlencode({"problem": problem}) + (f"#{fragment}" if fragment else "")


EXAMPLE_PROBLEM = "Město má na svém území mnoho brownfieldů a chce řešit jejich využití"
"""The talk's worked example, word for word."""

NO_MATCH_PROBLEM = "Chceme opravit kostel"
"""A problem the catalogue has no measure for: its answer shows the proposal form."""

ACCESSIBILITY_FEEDBACK = "Připomínka k přístupnosti stránek"
"""What an accessibility report says; the catalogue matches nothing to it, so its answer page offers the
proposal form, which reaches the curators."""


@dataclass(frozen=True)
class Link:
    path: str
    label: str


@dataclass(frozen=True)
class Term:
    """One of the three notions the catalogue rests on, with the talk's own definition."""

    name: str
    quote: str
    explanation: str


@dataclass(frozen=True)
class Step:
    """One step of building a project: the talk's words for it, what to do here, and where."""

    anchor: str
    title: str
    quote: str
    paragraphs: tuple[str, ...]
    links: tuple[Link, ...]
    items: tuple[str, ...] = ()
    """A list the talk gives for this step, in its words."""


TERMS = (
    Term(
        N_("Typová opatření"),
        N_("Představuje základní nástroj pro ovlivňování projektů (pomocí financí)"),
        N_(
            "Jsou součástí koncepce Smart Cities a byla konzultována se všemi dotčenými ministerstvy. Podporují je "
            "ministerstva a mohou být navázána na finanční zdroje."
        ),
    ),
    Term(
        N_("Chytrá řešení"),
        N_("Ekvivalent konkrétních projektů a aktivit"),
        N_(
            "Definují je samosprávy: kraje, obce, města nebo MAS, podle svých specifik a potřeb. Příkladem je chytrá "
            "ulice nebo chytrá doprava. Váš projekt je chytré řešení."
        ),
    ),
    Term(
        N_("Chytré služby"),
        N_("Konkrétní součást chytrého projektu"),
        N_(
            "Například chytrá navigace nebo chytré popelnice. Služba naplňuje konkrétní typové opatření a musí "
            "obsahovat i specifické indikátory úspěšnosti."
        ),
    ),
)

STEPS = (
    Step(
        anchor="problem",
        title=N_("Popište problém své obce"),
        quote=N_("Problém: Město má na svém území mnoho brownfieldů a chce řešit jejich využití"),
        paragraphs=(
            N_(
                "Prezentace začíná problémem města, ne technologií. Popište vlastními slovy, co vaše obec řeší. "
                "Katalog k tomu najde typová opatření koncepce Smart Cities, cíle a pilíře, kterým slouží, "
                "financování, chytré služby a místa, kde už to udělali."
            ),
        ),
        links=(Link("/", N_("Popsat problém na úvodní stránce")),),
    ),
    Step(
        anchor="opatreni",
        title=N_("Najděte odpovídající cíl a nejvhodnější typové opatření"),
        quote=N_("Co o brownfieldech říkají typová opatření SMART koncepce?"),
        paragraphs=(
            N_(
                "Typová opatření jsou nástrojem, kterým stát ovlivňuje projekty pomocí financí; projekt proto stavějte "
                "na nich. U každého opatření v odpovědi vidíte cestu cíl → komponenta → pilíř a proč bylo nalezeno."
            ),
            N_(
                "Jeden problém často řeší opatření z více pilířů. Na brownfieldy v prezentaci odpovídají tři typová "
                "opatření ve třech pilířích: Lokální ekonomika, Prostředí pro život a Lidé a komunity."
            ),
        ),
        links=(
            Link(answer_url(EXAMPLE_PROBLEM), N_("Vyzkoušet příklad s brownfieldy")),
            Link("/koncepce", N_("Procházet koncepci podle pilířů")),
        ),
    ),
    Step(
        anchor="zpo",
        title=N_("Přidejte opatření ze zastřešující průřezové oblasti"),
        quote=N_("Jeho součástí je i naplnění typového opatření ze zastřešující průřezové oblasti (SMART komponenty)"),
        paragraphs=(
            N_(
                "Konkrétní realizace je vždy kombinací odpovídajících typových opatření. Patří k ní i opatření "
                "zastřešující průřezové oblasti (ZPO), například z digitální veřejné správy. V koncepci má ZPO "
                "vlastní větev."
            ),
        ),
        links=(Link("/koncepce", N_("Najít zastřešující průřezovou oblast v koncepci")),),
    ),
    Step(
        anchor="katalog",
        title=N_("Co hledat v katalogu služeb"),
        quote=N_("Co hledat v katalogu služeb"),
        paragraphs=(N_("Ke každému typovému opatření vám katalog podle prezentace nabídne:"),),
        links=(Link("/dobra-praxe", N_("Prohlédnout dobrou praxi: kde už to udělali")),),
        items=(
            N_("Informace o již použitých řešeních daného problému"),
            N_("Informace o možných synergických efektech"),
            N_("Obecný popis řešení, vycházejících z typových opatření"),
            N_("Navržené indikátory dle typových opatření"),
        ),
    ),
    Step(
        anchor="sluzby",
        title=N_("Jak hledat jednotlivé komponenty (služby)"),
        quote=N_("Jak hledat jednotlivé komponenty (služby)"),
        paragraphs=(
            N_(
                "Otevřete typové opatření z odpovědi. Na jeho stránce najdete chytré služby, které ho naplňují, "
                "a místa, kde je už zavedli. Popis služby má obecnou část, společnou všem takovým řešením, "
                "a specifickou část, která odpovídá jen konkrétní realizaci."
            ),
            N_("Tlačítkem „Přidat do projektu“ si službu nebo opatření vložíte do svého projektu."),
        ),
        links=(Link("/projekt", N_("Zobrazit vybrané služby v projektu")),),
    ),
    Step(
        anchor="financovani",
        title=N_("Najděte finanční podporu typových opatření"),
        quote=N_("Finanční podpora typových opatření"),
        paragraphs=(
            N_(
                "Každé ministerstvo má definovat svá prioritní typová opatření a způsob jejich podpory. Stránka "
                "financování ukazuje programy a výzvy, které opatření podporují, s filtry podle poskytovatele, stavu, "
                "typu žadatele a částky."
            ),
            N_(
                "Brownfieldy například podporuje Národní plán obnovy, komponenta 2.8 Regenerace území se starou "
                "stavební zátěží (brownfieldů), s alokací 3,3 mld. Kč."
            ),
        ),
        links=(Link("/financovani", N_("Najít programy a výzvy")),),
    ),
    Step(
        anchor="projekt",
        title=N_("Jak vytvořit projekt"),
        quote=N_(
            "Chytrý projekt tak obsahuje více služeb, které jednak naplňují jednotlivá typová opatření a zároveň "
            "synergicky přispívají k efektu celého projektu"
        ),
        paragraphs=(
            N_(
                "Je žádoucí, aby projekt obsahoval více služeb: podpoří tak více typových opatření a naplní kritérium "
                "multidisciplinárních projektů."
            ),
            N_(
                "Sestavení projektu ukáže, která opatření, cíle a pilíře projekt pokrývá, zda zahrnuje zastřešující "
                "průřezovou oblast, které financování se hodí na celou kombinaci a jaké indikátory budete vykazovat. "
                "Projekt můžete vytisknout nebo stáhnout jako CSV či JSON."
            ),
        ),
        links=(Link("/projekt", N_("Sestavit projekt z vybraných služeb")),),
    ),
    Step(
        anchor="navrh",
        title=N_("Co dělat, pokud nenajdu odpověď na svůj požadavek"),
        quote=N_("Co dělat, pokud nenajdu odpověď na svůj požadavek"),
        paragraphs=(
            N_(
                "Zkuste problém popsat jinými slovy nebo obecněji, zrušte filtry, případně projděte koncepci podle "
                "pilířů."
            ),
            N_(
                "Když katalog dobrou shodu nenajde, nabídne stránka odpovědi formulář pro návrh. Napište, co "
                "hledáte, a připojte kontakt: návrh dostanou kurátoři katalogu. Navrhovat opatření do katalogu "
                "služeb patří k úkolům Pracovní skupiny pro Smart Cities a ministerstva tak dostávají rychlou "
                "zpětnou vazbu o tom, co obce potřebují."
            ),
        ),
        links=(
            Link("/", N_("Popsat problém jinými slovy")),
            Link(
                answer_url(NO_MATCH_PROBLEM, PROPOSAL_FORM),
                N_("Ukázka odpovědi bez dobré shody s formulářem pro návrh"),
            ),
        ),
    ),
)

STATEMENT_DATE = date(2026, 11, 23)


def written_date(day: date, lang: str) -> str:
    """A date as a Czech reader (23. 11. 2026) or an English one (23 November 2026) writes it."""
    if lang == "cs":
        return f"{day.day}. {day.month}. {day.year}"
    # %B names the month in LC_TIME's language, which Python leaves at "C" (English) unless told otherwise.
    return f"{day.day} {day:%B %Y}"


@router.get("/navod")
def guide(request: Request) -> HTMLResponse:
    return render(request, "guide.html", {"source": SOURCE, "terms": TERMS, "steps": STEPS})


@router.get("/pristupnost")
def accessibility(request: Request) -> HTMLResponse:
    return render(
        request,
        "accessibility.html",
        {
            "statement_date": STATEMENT_DATE,
            "statement_date_text": written_date(STATEMENT_DATE, language_of(request)),
            "feedback_url": answer_url(ACCESSIBILITY_FEEDBACK, PROPOSAL_FORM),
        },
    )
