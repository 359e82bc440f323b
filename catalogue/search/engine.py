"""What every search engine shares: the interface, the index's fields and weights, the query plan, hits.

An engine (whoosh or tantivy) only stores and retrieves terms. Everything that decides *what* matches
is here and in :mod:`catalogue.search.analysis`, written once:

- a document becomes terms per field (:func:`prepare`), analysed in Python;
- a query becomes a :class:`QueryPlan`: weighted term clauses per field, in three tiers —
  the word's own terms (its stem or lemma), then index terms sharing its prefix (``parkovan`` and
  ``parkovak`` share ``parkov``: this is what links ``parkování`` with ``parkovací``), then, for a word
  no field knows, index terms within edit distance 1 (words of 4–7 letters) or 2 (longer): typos;
- a hit's explanation (which of the query's words matched it, in which fields) is read from the terms
  stored with the document, so both engines explain alike;
- each query word weighs what it says about the catalogue: its *specificity* is its inverse document
  frequency over the catalogue's documents, ln(N / df), read from the index itself (a field of every
  document's terms, :data:`ANY_FIELD`, so it follows every build and update), and a word found in
  8 % of the catalogue or more is *generic* (``město``, ``využití``). A hit reports how much of the
  query's specificity its words hold, which of them are not generic, and by which words the query
  names it (holds most of one of its names): what the answer needs to tell an answer from noise
  (:mod:`catalogue.answer`).

Scores are the engine's BM25 with each clause boosted by field weight × tier weight: a label counts more
than an alternative label or code, than a hidden label, than a description; an exact term more than a
prefix, more than a typo.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import ClassVar, Protocol

from catalogue.errors import CatalogueError
from catalogue.queries.documents import SEARCHABLE_KINDS, Link, SearchDocument
from catalogue.search.analysis import Analyzer, QueryWord, words

FIELD_WEIGHTS: dict[str, float] = {"label": 3.0, "alt": 2.5, "code": 2.5, "hidden": 2.0, "description": 1.5}
"""The searchable fields of a document and how much a match in each counts. The steps are small on
purpose: on the relevance set, steeper weights (label 4, description 0.6) let one common word in a
short label outrank a description that matches most of the query (MRR 0.76 against 0.82)."""
FIELDS = tuple(FIELD_WEIGHTS)
NAME_FIELDS = ("label", "alt", "hidden", "code")
"""The fields that name a document, as against describing it."""
ANY_FIELD = "any"
"""A field holding every distinct term of a document, which no query searches: its document frequency
of a term is the term's over the whole catalogue, kept by the engine through every build and update (a
replaced or deleted document may count until the engine merges its segments, as in any inverted index)."""

EXACT, PREFIX, FUZZY = 1.0, 0.6, 0.4
"""Tier weights: a word's own term, a term sharing its prefix, a term within its edit distance."""

MIN_PREFIX = 4
"""Prefix matching starts at terms longer than this, and a prefix is never shorter."""
PREFIX_CUT = 2
"""A term's prefix is the term less this many letters: ``parkovan``/``parkovak`` → ``parkov``."""
TIE_BREAK = 0.2
"""How much a word's matches besides its best one add to a document's score."""
MAX_EXPANSIONS = 32
"""Most index terms one prefix or typo may stand for (those closest in length win)."""
NAME_SHARE = 0.5
"""A query names a document when it holds more than this part of the words of one of its names."""
GENERIC_SHARE = 0.08
"""A word in at least this share of the catalogue's documents is generic: it names what much of the
catalogue is about, so it tells nothing about what a problem is. Measured on the catalogue of 207
documents: ``kraj`` 23 %, ``město`` 22 %, ``projekt`` 14 %, ``data`` 12 %, ``chytrý`` 8.2 %,
``využití`` 9.2 % are generic; ``služba`` 7.7 %, ``doprava`` 6.8 %, ``koncepce`` 5.8 %, ``brownfield``
3.9 %, ``FVE`` 3.4 % are not. The frequencies fall smoothly, so the cut is a choice: it keeps the
catalogue's own boilerplate (region, town, project, support, system, smart, use) from carrying a
match, and leaves every subject word of the relevance set specific."""

