"""Who may do what, walked as a whole matrix: every role (and no account, and a disabled one) against
every editing action, through the editing layer that every API calls. Another account's draft is
addressed both by its id and by its IRI.

The expected outcomes are written out here from the issue's table of roles, not read from
catalogue/editing/authorisation.py, so a change of the table that breaks a promise fails a test."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from catalogue import graphs
from catalogue.editing import accounts, authorisation, drafts
from catalogue.editing.authorisation import Subject
from catalogue.editing.descriptions import read_description
from catalogue.errors import Forbidden, Unauthenticated
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

BASE = "https://w3id.org/kcs/id/"
PASSWORD = "heslo pro matici 2026"  # noqa: S105 - test accounts
FVE = BASE + "realisation/lk-fve-gymnazium-ceska-lipa"
ROLES = ("anonymous", "curator", "reviewer", "ministry", "admin", "disabled")

OK, NO_ACCOUNT, REFUSED = "ok", "401", "403"

# The table: curators draft the good practice, services, solutions, problems, organisations,
# places, indicators and concepts' labels; reviewers also publish or reject others' drafts (never their
# own); ministries keep their organisation's funding; admins manage accounts, read the audit log and
# publish anything but their own drafts. Nobody reads another's draft before it is submitted.
EXPECTED: dict[str, dict[str, str]] = {
    "create-realisation": {"curator": OK, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "create-service": {"curator": OK, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "create-problem": {"curator": OK, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "edit-concept-labels": {"curator": OK, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "edit-concept-hierarchy": {"curator": REFUSED, "reviewer": REFUSED, "ministry": REFUSED, "admin": OK},
    "edit-programme": {"curator": REFUSED, "reviewer": REFUSED, "ministry": OK, "admin": OK},
    "submit-own": {"curator": OK, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "submit-others-by-id": {"curator": REFUSED, "reviewer": REFUSED, "ministry": REFUSED, "admin": REFUSED},
    "submit-others-by-iri": {"curator": REFUSED, "reviewer": REFUSED, "ministry": REFUSED, "admin": REFUSED},
    "read-others-draft-by-id": {"curator": REFUSED, "reviewer": REFUSED, "ministry": REFUSED, "admin": REFUSED},
    "read-others-draft-by-iri": {"curator": REFUSED, "reviewer": REFUSED, "ministry": REFUSED, "admin": REFUSED},
    "read-others-submitted": {"curator": REFUSED, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "publish-others": {"curator": REFUSED, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "publish-others-by-iri": {"curator": REFUSED, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "publish-own": {"curator": REFUSED, "reviewer": REFUSED, "ministry": REFUSED, "admin": REFUSED},
    "reject-others": {"curator": REFUSED, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "revert": {"curator": REFUSED, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "review-queue": {"curator": REFUSED, "reviewer": OK, "ministry": REFUSED, "admin": OK},
    "manage-accounts": {"curator": REFUSED, "reviewer": REFUSED, "ministry": REFUSED, "admin": OK},
    "read-audit": {"curator": REFUSED, "reviewer": REFUSED, "ministry": REFUSED, "admin": OK},
}
for outcomes in EXPECTED.values():
    outcomes["anonymous"] = outcomes["disabled"] = NO_ACCOUNT


def turtle_of(iri: str, kind_class: str, label: str) -> str:
    return f"""<{iri}> a kcs:{kind_class} ; skos:prefLabel "{label}"@cs ;
  kcs:place place:ceska-lipa ; kcs:realises <{BASE}solution/lk-energeticky-management> ;
  dcterms:source [ a kcs:SourceReference ; kcs:publicSource <https://www.example.cz/zdroj> ; kcs:section "Úvod" ] ."""


@dataclass
class World:
    store: CatalogueStore
    settings: Settings
    actor: accounts.Account | None
    others_draft: drafts.Draft
    others_submitted: drafts.Draft

    def draft_iri(self, draft: drafts.Draft) -> str:
        return graphs.private_base(self.settings, graphs.DRAFTS) + draft.id

    def own_draft(self, *, submitted: bool) -> drafts.Draft:
        iri = BASE + "realisation/vlastni-navrh"
        saved = drafts.save_draft(
            self.store, self.settings, self.actor, iri, turtle_of(iri, "Realisation", "Vlastní"), "Vlastní návrh", None
        )
        if submitted:
            drafts.submit_draft(self.store, self.settings, self.actor, saved.draft.id)
        return saved.draft


def _concept(world: World, *, hierarchy: bool) -> Any:
    measure = world.store.values(
        "SELECT ?m WHERE { ?m a <https://w3id.org/kcs/ontology#TypeMeasure> ; "
        "<http://www.w3.org/2004/02/skos/core#broader> ?g } LIMIT 1"
    )[0]["m"]
    current = read_description(world.store, world.settings, measure)
    lines = [f"{t} ." for t in current.triples if not (hierarchy and t.predicate.value.endswith("#broader"))]
    lines.append(f'<{measure}> <http://www.w3.org/2004/02/skos/core#hiddenLabel> "synonymum z matice"@cs .')
    return drafts.save_draft(
        world.store, world.settings, world.actor, measure, "\n".join(lines), "Synonymum", current.version
    )


def _programme(world: World) -> Any:
    programme = world.store.values(
        "SELECT ?p WHERE { ?p a <https://w3id.org/kcs/ontology#FundingProgramme> ; "
        f"<https://w3id.org/kcs/ontology#provider> <{BASE}organisation/mmr> }} ORDER BY ?p LIMIT 1"
    )[0]["p"]
    current = read_description(world.store, world.settings, programme)
    lines = [f"{t} ." for t in current.triples]
    lines.append(f'<{programme}> <http://www.w3.org/2004/02/skos/core#altLabel> "program z matice"@cs .')
    return drafts.save_draft(
        world.store, world.settings, world.actor, programme, "\n".join(lines), "Doplnění", current.version
    )


def _revert(world: World) -> Any:
    # The history needs a revision to go back from: one published by the test's own reviewer.
    before = read_description(world.store, world.settings, FVE).version
    reviewer = accounts.account_by_email(world.store, world.settings, "recenzentka@example.cz")
    author = accounts.account_by_email(world.store, world.settings, "druha@example.cz")
    current = read_description(world.store, world.settings, FVE)
    lines = [f"{t} ." for t in current.triples] + [f'<{FVE}> <http://www.w3.org/2004/02/skos/core#altLabel> "x"@cs .']
    saved = drafts.save_draft(world.store, world.settings, author, FVE, "\n".join(lines), "Změna", before)
    drafts.submit_draft(world.store, world.settings, author, saved.draft.id)
    drafts.publish_draft(world.store, world.settings, reviewer, saved.draft.id)
    return drafts.revert(world.store, world.settings, world.actor, FVE, before, "Zpět")


OPERATIONS: dict[str, Callable[[World], Any]] = {
    "create-realisation": lambda w: drafts.save_draft(
        w.store,
        w.settings,
        w.actor,
        BASE + "realisation/matice",
        turtle_of(BASE + "realisation/matice", "Realisation", "Matice"),
        "Nová",
        None,
    ),
    "create-service": lambda w: drafts.save_draft(
        w.store,
        w.settings,
        w.actor,
        BASE + "service/matice",
        turtle_of(BASE + "service/matice", "SmartService", "Služba"),
        "Nová",
        None,
    ),
    "create-problem": lambda w: drafts.save_draft(
        w.store,
        w.settings,
        w.actor,
        BASE + "problem/matice",
        turtle_of(BASE + "problem/matice", "Problem", "Problém"),
        "Nový",
        None,
    ),
    "edit-concept-labels": lambda w: _concept(w, hierarchy=False),
    "edit-concept-hierarchy": lambda w: _concept(w, hierarchy=True),
    "edit-programme": _programme,
    "submit-own": lambda w: w.own_draft(submitted=True),
    "submit-others-by-id": lambda w: drafts.submit_draft(w.store, w.settings, w.actor, w.others_draft.id),
    "submit-others-by-iri": lambda w: drafts.submit_draft(w.store, w.settings, w.actor, w.draft_iri(w.others_draft)),
    "read-others-draft-by-id": lambda w: drafts.get_draft(w.store, w.settings, w.actor, w.others_draft.id),
    "read-others-draft-by-iri": lambda w: drafts.get_draft(w.store, w.settings, w.actor, w.draft_iri(w.others_draft)),
    "read-others-submitted": lambda w: drafts.get_draft(w.store, w.settings, w.actor, w.others_submitted.id),
    "publish-others": lambda w: drafts.publish_draft(w.store, w.settings, w.actor, w.others_submitted.id),
    "publish-others-by-iri": lambda w: drafts.publish_draft(
        w.store, w.settings, w.actor, w.draft_iri(w.others_submitted)
    ),
    "publish-own": lambda w: drafts.publish_draft(w.store, w.settings, w.actor, w.own_draft(submitted=True).id),
    "reject-others": lambda w: drafts.reject_draft(w.store, w.settings, w.actor, w.others_submitted.id, "Chybí zdroj"),
    "revert": _revert,
    "review-queue": lambda w: drafts.review_queue(w.store, w.settings, w.actor),
    "manage-accounts": lambda w: authorisation.authorise(
        w.actor, authorisation.MANAGE_ACCOUNTS, Subject(authorisation.ACCOUNT_KIND)
    ),
    "read-audit": lambda w: authorisation.authorise(
        w.actor, authorisation.READ_AUDIT, Subject(authorisation.AUDIT_KIND)
    ),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Path:
    """The seed catalogue with one account per role, a second curator's draft and submitted draft: made
    once, copied for each cell of the matrix (hashing passwords is slow on purpose)."""
    folder = tmp_path_factory.mktemp("matrix") / "store"
    shutil.copytree(loaded_store_path, folder)
    settings = Settings(store_path=folder)
    with CatalogueStore.open(settings) as store:
        for email, role in [
            ("kurator@example.cz", "curator"),
            ("recenzentka@example.cz", "reviewer"),
            ("ministerstvo@example.cz", "ministry"),
            ("spravce@example.cz", "admin"),
            ("zruseny@example.cz", "curator"),
            ("druha@example.cz", "curator"),
        ]:
            organisation = BASE + "organisation/mmr" if role == "ministry" else None
            accounts.add_account(store, settings, email, PASSWORD, role, name=email.split("@")[0], organisation=organisation)
        accounts.disable(store, settings, "zruseny@example.cz")
        other = accounts.account_by_email(store, settings, "druha@example.cz")
        for name in ("rozpracovany", "odeslany"):
            iri = BASE + f"realisation/{name}"
            saved = drafts.save_draft(store, settings, other, iri, turtle_of(iri, "Realisation", name), "Návrh", None)
            if name == "odeslany":
                drafts.submit_draft(store, settings, other, saved.draft.id)
    return folder


EMAILS = {
    "curator": "kurator@example.cz",
    "reviewer": "recenzentka@example.cz",
    "ministry": "ministerstvo@example.cz",
    "admin": "spravce@example.cz",
    "disabled": "zruseny@example.cz",
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_every_action(role: str, operation: str, template: Path, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    shutil.copytree(template, folder)
    settings = Settings(store_path=folder, index_path=tmp_path / "index")
    with CatalogueStore.open(settings) as store:
        actor = accounts.account_by_email(store, settings, EMAILS[role]) if role in EMAILS else None
        other = accounts.account_by_email(store, settings, "druha@example.cz")
        assert other is not None
        mine = {d.resource.rsplit("/", 1)[-1]: d for d in drafts.drafts(store, settings, other)}
        world = World(store, settings, actor, mine["rozpracovany"], mine["odeslany"])
        try:
            OPERATIONS[operation](world)
            outcome = OK
        except Unauthenticated:
            outcome = NO_ACCOUNT
        except Forbidden as refusal:
            assert refusal.message and refusal.status == 403
            outcome = REFUSED
        assert outcome == EXPECTED[operation][role], f"{role} → {operation}"
        if outcome != OK and operation.startswith("publish-others"):
            assert not read_description(store, settings, BASE + "realisation/odeslany").exists, (
                "refused: nothing written"
            )
