"""Demand through GraphQL: every ``problem(text:)`` asked is counted (:mod:`web.pages.demand`), also when
the whole answer is served from the kept answers (:mod:`api.graphql.responses`) without any resolver
running: the questions an operation recorded are remembered under the operation's answer key, and
counted again each time its kept answer is served."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from threading import Lock
from typing import Any
from weakref import WeakKeyDictionary

from api.graphql.context import Context
from api.graphql.responses import answer_key
from catalogue.editing.demand import Question
from web.pages.demand import record_question

REMEMBERED = 4096
"""Operations whose questions are remembered at most (the least recently served are forgotten first)."""

_asked: WeakKeyDictionary[Context, list[Question]] = WeakKeyDictionary()
_remembered: OrderedDict[Hashable, tuple[Question, ...]] = OrderedDict()
_lock = Lock()


def asked(context: Context, question: Question | None) -> None:
    """Note that the operation of ``context`` recorded ``question``."""
    if question is not None:
        with _lock:
            _asked.setdefault(context, []).append(question)


def remember(context: Context, query: str | None, variables: Mapping[str, Any] | None, operation: str | None) -> None:
    """After an operation ran: the questions it recorded, under its answer key (nothing: forget the key)."""
    key = answer_key(context, query, variables, operation)
    with _lock:
        questions = tuple(_asked.pop(context, ()))
        if questions:
            _remembered[key] = questions
            _remembered.move_to_end(key)
            while len(_remembered) > REMEMBERED:
                _remembered.popitem(last=False)
        else:
            _remembered.pop(key, None)


async def replay(
    context: Context, query: str | None, variables: Mapping[str, Any] | None, operation: str | None
) -> None:
    """A kept answer is being served: count its questions again."""
    key = answer_key(context, query, variables, operation)
    with _lock:
        questions = _remembered.get(key, ())
        if questions:
            _remembered.move_to_end(key)
    for question in questions:
        record_question(context.state, question)
