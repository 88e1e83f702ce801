"""What managed login's HTTP face shares: running an operation under the store lock, rendering pages from
the Jinja2 templates in ``templates/managed_login/``, the CSRF token, and turning an outcome into a response.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from amplify_py._templates import templates_root
from amplify_py.local.context import EngineContext
from amplify_py.local.model.oauth import AuthorizeRequest
from amplify_py.local.operations.oauth import Outcome, Page, Redirect, Stop, session_cookie
from amplify_py.local.rules.oauth_state import SESSION_TTL

__all__ = ["run", "render", "respond", "page_or_error", "csrf_ok", "csrf_token", "set_csrf_cookie", "CSRF_COOKIE",
           "CSRF_FIELD", "TEMPLATES"]

_log = logging.getLogger("amplify_py.local")
TEMPLATES = "managed_login"
CSRF_COOKIE = "XSRF-TOKEN"
CSRF_FIELD = "_csrf"  # the hidden field of the double-submit check (every page's forms)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(templates_root() / TEMPLATES)), undefined=StrictUndefined,
                       autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True,
                       lstrip_blocks=True)


async def run(ctx: EngineContext, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(ctx, *args)`` in a worker thread, in one write transaction (triggers let go of it while they run;
    whatever ``fn`` wrote is kept, even when it raises, as when every statement committed on its own)."""
    def call() -> Any:
        with ctx.store.operation(write=True, keep_on=(BaseException,)):
            ctx.sync_config()
            return fn(ctx, *args)
    return await run_in_threadpool(call)


def csrf_token(request: Request) -> str:
    """The token a page's forms carry: the browser's cookie, or a new one (``set_csrf_cookie`` then sets it)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    """Give the browser the page's token as its cookie, unless it has it already (the double-submit pair)."""
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, path="/", secure=True, httponly=True, samesite="lax")


def csrf_ok(request: Request, form: dict[str, str]) -> bool:
    """The double-submit check: the form's hidden token equals the cookie the page set."""
    cookie = request.cookies.get(CSRF_COOKIE)
    return bool(cookie) and secrets.compare_digest(cookie or "", form.get(CSRF_FIELD, ""))


def render(request: Request, page: Page, authorize: AuthorizeRequest | None = None) -> Response:
    token = csrf_token(request)
    params = authorize.to_params() if authorize is not None else {}
    context = {"error": None, "notice": None, "error_field": None, **page.context,
               "csrf": token, "csrf_field": CSRF_FIELD, "query": urlencode(params), "request_params": params}
    html = _environment().get_template(f"{page.template}.html.j2").render(**context)
    response = HTMLResponse(html, status_code=page.status, headers={"Cache-Control": "no-store"})
    set_csrf_cookie(request, response, token)
    return response


def respond(request: Request, outcome: Outcome, authorize: AuthorizeRequest | None = None) -> Response:
    if isinstance(outcome, Page):
        return render(request, outcome, authorize)
    response = RedirectResponse(outcome.location, status_code=302, headers={"Cache-Control": "no-store"})
    if outcome.session is not None:
        pool_id, session_id = outcome.session
        response.set_cookie(session_cookie(pool_id), session_id, max_age=int(SESSION_TTL), path="/", secure=True,
                            httponly=True, samesite="lax")
    if outcome.end_session is not None:
        response.delete_cookie(session_cookie(outcome.end_session), path="/", secure=True, httponly=True,
                               samesite="lax")
    return response


async def page_or_error(ctx: EngineContext, request: Request, fn: Callable[..., Outcome], *args: Any,
                        authorize: AuthorizeRequest | None = None) -> Response:
    """Run a page's operation; ``Stop`` is Cognito's answer, anything else a bug shown as Cognito's error page."""
    try:
        try:
            outcome = await run(ctx, fn, *args)
        except Stop as stop:
            outcome = stop.outcome
        return respond(request, outcome, authorize)
    except Exception:  # noqa: BLE001 - a bug in the engine: Cognito's server_error page, keep serving
        _log.exception("internal error in %s", request.url.path)
        ctx.log("engine", f"Internal error in {request.url.path}:\n{traceback.format_exc().rstrip()}")
        return HTMLResponse("<!doctype html><title>Error</title><h1>An error was encountered with the requested "
                            "page.</h1><p>server_error</p>", status_code=500)
