"""Log-in, log-out, one's own account, and the admin pages: the accounts and the audit log.

``/prihlaseni`` logs in with an e-mail and a password (the form carries the site's signed form token,
:class:`web.forms.FormSigner`, so another site cannot log a browser into an account of its choosing) and
goes back to ``?zpet=`` when that is a path of this site. A wrong e-mail and a wrong password get the same
message, so the form does not tell which e-mails have accounts; too many failures get 429 with
Retry-After (:func:`catalogue.editing.accounts.authenticate`).

Every other form here is a logged-in person's and carries the session's anti-forgery token
(:func:`web.auth.csrf_token`). A page that needs an account sends a browser without one to log in (303)
and answers a program 401; an account without the right gets 403 with a page saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from catalogue.editing import accounts, audit
from catalogue.editing.accounts import Account
from catalogue.editing.authorisation import (
    ACCOUNT_KIND,
    AUDIT_KIND,
    MANAGE_ACCOUNTS,
    READ_AUDIT,
    ROLES,
    Subject,
    may,
)
from catalogue.errors import Forbidden, InvalidInput, NotFound, TooManyAttempts
from web.auth import (
    CSRF_REFUSED,
    SESSION_COOKIE,
    as_actor,
    check_csrf,
    clear_session_cookie,
    csrf_token,
    current_account,
    page_guard,
    set_session_cookie,
    site_key,
)
from web.clients import client_address
from web.errors import html_error
from web.form_cookie import form_token, set_form_cookie
from web.forms import FORM_COOKIE, FormSigner, RejectedForm, form_fields
from web.paging import PAGE_PARAMETER, page_count, pager
from web.site import N_, language_of, local_path, render, translate
from web.state import SPENT_FORM_TOKENS, site_catalogue

router = APIRouter(include_in_schema=False)

LOGIN_PURPOSE = "login"
AUDIT_PAGE_SIZE = 50
ACCOUNT_HOME = "/ucet"

ROLE_NAMES = {"curator": N_("kurátor"), "reviewer": N_("recenzent"), "ministry": N_("ministerstvo"),
              "admin": N_("správce")}

ACTION_NAMES = {
    audit.LOGIN: N_("přihlášení"),
    audit.LOGIN_FAILED: N_("neúspěšné přihlášení"),
    audit.LOGIN_THROTTLED: N_("přihlášení odmítnuto (příliš mnoho pokusů)"),
    audit.LOGOUT: N_("odhlášení"),
    audit.ACCOUNT_ADDED: N_("účet založen"),
    audit.ROLE_CHANGED: N_("role změněna"),
    audit.ACCOUNT_DISABLED: N_("účet zablokován"),
    audit.PASSWORD_CHANGED: N_("heslo změněno"),
    audit.TOKEN_CREATED: N_("API token vytvořen"),
    audit.ACCOUNTS_LISTED: N_("seznam účtů vypsán"),
    audit.DRAFT_SAVED: N_("koncept uložen"),
    audit.DRAFT_SUBMITTED: N_("koncept odeslán ke schválení"),
    audit.PUBLISHED: N_("zveřejněno"),
    audit.REJECTED: N_("zamítnuto"),
    audit.REVERTED: N_("vráceno k dřívější verzi"),
}
"""The audit log's actions in words; one the editing layer adds later is shown by its name until it is here."""

WRONG_CREDENTIALS = N_("E-mail nebo heslo nejsou správné. Zkontrolujte je a zkuste to znovu.")
THROTTLED = N_("Příliš mnoho neúspěšných pokusů o přihlášení. Zkuste to prosím znovu za {minutes} min.")
FORM_REJECTED = {
    "token": N_("Formulář se nepodařilo ověřit. Načtěte stránku znovu a odešlete ho ještě jednou; prohlížeč musí "
                "povolit cookies tohoto webu."),
    "expired": N_("Formulář byl otevřený příliš dlouho. Odešlete ho prosím ještě jednou."),
    "too-large": N_("Formulář je příliš velký."),
    "used": N_("Tento formulář už byl jednou odeslán. Zadejte prosím heslo znovu a odešlete ho."),
}
ADMIN_ONLY = N_("Tuto stránku mohou otevřít jen správci katalogu.")
FIX_FIELDS = N_("Formulář nebyl odeslán: opravte prosím označená pole.")

