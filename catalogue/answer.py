"""The answer to a municipality's problem: the type measures that address it and why, with what
realises, funds and already did them.

The search index finds the resources whose words match the problem; the graph then carries their
evidence to the measures they are linked to (a problem to the measures that address it, a service
or realisation to the measure it serves, a goal to the measures under it). Every score comes with
the reasons for it, worded in the asked language (Czech or English) for the people who read them.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

from catalogue.errors import InvalidInput
from catalogue.queries import concept
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.queries.concept import Resource
from catalogue.queries.documents import Link
from catalogue.queries.measures import MeasureDetail
from catalogue.search.engine import NAME_FIELDS, Hit, SearchEngine
from catalogue.store import CatalogueStore

MAX_TEXT_LENGTH = 1000
MAX_LIMIT = 50
HITS_CONSIDERED = 100
"""How many search hits feed the ranking: enough for the graph's evidence, few enough to stay fast."""

# How much of a matching resource's relevance flows to the measures it is linked to: a problem that
# the concept answers with a measure says more about that measure than a programme funding it.
EVIDENCE_WEIGHT = {
    "Problem": 0.9,
    "SmartService": 0.7,
    "SmartSolution": 0.6,
    "Goal": 0.5,
    "Realisation": 0.4,
    "Component": 0.3,
    "FundingProgramme": 0.3,
    "FundingCall": 0.3,
    "Pillar": 0.1,
    "CrossCuttingArea": 0.1,
}
EVIDENCE_PER_KIND = 5
"""Only the strongest few pieces of evidence of one kind count, each less than the one before, so
that a thousand realisations with a common word do not outweigh one matching problem."""

WEAK_MATCH = 0.15
"""Results scoring under this share of the best one are noise, not an answer."""

@dataclass(frozen=True)
class Wording:
    """How the reasons are worded in one language of the site: the catalogue's labels stay as they are
    (Czech), the words around them follow the asked language."""

    fields: dict[str, str]
    relations: dict[str, str]
    unknown_relation: str
    quotes: tuple[str, str]
    word: tuple[str, str]
    """The one word and several words (``slovo``, ``slova``), before the words that matched."""
    within: str
    """Before the fields the words were found in (``v``)."""
    more: Callable[[int], str]
    supports: str
    """A funding item's reason: it supports the measure ``{label}``."""
    combined: str
    """A synergy's reason: combined with the measure ``{label}`` ``{links}`` times."""

    def quoted(self, text: str) -> str:
        return f"{self.quotes[0]}{text}{self.quotes[1]}"

    def listed(self, words: Iterable[str]) -> str:
        return ", ".join(self.quoted(word) for word in words)


def _more_cs(count: int) -> str:
    # Czech counts: 1 souvislost, 2–4 souvislosti, 5 and more souvislostí.
    if count == 1:
        return "a 1 další souvislost"
    if 2 <= count <= 4:
        return f"a {count} další souvislosti"
    return f"a {count} dalších souvislostí"


def _more_en(count: int) -> str:
    return f"and {count} more connection{'' if count == 1 else 's'}"


WORDINGS = {
    "cs": Wording(
        fields={
            "label": "názvu",
            "alt": "jiném názvu",
            "hidden": "synonymech",
            "code": "kódu",
            "description": "popisu",
        },
        relations={
            "addressedBy": "řeší ho toto opatření",
            "servesMeasure": "naplňuje toto opatření",
            "realises": "realizuje řešení tohoto opatření",
            "partOfSolution": "je součástí řešení tohoto opatření",
            "supportsMeasure": "podporuje toto opatření",
            "callOf": "je výzvou programu, který opatření podporuje",
            "supportsComponent": "podporuje komponentu tohoto opatření",
            "narrower": "opatření pod ním patří",
            "synergyWith": "se s ním kombinuje",
            "relation": "souvisí s ním",
            "includesService": "obsahuje tuto službu",
            "partOfFlagship": "patří k tomuto vlajkovému projektu",
            "realisesService": "realizuje tuto službu",
        },
        unknown_relation="souvisí s ním",
        quotes=("„", "“"),
        word=("slovo", "slova"),
        within="v",
        more=_more_cs,
        supports="podporuje opatření „{label}“",
        combined="kombinuje se s opatřením „{label}“ ({links}×)",
    ),
    "en": Wording(
        fields={
            "label": "the name",
            "alt": "another name",
            "hidden": "the synonyms",
            "code": "the code",
            "description": "the description",
        },
        relations={
            "addressedBy": "is addressed by this measure",
            "servesMeasure": "fulfils this measure",
            "realises": "realises a solution of this measure",
            "partOfSolution": "is part of a solution of this measure",
            "supportsMeasure": "supports this measure",
            "callOf": "is a call of a programme that supports this measure",
            "supportsComponent": "supports the component of this measure",
            "narrower": "has this measure under it",
            "synergyWith": "is combined with it",
            "relation": "is related to it",
            "includesService": "includes this service",
            "partOfFlagship": "belongs to this flagship project",
            "realisesService": "realises this service",
        },
        unknown_relation="is related to it",
        quotes=("“", "”"),
        word=("the word", "the words"),
        within="in",
        more=_more_en,
        supports="supports the measure “{label}”",
        combined="is combined with the measure “{label}” ({links}×)",
    ),
}
"""The reasons' wording by the site's languages; any other language gets the Czech one."""