DOCUMENT_FORMAT = 2
"""Raised whenever :func:`prepare` stores something new with a document (2: its names word by word and
:data:`ANY_FIELD`), so that an index holding documents of an older format is rebuilt, not read wrongly."""

META_FILE = "katalog-index.json"
DIGESTS_FILE = "katalog-digests.json"
"""Beside the meta: the digest of every document the index holds, by IRI (see :meth:`SearchEngine.update`)."""
PENDING_FILE = "katalog-pending.json"
"""Beside the meta while documents are being written: their IRIs, which the digests do not vouch for."""
DATA_FOLDER = "data"


class SearchError(CatalogueError):
    """The search index cannot be used as asked; the message says why and what to do (to the operator)."""

    code = "SEARCH_UNAVAILABLE"
    status = 503
    generic_message = "Vyhledávací index nelze právě použít; správce jej obnoví příkazem `katalog reindex`."


@dataclass(frozen=True)
class Hit:
    """One search result. ``matched`` are the query's words (as typed) that matched it, ``fields`` where."""

    iri: str
    kind: str
    label: str
    score: float
    matched: tuple[str, ...]
    fields: tuple[str, ...]
    links: tuple[Link, ...]
    places: tuple[str, ...]
    code: str | None = None
    share: float = 0.0
    """The part of the query's specificity held by the words that matched (0–1)."""
    specific: tuple[str, ...] = ()
    """The words of :attr:`matched` that are not generic (see :data:`GENERIC_SHARE`)."""
    in_names: tuple[tuple[str, float], ...] = ()
    """The words of :attr:`specific` that one of its names (label, other label, code) holds, each with
    its specificity."""
    namings: tuple[frozenset[str], ...] = ()
    """Per name of the document (label, other label, code) of which the query holds more than
    :data:`NAME_SHARE`, the query's words, not generic, that it holds: the query names the document by
    each of these sets."""
    naming: float = 0.0
    """The specificity of the most specific word of :attr:`namings` (0 when there is none)."""


@dataclass(frozen=True)
class Found:
    """What a search found, and the words of the query (as typed) that nothing in the index matches."""

    hits: list[Hit]
    unmatched: tuple[str, ...]


@dataclass(frozen=True)
class IndexedDocument:
    """A document as an engine writes it: its terms per field (:data:`FIELDS` and :data:`ANY_FIELD`) and a
    stored JSON payload."""

    iri: str
    kind: str
    terms: dict[str, list[str]]
    payload: str


def document_digest(document: SearchDocument) -> str:
    """A hash that changes exactly when the document does. What the index holds of a document is
    :func:`prepare`'s work on it under the analysis the meta names, so the document's own fields
    decide it; their dataclass representation names every field and value, and hashing it costs a tenth
    of analysing the texts again (8 against 80 µs a document)."""
    return hashlib.sha256(repr(document).encode("utf-8")).hexdigest()


def prepare(document: SearchDocument, analyzer: Analyzer) -> IndexedDocument:
    """Analyse a document's texts into terms per field, and pack what a hit needs into its payload."""
    texts = {
        "label": [document.label],
        "alt": document.alt_labels,
        "hidden": document.hidden_labels,
        "code": [document.code] if document.code else [],
        "description": [document.description] if document.description else [],
    }
    terms = {field: [term for text in texts[field] for term in analyzer.terms(text)] for field in FIELDS}
    every = sorted({term for values in terms.values() for term in values})
    # Each name as its words, each word as its terms: what part of a name a query holds is counted in words.
    names = [
        [field, [list(analyzer.terms_of_word(word)) for word in words(text)]]
        for field in NAME_FIELDS
        for text in texts[field]
    ]
    payload = {
        "iri": document.iri,
        "kind": document.kind,
        "label": document.label,
        "code": document.code,
        "links": [[link.target, link.target_kind, link.relation] for link in document.links],
        "places": document.places,
        # The distinct terms per field, to explain a hit without analysing its texts again.
        "terms": {field: sorted(set(values)) for field, values in terms.items() if values},
        "names": [name for name in names if name[1]],
    }
    return IndexedDocument(
        document.iri, document.kind, {**terms, ANY_FIELD: every}, json.dumps(payload, ensure_ascii=False)
    )


