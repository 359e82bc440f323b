"""The form cookie and a signed form's token for it, issued alike wherever a page carries such a form
(the answer page's proposal form, also when the page is sent from what was kept: api/kept_pages.py)."""

from __future__ import annotations

from fastapi import Request, Response

from web.forms import FORM_COOKIE, FormSigner, new_form_cookie


def form_token(request: Request, signer: FormSigner) -> tuple[str, str | None]:
    """A token of ``signer``'s form for the browser's form cookie, and that cookie when it is new (the
    response must then set it: :func:`set_form_cookie`)."""
    cookie = request.cookies.get(FORM_COOKIE)
    if cookie:
        return signer.token(cookie), None
    cookie = new_form_cookie()
    return signer.token(cookie), cookie


def set_form_cookie(response: Response, request: Request, cookie: str) -> None:
    """Set the new form cookie: no script reads it and no other site's request carries it."""
    response.set_cookie(FORM_COOKIE, cookie, httponly=True, samesite="strict", secure=request.url.scheme == "https")
