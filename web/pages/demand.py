"""Demand: what municipalities ask, recorded as aggregates, and the page that shows it (``/poptavka``).

:func:`record_answer` is called by the answer page and by GraphQL's ``problem`` for every question
answered: it folds the text (:func:`catalogue.search.analysis.fold`) and counts it in its aggregate
(:mod:`catalogue.editing.demand`, which documents what "matched well" means), never failing the answer.

The page is for logged-in accounts with the right ``read-demand`` (curators, reviewers, ministries and
admins): the most asked problems per pillar and per measure, those with no good match (each with the
one-step links to a new draft problem or to new synonyms of a concept), the trend by month, the demand
per region where a place filter was used, and the CSV (``/poptavka.csv``). Only texts asked at least
``KATALOG_DEMAND_MIN_ASKED`` times appear.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalogue.answer import AnswerFilters, ProblemAnswer
from catalogue.editing import demand as recording
from catalogue.editing.accounts import Account
from catalogue.editing.authorisation import DEMAND_KIND, READ_DEMAND
from catalogue.queries import demand as reading
from catalogue.runtime import Catalogue
from catalogue.search.analysis import fold
from web.auth import page_guard
from web.site import N_, language_of, render, translate
from web.state import site_catalogue

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

FORBIDDEN = N_("Poptávku mohou číst jen přihlášení kurátoři, recenzenti, ministerstva a správci.")
CSV_HEADER = (
    N_("Problém"), N_("Kolikrát položen"), N_("Dobrá shoda"), N_("Nejlepší opatření"), N_("První den"),
    N_("Poslední den"),
)
YES, NO = N_("ano"), N_("ne")


def matched_well(answer: ProblemAnswer) -> bool:
    """The rule of :mod:`catalogue.editing.demand`: a type measure matches the problem well."""
    return answer.good_match and not answer.weak


def question_of(answer: ProblemAnswer, filters: AnswerFilters) -> recording.Question:
    """What is recorded of an answered question: its folded text, whether it matched well, its top measures
    and its pillar and place filters."""
    return recording.Question(
        text=recording.normalised(fold(answer.text)),
        matched_well=matched_well(answer),
        top=tuple(match.measure.iri for match in answer.measures[: recording.TOP_MATCHES]),
        pillar=filters.pillar,
        place=filters.place,
    )


_noted: ContextVar[list[recording.Question] | None] = ContextVar("noted_questions", default=None)


@contextmanager
def noting_questions() -> Iterator[list[recording.Question]]:
    """The questions counted meanwhile in this context (and the threads it hands work to): a page kept
    whole (:mod:`api.kept_pages`) counts them again each time it is sent."""
    noted: list[recording.Question] = []
    token = _noted.set(noted)
    try:
        yield noted
    finally:
        _noted.reset(token)


def record_question(catalogue: Catalogue, question: recording.Question) -> None:
    """Count ``question`` in the catalogue's demand (written within two seconds); never raises."""
    noted = _noted.get()
    if noted is not None:
        noted.append(question)
    try:
        catalogue.demand.add(question)
    except Exception:  # recording demand must never fail the answer
        log.exception("recording a question's demand failed")


def record_answer(catalogue: Catalogue, answer: ProblemAnswer, filters: AnswerFilters) -> recording.Question | None:
    """Count the answered question in its aggregate; what was counted (None: nothing, it failed, logged)."""
    try:
        question = question_of(answer, filters)
    except Exception:  # recording demand must never fail the answer
        log.exception("recording a question's demand failed")
        return None
    record_question(catalogue, question)
    return question


def _demand(request: Request) -> reading.Demand:
    """The demand as stored, the questions this process was asked written first."""
    catalogue = site_catalogue(request)
    catalogue.write_demand()
    return reading.demand(catalogue.store, catalogue.settings, language_of(request))


def _guard(request: Request) -> Account | Response:
    return page_guard(request, READ_DEMAND, DEMAND_KIND, forbidden=FORBIDDEN)


def new_problem_link(text: str) -> str:
    return "/upravy/novy/problem?" + urlencode({"nazev": text})


def synonym_link(concept: str, text: str) -> str:
    return "/upravy/upravit?" + urlencode({"iri": concept, "synonymum": text})


@router.get("/poptavka")
def demand_page(request: Request) -> Response:
    account = _guard(request)
    if isinstance(account, Response):
        return account
    found = _demand(request)
    return render(request, "demand.html", {
        "demand": found, "new_problem_link": new_problem_link, "synonym_link": synonym_link,
    }, headers={"Cache-Control": "no-store"})


@router.get("/poptavka.csv")
def demand_csv(request: Request) -> Response:
    account = _guard(request)
    if isinstance(account, Response):
        return account
    lang = language_of(request)
    found = _demand(request)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 only after a byte order mark
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([translate(lang, name) for name in CSV_HEADER])
    for text in found.texts:
        best = " | ".join(found.labels[iri].label for iri in text.top if iri in found.labels)
        writer.writerow([text.text, str(text.count), translate(lang, YES if text.matched_well else NO), best,
                         text.first_day, text.last_day])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="poptavka.csv"', "Cache-Control": "no-store",
                 "X-Content-Type-Options": "nosniff"},
    )
