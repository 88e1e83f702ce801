"""The local console: HTML pages under ``/_console/`` showing the engine's pools, users (status, attributes,
groups, MFA), the outbox and the recent requests and trigger runs, with forms for the usual admin actions.

Pages are the Jinja2 templates in ``templates/console/`` (plain HTML and CSS, no script). Who may see them
is ``console_access``'s business (loopback only, the engine's token, CSRF-checked forms); what they show
and change is ``operations.console``'s.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from amplify_py._templates import templates_root
from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.http import console_access as access
from amplify_py.local.operations import console as data
from amplify_py.local.operations.registry import IDENTITY_TARGET, USER_POOL_TARGET

__all__ = ["routes", "PREFIX", "PAGE_SIZE"]

PREFIX = "/_console"
PAGE_SIZE = 50  # users per page
_FORM_FIELDS = 20  # a console form has a handful; more is not one of ours
_NOT_LOOPBACK = ("The local console answers only requests from this machine addressed to 127.0.0.1, localhost or "
                 "[::1]. Open it at the address `ampy sandbox` printed.\n")

View = Callable[[EngineContext, Request, Mapping[str, str]], Response]


def routes(ctx: EngineContext) -> list[BaseRoute]:
    """The console's routes, for ``Mount(PREFIX, routes=...)``."""
    def page(view: View) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            return await _serve(ctx, request, view)
        return endpoint

    return [
        Route("/", page(_pools), methods=["GET"]),
        Route("/console.css", _stylesheet, methods=["GET"]),
        Route("/pools/{pool_id}", page(_pool), methods=["GET"]),
        Route("/pools/{pool_id}/user", page(_user), methods=["GET"]),
        Route("/pools/{pool_id}/user/{action}", page(_action), methods=["POST"]),
        Route("/outbox", page(_outbox), methods=["GET"]),
        Route("/activity", page(_activity), methods=["GET"]),
    ]


# --- access --------------------------------------------------------------------------------
async def _serve(ctx: EngineContext, request: Request, view: View) -> Response:
    if not access.loopback_request(request):
        return PlainTextResponse(_NOT_LOOPBACK, 403, headers=access.SECURITY_HEADERS)
    token = ctx.console_token
    given = request.query_params.get("token")
    if given is not None and request.method == "GET":
        if not access.token_matches(token, given):
            return _login(request, "That is not this engine's console token. Use the one in the address "
                                   "ampy sandbox printed last: the engine makes a new one each time it starts.")
        response = RedirectResponse(access.address_without_token(request), 303, headers=access.SECURITY_HEADERS)
        response.set_cookie(access.cookie_name(request), access.session_cookie(token), path=f"{PREFIX}/",
                            httponly=True, samesite="strict")
        return response
    if not access.signed_in(request, token):
        return _login(request, None)
    form: dict[str, str] = {}
    if request.method == "POST":
        refusal = await _read_form(request, token, form)
        if refusal is not None:
            return refusal
    try:
        return await run_in_threadpool(view, ctx, request, form)
    except CognitoError as exc:  # the pool or user in the address is not there (any more)
        return _render(request, token, "error.html", 404, title="Not found", message=exc.message)


async def _read_form(request: Request, token: str, into: dict[str, str]) -> Response | None:
    """Fill ``into`` from an urlencoded form; a refusal when it is not the console's own form."""
    if not access.same_origin(request):
        return _refuse(request, token, "This form was sent from another site. Use the console's own page.")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return _refuse(request, token, "The console takes its own HTML forms only (application/x-www-form-urlencoded).")
    try:
        pairs = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                          max_num_fields=_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return _refuse(request, token, "The form could not be read. Reload the page and try again.", 400)
    into.update(pairs)
    if not access.csrf_matches(token, into.get("csrf")):
        return _refuse(request, token, "This form is out of date or not the console's own (its CSRF token does not "
                                       "match this engine). Reload the page and try again.")
    return None


def _login(request: Request, error: str | None) -> Response:
    # The form comes back to the same page, with the same query (a GET form replaces the query).
    keep = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
    return _render(request, "", "login.html", 403, title="Open the console", error=error, nav=False,
                   action=request.url.path, keep=keep)


def _refuse(request: Request, token: str, message: str, status: int = 403) -> Response:
    return _render(request, token, "error.html", status, title="Request refused", message=message)


# --- rendering -----------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_root())), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _when
    env.filters["iso_when"] = _iso_when
    env.globals.update(pool_url=_pool_url, user_url=_user_url, action_url=_action_url, operation=_operation)
    return env


def _render(request: Request, token: str, name: str, status: int = 200, **values: Any) -> Response:
    values.setdefault("nav", True)
    values.setdefault("current", None)
    values.setdefault("notice", None)
    html = _environment().get_template(f"console/{name}").render(csrf=access.csrf_token(token) if token else "",
                                                                 **values)
    return HTMLResponse(html, status, headers=access.SECURITY_HEADERS)


