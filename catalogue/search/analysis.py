"""Czech text analysis, done once in Python and shared by every search engine.

Both the indexed texts and the query text go through the same steps, so they always meet on the same
terms:

1. words: runs of letters and digits, keeping codes and compounds whole (``A4.1``, ``e-mail``) and
   adding their parts of two letters or more that are not bare numbers (``a4``; ``mail``); lower-cased;
2. Czech stop words dropped: the Czech list of the ``stop-words`` package (python-stop-words, BSD), which
   spells most words both with and without diacritics, so it is matched on the lower-cased word as typed,
   and on the word's lemma, as the list holds only some forms of its words (see ``is_stop_word``);
3. inflection: each word is reduced by the selected :class:`Inflection` — PyStemmer's Czech Snowball
   stemmer (``škola``, ``školy``, ``školách`` → ``škol``) or simplemma's Czech lemmatiser (→ ``škola``);
4. diacritics folded (``škol`` → ``skol``), so ``skola`` finds ``škola``.

A word gives up to two terms: the folded inflection of the word as written, and the inflection of the
folded word. The second is what a query typed without diacritics produces (both libraries need the
diacritics to see Czech endings: ``skolach`` stays ``skolach``), so such a query still meets the text.

Nothing here links ``parkování`` with ``parkovací`` (neither library does): the engines' query plan does
that with prefix matching of terms (see :mod:`catalogue.search.engine`).

A query word also says whether it is a Czech word as typed (simplemma's dictionary of Czech forms knows
it, whichever inflection is chosen): such a word is what the officer meant, not a typo of some other
word, so the query plan never bridges it to another word by edit distance (``svítí`` is not ``sítí``).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from typing import ClassVar, Protocol

import simplemma
import Stemmer
from stop_words import get_stop_words

# A word, possibly joined to the next by a dot, hyphen or slash (codes like A4.1, e-mail, 2021/2027).
_WORD = re.compile(r"\w+(?:[.\-/]\w+)*")
_PART = re.compile(r"\w+")


def fold(text: str) -> str:
    """``text`` lower-cased with its diacritics removed (``Školách`` → ``skolach``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Words the list lacks: ``mnoho`` beside its ``hodně``, ``moc``, ``málo`` and ``více``, and ``potřebovat``,
# the verb of every problem statement (``potřebujeme``, ``potřebují``) beside its ``chtít``, ``mít``,
# ``muset``: a quantity or a need says nothing of what the problem is, yet a label holding it lent its
# weight to every other text with it (``Město má na svém území mnoho brownfieldů``).
_MISSING_STOP_WORDS = frozenset({"mnoho", "potřebovat"})
STOP_WORDS = frozenset(get_stop_words("czech")) | _MISSING_STOP_WORDS
# The list holds only some forms of its words (``svůj``, ``své``, not ``svém``; ``nový``, not ``novou``),
# so a word is also a stop word when its lemma is one. Not by an entry that merely spells another
# without diacritics: as a lemma, ``byt`` (for ``být``) is a flat.
_LEMMA_STOP_WORDS = frozenset(
    word for word in STOP_WORDS if not any(other != word and fold(other) == word for other in STOP_WORDS)
)


@lru_cache(maxsize=200_000)
def is_stop_word(word: str) -> bool:
    """Whether a lower-cased word is a Czech stop word, as typed or by its lemma (simplemma's)."""
    return word in STOP_WORDS or simplemma.lemmatize(word, lang="cs") in _LEMMA_STOP_WORDS


def words(text: str) -> Iterator[str]:
    """The lower-cased words of ``text``, stop words left out; a compound is followed by its parts, less
    those that mean nothing alone (single letters, bare numbers: the ``1`` of ``A4.1``)."""
    for match in _WORD.finditer(text):
        word = match.group().casefold()
        parts = _PART.findall(word)
        if len(parts) > 1:
            parts = [part for part in parts if len(part) > 1 and not part.isdigit()]
            tokens = [word, *parts]
        else:
            tokens = [word]
        for token in tokens:
            if not is_stop_word(token):
                yield token


class Inflection(Protocol):
    """Reduces a lower-cased Czech word to its stem or lemma."""

    package: ClassVar[str]
    """The distribution that does the work: its version is part of the analysis identity."""

    def __call__(self, word: str) -> str: ...


class _Snowball:
    """PyStemmer's Czech Snowball stemmer; one stemmer per thread, as PyStemmer objects are not thread-safe."""

    package: ClassVar[str] = "PyStemmer"

    def __init__(self) -> None:
        self._local = threading.local()

    def __call__(self, word: str) -> str:
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = Stemmer.Stemmer("czech")
        return str(stemmer.stemWord(word))


class _Simplemma:
    """simplemma's Czech lemmatiser (a dictionary of forms; unknown words are returned unchanged)."""

    package: ClassVar[str] = "simplemma"

    def __call__(self, word: str) -> str:
        return str(simplemma.lemmatize(word, lang="cs"))


INFLECTIONS: dict[str, Callable[[], Inflection]] = {"snowball": _Snowball, "simplemma": _Simplemma}
DEFAULT_INFLECTION = "simplemma"
"""Measured on the relevance set (99 statements, raw search, hit = a wanted resource or one linked to it
in the first ten): simplemma 99.0 % with both engines (MRR 0.81–0.82), Snowball 97.0–98.0 % (MRR
0.82–0.83). Fewer misses wins: a lemmatiser knows forms no stemmer can (``stojí`` → ``stát``)."""


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: as the user typed it, and the terms it stands for."""

    text: str
    terms: tuple[str, ...]
    is_word: bool
    """Whether the word, as typed, is a form of a Czech word (so it is no typo of another)."""


class Analyzer:
    """The analysis of both index and query text, with one choice of inflection (see :data:`INFLECTIONS`).

    Thread-safe: the server analyses queries from several worker threads at once."""

    VERSION = 2
    """Raised whenever a change here changes the terms, so that existing indexes are rebuilt (2: stop
    words matched on their lemmas too, and the missing ones)."""

    def __init__(self, inflection: str = DEFAULT_INFLECTION) -> None:
        if inflection not in INFLECTIONS:
            raise ValueError(f"unknown inflection {inflection!r}: choose one of {', '.join(sorted(INFLECTIONS))}")
        self.inflection = inflection
        self._inflect = INFLECTIONS[inflection]()
        # Czech text has a bounded vocabulary: each word is reduced once per process.
        self.terms_of_word = lru_cache(maxsize=200_000)(self._terms_of_word)
        self.is_word = lru_cache(maxsize=200_000)(self._is_word)
        # Load the stemmer and the lemmatiser's dictionary now, not in a request.
        self.terms_of_word("škola")
        self.is_word("škola")

    @property
    def identity(self) -> str:
        """Names everything that decides the terms (the libraries' versions too: a new stop-word list or
        dictionary changes them); an index built with another identity must be rebuilt."""
        # simplemma whatever the inflection: its dictionary decides the stop words' lemmas too.
        libraries = dict.fromkeys((self._inflect.package, "simplemma", "stop-words"))
        return f"cs-v{self.VERSION}-{self.inflection}-" + "-".join(f"{name}{version(name)}" for name in libraries)

    def _terms_of_word(self, word: str) -> tuple[str, ...]:
        as_written = fold(self._inflect(word))
        # Folded again: a lemmatiser may put diacritics back (``lidi`` → ``člověk``).
        without_diacritics = fold(self._inflect(fold(word)))
        if as_written == without_diacritics:
            return (as_written,)
        return (as_written, without_diacritics)

    @staticmethod
    def _is_word(word: str) -> bool:
        return bool(simplemma.is_known(word, lang="cs"))

    def terms(self, text: str) -> list[str]:
        """The terms of ``text`` for the index, in order (a word's terms side by side)."""
        return [term for word in words(text) for term in self.terms_of_word(word)]

    def query_words(self, text: str) -> list[QueryWord]:
        """The distinct words of a query with their terms; stop words and repeats left out."""
        seen: dict[tuple[str, ...], QueryWord] = {}
        for match in _WORD.finditer(text):
            typed = match.group()
            for word in words(typed):
                terms = self.terms_of_word(word)
                if terms not in seen:
                    seen[terms] = QueryWord(typed, terms, self.is_word(word))
        return list(seen.values())
