"""The outbox of e-mail notifications for admins (``/sprava/posta``): every message the catalogue sent, or
would have sent without an SMTP server, with its state and, for a failure, the error
(:mod:`catalogue.editing.notifications`).

Admins only, by the table's ``read-outbox`` right: a message names an account's e-mail and what a draft or a
proposal says.
"""

from __future__ import annotations

from datetime import UTC

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalogue.editing import notifications
from catalogue.editing.authorisation import OUTBOX_KIND, READ_OUTBOX
from web.auth import page_guard
from web.paging import PAGE_PARAMETER, page_count, pager
from web.site import N_, render
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

OUTBOX_PAGE_SIZE = 50
ADMIN_ONLY = N_("Tuto stránku mohou otevřít jen správci katalogu.")

STATE_NAMES = {
    notifications.UNSENT: N_("neodesláno (SMTP není nastaveno)"),
    notifications.QUEUED: N_("odesílá se"),
    notifications.SENT: N_("odesláno"),
    notifications.FAILED: N_("odeslání selhalo"),
}

REASON_NAMES = {
    notifications.SUBMITTED: N_("návrh odeslán ke schválení"),
    notifications.PUBLISHED: N_("návrh zveřejněn"),
    notifications.REJECTED: N_("návrh zamítnut"),
    notifications.PROPOSAL: N_("nový podnět obce"),
}


@router.get("/sprava/posta")
def outbox_page(request: Request) -> Response:
    admin = page_guard(request, READ_OUTBOX, OUTBOX_KIND, forbidden=ADMIN_ONLY)
    if isinstance(admin, Response):
        return admin
    catalogue = site_catalogue(request)
    total = notifications.outbox_count(catalogue.store, catalogue.settings)
    pages = page_count(total, OUTBOX_PAGE_SIZE)
    asked = request.query_params.get(PAGE_PARAMETER, "1")
    current = min(int(asked), pages) if asked.isdigit() and int(asked) >= 1 else 1
    found = notifications.outbox(catalogue.store, catalogue.settings, limit=OUTBOX_PAGE_SIZE,
                                 offset=(current - 1) * OUTBOX_PAGE_SIZE)
    return render(request, "outbox.html", {
        "messages": found, "total": total, "pager": pager(request, current, pages), "state_names": STATE_NAMES,
        "reason_names": REASON_NAMES, "smtp": bool(catalogue.settings.smtp_host), "utc": UTC,
    })
