"""The whoosh engine: pure Python, the default for the embedded catalogue (slow past ~10,000 documents).

Terms arrive analysed by :mod:`catalogue.search.analysis`; whoosh only splits them on spaces. Its
schema is pickled into the index, so it uses whoosh's own tokenizer class and nothing of ours.
Each search opens its own searcher, as a whoosh searcher must not be shared between threads; so each
search reads the newest commit, whoever made it.

whoosh 2.7.4's own ``DisjunctionMax`` scores wrongly (its matcher takes the better of two sub-scores
even when they belong to different documents, and drops the tie-break), so this module has its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import whoosh.index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.index import FileIndex, LockError
from whoosh.matching import Matcher, NullMatcher, UnionMatcher
from whoosh.query import DisjunctionMax, Or, Term
from whoosh.searching import Searcher

from catalogue.search.analysis import Analyzer
from catalogue.search.engine import (
    ANY_FIELD,
    DATA_FOLDER,
    FIELDS,
    TIE_BREAK,
    Clause,
    IndexedDocument,
    SearchEngine,
    SearchError,
)


def _schema() -> Schema:
    terms = {field: TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False) for field in (*FIELDS, ANY_FIELD)}
    return Schema(iri=ID(unique=True), kind=ID(), payload=STORED(), **terms)


def _fields(document: IndexedDocument) -> dict[str, Any]:
    terms = {field: " ".join(values) for field, values in document.terms.items() if values}
    return {"iri": document.iri, "kind": document.kind, "payload": document.payload, **terms}


class _MaxMatcher(UnionMatcher):
    """The union of two matchers scoring a document by the better sub-score plus ``tiebreak`` times the
    other. Built into a binary tree for more clauses, it gives max + tiebreak × the others exactly for
    up to two matching clauses, and within tiebreak² of that for more."""

    def __init__(self, a: Matcher, b: Matcher, tiebreak: float) -> None:
        super().__init__(a, b)
        self.tiebreak = tiebreak

    def copy(self) -> _MaxMatcher:
        return _MaxMatcher(self.a.copy(), self.b.copy(), self.tiebreak)

    def replace(self, minquality: float = 0) -> Matcher:
        # Never a union's shortcuts (they would turn into sums). The quality bounds inherited from the
        # union (the sum of both sides) stay true upper bounds of this score, so whoosh may still skip
        # blocks that cannot reach the top hits.
        if not self.a.is_active():
            return self.b.replace() if self.b.is_active() else NullMatcher()
        if not self.b.is_active():
            return self.a.replace()
        a, b = self.a.replace(), self.b.replace()
        if a is not self.a or b is not self.b:
            return _MaxMatcher(a, b, self.tiebreak)
        self._id = None
        return self

    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active() or (b.is_active() and b.id() < a.id()):
            return float(b.score())
        if not b.is_active() or a.id() < b.id():
            return float(a.score())
        low, high = sorted((a.score(), b.score()))
        return float(high + self.tiebreak * low)


class _Max(DisjunctionMax):
    def _matcher(self, subs: list[Any], searcher: Searcher, context: Any) -> Matcher:
        return self._tree_matcher(subs, _MaxMatcher, searcher, context, None, tiebreak=self.tiebreak)


class _WhooshReader:
    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self._reader = searcher.reader()

    @property
    def documents(self) -> int:
        return int(self._reader.doc_count())

    def doc_frequency(self, field: str, term: str) -> int:
        return int(self._reader.doc_frequency(field, term))

    def terms_with_prefix(self, field: str, prefix: str) -> Iterable[str]:
        return (term.decode("utf-8") for term in self._reader.expand_prefix(field, prefix))

    def run(self, groups: Sequence[Sequence[Clause]], kinds: set[str] | None, limit: int) -> list[tuple[float, str]]:
        query = Or(
            [
                _Max([Term(clause.field, clause.term, boost=clause.weight) for clause in group], tiebreak=TIE_BREAK)
                for group in groups
            ]
        )
        only = None if kinds is None else Or([Term("kind", kind) for kind in sorted(kinds)])
        results = self._searcher.search(query, limit=limit, filter=only)
        return [(float(hit.score), hit["payload"]) for hit in results]


class WhooshEngine(SearchEngine):
    name = "whoosh"

    def __init__(self, path: Path, analyzer: Analyzer | None = None) -> None:
        super().__init__(path, analyzer)
        self._index: FileIndex | None = None

    def _create(self, folder: Path, documents: Iterable[IndexedDocument]) -> int:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        index = whoosh.index.create_in(str(folder), _schema())
        writer = index.writer(limitmb=256)
        count = 0
        try:
            for document in documents:
                writer.add_document(**_fields(document))
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._index = index
        return count

    def _opened(self) -> FileIndex:
        if self._index is None:
            folder = self.path / DATA_FOLDER
            if not whoosh.index.exists_in(str(folder)):
                raise SearchError(f"no whoosh index in {folder}: run `katalog reindex`")
            self._index = whoosh.index.open_dir(str(folder))
        return self._index

    def _writing(self) -> Any:
        try:
            return self._opened().writer()
        except LockError as error:
            raise SearchError(f"the search index at {self.path} is being written by another process") from error

    def _write(self, documents: Iterable[IndexedDocument], deleted: list[str]) -> int:
        writer = self._writing()
        count = 0
        try:
            for iri in deleted:
                writer.delete_by_term("iri", iri)
            for document in documents:
                writer.update_document(**_fields(document))
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return count

    @contextmanager
    def _reader(self) -> Iterator[_WhooshReader]:
        with self._opened().searcher() as searcher:
            yield _WhooshReader(searcher)

    def _close_backend(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
