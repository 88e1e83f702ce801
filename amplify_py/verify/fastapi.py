"""FastAPI: ``Depends(CognitoAuth(verifier))`` gives a route the verified token's claims.

A request without ``Authorization: Bearer <token>`` gets 401 with
``WWW-Authenticate: Bearer``; a refused token 401 ``error="invalid_token"``; a token
without the required groups or scopes 403 ``error="insufficient_scope"`` (RFC 6750).
``CognitoAuth`` is FastAPI's ``HTTPBearer``, so /docs shows the "Authorize" button.
Needs ``pip install 'amplify-py[fastapi]'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

try:
    from fastapi import HTTPException
    from fastapi.requests import HTTPConnection
    from fastapi.security import HTTPBearer
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "amplify_py.verify.fastapi needs FastAPI: pip install 'amplify-py[fastapi]'"
    ) from exc

from amplify_py.verify._http import bearer_token, challenge
from amplify_py.verify._verifier import _UNSET, Claims, CognitoJwtVerifier
from amplify_py.verify.errors import JwtRejectedError

__all__ = ["CognitoAuth"]

_KINDS = {"access": "access token", "id": "ID token", None: "access or ID token"}


class CognitoAuth(HTTPBearer):
    """A FastAPI dependency that verifies the bearer token and returns its claims.

    ``groups`` / ``scopes`` override the verifier's for the routes using this
    dependency (e.g. ``CognitoAuth(verifier, groups="ADMINS")`` for admin routes).
    With ``auto_error=False`` a request without a token gets None instead of a 401;
    a refused token is still answered 401/403. Errors other than a refused token
    (the JWKS could not be downloaded) propagate: a server error, not the caller's.
    """

    def __init__(
        self,
        verifier: CognitoJwtVerifier,
        *,
        groups: str | Sequence[str] | None = _UNSET,
        scopes: str | Sequence[str] | None = _UNSET,
        realm: str | None = None,
        auto_error: bool = True,
        scheme_name: str | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(
            bearerFormat="JWT",
            scheme_name=scheme_name,
            description=description or f"A Cognito {_KINDS[verifier.token_use]} of user pool {verifier.user_pool_id}",
            auto_error=auto_error,
        )
        self.verifier = verifier
        self.realm = realm
        self._overrides: dict[str, Any] = {
            name: value for name, value in (("groups", groups), ("scopes", scopes)) if value is not _UNSET
        }
        if self._overrides:
            verifier._options.override(**self._overrides)  # a bad group or scope list fails now, not per request

    async def __call__(self, request: HTTPConnection) -> Claims | None:  # type: ignore[override]
        token = bearer_token(request.headers.get("Authorization"))
        if token is None:
            if not self.auto_error:
                return None
            answer = challenge(None, realm=self.realm)
            raise HTTPException(answer.status, detail=answer.description,
                                headers={"WWW-Authenticate": answer.www_authenticate})
        try:
            return await self.verifier.verify_async(token, **self._overrides)
        except JwtRejectedError as exc:
            answer = challenge(exc, realm=self.realm)
            raise HTTPException(answer.status, detail=answer.description,
                                headers={"WWW-Authenticate": answer.www_authenticate}) from exc
