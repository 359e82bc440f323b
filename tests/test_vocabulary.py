"""The ontology's terms as code stay in step with `ontology/kcs.ttl`."""

from __future__ import annotations

import pytest

from catalogue.vocabulary import KCS, code_terms, ontology_terms
from tests.conftest import ONTOLOGY


def test_every_ontology_term_is_in_the_code_and_back() -> None:
    assert code_terms() == ontology_terms(ONTOLOGY / "kcs.ttl")


def test_a_mistyped_term_fails() -> None:
    with pytest.raises(AttributeError):
        _ = KCS.TypeMesure  # type: ignore[attr-defined]