FIELD_ERRORS = {
    "INVALID_EMAIL": N_("Uveďte platnou e-mailovou adresu (např. jmeno@obec.cz)."),
    "EMAIL_TAKEN": N_("Účet s tímto e-mailem už existuje."),
    "PASSWORD_TOO_SHORT": N_("Heslo musí mít alespoň 12 znaků."),
    "PASSWORD_TOO_LONG": N_("Heslo může mít nejvýše 1024 znaků."),
    "UNKNOWN_ROLE": N_("Zvolte roli ze seznamu."),
    "NAME_TOO_LONG": N_("Jméno může mít nejvýše 200 znaků."),
    "ORGANISATION_NEEDED": N_("Účet s rolí ministerstvo potřebuje organizaci: uveďte IRI ministerstva z katalogu."),
    "UNKNOWN_ORGANISATION": N_("Tuto organizaci katalog nezná: uveďte IRI organizace z katalogu."),
    "LAST_ADMIN": N_("Toto je jediný aktivní účet správce: nejprve dejte roli správce jinému účtu."),
    "WRONG_PASSWORD": N_("Současné heslo není správné."),
    "PASSWORDS_DIFFER": N_("Nové heslo a jeho zopakování se liší: napište ho prosím dvakrát stejně."),
    "NOT_FOUND": N_("Tento účet už neexistuje."),
}
"""What a form says under a field for each refusal of the accounts layer (its code), in the page's language."""

DONE = {
    "pridan": N_("Účet byl založen."),
    "role": N_("Role byla změněna. Účet se musí znovu přihlásit."),
    "zablokovan": N_("Účet byl zablokován: jeho přihlášení skončila a jeho tokeny přestaly platit."),
    "heslo": N_("Heslo bylo změněno. Přihlášení na ostatních zařízeních skončila."),
}


def _field_error(error: InvalidInput | NotFound) -> str:
    return FIELD_ERRORS.get(error.code, FIELD_ERRORS["NOT_FOUND"] if isinstance(error, NotFound) else FIX_FIELDS)


def _guard(request: Request, action: str | None = None, kind: str = "") -> Account | Response:
    return page_guard(request, action, kind, forbidden=ADMIN_ONLY)


# -- log-in -------------------------------------------------------------------------------------------


def _signer(request: Request) -> FormSigner:
    return FormSigner(site_key(request), LOGIN_PURPOSE)


