"""Challenge sessions in the store: opaque ids, the client's AuthSessionValidity, Cognito's messages for a
wrong or expired session."""

from __future__ import annotations

import base64
import secrets

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import not_authorized
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.session import Session, session_from_data

__all__ = ["start", "load", "load_unchecked", "save", "end", "INVALID", "EXPIRED"]

INVALID = "Invalid session for the user."
EXPIRED = "Invalid session for the user, session is expired."


def start(ctx: EngineContext, pool: Pool, client: Client, session: Session, *, session_id: str | None = None,
          ttl: float | None = None) -> str:
    """Store ``session`` for ``ttl`` seconds (default: the client's AuthSessionValidity); returns its id."""
    session_id = session_id or base64.b64encode(secrets.token_bytes(96)).decode()
    ctx.store.prune_sessions(ctx.now())  # abandoned sign-ins would otherwise pile up for ever
    session.client_id = client.id
    expires = ctx.now() + (client.auth_session_seconds if ttl is None else ttl)
    ctx.store.put_session(session_id, pool.id, expires, session.to_data())
    return session_id


def load(ctx: EngineContext, session_id: str | None, client: Client) -> Session:
    """The client's live session, or Cognito's NotAuthorizedException."""
    row = ctx.store.get_session(session_id or "")
    session = session_from_data(row.data) if row else None
    if row is None or session is None or session.client_id != client.id:
        raise not_authorized(INVALID)
    if row.expires <= ctx.now():
        ctx.store.delete_session(session_id or "")
        raise not_authorized(EXPIRED)
    return session


def load_unchecked(ctx: EngineContext, session_id: str | None) -> tuple[str, Session] | None:
    """(pool id, session) for operations that carry no client id (AssociateSoftwareToken during MFA_SETUP);
    None when unknown or expired."""
    row = ctx.store.get_session(session_id or "")
    if row is None or row.expires <= ctx.now():
        return None
    session = session_from_data(row.data)
    return (row.pool_id, session) if session is not None else None


def save(ctx: EngineContext, session_id: str, session: Session) -> None:
    """Write back a changed session (a counted wrong answer), keeping its expiry."""
    row = ctx.store.get_session(session_id)
    if row is not None:
        ctx.store.put_session(session_id, row.pool_id, row.expires, session.to_data())


def end(ctx: EngineContext, session_id: str | None) -> None:
    ctx.store.delete_session(session_id or "")
