"""What the authorization server remembers between requests: authorization codes (single use, five minutes),
managed-login sessions (the browser's cookie, one hour) and authorize requests waiting on an identity provider.

They live in the store's sessions table beside the challenge sessions (same expiry and pruning, same purge
with the pool), each under its kind and the SHA-256 of the value handed out, never the value itself.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import OAuthError
from amplify_py.local.model.oauth import (
    AuthorizationCode,
    AuthorizeRequest,
    HostedSession,
    PendingFederation,
    record_from_data,
)
from amplify_py.local.model.pool import Client, Pool

__all__ = ["CODE_TTL", "SESSION_TTL", "FEDERATION_TTL", "issue_code", "redeem_code", "start_session",
           "load_session", "end_session", "remember_federation", "recall_federation"]

CODE_TTL = 300.0  # "a one-time use code that is valid for five minutes"
SESSION_TTL = 3600.0  # the managed-login session cookie lasts an hour
FEDERATION_TTL = 900.0


def _key(kind: str, value: str) -> str:
    return f"{kind}:" + hashlib.sha256(value.encode()).hexdigest()


def _put(ctx: EngineContext, value: str, pool: Pool, ttl: float, record: Any) -> None:
    ctx.store.put_session(_key(record.KIND, value), pool.id, ctx.now() + ttl, record.to_data())


def _get(ctx: EngineContext, kind: str, value: str | None) -> tuple[Any, Any]:
    """(row, typed record) for a live record of ``kind``; (None, None) when unknown, expired or another kind."""
    row = ctx.store.get_session(_key(kind, value or ""))
    record = record_from_data(row.data) if row else None
    if row is None or record is None or record.KIND != kind or row.expires <= ctx.now():
        return None, None
    return row, record


def issue_code(ctx: EngineContext, pool: Pool, client: Client, request: AuthorizeRequest, username: str,
               scopes: list[str], auth_time: float) -> str:
    ctx.store.prune_sessions(ctx.now())
    code = str(uuid.uuid4())
    _put(ctx, code, pool, CODE_TTL, AuthorizationCode(
        client_id=client.id, username=username, redirect_uri=request.redirect_uri, scopes=scopes,
        auth_time=auth_time, code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method, nonce=request.nonce))
    return code


def redeem_code(ctx: EngineContext, code: str | None) -> tuple[str, AuthorizationCode]:
    """(pool id, code record) for a live, unused code, now spent; ``invalid_grant`` otherwise."""
    row, record = _get(ctx, AuthorizationCode.KIND, code)
    if row is None or record.used:
        raise OAuthError("invalid_grant")
    record.used = True  # spent by this attempt whatever happens next, as a code must be
    ctx.store.put_session(_key(record.KIND, code or ""), row.pool_id, row.expires, record.to_data())
    return row.pool_id, record


def start_session(ctx: EngineContext, pool: Pool, username: str, auth_time: float, provider: str = "COGNITO") -> str:
    session_id = secrets.token_urlsafe(32)
    _put(ctx, session_id, pool, SESSION_TTL, HostedSession(username=username, auth_time=auth_time, provider=provider))
    return session_id


def load_session(ctx: EngineContext, pool: Pool, session_id: str | None) -> HostedSession | None:
    if not session_id:
        return None
    row, record = _get(ctx, HostedSession.KIND, session_id)
    return record if row is not None and row.pool_id == pool.id else None


def end_session(ctx: EngineContext, session_id: str | None) -> None:
    if session_id:
        ctx.store.delete_session(_key(HostedSession.KIND, session_id))


def remember_federation(ctx: EngineContext, pool: Pool, provider: str, request: AuthorizeRequest) -> str:
    """Keep ``request`` while the user is at ``provider``; the returned value is the state to send it."""
    state = secrets.token_urlsafe(32)
    _put(ctx, state, pool, FEDERATION_TTL, PendingFederation(provider=provider, request=request.to_params()))
    return state


def recall_federation(ctx: EngineContext, state: str | None) -> tuple[str, PendingFederation] | None:
    """(pool id, the waiting request) for the state an identity provider sent back, forgotten once recalled."""
    row, record = _get(ctx, PendingFederation.KIND, state)
    if row is None:
        return None
    ctx.store.delete_session(_key(record.KIND, state or ""))
    return row.pool_id, record