def _login_page(request: Request, context: dict[str, Any], status: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    token, cookie = form_token(request, _signer(request))
    context = {
        "email": "", "zpet": local_path(request.query_params.get("zpet"), ""), "error": None, "minutes": 0,
        "account": current_account(request), **context, "token": token,
    }
    response = render(request, "login.html", context, status=status, headers=headers)
    if cookie is not None:
        set_form_cookie(response, request, cookie)
    return response


@router.get("/prihlaseni")
def login_page(request: Request) -> Response:
    return _login_page(request, {})


@router.post("/prihlaseni")
async def log_in(request: Request) -> Response:
    try:
        fields = await form_fields(request)
    except RejectedForm as rejected:
        return await run_in_threadpool(_login_page, request, {"error": FORM_REJECTED[rejected.reason]}, 413)
    return await run_in_threadpool(_log_in, request, fields)


def _log_in(request: Request, fields: dict[str, str]) -> Response:
    email = fields.get("email", "").strip()
    back = local_path(fields.get("zpet"), "")
    kept = {"email": email, "zpet": back}
    try:
        _signer(request).check(fields.get("token", ""), request.cookies.get(FORM_COOKIE))
    except RejectedForm as rejected:
        # Password managers fill a log-in form at once: speed tells nothing here, only a forged token does.
        if rejected.reason != "too-fast":
            return _login_page(request, {**kept, "error": FORM_REJECTED[rejected.reason]},
                               403 if rejected.reason == "token" else 400)
    catalogue = site_catalogue(request)
    # Each try needs a page of its own: a token sent again (a replay, a script's loop) is refused before
    # the password is checked, and the page answered with carries a fresh one.
    spent = _signer(request).spent_key(fields.get("token", ""))
    if SPENT_FORM_TOKENS.claim(catalogue.store, catalogue.settings, spent) is None:
        return _login_page(request, {**kept, "error": FORM_REJECTED["used"]}, 409)
    try:
        account = accounts.authenticate(catalogue.store, catalogue.settings, email, fields.get("heslo", ""),
                                        client=client_address(request, catalogue.settings))
    except TooManyAttempts as error:
        minutes = max(1, -(-error.retry_after // 60))
        return _login_page(request, {**kept, "error": THROTTLED, "minutes": minutes}, 429,
                           {"Retry-After": str(error.retry_after)})
    if account is None:
        return _login_page(request, {**kept, "error": WRONG_CREDENTIALS}, 400)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        # A new log-in in the same browser: the session it replaces ends too, not just its cookie.
        accounts.end_session(catalogue.store, catalogue.settings, previous)
    response = RedirectResponse(back or ACCOUNT_HOME, status_code=303)
    set_session_cookie(request, response, accounts.create_session(catalogue.store, catalogue.settings, account))
    return response


@router.post("/odhlaseni")
async def log_out(request: Request) -> Response:
    try:
        fields = await form_fields(request)
    except RejectedForm:
        fields = {}
    return await run_in_threadpool(_log_out, request, fields.get("csrf", ""))


def _log_out(request: Request, token: str) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return RedirectResponse("/", status_code=303)
    try:
        check_csrf(request, token)
    except Forbidden:
        return html_error(request, 403, detail=translate(language_of(request), CSRF_REFUSED))
    catalogue = site_catalogue(request)
    accounts.end_session(catalogue.store, catalogue.settings, secret)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(request, response)
    return response


# -- one's own account ------------------------------------------------------------------------------


def _own_page(request: Request, account: Account, context: dict[str, Any], status: int = 200) -> Response:
    done = DONE.get(request.query_params.get("hotovo", ""))
    return render(request, "accounts.html", {
        "view": "own", "account": account, "role_names": ROLE_NAMES, "csrf": csrf_token(request), "done": done,
        "admin": may(as_actor(account), MANAGE_ACCOUNTS, Subject(ACCOUNT_KIND)), "errors": {}, **context,
    }, status=status)


@router.get("/ucet")
def own_account(request: Request) -> Response:
    account = _guard(request)
    if isinstance(account, Response):
        return account
    return _own_page(request, account, {})


@router.post("/ucet/heslo")
async def change_password(request: Request) -> Response:
    try:
        fields = await form_fields(request)
    except RejectedForm:
        fields = {}
    return await run_in_threadpool(_change_password, request, fields)


def _change_password(request: Request, fields: dict[str, str]) -> Response:
    account = _guard(request)
    if isinstance(account, Response):
        return account
    try:
        check_csrf(request, fields.get("csrf"))
    except Forbidden:
        return _own_page(request, account, {"form_error": CSRF_REFUSED}, 403)
    catalogue = site_catalogue(request)
    try:
        changed = accounts.change_own_password(
            catalogue.store, catalogue.settings, account, fields.get("stare", ""), fields.get("nove", ""),
            fields.get("znovu", ""),
        )
    except InvalidInput as error:
        return _own_page(request, account, {"form_error": FIX_FIELDS, "errors": {error.field: _field_error(error)}},
                         400)
    # Every session ended with the old password; this browser goes on in a new one.
    response = RedirectResponse(f"{ACCOUNT_HOME}?hotovo=heslo", status_code=303)
    set_session_cookie(request, response, accounts.create_session(catalogue.store, catalogue.settings, changed))
    return response


# -- the admin's pages -------------------------------------------------------------------------------


def _admin_page(request: Request, admin: Account, context: dict[str, Any], status: int = 200) -> Response:
    catalogue = site_catalogue(request)
    return render(request, "accounts.html", {
        "view": "admin", "account": admin, "accounts": accounts.accounts(catalogue.store, catalogue.settings),
        "roles": ROLES, "role_names": ROLE_NAMES, "csrf": csrf_token(request),
        "done": DONE.get(request.query_params.get("hotovo", "")), "errors": {}, "row_errors": {}, "added": {},
        "row": None, **context,
    }, status=status)


@router.get("/sprava/ucty")
def manage_accounts(request: Request) -> Response:
    admin = _guard(request, MANAGE_ACCOUNTS, ACCOUNT_KIND)
    if isinstance(admin, Response):
        return admin
    return _admin_page(request, admin, {})


def _admin_post(request: Request, fields: dict[str, str], act: Callable[[Account], str],
                kept: dict[str, Any]) -> Response:
    """Run one admin form: the guard, the form's token, then ``act`` (which names what was done), or the
    page again with what was typed and why it was refused."""
    admin = _guard(request, MANAGE_ACCOUNTS, ACCOUNT_KIND)
    if isinstance(admin, Response):
        return admin
    try:
        check_csrf(request, fields.get("csrf"))
    except Forbidden:
        return _admin_page(request, admin, {**kept, "form_error": CSRF_REFUSED}, 403)
    try:
        done = act(admin)
    except (InvalidInput, NotFound) as error:
        field = error.field if isinstance(error, InvalidInput) and error.field else "email"
        # The add form's own fields show their errors; a row's form (role, disable) is listed above the table.
        where = "row_errors" if "row" in kept else "errors"
        return _admin_page(request, admin, {**kept, "form_error": FIX_FIELDS, where: {field: _field_error(error)}},
                           400)
    return RedirectResponse(f"/sprava/ucty?hotovo={done}", status_code=303)


async def _fields(request: Request) -> dict[str, str]:
    try:
        return await form_fields(request)
    except RejectedForm:
        return {}


@router.post("/sprava/ucty")
async def add_account(request: Request) -> Response:
    fields = await _fields(request)
    catalogue = site_catalogue(request)
    added = {name: fields.get(name, "").strip() for name in ("email", "jmeno", "role", "organizace")}

    def act(admin: Account) -> str:
        accounts.add_account(catalogue.store, catalogue.settings, added["email"], fields.get("heslo", ""),
                             added["role"], organisation=added["organizace"] or None, name=added["jmeno"] or None,
                             actor=admin)
        return "pridan"

    return await run_in_threadpool(_admin_post, request, fields, act, {"added": added})


@router.post("/sprava/ucty/role")
async def change_role(request: Request) -> Response:
    fields = await _fields(request)
    catalogue = site_catalogue(request)
    row = {name: fields.get(name, "").strip() for name in ("email", "role", "organizace")}

    def act(admin: Account) -> str:
        accounts.set_role(catalogue.store, catalogue.settings, row["email"], row["role"],
                          organisation=row["organizace"] or None, actor=admin)
        return "role"

    return await run_in_threadpool(_admin_post, request, fields, act, {"row": row})


@router.post("/sprava/ucty/zablokovat")
async def disable_account(request: Request) -> Response:
    fields = await _fields(request)
    catalogue = site_catalogue(request)
    row = {"email": fields.get("email", "").strip(), "role": "", "organizace": ""}

    def act(admin: Account) -> str:
        accounts.disable(catalogue.store, catalogue.settings, row["email"], actor=admin)
        return "zablokovan"

    return await run_in_threadpool(_admin_post, request, fields, act, {"row": row})


@router.get("/sprava/zaznam")
def audit_log(request: Request) -> Response:
    admin = _guard(request, READ_AUDIT, AUDIT_KIND)
    if isinstance(admin, Response):
        return admin
    catalogue = site_catalogue(request)
    total = audit.entry_count(catalogue.store, catalogue.settings)
    pages = page_count(total, AUDIT_PAGE_SIZE)
    asked = request.query_params.get(PAGE_PARAMETER, "1")
    current = min(int(asked), pages) if asked.isdigit() and int(asked) >= 1 else 1
    found = audit.entries(catalogue.store, catalogue.settings, limit=AUDIT_PAGE_SIZE,
                          offset=(current - 1) * AUDIT_PAGE_SIZE)
    return render(request, "audit.html", {
        "entries": found, "total": total, "pager": pager(request, current, pages), "action_names": ACTION_NAMES,
        "utc": UTC,
    })