def _when(timestamp: float | None) -> str:
    if not timestamp:
        return ""
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso_when(text: str | None) -> str:
    """An outbox timestamp (ISO 8601, UTC) as the other pages show times."""
    try:
        return _when(datetime.fromisoformat(str(text)).timestamp())
    except ValueError:
        return str(text or "")


def _pool_url(pool_id: str, **query: Any) -> str:
    return f"{PREFIX}/pools/{quote(pool_id, safe='')}" + (f"?{urlencode(query)}" if query else "")


def _user_url(pool_id: str, username: str, **query: Any) -> str:
    # The user name goes in the query: it may hold "/", "?", "#" or be "..", which a path would not survive.
    return f"{_pool_url(pool_id)}/user?{urlencode({'name': username, **query})}"


def _action_url(pool_id: str, action: str) -> str:
    return f"{_pool_url(pool_id)}/user/{quote(action, safe='')}"


def _operation(target: str) -> str:
    """An X-Amz-Target as the activity page shows it: the operation, prefixed for identity pools."""
    if target.startswith(USER_POOL_TARGET):
        return target[len(USER_POOL_TARGET):]
    if target.startswith(IDENTITY_TARGET):
        return "Identity pool: " + target[len(IDENTITY_TARGET):]
    return target or "(no X-Amz-Target)"


def _done(request: Request) -> str | None:
    """The notice after a redirect (``?done=<action>``): the action's own fixed text, never the address's."""
    spec = data.ACTIONS.get(request.query_params.get("done", ""))
    return spec.done if spec else None


# --- pages ---------------------------------------------------------------------------------
def _stylesheet(request: Request) -> Response:
    """The console's CSS; no token needed (the sign-in page uses it), loopback still required."""
    if not access.loopback_request(request):
        return PlainTextResponse(_NOT_LOOPBACK, 403, headers=access.SECURITY_HEADERS)
    css = (templates_root() / "console" / "console.css").read_text(encoding="utf-8")
    return Response(css, media_type="text/css", headers={**access.SECURITY_HEADERS, "Cache-Control": "no-cache"})


def _pools(ctx: EngineContext, request: Request, _form: Mapping[str, str]) -> Response:
    return _render(request, ctx.console_token, "pools.html", title="User pools", current="pools",
                   pools=data.pools(ctx), endpoint=ctx.endpoint)


def _pool(ctx: EngineContext, request: Request, _form: Mapping[str, str]) -> Response:
    number = _page_number(request.query_params.get("page", ""))
    summary, rows = data.users(ctx, request.path_params["pool_id"], offset=(number - 1) * PAGE_SIZE,
                               limit=PAGE_SIZE)
    first = (number - 1) * PAGE_SIZE + 1
    return _render(request, ctx.console_token, "pool.html", title=summary.name, summary=summary, rows=rows,
                   page=number, first=first, last=first + len(rows) - 1,
                   has_next=number * PAGE_SIZE < summary.user_count, notice=_done(request))


def _page_number(text: str) -> int:
    """``?page=``: a positive number of at most six digits; anything else is the first page."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 and int(text) > 0 else 1


def _user_page(ctx: EngineContext, request: Request, pool_id: str, username: str, *, status: int = 200,
               errors: Mapping[str, data.ActionError] | None = None, notice: str | None = None) -> Response:
    detail = data.user_detail(ctx, pool_id, username)
    return _render(request, ctx.console_token, "user.html", status, title=f"User {detail.user.username}",
                   detail=detail, pool=detail.summary.pool, user=detail.user, errors=errors or {}, notice=notice)


def _user(ctx: EngineContext, request: Request, _form: Mapping[str, str]) -> Response:
    return _user_page(ctx, request, request.path_params["pool_id"], request.query_params.get("name", ""),
                      notice=_done(request))


def _action(ctx: EngineContext, request: Request, form: Mapping[str, str]) -> Response:
    pool_id, action = request.path_params["pool_id"], request.path_params["action"]
    username = form.get("username", "")
    if action not in data.ACTIONS:
        return _render(request, ctx.console_token, "error.html", 404, title="Not found",
                       message=f"The console has no action {action}.")
    try:
        data.run_action(ctx, pool_id, action, username, form)
    except data.ActionError as error:
        return _user_page(ctx, request, pool_id, username, status=400, errors={action: error})
    target = _pool_url(pool_id, done=action) if action == "delete" else _user_url(pool_id, username, done=action)
    return RedirectResponse(target, 303, headers=access.SECURITY_HEADERS)


def _outbox(ctx: EngineContext, request: Request, _form: Mapping[str, str]) -> Response:
    return _render(request, ctx.console_token, "outbox.html", title="Outbox", current="outbox",
                   messages=data.recent_messages(ctx), limit=data.OUTBOX_LIMIT, path=str(ctx.outbox.path))


def _activity(ctx: EngineContext, request: Request, _form: Mapping[str, str]) -> Response:
    return _render(request, ctx.console_token, "activity.html", title="Activity", current="activity",
                   requests=ctx.activity.requests(), trigger_runs=ctx.activity.trigger_runs())