@dataclass(frozen=True)
class Clause:
    """Match ``term`` in ``field``, the match counting ``weight`` times the engine's score of it."""

    field: str
    term: str
    weight: float


class Lexicon(Protocol):
    """An open index's term dictionary and statistics, as the query plan needs them."""

    @property
    def documents(self) -> int:
        """How many documents the index holds."""
        ...

    def doc_frequency(self, field: str, term: str) -> int:
        """In how many documents ``field`` holds ``term`` (0: the field does not know it)."""
        ...

    def terms_with_prefix(self, field: str, prefix: str) -> Iterable[str]: ...


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions counting 1 (optimal string alignment), computed
    only in the band of width ``limit`` around the diagonal; any value above ``limit`` is ``limit + 1``."""
    over = limit + 1
    if abs(len(a) - len(b)) > limit:
        return over
    width = len(b)
    before: list[int] = []
    previous = [j if j <= limit else over for j in range(width + 1)]
    for i in range(1, len(a) + 1):
        low, high = max(1, i - limit), min(width, i + limit)
        current = [over] * (width + 1)
        if i <= limit:
            current[0] = i
        char_a = a[i - 1]
        for j in range(low, high + 1):
            char_b = b[j - 1]
            value = previous[j - 1] if char_a == char_b else previous[j - 1] + 1
            if previous[j] < value:  # written out rather than min(): this loop is the cost of typo search
                value = previous[j] + 1
            if current[j - 1] < value:
                value = current[j - 1] + 1
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b and before[j - 2] < value:
                value = before[j - 2] + 1
            current[j] = value
        if min(current) > limit:
            return over
        before, previous = previous, current
    return min(previous[width], over)


def typo_distance(term: str) -> int:
    """How many edits a typo in ``term`` may have: none for short terms and codes, 1 up to 7 letters, else 2."""
    if len(term) < MIN_PREFIX or any(char.isdigit() for char in term):
        return 0
    return 1 if len(term) < 8 else 2


VERB_SUFFIX = "ovat"
"""Czech verbs in -ovat share their stem with the nouns and adjectives made of them (``koordinovat`` –
``koordinace``, ``koordinátor``; ``evidovat`` – ``evidence``), which the stem less two letters misses."""


def prefix_of(term: str) -> str | None:
    """The prefix other terms must share with ``term`` to count as its relatives, or None if it is too short:
    a term no longer than :data:`MIN_PREFIX` would be its own prefix, and the longer words that merely
    begin with it are other words (``stav`` – ``stavební``, ``park`` – ``parkování``)."""
    if len(term) <= MIN_PREFIX:
        return None
    if term.endswith(VERB_SUFFIX) and len(term) - len(VERB_SUFFIX) >= MIN_PREFIX:
        return term[: -len(VERB_SUFFIX)]
    return term[: max(MIN_PREFIX, len(term) - PREFIX_CUT)]


def _closest(term: str, candidates: Iterable[str]) -> list[str]:
    return sorted(candidates, key=lambda candidate: (abs(len(candidate) - len(term)), candidate))[:MAX_EXPANSIONS]


@dataclass
class QueryPlan:
    """Per query word, the clauses that match it (in :data:`FIELDS`, in three tiers), and what each word
    weighs (:attr:`specificity`).

    Engines score each word by its best clause plus :data:`TIE_BREAK` times the others (disjunction
    max), and a document by the sum over words: a document matching several of the query's words beats
    one that repeats a single word in every field.
    """

    words: list[QueryWord]
    groups: list[list[Clause]]
    specificity: list[float]
    """Per word of :attr:`words`: ln(N / df), df the number of documents holding any of its terms (its
    own terms; a word known only by prefix or typo, those it stands for), read from :data:`ANY_FIELD`."""
    generic: list[bool]
    """Per word of :attr:`words`: whether it is generic (see :data:`GENERIC_SHARE`)."""
    unmatched: tuple[QueryWord, ...] = ()
    """The query's words that nothing in the index matches. Each weighs as a word of one document in the
    query's specificity: what the catalogue does not know is what it cannot answer."""
    documents: int = 1
    """How many documents the index held when the plan was made."""

    def __post_init__(self) -> None:
        # Which words each (field, term) stands for, to explain hits from their stored terms, and the
        # tier it matches them by (EXACT, PREFIX, FUZZY).
        self._words_of: dict[tuple[str, str], list[int]] = {}
        self._tier_of: dict[tuple[str, str], float] = {}
        for number, group in enumerate(self.groups):
            for clause in group:
                key = (clause.field, clause.term)
                self._words_of.setdefault(key, []).append(number)
                self._tier_of[key] = max(self._tier_of.get(key, 0.0), clause.weight / FIELD_WEIGHTS[clause.field])
        self._total = sum(self.specificity) + len(self.unmatched) * math.log(max(self.documents, 1))
        self._generic_words: dict[tuple[str, ...], bool] = {}

    @classmethod
    def build(cls, words: Sequence[QueryWord], lexicon: Lexicon) -> QueryPlan:
        documents = max(lexicon.documents, 1)
        kept: list[QueryWord] = []
        groups: list[list[Clause]] = []
        specificity: list[float] = []
        generic: list[bool] = []
        unmatched: list[QueryWord] = []
        for word in words:
            clauses, frequency = _clauses(word, lexicon)
            if clauses:  # a word that matches nothing is left out of the plan
                kept.append(word)
                groups.append(clauses)
                specificity.append(math.log(documents / frequency))
                generic.append(frequency >= GENERIC_SHARE * documents)
            else:
                unmatched.append(word)
        return cls(kept, groups, specificity, generic, tuple(unmatched), documents)

    def hit(self, score: float, payload: str, lexicon: Lexicon) -> Hit:
        """A hit for a document the engine found, with the words and fields that matched it."""
        data = json.loads(payload)
        numbers: set[int] = set()
        fields: set[str] = set()
        in_names: set[int] = set()
        for field, terms in data["terms"].items():
            for term in terms:
                found = self._words_of.get((field, term))
                if found:
                    numbers.update(found)
                    fields.add(field)
                    if field in NAME_FIELDS:
                        in_names.update(found)
        specific = {number for number in numbers if not self.generic[number]}
        namings = self._namings(data["names"], lexicon)
        naming = set().union(*namings)
        return Hit(
            iri=data["iri"],
            kind=data["kind"],
            label=data["label"],
            score=score,
            matched=self._texts(numbers),
            fields=tuple(field for field in FIELDS if field in fields),
            links=tuple(Link(*link) for link in data["links"]),
            places=tuple(data["places"]),
            code=data.get("code"),  # indexes built before codes were stored have none
            share=sum(self.specificity[number] for number in numbers) / self._total if self._total else 0.0,
            specific=self._texts(specific),
            in_names=tuple(
                (self.words[number].text, self.specificity[number]) for number in sorted(specific & in_names)
            ),
            namings=tuple(dict.fromkeys(frozenset(self._texts(numbers)) for numbers in namings)),
            naming=max((self.specificity[number] for number in naming), default=0.0),
        )

    def _namings(self, names: list[tuple[str, list[list[str]]]], lexicon: Lexicon) -> list[set[int]]:
        """Per name of which the query holds more than :data:`NAME_SHARE`, the query's words, not generic,
        that it holds. The share is counted in the name's words that are not generic (``Chytré popelnice``
        is named by ``popelnice``), a word the query holds only by prefix or typo counting as that tier's
        part of one, and one word at least must be held as it is: ``centru`` does not name
        ``coworkingové centrum``, nor ``tramvaj`` ``zpoždění tramvají``, nor ``parku`` ``parkování``."""
        namings: list[set[int]] = []
        for field, name in names:
            held_by = [{n for term in word for n in self._words_of.get((field, term), ())} for word in name]
            if not any(held_by):
                continue
            meaningful = [index for index, word in enumerate(name) if not self._is_generic(word, lexicon)]
            tiers = [max(self._tier_of.get((field, term), 0.0) for term in name[index]) for index in meaningful]
            # A name is named by its own words: prefix relatives and typos alone only come near it.
            if EXACT in tiers and sum(tiers) > NAME_SHARE * len(meaningful):
                namings.append({n for numbers in held_by for n in numbers if not self.generic[n]})
        return namings

    def _is_generic(self, terms: list[str], lexicon: Lexicon) -> bool:
        """Whether a name's word is generic, as a query word is (:attr:`generic`); read once per plan."""
        key = tuple(terms)
        if key not in self._generic_words:
            frequency = max(lexicon.doc_frequency(ANY_FIELD, term) for term in terms)
            self._generic_words[key] = frequency >= GENERIC_SHARE * self.documents
        return self._generic_words[key]

    def _texts(self, numbers: Iterable[int]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.words[number].text for number in sorted(numbers)))


