"""What the authorization server remembers between requests: authorization codes (single use, five minutes),
managed-login sessions (the browser's cookie, one hour) and authorize requests waiting on an identity provider.

The store keeps each under the SHA-256 of the value handed out, never the value itself.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

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


def _key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def issue_code(ctx: EngineContext, pool: Pool, client: Client, request: AuthorizeRequest, username: str,
               scopes: list[str], auth_time: float) -> str:
    ctx.store.prune_oauth_records(ctx.now())
    code = str(uuid.uuid4())
    record = AuthorizationCode(client_id=client.id, username=username, redirect_uri=request.redirect_uri,
                               scopes=scopes, auth_time=auth_time, code_challenge=request.code_challenge,
                               code_challenge_method=request.code_challenge_method, nonce=request.nonce)
    ctx.store.put_oauth_record(_key(code), record.KIND, pool.id, ctx.now() + CODE_TTL, record.to_data())
    return code


def redeem_code(ctx: EngineContext, code: str | None) -> tuple[str, AuthorizationCode]:
    """(pool id, code record) for a live, unused code, now spent; ``invalid_grant`` otherwise."""
    row = ctx.store.get_oauth_record(_key(code or ""), AuthorizationCode.KIND)
    record = record_from_data(row.data) if row else None
    if row is None or not isinstance(record, AuthorizationCode) or record.used or row.expires <= ctx.now():
        raise OAuthError("invalid_grant")
    record.used = True  # spent by this attempt whatever happens next, as a code must be
    ctx.store.put_oauth_record(_key(code or ""), record.KIND, row.pool_id, row.expires, record.to_data())
    return row.pool_id, record


def start_session(ctx: EngineContext, pool: Pool, username: str, auth_time: float, provider: str = "COGNITO") -> str:
    session_id = secrets.token_urlsafe(32)
    record = HostedSession(username=username, auth_time=auth_time, provider=provider)
    ctx.store.put_oauth_record(_key(session_id), record.KIND, pool.id, ctx.now() + SESSION_TTL, record.to_data())
    return session_id


def load_session(ctx: EngineContext, pool: Pool, session_id: str | None) -> HostedSession | None:
    if not session_id:
        return None
    row = ctx.store.get_oauth_record(_key(session_id), HostedSession.KIND)
    record = record_from_data(row.data) if row else None
    if row is None or row.pool_id != pool.id or row.expires <= ctx.now() or not isinstance(record, HostedSession):
        return None
    return record


def end_session(ctx: EngineContext, session_id: str | None) -> None:
    if session_id:
        ctx.store.delete_oauth_record(_key(session_id))


def remember_federation(ctx: EngineContext, pool: Pool, provider: str, request: AuthorizeRequest) -> str:
    """Keep ``request`` while the user is at ``provider``; the returned value is the state to send it."""
    state = secrets.token_urlsafe(32)
    record = PendingFederation(provider=provider, request=request.to_params())
    ctx.store.put_oauth_record(_key(state), record.KIND, pool.id, ctx.now() + FEDERATION_TTL, record.to_data())
    return state


def recall_federation(ctx: EngineContext, state: str | None) -> tuple[str, PendingFederation] | None:
    """(pool id, the waiting request) for the state an identity provider sent back, forgotten once recalled."""
    row = ctx.store.get_oauth_record(_key(state or ""), PendingFederation.KIND)
    record = record_from_data(row.data) if row else None
    if row is None or row.expires <= ctx.now() or not isinstance(record, PendingFederation):
        return None
    ctx.store.delete_oauth_record(_key(state or ""))
    return row.pool_id, record
