"""Managed login's pages: ``/login``, ``/signup``, ``/confirm``, ``/forgotPassword``,
``/confirmForgotPassword`` and the challenge pages (``/mfa``, ``/mfa/setup``, ``/mfa/totp``).

Every page carries the authorize request in its query string, as Cognito's do; forms post back with a CSRF
token the page set in a cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from amplify_py.local.context import EngineContext
from amplify_py.local.http.pages import csrf_ok, page_or_error, render
from amplify_py.local.model.oauth import AuthorizeRequest
from amplify_py.local.operations import managed_login as pages
from amplify_py.local.operations.oauth import Page

__all__ = ["ROUTES"]


def _page(fn: Callable[..., Any]) -> Callable[[EngineContext, Request], Any]:
    async def get(ctx: EngineContext, request: Request) -> Response:
        authorize = AuthorizeRequest.from_params(request.query_params)
        return await page_or_error(ctx, request, fn, authorize, authorize=authorize)
    return get


def _form(fn: Callable[..., Any]) -> Callable[[EngineContext, Request], Any]:
    async def post(ctx: EngineContext, request: Request) -> Response:
        authorize = AuthorizeRequest.from_params(request.query_params)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not csrf_ok(request, form):
            return render(request, Page("error", {"error": "invalid_request", "description":
                                                  "This page has expired. Go back, reload it and try again."}, 403))
        return await page_or_error(ctx, request, fn, authorize, form, authorize=authorize)
    return post


ROUTES: list[tuple[str, str, Callable[[EngineContext, Request], Any]]] = [
    ("/login", "GET", _page(pages.sign_in_page)),
    ("/login", "POST", _form(pages.sign_in_with_password)),
    ("/signup", "GET", _page(pages.sign_up_page)),
    ("/signup", "POST", _form(pages.sign_up_user)),
    ("/confirm", "POST", _form(pages.confirm_sign_up)),
    ("/forgotPassword", "GET", _page(pages.forgot_password_page)),
    ("/forgotPassword", "POST", _form(pages.forgot_password)),
    ("/confirmForgotPassword", "POST", _form(pages.confirm_forgot_password)),
    ("/mfa", "POST", _form(pages.answer_challenge)),
    ("/mfa/setup", "POST", _form(pages.choose_mfa_setup)),
    ("/mfa/totp", "POST", _form(pages.verify_totp_setup)),
]
"""(path, method, face) for every managed-login page."""
