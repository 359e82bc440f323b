"""The tantivy engine (tantivy's official Python bindings): for catalogues of national size.

tantivy has no Czech stemmer, so it is fed terms analysed by :mod:`catalogue.search.analysis`, joined by
spaces, and splits them with its ``whitespace`` tokenizer. Its searchers are safe to share between
threads; its writer takes a lock file, so it is opened only while writing. Its readers are reloaded
after each commit of this object, and by :meth:`~TantivyEngine.reopen` for a commit of anyone else.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import tantivy

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

_WRITER_HEAP = 128_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("iri", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    for field in FIELDS:
        builder.add_text_field(field, tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field(ANY_FIELD, tokenizer_name="whitespace", index_option="basic")
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


def _document(document: IndexedDocument) -> tantivy.Document:
    result = tantivy.Document()
    result.add_text("iri", document.iri)
    result.add_text("kind", document.kind)
    for field, terms in document.terms.items():
        if terms:
            result.add_text(field, " ".join(terms))
    result.add_bytes("payload", document.payload.encode("utf-8"))
    return result


class _TantivyReader:
    def __init__(self, index: tantivy.Index) -> None:
        self._schema = index.schema
        self._searcher = index.searcher()

    def _clause(self, clause: Clause) -> tantivy.Query:
        term = tantivy.Query.term_query(self._schema, clause.field, clause.term, index_option="freq")
        return tantivy.Query.boost_query(term, clause.weight)

    @property
    def documents(self) -> int:
        return int(self._searcher.num_docs)

    def doc_frequency(self, field: str, term: str) -> int:
        return int(self._searcher.doc_freq(field, term))

    def terms_with_prefix(self, field: str, prefix: str) -> Iterable[str]:
        return (term for term, _ in self._searcher.terms_with_prefix(field, prefix))

    def run(self, groups: Sequence[Sequence[Clause]], kinds: set[str] | None, limit: int) -> list[tuple[float, str]]:
        query = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.disjunction_max_query([self._clause(clause) for clause in group], TIE_BREAK),
                )
                for group in groups
            ]
        )
        if kinds is not None:
            # A filter that adds nothing to the score (boost 0), so scores stay comparable with and without it.
            only = tantivy.Query.boost_query(tantivy.Query.term_set_query(self._schema, "kind", sorted(kinds)), 0.0)
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)])
        # limit is at least 1: tantivy panics (uncatchably) on a search with limit 0 and count=True.
        found = []
        for score, address in self._searcher.search(query, limit, count=False).hits:
            payload = self._searcher.doc(address).get_first("payload")
            assert payload is not None  # every document is written with one
            found.append((float(score), bytes(payload).decode("utf-8")))
        return found


class TantivyEngine(SearchEngine):
    name = "tantivy"

    def __init__(self, path: Path, analyzer: Analyzer | None = None) -> None:
        super().__init__(path, analyzer)
        self._index: tantivy.Index | None = None

    def _create(self, folder: Path, documents: Iterable[IndexedDocument]) -> int:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        index = tantivy.Index(_schema(), path=str(folder))
        count = self._commit(index, documents, [], replace=False)
        self._index = index
        return count

    def _opened(self) -> tantivy.Index:
        if self._index is None:
            folder = self.path / DATA_FOLDER
            if not (folder / "meta.json").is_file():
                raise SearchError(f"no tantivy index in {folder}: run `katalog reindex`")
            self._index = tantivy.Index.open(str(folder))
        return self._index

    def _commit(
        self, index: tantivy.Index, documents: Iterable[IndexedDocument], deleted: list[str], *, replace: bool = True
    ) -> int:
        """Delete ``deleted``, add ``documents`` (replacing those with the same IRI if ``replace``), commit."""
        try:
            writer = index.writer(heap_size=_WRITER_HEAP)
        except ValueError as error:
            raise SearchError(f"the search index at {self.path} is being written by another process") from error
        count = 0
        try:
            for iri in deleted:
                writer.delete_documents_by_term("iri", iri)
            for document in documents:
                if replace:
                    writer.delete_documents_by_term("iri", document.iri)
                writer.add_document(_document(document))
                count += 1
        except BaseException:
            writer.rollback()
            raise
        writer.commit()
        writer.wait_merging_threads()  # also releases the writer's lock file
        index.reload()  # searchers made from now on see the commit at once
        return count

    def _write(self, documents: Iterable[IndexedDocument], deleted: list[str]) -> int:
        return self._commit(self._opened(), documents, deleted)

    @contextmanager
    def _reader(self) -> Iterator[_TantivyReader]:
        yield _TantivyReader(self._opened())

    def _close_backend(self) -> None:
        self._index = None

    def _reload(self) -> None:
        if self._index is not None:
            self._index.reload()
