"""Import by the file in the site (``/upravy/import``): upload a table, read the report row by row, and
apply it as one draft for review (:mod:`catalogue.imports`); and each kind's template with its CSVW
metadata (``/upravy/import/sablona/realizace.csv`` and ``….csv-metadata.json``).

A file with any invalid row is refused with its report and nothing is written; a browser cannot keep a
chosen file, so the person fixes the file and uploads it again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from catalogue import imports
from catalogue.editing.accounts import Account
from catalogue.editing.authorisation import EDIT, OTHER_KIND, Subject, may
from catalogue.errors import CatalogueError, Forbidden, Unauthenticated
from web.auth import as_actor, check_csrf, csrf_token, page_guard
from web.site import N_, language_of, render, translate
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

MAX_UPLOAD_BYTES = 10_000_000
AUTHORISED_AS = {"realisation": "realisation", "programme": "programme", "call": "call", "strategy": OTHER_KIND}
"""The kind of the authorisation table each import kind is (a strategy with its concepts is the admins')."""

KIND_TITLES = {
    "realisation": N_("Realizace (dobrá praxe)"),
    "programme": N_("Programy financování"),
    "call": N_("Výzvy"),
    "strategy": N_("Strategie s celou hierarchií"),
}
STATUS_TITLES = {
    imports.CREATED: N_("nový"), imports.CHANGED: N_("změněný"), imports.UNCHANGED: N_("beze změny"),
    imports.ERROR: N_("chyba"),
}
TOO_LARGE = N_("Soubor je větší než 10 MB: rozdělte ho na více souborů.")
NO_FILE = N_("Vyberte soubor CSV nebo XLSX.")
NO_KIND = N_("Vyberte, co soubor obsahuje.")
NOT_ALLOWED = N_("Tento druh importu vaše role nemůže.")
CHECKED = N_("Soubor je v pořádku: všechny řádky lze importovat. Vyberte ho znovu a zvolte „Importovat“.")
REFUSED = N_("Import odmítnut, nic nebylo zapsáno: opravte chyby uvedené níže a nahrajte soubor znovu.")
NOTHING = N_("Soubor nic nemění: všechny jeho záznamy už katalog má takto.")


def _kinds(account: Account) -> list[tuple[str, str, str]]:
    """The import kinds the account may bring: (kind, its web slug, its title)."""
    return [
        (kind, imports.SLUG_OF_KIND[kind], KIND_TITLES[kind])
        for kind in imports.KINDS
        if may(as_actor(account), EDIT, _subject(kind))
    ]


def _subject(kind: str) -> Subject:
    return Subject(AUTHORISED_AS[kind])


def _page(
    request: Request, account: Account, *, status: int = 200, planned: imports.Plan | None = None,
    kind: str = "", reason: str = "", message: str | None = None, notice: str | None = None,
) -> Response:
    return render(request, "imports.html", {
        "kinds": _kinds(account), "kind": kind, "reason": reason, "planned": planned, "message": message,
        "notice": notice, "csrf": csrf_token(request), "status_names": STATUS_TITLES,
        "max_rows": imports.MAX_ROWS,
    }, status=status)


@router.get("/upravy/import")
def import_page(request: Request) -> Response:
    account = page_guard(request)
    if isinstance(account, Response):
        return account
    return _page(request, account, kind=request.query_params.get("druh", ""))


@router.post("/upravy/import")
async def import_file(request: Request) -> Response:
    account = page_guard(request)
    if isinstance(account, Response):
        return account
    lang = language_of(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        return _page(request, account, status=413, message=translate(lang, TOO_LARGE))
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=MAX_UPLOAD_BYTES)
    except MultiPartException:
        return _page(request, account, status=400, message=translate(lang, NO_FILE))
    try:
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
        upload = form.get("soubor")
        kind = imports.KIND_SLUGS.get(fields.get("druh", ""), "")
        reason = " ".join(fields.get("duvod", "").split())
        try:
            check_csrf(request, fields.get("csrf"))
        except Forbidden as error:
            return _page(request, account, status=403, kind=kind, reason=reason, message=translate(lang, error.message))
        if not kind:
            return _page(request, account, status=400, reason=reason, message=translate(lang, NO_KIND))
        if not may(as_actor(account), EDIT, _subject(kind)):
            return _page(request, account, status=403, kind=kind, reason=reason, message=translate(lang, NOT_ALLOWED))
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _page(request, account, status=400, kind=kind, reason=reason, message=translate(lang, NO_FILE))
        data = await upload.read()
        name = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    finally:
        await form.close()
    return await run_in_threadpool(_import, request, account, kind, name, data, reason,
                                   fields.get("akce") == "importovat")


def _import(request: Request, account: Account, kind: str, name: str, data: bytes, reason: str,
            apply: bool) -> Response:
    catalogue = site_catalogue(request)
    lang = language_of(request)
    try:
        planned = imports.plan(catalogue.store, catalogue.settings, catalogue.search, kind, name, data)
    except CatalogueError as error:  # the file is no table
        return _page(request, account, status=400, kind=kind, reason=reason, message=translate(lang, error.message))
    if not planned.valid:
        return _page(request, account, status=400, planned=planned, kind=kind, reason=reason,
                     message=translate(lang, REFUSED))
    if not apply:
        return _page(request, account, planned=planned, kind=kind, reason=reason, notice=translate(lang, CHECKED))
    if not planned.changes:
        return _page(request, account, planned=planned, kind=kind, reason=reason, notice=translate(lang, NOTHING))
    try:
        draft = imports.apply(catalogue.store, catalogue.settings, as_actor(account), planned,
                              reason or f"Import souboru {name}")
    except (Forbidden, Unauthenticated) as error:
        return _page(request, account, status=403, planned=planned, kind=kind, reason=reason,
                     message=translate(lang, error.message))
    except CatalogueError as error:
        return _page(request, account, status=400, planned=planned, kind=kind, reason=reason,
                     message=translate(lang, error.message))
    return RedirectResponse(f"/upravy/navrh/{draft.id}?hotovo=ulozeno", status_code=303)


def _kind_of_template(slug: str) -> str | None:
    return imports.KIND_SLUGS.get(slug)


@router.get("/upravy/import/sablona/{slug}.csv")
def template(request: Request, slug: str) -> Response:
    kind = _kind_of_template(slug)
    if kind is None:
        return Response(translate(language_of(request), NO_KIND), status_code=404, media_type="text/plain")
    settings = site_catalogue(request).settings
    # A byte-order mark, so that spreadsheets open the UTF-8 template with its diacritics.
    return Response("\ufeff" + imports.template_csv(settings, kind), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="katalog-import-{slug}.csv"',
        "Link": f'</upravy/import/sablona/{slug}.csv-metadata.json>; rel="describedby"; type="application/csvm+json"',
    })


@router.get("/upravy/import/sablona/{slug}.csv-metadata.json")
def template_metadata(request: Request, slug: str) -> Response:
    kind = _kind_of_template(slug)
    if kind is None:
        return JSONResponse({"error": translate(language_of(request), NO_KIND)}, status_code=404)
    settings = site_catalogue(request).settings
    # Relative, as CSVW resolves it against the metadata's own address (never the request's Host).
    return JSONResponse(imports.csvw_metadata(settings, kind, f"{slug}.csv"), media_type="application/csvm+json")