def wording(lang: str) -> Wording:
    return WORDINGS.get(lang, WORDINGS["cs"])


class InvalidProblem(InvalidInput, ValueError):
    """The problem text or a filter cannot be answered as given; the message says why, in Czech."""

    code = "INVALID_PROBLEM"


@dataclass(frozen=True)
class AnswerFilters:
    """Narrow the answer: measures of one strategy or pillar, realisations in one place or region
    (a region includes its towns), funding open to one type of applicant (all IRIs)."""

    strategy: str | None = None
    pillar: str | None = None
    place: str | None = None
    applicant_type: str | None = None


@dataclass(frozen=True)
class MeasureMatch:
    measure: Resource
    score: float
    why: tuple[str, ...]


@dataclass(frozen=True)
class RankedResource:
    resource: Resource
    score: float
    why: tuple[str, ...]


@dataclass(frozen=True)
class ProblemAnswer:
    text: str
    good_match: bool
    """False when nothing matches the problem well: the lists are then empty rather than noise."""
    measures: tuple[MeasureMatch, ...] = ()
    services: tuple[RankedResource, ...] = ()
    solutions: tuple[RankedResource, ...] = ()
    realisations: tuple[RankedResource, ...] = ()
    funding: tuple[RankedResource, ...] = ()
    problems: tuple[RankedResource, ...] = ()
    goals: tuple[RankedResource, ...] = ()
    synergies: tuple[RankedResource, ...] = ()


SHOWN_REASONS = 5

Reason = Callable[[], str]
"""A reason, worded only if it is shown: most of the hundreds an answer collects never are."""


@dataclass
class _Score:
    """A result being ranked: its own match and the evidence lent to it, each with its reason."""

    direct: float = 0.0
    evidence: dict[str, list[tuple[float, Reason]]] = field(default_factory=lambda: defaultdict(list))
    reasons: list[tuple[float, Reason]] = field(default_factory=list)

    def total(self) -> float:
        lent = 0.0
        for pieces in self.evidence.values():
            strongest = sorted((weight for weight, _ in pieces), reverse=True)[:EVIDENCE_PER_KIND]
            lent += sum(weight / (rank + 1) for rank, weight in enumerate(strongest))
        return self.direct + lent

    def why(self, words: Wording) -> tuple[str, ...]:
        """The strongest reasons, worded, and how many more there are."""
        pieces = sorted(self.reasons + [piece for kind in self.evidence.values() for piece in kind], key=_weight)
        shown: list[str] = []
        used = 0
        for _, reason in pieces:
            if len(shown) == SHOWN_REASONS:
                break
            used += 1
            if (text := reason()) not in shown:
                shown.append(text)
        if len(pieces) > used:
            shown.append(words.more(len(pieces) - used))
        return tuple(shown)


def _weight(piece: tuple[float, Reason]) -> float:
    return -piece[0]


def _direct_reason(hit: Hit, words: Wording) -> str:
    places = ", ".join(dict.fromkeys(words.fields.get(name, name) for name in hit.fields))
    return f"{words.word[len(hit.matched) > 1]} {words.listed(hit.matched)} {words.within} {places}"