def _clauses(word: QueryWord, lexicon: Lexicon) -> tuple[list[Clause], int]:
    """The clauses of one query word: its own terms, terms sharing their prefix, and, if no field has
    any of its own terms and it is no Czech word as typed (a typo, then), terms within its edit
    distance; and the word's document frequency (see :attr:`QueryPlan.specificity`)."""
    clauses: list[Clause] = []
    seen: set[tuple[str, str]] = set()

    def add(field: str, terms: Iterable[str], tier: float) -> None:
        for term in terms:
            if (field, term) not in seen:
                seen.add((field, term))
                clauses.append(Clause(field, term, FIELD_WEIGHTS[field] * tier))

    own = set(word.terms)
    for field in FIELDS:
        add(field, [term for term in word.terms if lexicon.doc_frequency(field, term)], EXACT)
    known = bool(clauses)
    for term in word.terms:
        prefix = prefix_of(term)
        # A word the lemmatiser knows is a word of its own: bridging it to a word one letter away would
        # answer a question the officer did not ask (``svítí`` → ``sítí``).
        distance = 0 if known or word.is_word else typo_distance(term)
        # Each field's candidates first, so that a term found in several fields is measured once.
        near: dict[str, list[str]] = {field: [] for field in FIELDS}
        for field in FIELDS:
            if prefix is not None:
                add(
                    field, _closest(term, {t for t in lexicon.terms_with_prefix(field, prefix) if t not in own}), PREFIX
                )
            if distance:
                near[field] = [
                    t
                    for t in lexicon.terms_with_prefix(field, term[0])
                    if abs(len(t) - len(term)) <= distance and t not in own
                ]
        if distance:
            # An edit changes the set of letters by at most two: a cheap test that spares most distances.
            letters = set(term)
            typos = {
                t
                for t in set().union(*near.values())
                if len(letters.symmetric_difference(t)) <= 2 * distance and edit_distance(term, t, distance) <= distance
            }
            for field, candidates in near.items():
                add(field, _closest(term, typos.intersection(candidates)), FUZZY)
    # A word known only by prefix or typo is as specific as the words it stands for.
    terms = word.terms if known else {clause.term for clause in clauses}
    return clauses, max((lexicon.doc_frequency(ANY_FIELD, term) for term in terms), default=0)


