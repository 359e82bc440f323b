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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
BROAD_EVIDENCE = EVIDENCE_WEIGHT["Pillar"]
"""Evidence this light (a pillar's, a cross-cutting area's) only adds to a match; alone it is a weak one."""
EVIDENCE_PER_KIND = 5
"""Only the strongest few pieces of evidence of one kind count, each less than the one before, so
that a thousand realisations with a common word do not outweigh one matching problem."""

WEAK_MATCH = 0.15
"""Results scoring under this share of the best one are noise, not an answer."""

SUPPORTS = "supports"
"""The way of a funding item's reason that it supports one of the answer's measures."""
COMBINED = "synergyWith"
"""The way of a synergy's reason: it is often combined with one of the answer's measures."""

Forms = tuple[str, str]
"""A reason's wording for one resource and for several (``{names}``, or ``{words}`` the problem's own)."""


@dataclass(frozen=True)
class Wording:
    """How the reasons are worded in one language of the site, for the people who read them: the
    catalogue's labels stay as they are (Czech), the words around them follow the asked language.

    Each reason says what a result is to the problem in the result's own terms, without a pronoun of
    the result's gender where the language has them: a service and a measure read the same."""

    direct: dict[str, Forms]
    """The result's own match, by the field that matched (the strongest of ``NAME_FIELDS``, else the
    description), with the problem's words."""
    linked: dict[tuple[str, str], Forms]
    """Evidence lent by linked resources, by the relation and the kind of those resources (``""``:
    any kind the table does not name)."""
    unknown: Forms
    quotes: tuple[str, str]
    conjunction: str
    """Before the last of several names (``a``, ``and``)."""
    others: str
    """After the names shown when there are more (``{count}``: how many in all)."""

    def quoted(self, text: str) -> str:
        return f"{self.quotes[0]}{text}{self.quotes[1]}"

    def listed(self, texts: Sequence[str], total: int | None = None) -> str:
        """``texts`` quoted and joined as a sentence joins them; with ``total`` beyond them, "and others"."""
        quoted = [self.quoted(text) for text in texts]
        if total is not None and total > len(quoted):
            return ", ".join(quoted) + " " + self.others.format(count=total)
        if len(quoted) == 1:
            return quoted[0]
        return ", ".join(quoted[:-1]) + f" {self.conjunction} " + quoted[-1]

    def forms(self, way: str, kind: str) -> Forms:
        if way in self.direct:
            return self.direct[way]
        return self.linked.get((way, kind)) or self.linked.get((way, ""), self.unknown)