def _evidence_reason(hit: Hit, link: Link, kind_names: dict[str, str], words: Wording) -> str:
    return (
        f"{kind_names.get(hit.kind, hit.kind)} {words.quoted(hit.label)} ({words.listed(hit.matched)}) "
        f"{words.relations.get(link.relation, words.unknown_relation)}"
    )


def _supports_reason(measure: Resource, words: Wording) -> str:
    return words.supports.format(label=_short(measure.label))


def _checked_text(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidProblem("Popište problém: text je prázdný.")
    if len(cleaned) > MAX_TEXT_LENGTH:
        raise InvalidProblem(
            f"Popis problému je příliš dlouhý ({len(cleaned)} znaků); zkraťte ho na nejvýše {MAX_TEXT_LENGTH} znaků."
        )
    return cleaned


def _checked_filters(filters: AnswerFilters) -> AnswerFilters:
    for name, value in dataclasses.asdict(filters).items():
        if value is not None:
            try:
                checked_iri(value)
            except InvalidIRI as error:
                raise InvalidProblem(f"Filtr {name}: „{value}“ není platné IRI.") from error
    return filters


def _checked_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidProblem(f"Počet výsledků musí být od 1 do {MAX_LIMIT}, ne {limit}.")
    return limit


QUERY_SHARE = 0.5
"""A hit speaks to the problem when its words hold at least this part of the problem's specificity."""
MEETING_WORDS = 2
"""A hit in which this many of the problem's words meet, none generic, is about what the problem says,"""
MEETING_SHARE = QUERY_SHARE / 2
"""… when they hold at least this part of the problem's specificity: two words of a long paragraph meet
somewhere by chance, so they count for half of what a hit holding half the problem counts for."""


def _relevant(hits: Sequence[Hit]) -> list[Hit]:
    """The hits that answer the problem rather than share a word with it by chance.

    A hit counts only by a word that is not generic (``město``, ``využití`` are in every other text).
    When the problem names something the catalogue holds (most of one of its names: ``parkování``,
    ``solární panely``, ``brownfieldy``), those words say what the problem is about. A hit it does not
    name then counts only if several of the problem's words meet in it, if its names hold all the words
    by which the problem named something (``brownfieldů`` in the parts of NPO 2.8), or if its names
    hold another word at least as specific as the naming ones (``emisí`` beside ``dopravy``): one word of a
    name that the problem named only together with another is another thing (``střední`` of small and
    medium firms beside ``střední školy``), so is a less specific word in someone else's name
    (``centru`` of a coworking centre beside ``parkování``), and one word in a description is what every
    unrelated text shares. The hits left out neither show nor lend weight to what they are linked to."""
    namings = {naming for hit in hits for naming in hit.namings}
    naming_words = set().union(*namings)
    naming = max((hit.naming for hit in hits), default=0.0)

    def counts(hit: Hit) -> bool:
        in_names = dict(hit.in_names)
        return (
            bool(hit.namings)
            or len(hit.specific) >= MEETING_WORDS
            or any(words <= in_names.keys() for words in namings)
            or any(weight >= naming for word, weight in in_names.items() if word not in naming_words)
        )

    return [hit for hit in hits if hit.specific and (not namings or counts(hit))]


def _is_good_match(hits: Sequence[Hit], unmatched: Sequence[str]) -> bool:
    """Whether the relevant hits answer the problem: one is named by it, holds half of what it says (each
    word weighed by its specificity), holds several of its words that make a quarter of it, or has one
    of its words in a name while the catalogue knows every word of the problem. A problem with words
    the catalogue has never seen is about something it does not hold (``vánočních trhů``, ``hasiči …
    cisternu``) unless it names or covers something it does: one known word of it in a name (``trhů``
    of the labour market) is a coincidence, not an answer."""
    return any(
        hit.namings
        or hit.share >= QUERY_SHARE
        or (len(hit.specific) >= MEETING_WORDS and hit.share >= MEETING_SHARE)
        or (not unmatched and any(name in NAME_FIELDS for name in hit.fields))
        for hit in hits
    )


def answer_problem(
    store: CatalogueStore,
    index: SearchEngine,
    text: str,
    *,
    filters: AnswerFilters | None = None,
    limit: int = 10,
    lang: str = "cs",
) -> ProblemAnswer:
    """The ranked answer to the problem described in ``text`` (1–1,000 characters)."""
    text = _checked_text(text)
    limit = _checked_limit(limit)
    filters = _checked_filters(filters or AnswerFilters())
    found = index.find(text, limit=HITS_CONSIDERED)
    hits = _relevant(found.hits)
    if not _is_good_match(hits, found.unmatched):
        return ProblemAnswer(text=text, good_match=False)

    kind_names = concept.class_labels(store, lang)  # how the reasons name a linked resource's kind
    words = wording(lang)
    measures: dict[str, _Score] = defaultdict(_Score)
    linked: dict[str, dict[str, _Score]] = defaultdict(lambda: defaultdict(_Score))  # kind → iri → score
    labels: dict[str, Resource] = {}
    places: dict[str, tuple[str, ...]] = {}
    for hit in hits:
        labels[hit.iri] = Resource(hit.iri, hit.label, hit.kind, hit.code)
        places[hit.iri] = hit.places
        reason = partial(_direct_reason, hit, words)
        if hit.kind == "TypeMeasure":
            measures[hit.iri].direct += hit.score
            measures[hit.iri].reasons.append((hit.score, reason))
        else:
            target = linked[hit.kind][hit.iri]
            target.direct += hit.score
            target.reasons.append((hit.score, reason))
        for link in hit.links:
            lent = (
                EVIDENCE_WEIGHT.get(hit.kind, 0.2) * hit.score,
                partial(_evidence_reason, hit, link, kind_names, words),
            )
            if link.target_kind == "TypeMeasure":
                measures[link.target].evidence[hit.kind].append(lent)
            elif link.target != hit.iri:
                linked[link.target_kind][link.target].evidence[hit.kind].append(lent)

    ranked_measures = _filtered_measures(store, _ranked(measures), filters)[:limit]
    top = [iri for iri, _ in ranked_measures]
    labels.update(concept.resources(store, [iri for iri in top if iri not in labels], lang))

    # Funding of the best measures belongs to the answer even when its own words do not match.
    funding_scores = {**linked["FundingProgramme"], **linked["FundingCall"]}
    best = ranked_measures[0][1] if ranked_measures else 1.0
    funding_of = concept.funding_of_measures(store, top, lang)
    for measure_iri, score in ranked_measures:
        for funding_link in funding_of.get(measure_iri, []):
            labels.setdefault(funding_link.funding.iri, funding_link.funding)
            funding_scores.setdefault(funding_link.funding.iri, _Score()).evidence["TypeMeasure"].append(
                (0.5 * score / best, partial(_supports_reason, labels[measure_iri], words))
            )
    if filters.applicant_type:
        open_to = concept.eligible_applicants(store, list(funding_scores))
        funding_scores = {
            iri: score for iri, score in funding_scores.items() if filters.applicant_type in open_to.get(iri, ())
        }

    lists = {
        "services": (linked["SmartService"], False),
        "solutions": (linked["SmartSolution"], True),
        "realisations": (linked["Realisation"], True),
        "funding": (funding_scores, False),
        "problems": (linked["Problem"], False),
        "goals": (linked["Goal"], False),
    }
    ranked_lists = {
        name: [
            (iri, score)
            for iri, score in _ranked(scores)
            if not (filtered_by_place and filters.place) or filters.place in places.get(iri, ())
        ][:limit]
        for name, (scores, filtered_by_place) in lists.items()
    }
    # Labels are fetched only for what the answer shows: a linked solution or realisation that is not a
    # search hit itself, among the first ``limit`` of its list.
    unlabelled = [iri for ranked in ranked_lists.values() for iri, _ in ranked if iri not in labels]
    labels.update(concept.resources(store, unlabelled, lang))

    def listed(name: str) -> tuple[RankedResource, ...]:
        scores = lists[name][0]
        return tuple(
            RankedResource(labels[iri], round(score, 4), scores[iri].why(words))
            for iri, score in ranked_lists[name]
            if iri in labels
        )

    return ProblemAnswer(
        text=text,
        good_match=True,
        measures=tuple(
            MeasureMatch(labels[iri], round(score, 4), measures[iri].why(words)) for iri, score in ranked_measures
        ),
        services=listed("services"),
        solutions=listed("solutions"),
        realisations=listed("realisations"),
        funding=listed("funding"),
        problems=listed("problems"),
        goals=listed("goals"),
        synergies=_synergies(store, top[:3], set(top), labels, lang),
    )


def _short(label: str, words: int = 8) -> str:
    parts = label.split()
    return label if len(parts) <= words else " ".join(parts[:words]) + " …"


def _ranked(scores: dict[str, _Score]) -> list[tuple[str, float]]:
    totals = sorted(((iri, score.total()) for iri, score in scores.items()), key=lambda item: (-item[1], item[0]))
    if not totals:
        return []
    floor = totals[0][1] * WEAK_MATCH
    return [(iri, total) for iri, total in totals if total >= floor and total > 0]


def _filtered_measures(
    store: CatalogueStore, ranked: list[tuple[str, float]], filters: AnswerFilters
) -> list[tuple[str, float]]:
    if not (filters.pillar or filters.strategy) or not ranked:
        return ranked
    iris = [iri for iri, _ in ranked]
    if filters.pillar:
        pillars = concept.pillars_of_measures(store, iris)
        ranked = [(iri, score) for iri, score in ranked if any(p.iri == filters.pillar for p in pillars.get(iri, []))]
    if filters.strategy:
        schemes = concept.schemes_of(store, [iri for iri, _ in ranked])
        ranked = [(iri, score) for iri, score in ranked if filters.strategy in schemes.get(iri, ())]
    return ranked


def _synergies(
    store: CatalogueStore, measures: list[str], shown: set[str], names: dict[str, Resource], lang: str
) -> tuple[RankedResource, ...]:
    """Measures often combined with ``measures``, among those the answer does not already show."""
    combined: dict[str, tuple[Resource, int, list[str]]] = {}
    partners = concept.measures_combined_with(store, measures, lang)
    for measure in measures:
        for other, links in partners.get(measure, []):
            if other.iri in shown:
                continue
            resource, total, reasons = combined.get(other.iri, (other, 0, []))
            reasons.append(wording(lang).combined.format(label=_short(names[measure].label), links=links))
            combined[other.iri] = (resource, total + links, reasons)
    ordered = sorted(combined.values(), key=lambda item: (-item[1], item[0].label))
    return tuple(RankedResource(resource, float(total), tuple(reasons)) for resource, total, reasons in ordered)


def render_answer(answer: ProblemAnswer, details: dict[str, MeasureDetail]) -> str:
    """The answer as plain text for a terminal, in Czech."""
    lines = [f"Problém: {answer.text}", ""]
    if not answer.good_match:
        lines.append("Žádná dobrá shoda: katalog zatím nic takového nezná. Zkuste problém popsat jinými slovy.")
        return "\n".join(lines)
    lines.append("Typová opatření" if answer.measures else "Žádné typové opatření neodpovídá; viz řešení níže.")
    for number, match in enumerate(answer.measures, start=1):
        lines.append(f"{number}. {match.measure.label}  [{match.score:.2f}]")
        lines.extend(f"     proč: {reason}" for reason in match.why)
        detail = details.get(match.measure.iri)
        if detail is None:
            continue
        for path in detail.paths:
            steps = [step.label for step in (path.goal, path.component, path.pillar) if step is not None]
            lines.append("     cíl → komponenta → pilíř: " + " → ".join(steps))
        for title, items in (
            ("financování", [link.funding.label for link in detail.funding]),
            ("služby", [service.label for service in detail.services]),
            ("realizace", [done.label for done in detail.realisations]),
            ("indikátory", [indicator.label for indicator in detail.indicators]),
        ):
            if items:
                lines.append(f"     {title}: " + "; ".join(items))
    for title, ranked in (
        ("Chytré služby", answer.services),
        ("Chytrá řešení a projekty", answer.solutions),
        ("Realizace", answer.realisations),
        ("Financování", answer.funding),
        ("Podobné problémy", answer.problems),
        ("Často se kombinuje s", answer.synergies),
    ):
        if ranked:
            lines.extend(["", title])
            lines.extend(f"  - {item.resource.label}  ({item.why[0]})" for item in ranked)
    return "\n".join(lines)
