"""Answers kept per catalogue version: shared by every request of an app, forgotten when the version changes."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

MISSING: Any = object()
"""Returned when no answer is kept."""


class SharedAnswers:
    """Answers of the query layer shared by every request of an app, valid for one catalogue
    version and forgotten when it changes; at most ``size`` of them, the least used go first.

    Used from the event loop's thread only (the worker threads run the store queries, not this)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self.version: str | None = None
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._answers)

    def clear(self) -> None:
        """Forget every answer."""
        self._answers.clear()
        self.version = None

    def current(self, version: str) -> None:
        """Record the catalogue version a request serves; answers kept for another are forgotten."""
        if version != self.version:
            self._answers.clear()
            self.version = version

    def get(self, key: Hashable) -> Any:
        """The answer kept for ``key``, or :data:`MISSING`."""
        answer = self._answers.get(key, MISSING)
        if answer is not MISSING:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: Hashable, answer: Any) -> None:
        self._answers[key] = answer
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)
