"""Answers kept per catalogue version: shared by every request of an app, forgotten when the version changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

MISSING: Any = object()
"""Returned when no answer is kept."""

LARGEST_SHARE = 32
"""An answer over this fraction of the bytes kept answers may take is never kept: one rare huge answer
would push out dozens of the common ones."""


class SharedAnswers:
    """Answers shared by every request of an app, valid for one catalogue version and forgotten when
    it changes; at most ``size`` of them and, when ``max_bytes`` is given, at most that many bytes in
    all (as the caller estimates each answer's size); the least used go first.

    GraphQL operations run in worker threads (see :mod:`api.graphql`), so every method holds a lock."""

    def __init__(self, size: int = 100_000, max_bytes: int | None = None) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.version: str | None = None
        self.bytes = 0
        """The estimated size of what is kept."""
        self._answers: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._forget()
            self.version = None

    def _forget(self) -> None:
        self._answers.clear()
        self.bytes = 0

    def current(self, version: str) -> None:
        """Record the catalogue version a request serves; answers kept for another are forgotten."""
        with self._lock:
            if version != self.version:
                self._forget()
                self.version = version

    def get(self, key: Hashable) -> Any:
        """The answer kept for ``key``, or :data:`MISSING`."""
        with self._lock:
            kept = self._answers.get(key)
            if kept is None:
                return MISSING
            self._answers.move_to_end(key)
            return kept[0]

    def put(self, key: Hashable, answer: Any, *, version: str | None = None, nbytes: int = 0) -> None:
        """Keep ``answer`` (of about ``nbytes``) under ``key``; nothing is kept when ``version`` is given
        and is no longer the current one, since the answer may then be of data that has changed."""
        with self._lock:
            if version is not None and version != self.version:
                return
            if self.max_bytes is not None and nbytes > self.max_bytes // LARGEST_SHARE:
                return
            replaced = self._answers.pop(key, None)
            if replaced is not None:
                self.bytes -= replaced[1]
            self._answers[key] = (answer, nbytes)
            self.bytes += nbytes
            while len(self._answers) > self.size or (self.max_bytes is not None and self.bytes > self.max_bytes):
                self.bytes -= self._answers.popitem(last=False)[1][1]