class Reader(Lexicon, Protocol):
    """One consistent view of an index for one search."""

    def run(self, groups: Sequence[Sequence[Clause]], kinds: set[str] | None, limit: int) -> list[tuple[float, str]]:
        """The best ``limit`` documents (of ``kinds``) as (score, payload), best first: a document's score is
        the sum over ``groups`` of the group's best clause plus :data:`TIE_BREAK` times its other clauses."""
        ...


@dataclass(frozen=True)
class IndexMeta:
    """What an index was built from, written beside it once a build is complete and again after every
    update (:meth:`SearchEngine.update`), which changes only ``version``: ``build_id`` names the build."""

    engine: str
    analysis: str
    version: str
    """The catalogue version the index holds the documents of."""
    built_at: float
    build_id: str

    @classmethod
    def read(cls, path: Path) -> IndexMeta | None:
        """The meta of the index at ``path``, or None when there is no complete index there."""
        try:
            return cls(**json.loads((path / META_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def write(self, path: Path) -> None:
        _write_atomically(path / META_FILE, json.dumps(asdict(self), indent=2))


@dataclass(frozen=True)
class IndexUpdate:
    """What :meth:`SearchEngine.update` (or :meth:`~SearchEngine.update_some`) wrote: the IRIs of the
    documents it added or replaced, and of those it deleted."""

    written: tuple[str, ...]
    deleted: tuple[str, ...]


def _write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` so that a reader sees the old file or the new one, never a part."""
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}"
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def checked_kinds(kinds: set[str] | None) -> set[str] | None:
    if kinds is None:
        return None
    unknown = sorted(set(kinds) - set(SEARCHABLE_KINDS))
    if unknown:
        raise ValueError(f"unknown kind(s) {', '.join(unknown)}: choose from {', '.join(SEARCHABLE_KINDS)}")
    return set(kinds)


class SearchEngine(ABC):
    """A search index in the folder ``path``: its engine's files in ``path/data``, beside them its meta
    and the digest of every document it holds (:func:`document_digest`).

    The constructor touches nothing; :meth:`build` makes a new index, the other methods open an existing
    one (:class:`SearchError` if there is none, or one built by another engine or analysis).

    Thread-safety: :meth:`search` may be called from many threads at once (each call reads its own
    consistent view of the index), also while this object writes: a search sees the index before a
    commit or after it. Writes (:meth:`build`, :meth:`update`, :meth:`update_some`, :meth:`add`,
    :meth:`delete`) are serialised by a lock in this object, and the engines' own file locks keep a
    second process from writing at the same time. Any number of processes may read one index;
    :meth:`reopen` makes one see what another wrote.
    """

    name: ClassVar[str]

    def __init__(self, path: Path, analyzer: Analyzer | None = None) -> None:
        self.path = Path(path)
        self.analyzer = analyzer or Analyzer()
        self._write_lock = threading.Lock()
        self._meta: IndexMeta | None = None
        self._identity: tuple[Analyzer, str] | None = None

    # -- the interface ---------------------------------------------------------------------------

    @property
    def meta(self) -> IndexMeta:
        if self._meta is None:
            meta = IndexMeta.read(self.path)
            if meta is None:
                raise SearchError(f"no search index at {self.path}: run `katalog reindex`")
            if meta.engine != self.name or meta.analysis != self.identity:
                raise SearchError(
                    f"the search index at {self.path} was built by {meta.engine} with analysis {meta.analysis}, "
                    f"not {self.name} with {self.identity}: run `katalog reindex`"
                )
            self._meta = meta
        return self._meta

    @property
    def identity(self) -> str:
        """What decides what the index holds besides the documents: the analysis and the document format."""
        # Kept per analyser: naming the analysis looks up installed libraries' versions (10 ms), and
        # following a version asks for it several times.
        if self._identity is None or self._identity[0] is not self.analyzer:
            self._identity = (self.analyzer, f"{self.analyzer.identity}-documents{DOCUMENT_FORMAT}")
        return self._identity[1]

    @property
    def version(self) -> str:
        """The catalogue version the index holds the documents of."""
        return self.meta.version

    def build(self, documents: Iterable[SearchDocument], version: str) -> int:
        """Replace whatever is at ``path`` by a new index of ``documents``; returns how many were indexed."""
        digests: dict[str, str] = {}

        def prepared() -> Iterator[IndexedDocument]:
            for document in documents:
                digests[document.iri] = document_digest(document)
                yield prepare(document, self.analyzer)

        with self._write_lock:
            self._close_backend()
            self._meta = None
            for name in (META_FILE, DIGESTS_FILE, PENDING_FILE):  # the meta first: without it there is no index
                (self.path / name).unlink(missing_ok=True)
            self.path.mkdir(parents=True, exist_ok=True)
            count = self._create(self.path / DATA_FOLDER, prepared())
            _write_atomically(self.path / DIGESTS_FILE, json.dumps(digests))
            IndexMeta(self.name, self.identity, version, time.time(), uuid.uuid4().hex).write(self.path)
            return count

    def update(self, documents: Iterable[SearchDocument], version: str) -> IndexUpdate:
        """Make the index hold exactly ``documents``, of the catalogue ``version``, by writing only what
        changed: the documents whose digest differs from the one kept beside the index are added or
        replaced, those no longer among ``documents`` deleted, all in one commit, so a search sees the
        index before the update or after it. :class:`SearchError` if the index keeps no digests (it was
        built before they were kept): rebuild it.

        A crash is never fatal. The IRIs about to be written are noted beside the index before the
        commit and forgotten once the new digests and meta are written, so an update cut short anywhere
        leaves them noted, and the next update writes (or deletes) them again."""
        latest = {document.iri: document for document in documents}
        digests = {iri: document_digest(document) for iri, document in latest.items()}
        with self._write_lock:
            stored, known = self._digests_to_update()
            deleted = [iri for iri in known if iri not in latest]
            return self._apply(latest, digests, deleted, stored, known, version)

    def update_some(self, documents: Iterable[SearchDocument], gone: Iterable[str], version: str) -> IndexUpdate:
        """:meth:`update` for a few resources: make the index hold ``documents`` as they are and none of
        the ``gone`` IRIs, of the catalogue ``version``, leaving every other document as it is; what
        the caller knows to be all that changed since the index's version. Written by digest, in one
        commit and as safely as :meth:`update`; the digests of the other documents are kept, and so are
        the notes of documents a writer that died left pending (only a full :meth:`update`, or one
        naming them, settles those)."""
        latest = {document.iri: document for document in documents}
        digests = {iri: document_digest(document) for iri, document in latest.items()}
        with self._write_lock:
            stored, known = self._digests_to_update()
            deleted = [iri for iri in dict.fromkeys(gone) if iri in known and iri not in latest]
            return self._apply(latest, digests, deleted, stored, known, version)

    def unsettled(self) -> set[str]:
        """The IRIs of the documents noted as being written that no update settled since (a writer died,
        or :meth:`add` or :meth:`delete` wrote them): what the digests do not vouch for, and an
        :meth:`update_some` should name too."""
        pending = _read_json(self.path / PENDING_FILE)
        return set(pending) if isinstance(pending, list) else set()

    def _digests_to_update(self) -> tuple[dict[str, str], dict[str, str | None]]:
        """Under the write lock, read afresh from disk: the digests kept beside the index, and those an
        update compares with (see :meth:`_known_digests`)."""
        self._meta = None  # what this process wrote last may not be what is on disk now
        self._require_index()
        stored = _read_json(self.path / DIGESTS_FILE)  # once: at 50,000 documents a read takes 60 ms
        known = self._known_digests(stored)
        if not isinstance(stored, dict) or known is None:
            raise SearchError(f"the search index at {self.path} keeps no digests of its documents: rebuild it")
        return stored, known

    def _apply(
        self,
        latest: dict[str, SearchDocument],
        digests: dict[str, str],
        deleted: list[str],
        stored: dict[str, str],
        known: dict[str, str | None],
        version: str,
    ) -> IndexUpdate:
        """Under the write lock: write those of ``latest`` whose digest (in ``digests``) is not the
        ``known`` one, delete ``deleted``, then keep the ``stored`` digests of the others with the new
        ones, the new meta, and forget the notes of what was settled."""
        written = tuple(iri for iri, digest in digests.items() if known.get(iri) != digest)
        settled = set(latest) | set(deleted)
        if written or deleted:
            self._note_pending([*written, *deleted])
            self._write(self._prepared(latest[iri] for iri in written), deleted)
            kept = {iri: digest for iri, digest in stored.items() if iri not in settled}
            _write_atomically(self.path / DIGESTS_FILE, json.dumps(kept | digests))
        updated = replace(self.meta, version=version)
        updated.write(self.path)
        self._settle(settled)
        self._meta = updated
        return IndexUpdate(written, tuple(deleted))

    def add(self, documents: Iterable[SearchDocument]) -> int:
        """Add documents, replacing any indexed under the same IRI (of several with one IRI, the last
        wins); returns how many were written. The next :meth:`update` writes them again."""
        latest = {document.iri: document for document in documents}
        with self._write_lock:
            self._require_index()
            self._note_pending(latest)
            return self._write(self._prepared(latest.values()), [])

    def delete(self, iris: Iterable[str]) -> None:
        gone = list(iris)
        with self._write_lock:
            self._require_index()
            self._note_pending(gone)
            self._write([], gone)

    def reopen(self) -> None:
        """See what was written to the index since this object opened it, by another process or another
        object on the same folder: an index rebuilt (and swapped in whole) is opened anew, an updated one
        reloaded. A search running meanwhile finishes on what it had opened."""
        with self._write_lock:
            meta = IndexMeta.read(self.path)
            if self._meta is None or meta is None or meta.build_id != self._meta.build_id:
                self._close_backend()
            else:
                self._reload()
            self._meta = None

    def search(self, text: str, *, kinds: set[str] | None = None, limit: int = 50) -> list[Hit]:
        """The documents that best match ``text`` (of ``kinds`` only, if given), best first."""
        return self.find(text, kinds=kinds, limit=limit).hits

    def find(self, text: str, *, kinds: set[str] | None = None, limit: int = 50) -> Found:
        """:meth:`search`, and which of the query's words the index does not know."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        wanted = checked_kinds(kinds)
        self._require_index()
        words = self.analyzer.query_words(text)
        if not words:
            return Found([], ())
        with self._reader() as reader:
            plan = QueryPlan.build(words, reader)
            unmatched = tuple(word.text for word in plan.unmatched)
            if not plan.groups:
                return Found([], unmatched)
            hits = [plan.hit(score, payload, reader) for score, payload in reader.run(plan.groups, wanted, limit)]
        # Equal scores come in the order the engine happened to store the documents, which differs
        # between two builds of one catalogue (tantivy indexes in several threads): by IRI instead, so
        # the same catalogue answers the same, in every process and on every store.
        return Found(sorted(hits, key=lambda hit: (-hit.score, hit.iri)), unmatched)

    def close(self) -> None:
        with self._write_lock:
            self._close_backend()

    def __enter__(self) -> SearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _require_index(self) -> None:
        """Fail with a clear message now, rather than deep in the engine, if there is no usable index."""
        _ = self.meta

    def _prepared(self, documents: Iterable[SearchDocument]) -> Iterator[IndexedDocument]:
        return (prepare(document, self.analyzer) for document in documents)

    def _known_digests(self, digests: object) -> dict[str, str | None] | None:
        """The ``digests`` kept beside the index (as read from its file), with None for the documents
        noted as being written (a writer that died may have left them old, new or gone); None if the
        index keeps no digests."""
        if not isinstance(digests, dict):
            return None
        known: dict[str, str | None] = dict(digests)
        for iri in self.unsettled():
            known[iri] = None
        return known

    def _settle(self, iris: set[str]) -> None:
        """Forget the notes of ``iris``, which the digests now vouch for; the file goes with the last."""
        pending = _read_json(self.path / PENDING_FILE)
        left = sorted(set(pending if isinstance(pending, list) else ()) - iris)
        if left:
            _write_atomically(self.path / PENDING_FILE, json.dumps(left))
        else:
            (self.path / PENDING_FILE).unlink(missing_ok=True)

    def _note_pending(self, iris: Iterable[str]) -> None:
        """Note, before writing them, the documents whose digests will no longer vouch for the index."""
        pending = _read_json(self.path / PENDING_FILE)
        noted = set(pending if isinstance(pending, list) else ()) | set(iris)
        _write_atomically(self.path / PENDING_FILE, json.dumps(sorted(noted)))

    # -- what each engine implements -------------------------------------------------------------

    @abstractmethod
    def _create(self, folder: Path, documents: Iterable[IndexedDocument]) -> int:
        """Make a new index of ``documents`` in ``folder`` (removing whatever is there)."""

    @abstractmethod
    def _write(self, documents: Iterable[IndexedDocument], deleted: list[str]) -> int:
        """Remove the documents with the IRIs ``deleted`` and add or replace (by IRI) ``documents`` in the
        existing index, in one commit; returns how many documents were written."""

    @abstractmethod
    def _reader(self) -> AbstractContextManager[Reader]:
        """A consistent view of the index for one search, safe to use while other threads search."""

    @abstractmethod
    def _close_backend(self) -> None:
        """Release the engine's open files; the next use opens them again."""

    def _reload(self) -> None:
        """Make the searches from now on see the index's latest commit, made by anyone. Opening the
        files again does; an engine whose readers can reload in place does that instead."""
        self._close_backend()


def engine_class(name: str) -> type[SearchEngine]:
    """The engine class for a ``search_engine`` setting."""
    # Imported here: each engine pulls in its library, and a process needs only the one it uses.
    if name == "whoosh":
        from catalogue.search.whoosh_engine import WhooshEngine

        return WhooshEngine
    if name == "tantivy":
        from catalogue.search.tantivy_engine import TantivyEngine

        return TantivyEngine
    raise SearchError(f"unknown search engine {name!r}: choose 'whoosh' or 'tantivy'")