WORDINGS = {
    "cs": Wording(
        direct={
            "label": ("Název odpovídá vašemu slovu {words}", "Název odpovídá vašim slovům {words}"),
            "alt": ("Jiný název odpovídá vašemu slovu {words}", "Jiný název odpovídá vašim slovům {words}"),
            "hidden": ("Synonymum odpovídá vašemu slovu {words}", "Synonymum odpovídá vašim slovům {words}"),
            "code": ("Kód odpovídá vašemu zadání {words}", "Kód odpovídá vašemu zadání {words}"),
            "description": ("Popis zmiňuje vaše slovo {words}", "Popis zmiňuje vaše slova {words}"),
        },
        linked={
            ("addressedBy", ""): ("Řeší podobný problém {names}", "Řeší podobné problémy {names}"),
            ("servesMeasure", "SmartService"): ("Naplňuje ho služba {names}", "Naplňují ho služby {names}"),
            ("servesMeasure", "SmartSolution"): ("Naplňuje ho řešení {names}", "Naplňují ho řešení {names}"),
            ("servesMeasure", "Realisation"): ("Naplňuje ho realizace {names}", "Naplňují ho realizace {names}"),
            ("servesMeasure", ""): ("Naplňuje ho {names}", "Naplňují ho {names}"),
            ("realises", ""): ("Už ho uskutečnila realizace {names}", "Už ho uskutečnily realizace {names}"),
            ("partOfSolution", ""): (
                "Naplňuje ho služba {names} jako součást řešení",
                "Naplňují ho služby {names} jako součásti řešení",
            ),
            ("supportsMeasure", "FundingCall"): ("Podporuje ho výzva {names}", "Podporují ho výzvy {names}"),
            ("supportsMeasure", ""): ("Podporuje ho program {names}", "Podporují ho programy {names}"),
            ("callOf", ""): ("Lze na něj čerpat z výzvy {names}", "Lze na něj čerpat z výzev {names}"),
            ("supportsComponent", "FundingCall"): (
                "Jeho komponentu podporuje výzva {names}",
                "Jeho komponentu podporují výzvy {names}",
            ),
            ("supportsComponent", ""): (
                "Jeho komponentu podporuje program {names}",
                "Jeho komponentu podporují programy {names}",
            ),
            ("narrower", "Goal"): ("Patří pod cíl {names}", "Patří pod cíle {names}"),
            ("narrower", "Component"): ("Patří pod komponentu {names}", "Patří pod komponenty {names}"),
            ("narrower", "Pillar"): ("Patří pod pilíř {names}", "Patří pod pilíře {names}"),
            ("narrower", "CrossCuttingArea"): (
                "Patří pod průřezovou oblast {names}",
                "Patří pod průřezové oblasti {names}",
            ),
            ("narrower", ""): ("Patří pod {names}", "Patří pod {names}"),
            ("synergyWith", ""): ("Často se kombinuje s opatřením {names}", "Často se kombinuje s opatřeními {names}"),
            ("relation", "Problem"): ("Souvisí s problémem {names}", "Souvisí s problémy {names}"),
            ("relation", "FundingProgramme"): ("Souvisí s programem {names}", "Souvisí s programy {names}"),
            ("includesService", ""): ("Je součástí řešení {names}", "Je součástí řešení {names}"),
            ("partOfFlagship", ""): ("Patří k němu řešení {names}", "Patří k němu řešení {names}"),
            ("realisesService", ""): ("Už ji zavedla realizace {names}", "Už ji zavedly realizace {names}"),
            (SUPPORTS, ""): ("Podporuje opatření {names}", "Podporuje opatření {names}"),
        },
        unknown=("Souvisí s {names}", "Souvisí s {names}"),
        quotes=("„", "“"),
        conjunction="a",
        others="a další (celkem {count})",
    ),
    "en": Wording(
        direct={
            "label": ("Its name matches your word {words}", "Its name matches your words {words}"),
            "alt": (
                "Another of its names matches your word {words}",
                "Another of its names matches your words {words}",
            ),
            "hidden": ("A synonym matches your word {words}", "A synonym matches your words {words}"),
            "code": ("Its code matches {words}", "Its code matches {words}"),
            "description": (
                "Its description mentions your word {words}",
                "Its description mentions your words {words}",
            ),
        },
        linked={
            ("addressedBy", ""): ("Addresses a similar problem {names}", "Addresses similar problems {names}"),
            ("servesMeasure", "SmartService"): (
                "Fulfilled by the service {names}",
                "Fulfilled by the services {names}",
            ),
            ("servesMeasure", "SmartSolution"): (
                "Fulfilled by the solution {names}",
                "Fulfilled by the solutions {names}",
            ),
            ("servesMeasure", "Realisation"): (
                "Fulfilled by the realisation {names}",
                "Fulfilled by the realisations {names}",
            ),
            ("servesMeasure", ""): ("Fulfilled by {names}", "Fulfilled by {names}"),
            ("realises", ""): (
                "Already carried out by the realisation {names}",
                "Already carried out by the realisations {names}",
            ),
            ("partOfSolution", ""): (
                "Fulfilled by the service {names} as part of a solution",
                "Fulfilled by the services {names} as parts of solutions",
            ),
            ("supportsMeasure", "FundingCall"): ("Supported by the call {names}", "Supported by the calls {names}"),
            ("supportsMeasure", ""): ("Supported by the programme {names}", "Supported by the programmes {names}"),
            ("callOf", ""): ("Funding can come from the call {names}", "Funding can come from the calls {names}"),
            ("supportsComponent", "FundingCall"): (
                "Its component is supported by the call {names}",
                "Its component is supported by the calls {names}",
            ),
            ("supportsComponent", ""): (
                "Its component is supported by the programme {names}",
                "Its component is supported by the programmes {names}",
            ),
            ("narrower", "Goal"): ("Comes under the goal {names}", "Comes under the goals {names}"),
            ("narrower", "Component"): ("Comes under the component {names}", "Comes under the components {names}"),
            ("narrower", "Pillar"): ("Comes under the pillar {names}", "Comes under the pillars {names}"),
            ("narrower", "CrossCuttingArea"): (
                "Comes under the cross-cutting area {names}",
                "Comes under the cross-cutting areas {names}",
            ),
            ("narrower", ""): ("Comes under {names}", "Comes under {names}"),
            ("synergyWith", ""): (
                "Often combined with the measure {names}",
                "Often combined with the measures {names}",
            ),
            ("relation", "Problem"): ("Related to the problem {names}", "Related to the problems {names}"),
            ("relation", "FundingProgramme"): ("Related to the programme {names}", "Related to the programmes {names}"),
            ("includesService", ""): ("Part of the solution {names}", "Part of the solutions {names}"),
            ("partOfFlagship", ""): ("The solution {names} belongs to it", "The solutions {names} belong to it"),
            ("realisesService", ""): (
                "Already put in place by the realisation {names}",
                "Already put in place by the realisations {names}",
            ),
            (SUPPORTS, ""): ("Supports the measure {names}", "Supports the measures {names}"),
        },
        unknown=("Related to {names}", "Related to {names}"),
        quotes=("“", "”"),
        conjunction="and",
        others="and others ({count} in all)",
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
    """Every reason, worded once each, the strongest first."""
    weak: bool = False
    """A weaker match: the answer has no good one, or only descriptions speak for this one."""


@dataclass(frozen=True)
class RankedResource:
    resource: Resource
    score: float
    why: tuple[str, ...]
    weak: bool = False


@dataclass(frozen=True)
class ProblemAnswer:
    text: str
    good_match: bool
    """False when nothing matches the problem well: the lists are then empty rather than noise."""
    weak: bool = False
    """True when no type measure matches the problem well (whatever the filters): all the answer lists
    is then a weaker match, each item marked ``weak``, and the problem is one to send to the curators."""
    measures: tuple[MeasureMatch, ...] = ()
    services: tuple[RankedResource, ...] = ()
    solutions: tuple[RankedResource, ...] = ()
    realisations: tuple[RankedResource, ...] = ()
    funding: tuple[RankedResource, ...] = ()
    problems: tuple[RankedResource, ...] = ()
    goals: tuple[RankedResource, ...] = ()
    synergies: tuple[RankedResource, ...] = ()


SHOWN_NAMES = 2
"""How many linked resources one reason names; the rest it counts ("a další (celkem 5)")."""
REASON_FIELDS = ("label", "alt", "hidden", "code", "description")
"""The fields a direct match is told by, the strongest first: one reason names the strongest only."""


@dataclass(frozen=True)
class _Piece:
    """One piece of a result's score and the reason for it, kept unworded: an answer collects hundreds
    of them, and only those of the results shown are worded.

    ``way`` is the field a direct match was found in, or the relation by which a linked resource of
    ``kind`` lends its evidence; ``names`` are the problem's words (direct) or the linked resource's
    label. ``named``: the match is in a name, not only somewhere in a description."""

    weight: float
    way: str
    kind: str
    names: tuple[str, ...]
    named: bool


@dataclass
class _Score:
    """A result being ranked: its own match and the evidence lent to it, each with its reason."""

    direct: float = 0.0
    evidence: dict[str, list[_Piece]] = field(default_factory=lambda: defaultdict(list))
    reasons: list[_Piece] = field(default_factory=list)

    def total(self) -> float:
        lent = 0.0
        for pieces in self.evidence.values():
            strongest = sorted((piece.weight for piece in pieces), reverse=True)[:EVIDENCE_PER_KIND]
            lent += sum(weight / (rank + 1) for rank, weight in enumerate(strongest))
        return self.direct + lent

    def pieces(self) -> list[_Piece]:
        return self.reasons + [piece for kind in self.evidence.values() for piece in kind]

    def weak(self) -> bool:
        """Whether nothing but descriptions speaks for it: no name of it, nor of a resource linked to
        it, holds the problem's words."""
        return not any(piece.named for piece in self.pieces())

    def why(self, words: Wording) -> tuple[str, ...]:
        """Every reason, worded once each, the strongest first: pieces of one way and kind make one
        reason naming the strongest few of them ("Podporují ho programy „A“, „B“ a další (celkem 4)")."""
        return _worded(self.pieces(), words)


def _worded(pieces: Iterable[_Piece], words: Wording) -> tuple[str, ...]:
    groups: dict[tuple[str, str], list[_Piece]] = defaultdict(list)
    for piece in pieces:
        groups[(piece.way, piece.kind)].append(piece)
    ordered = sorted(groups.values(), key=_strength)
    texts: list[str] = []
    for group in ordered:
        if (text := _reason(group, words)) not in texts:
            texts.append(text)
    return tuple(texts)


def _strength(group: list[_Piece]) -> tuple[bool, float]:
    """A reason from a name before one from a description, then the heavier first."""
    return (not any(piece.named for piece in group), -max(piece.weight for piece in group))


def _reason(group: list[_Piece], words: Wording) -> str:
    first = group[0]
    if first.way in words.direct:
        matched = first.names
        return words.forms(first.way, first.kind)[len(matched) > 1].format(words=words.listed(matched))
    names = list(dict.fromkeys(name for piece in sorted(group, key=_heaviest) for name in piece.names))
    shown = [_short(name) for name in names[:SHOWN_NAMES]]
    forms = words.forms(first.way, first.kind)
    return forms[len(names) > 1].format(names=words.listed(shown, total=len(names)))


def _heaviest(piece: _Piece) -> float:
    return -piece.weight


def _named(hit: Hit) -> bool:
    return bool(hit.namings) or any(name in NAME_FIELDS for name in hit.fields)


def _direct_piece(hit: Hit) -> _Piece:
    """The hit's own match, told by the strongest field it was found in and the problem's words that
    say something (not ``městě``, which every other text holds), or all its words when none does."""
    way = next((name for name in REASON_FIELDS if name in hit.fields), "description")
    return _Piece(hit.score, way, "", hit.specific or hit.matched, _named(hit))


def _evidence_piece(hit: Hit, link: Link) -> _Piece:
    """What ``hit`` lends through ``link``; a pillar or a cross-cutting area holds a third of the concept,
    so its name matching makes none of its measures a good match."""
    weight = EVIDENCE_WEIGHT.get(hit.kind, 0.2)
    return _Piece(weight * hit.score, link.relation, hit.kind, (hit.label,), _named(hit) and weight > BROAD_EVIDENCE)


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
        return ProblemAnswer(text=text, good_match=False, weak=True)

    words = wording(lang)
    measures: dict[str, _Score] = defaultdict(_Score)
    linked: dict[str, dict[str, _Score]] = defaultdict(lambda: defaultdict(_Score))  # kind → iri → score
    labels: dict[str, Resource] = {}
    places: dict[str, tuple[str, ...]] = {}
    for hit in hits:
        labels[hit.iri] = Resource(hit.iri, hit.label, hit.kind, hit.code)
        places[hit.iri] = hit.places
        reason = _direct_piece(hit)
        if hit.kind == "TypeMeasure":
            measures[hit.iri].direct += hit.score
            measures[hit.iri].reasons.append(reason)
        else:
            target = linked[hit.kind][hit.iri]
            target.direct += hit.score
            target.reasons.append(reason)
        for link in hit.links:
            lent = _evidence_piece(hit, link)
            if link.target_kind == "TypeMeasure":
                measures[link.target].evidence[hit.kind].append(lent)
            elif link.target != hit.iri:
                linked[link.target_kind][link.target].evidence[hit.kind].append(lent)

    all_measures = _ranked(measures)
    weak = not any(not measures[iri].weak() for iri, _ in all_measures)
    ranked_measures = _filtered_measures(store, all_measures, filters)[:limit]
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
                _Piece(0.5 * score / best, SUPPORTS, "", (labels[measure_iri].label,), not measures[measure_iri].weak())
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
            RankedResource(labels[iri], round(score, 4), scores[iri].why(words), weak or scores[iri].weak())
            for iri, score in ranked_lists[name]
            if iri in labels
        )

    return ProblemAnswer(
        text=text,
        good_match=True,
        weak=weak,
        measures=tuple(
            MeasureMatch(labels[iri], round(score, 4), measures[iri].why(words), weak or measures[iri].weak())
            for iri, score in ranked_measures
        ),
        services=listed("services"),
        solutions=listed("solutions"),
        realisations=listed("realisations"),
        funding=listed("funding"),
        problems=listed("problems"),
        goals=listed("goals"),
        synergies=_synergies(store, top[:3], set(top), labels, lang, weak),
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
    store: CatalogueStore, measures: list[str], shown: set[str], names: dict[str, Resource], lang: str, weak: bool
) -> tuple[RankedResource, ...]:
    """Measures often combined with ``measures``, among those the answer does not already show; weaker
    matches when the measures are (``weak``)."""
    combined: dict[str, tuple[Resource, int, list[_Piece]]] = {}
    partners = concept.measures_combined_with(store, measures, lang)
    for measure in measures:
        for other, links in partners.get(measure, []):
            if other.iri in shown:
                continue
            resource, total, pieces = combined.get(other.iri, (other, 0, []))
            pieces.append(_Piece(float(links), COMBINED, "", (names[measure].label,), True))
            combined[other.iri] = (resource, total + links, pieces)
    ordered = sorted(combined.values(), key=lambda item: (-item[1], item[0].label))
    words = wording(lang)
    return tuple(
        RankedResource(resource, float(total), _worded(pieces, words), weak) for resource, total, pieces in ordered
    )


WEAKER = " (slabší shoda)"


def render_answer(answer: ProblemAnswer, details: dict[str, MeasureDetail]) -> str:
    """The answer as plain text for a terminal, in Czech."""
    lines = [f"Problém: {answer.text}", ""]
    if not answer.good_match:
        lines.append("Žádná dobrá shoda: katalog zatím nic takového nezná. Zkuste problém popsat jinými slovy.")
        return "\n".join(lines)
    if answer.weak:
        lines.append("Žádná dobrá shoda: žádné typové opatření problém dobře neřeší. Níže je, co se shoduje slaběji.")
    lines.append("Typová opatření" if answer.measures else "Žádné typové opatření neodpovídá; viz řešení níže.")
    for number, match in enumerate(answer.measures, start=1):
        lines.append(f"{number}. {match.measure.label}  [{match.score:.2f}]{WEAKER if match.weak else ''}")
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
            lines.extend(
                f"  - {item.resource.label}{WEAKER if item.weak else ''}  ({item.why[0] if item.why else ''})"
                for item in ranked
            )
    return "\n".join(lines)
