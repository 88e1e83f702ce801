"""The stand-in SAML IdP's pages on managed login's HTTPS app (``rules/local_saml_idp.py`` is the IdP):

- ``GET /_local_idp/<name>/saml/metadata``: its EntityDescriptor.
- ``GET /_local_idp/<name>/saml/sso`` (HTTP-Redirect binding) or ``POST`` (HTTP-POST binding): the AuthnRequest
  and RelayState in, a page where the developer types the identity (NameID and the SAML attributes the
  provider's AttributeMapping names).
- ``POST`` of that page (CSRF-checked): a page that posts the signed Response to the pool's
  ``/saml2/idpresponse``, by itself with JavaScript, with its button without.
- ``GET /_local_idp/<name>/saml/slo``: its SingleLogoutService (it keeps no session): a pool's LogoutRequest
  answered with a signed LogoutResponse posted to the pool's ``/saml2/logout``.
- ``GET /_local_idp/<name>/saml/initiate?pool_id=...&RelayState=...``: IdP-initiated sign-in (the same page, then
  an unsolicited Response, for providers with IDPInit).

Templates are ``templates/local_idp/saml/``: plain HTML, every input labelled, a banner saying this is the
local stand-in and not the user's real IdP.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from amplify_py._templates import templates_root
from amplify_py.local.context import EngineContext
from amplify_py.local.http.pages import CSRF_FIELD, csrf_ok, csrf_token, run, set_csrf_cookie
from amplify_py.local.rules import local_saml_idp as idp
from amplify_py.local.saml import SamlError

__all__ = ["ROUTES"]

_log = logging.getLogger("amplify_py.local")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(templates_root() / "local_idp" / "saml")),
                       undefined=StrictUndefined, autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    token = csrf_token(request)
    html = _environment().get_template(f"{template}.html.j2").render(csrf=token, csrf_field=CSRF_FIELD, **context)
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    set_csrf_cookie(request, response, token)
    return response


def _name(request: Request) -> str:
    return unquote(request.path_params["name"])


def _accepted(ctx: EngineContext, name: str, binding: str, saml_request: str, relay_state: str,
              pool_id: str) -> idp.StandInRequest:
    """The request being answered: an AuthnRequest (HTTP-Redirect or HTTP-POST), or IdP-initiated (``idp``)."""
    if binding == "idp":
        return idp.unsolicited(ctx, name, pool_id, relay_state)
    return idp.read_request(ctx, name, saml_request, relay_state, deflated=binding == "redirect")


def _sign_in_context(ctx: EngineContext, name: str, saml_request: str, relay_state: str, binding: str,
                     typed: dict[str, str] | None = None, pool_id: str = "") -> dict[str, Any]:
    accepted = _accepted(ctx, name, binding, saml_request, relay_state, pool_id)
    typed = typed or {}
    fields = [{"claim": claim, "mapped_to": attribute, "value": typed.get("attr:" + claim, ""),
               "label": f"{attribute or claim.rsplit('/', 1)[-1]} ({'SAML attribute' if attribute else 'unmapped'})"}
              for claim, attribute in idp.attribute_fields(accepted.provider)]
    return {"provider": name, "pool_id": accepted.pool.id, "sp_entity_id": accepted.request.issuer,
            "saml_request": saml_request, "relay_state": relay_state, "binding": binding, "fields": fields,
            "action": f"{idp.PREFIX}{quote(name, safe='')}/saml/sso", "name_id": typed.get("name_id", ""),
            "error": None, "pool_id_field": accepted.pool.id if binding == "idp" else ""}


def _answer_context(ctx: EngineContext, name: str, form: dict[str, str]) -> dict[str, Any]:
    accepted = _accepted(ctx, name, form.get("binding", "redirect"), form.get("SAMLRequest", ""),
                         form.get("RelayState", ""), form.get("pool_id", ""))
    attributes = {key[5:]: value for key, value in form.items() if key.startswith("attr:")}
    response = idp.answer(ctx, accepted, form["name_id"], attributes)
    return {"provider": name, "name_id": form["name_id"].strip(), "saml_response": response,
            "relay_state": accepted.relay_state, "acs": f"https://{ctx.managed_login_domain}{idp.ACS_PATH}"}


async def _guarded(ctx: EngineContext, request: Request, name: str, fn: Callable[..., Any], *args: Any,
                   template: str, status: int = 200, error: str | None = None) -> Response:
    try:
        context = await run(ctx, fn, *args)
    except SamlError as exc:
        return _render(request, "error", 400, provider=name, error=str(exc))
    except Exception:  # noqa: BLE001 - a bug in the engine: say so, keep serving
        _log.exception("internal error in %s", request.url.path)
        ctx.log("engine", f"Internal error in {request.url.path}:\n{traceback.format_exc().rstrip()}")
        return _render(request, "error", 500, provider=name, error="The stand-in IdP failed; see the engine's log.")
    return _render(request, template, status, **{**context, **({"error": error} if error else {})})


async def metadata(ctx: EngineContext, request: Request) -> Response:
    name = _name(request)
    try:
        xml = await run(ctx, idp.metadata_xml, name)
    except SamlError as exc:
        return _render(request, "error", 404, provider=name, error=str(exc))
    return Response(xml, media_type="application/samlmetadata+xml", headers={"Cache-Control": "no-store"})


async def sso(ctx: EngineContext, request: Request) -> Response:
    name = _name(request)
    if request.method == "GET":
        q = request.query_params
        return await _guarded(ctx, request, name, _sign_in_context, name, q.get("SAMLRequest", ""),
                              q.get("RelayState", ""), "redirect", template="sign_in")
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not form.get("signing_in"):  # an SP's AuthnRequest with the HTTP-POST binding
        return await _guarded(ctx, request, name, _sign_in_context, name, form.get("SAMLRequest", ""),
                              form.get("RelayState", ""), "post", template="sign_in")
    if not csrf_ok(request, form):
        return _render(request, "error", 403, provider=name,
                       error="This page has expired. Go back, reload it and try again.")
    if not form.get("name_id", "").strip():  # the same page again, with what was typed
        return await _guarded(ctx, request, name, _sign_in_context, name, form.get("SAMLRequest", ""),
                              form.get("RelayState", ""), form.get("binding", "redirect"), form,
                              form.get("pool_id", ""), template="sign_in", status=400,
                              error="Type the NameID to sign in as.")
    return await _guarded(ctx, request, name, _answer_context, name, form, template="post")


async def initiate(ctx: EngineContext, request: Request) -> Response:
    """IdP-initiated sign-in, as from an enterprise dashboard: ``?pool_id=<user pool id>&RelayState=<the
    authorize parameters: identity_provider, client_id, redirect_uri, response_type, scope>``."""
    name, q = _name(request), request.query_params
    return await _guarded(ctx, request, name, _sign_in_context, name, "", q.get("RelayState", ""), "idp", None,
                          q.get("pool_id", ""), template="sign_in")


def _sign_out_context(ctx: EngineContext, name: str, saml_request: str, relay_state: str) -> dict[str, Any]:
    name_id, response = idp.sign_out(ctx, name, saml_request)
    return {"provider": name, "name_id": name_id, "saml_response": response, "relay_state": relay_state,
            "action": f"https://{ctx.managed_login_domain}{idp.LOGOUT_PATH}"}


async def slo(ctx: EngineContext, request: Request) -> Response:
    name, q = _name(request), request.query_params
    if not q.get("SAMLRequest"):
        return _render(request, "signed_out", provider=name, name_id=None, action=None)
    return await _guarded(ctx, request, name, _sign_out_context, name, q["SAMLRequest"], q.get("RelayState", ""),
                          template="signed_out")


ROUTES: list[tuple[str, str, Callable[[EngineContext, Request], Any]]] = [
    (f"{idp.PREFIX}{{name}}/saml/metadata", "GET", metadata),
    (f"{idp.PREFIX}{{name}}/saml/sso", "GET", sso),
    (f"{idp.PREFIX}{{name}}/saml/sso", "POST", sso),
    (f"{idp.PREFIX}{{name}}/saml/slo", "GET", slo),
    (f"{idp.PREFIX}{{name}}/saml/initiate", "GET", initiate),
]
"""(path, method, face) for the stand-in SAML IdP."""
