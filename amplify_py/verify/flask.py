"""Flask: ``@require_token(verifier)`` verifies the bearer token and puts its claims on ``flask.g.claims``.

A request without ``Authorization: Bearer <token>`` is aborted with 401 and
``WWW-Authenticate: Bearer``; a refused token with 401 ``error="invalid_token"``; a
token without the required groups or scopes with 403 ``error="insufficient_scope"``
(RFC 6750). The aborts are werkzeug's ``Unauthorized``/``Forbidden`` (subclasses that
carry the challenge and ``jwt_error``), so ``@app.errorhandler(401)`` can render them
as JSON. Needs ``pip install 'amplify-py[flask]'``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

try:
    import flask
    from werkzeug.exceptions import Forbidden, Unauthorized
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError("amplify_py.verify.flask needs Flask: pip install 'amplify-py[flask]'") from exc

from amplify_py.verify._http import Challenge, bearer_token, challenge
from amplify_py.verify._verifier import _UNSET, CognitoJwtVerifier
from amplify_py.verify.errors import JwtRejectedError

__all__ = ["require_token", "BearerUnauthorized", "BearerForbidden"]

View = TypeVar("View", bound=Callable[..., Any])


class _BearerAnswer:
    """Adds the RFC 6750 challenge to a werkzeug HTTP exception."""

    def __init__(self, answer: Challenge, jwt_error: JwtRejectedError | None) -> None:
        super().__init__(description=answer.description)  # type: ignore[call-arg]
        self.challenge = answer
        self.jwt_error = jwt_error

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        headers = [h for h in super().get_headers(*args, **kwargs) if h[0].lower() != "www-authenticate"]  # type: ignore[misc]
        return [*headers, ("WWW-Authenticate", self.challenge.www_authenticate)]


class BearerUnauthorized(_BearerAnswer, Unauthorized):
    """401: no token, or a refused one (``jwt_error`` says why)."""


class BearerForbidden(_BearerAnswer, Forbidden):
    """403: a valid token without the required groups or scopes."""


def _refuse(error: JwtRejectedError | None, realm: str | None) -> None:
    answer = challenge(error, realm=realm)
    exc_type = BearerForbidden if answer.status == 403 else BearerUnauthorized
    raise exc_type(answer, error) from error


def require_token(
    verifier: CognitoJwtVerifier,
    *,
    groups: str | Sequence[str] | None = _UNSET,
    scopes: str | Sequence[str] | None = _UNSET,
    realm: str | None = None,
) -> Callable[[View], View]:
    """Decorate a view so it runs only with a verified token; its claims are in ``flask.g.claims``.

    ``groups`` / ``scopes`` override the verifier's for this view. Async views are
    verified with ``verify_async``. Errors other than a refused token (the JWKS could
    not be downloaded) propagate: a server error, not the caller's.
    """
    overrides: dict[str, Any] = {n: v for n, v in (("groups", groups), ("scopes", scopes)) if v is not _UNSET}
    if overrides:
        verifier._options.override(**overrides)  # a bad group or scope list fails at import, not per request

    def decorate(view: View) -> View:
        if inspect.iscoroutinefunction(view):

            @functools.wraps(view)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                token = bearer_token(flask.request.headers.get("Authorization"))
                if token is None:
                    _refuse(None, realm)
                try:
                    flask.g.claims = await verifier.verify_async(token, **overrides)
                except JwtRejectedError as exc:
                    _refuse(exc, realm)
                return await view(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = bearer_token(flask.request.headers.get("Authorization"))
            if token is None:
                _refuse(None, realm)
            try:
                flask.g.claims = verifier.verify(token, **overrides)
            except JwtRejectedError as exc:
                _refuse(exc, realm)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
