"""The outermost ASGI layer: a request's body is read whole, under the size and time limits, before any face
sees it; and no exception ever reaches the server.

Why the second part: uvicorn answers an exception that escapes the app by closing the connection, and if
Starlette had already sent its 500 the close comes without ``Connection: close``, so a keep-alive client's
next request on that connection fails. Here an escaped exception is logged and answered with Cognito's
``InternalErrorException`` (or, if a full answer already went out, only logged), and the connection stays
usable. A refused body (413, 408) is answered with ``Connection: close``: the rest of it is never read.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from amplify_py.local.http.json_api import reply
from amplify_py.local.http.limits import Limits, Refusal, malformed_http, timed_out, too_large

__all__ = ["Guard"]

_log = logging.getLogger("amplify_py.local")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_MAX_LENGTH_DIGITS = 18  # int() of a longer Content-Length is slow or refused, and it is over the limit anyway


class Guard:
    """Wraps the engine's app; ``on_error(text)`` also receives the traceback of an escaped exception."""

    def __init__(self, app: ASGIApp, limits: Limits, on_error: Callable[[str], None] | None = None) -> None:
        self.app, self.limits, self.on_error = app, limits, on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read_body(scope, receive)
        except _Refused as refused:
            await _refuse(scope, send, refused.refusal)
            return
        if body is None:  # the client went away: nobody to answer
            return
        await self._run(scope, _replay(body, receive), send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        limits = self.limits
        declared = _content_length(scope)
        if declared is not None and declared > limits.max_body:
            raise _Refused(too_large(limits))  # before reading a byte of it (and before 100 Continue)
        chunks: list[bytes] = []
        size = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limits.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise _Refused(timed_out(limits.body_timeout, "body")) from None
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limits.max_body:
                raise _Refused(too_large(limits))
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = {"started": False, "complete": False}

        async def tracked(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                state["complete"] = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:  # noqa: BLE001 - a bug in the engine: answer as Cognito does, keep the connection
            text = traceback.format_exc().rstrip()
            _log.error("internal error in %s %s\n%s", scope.get("method"), scope.get("path"), text)
            if self.on_error is not None:
                self.on_error(f"Internal error in {scope.get('method')} {scope.get('path')}:\n{text}")
            if not state["started"]:
                response = reply({"__type": "InternalErrorException", "message": "Internal server error."}, 500,
                                 "InternalErrorException")
                await response(scope, receive, send)
            elif not state["complete"]:
                raise  # half an answer went out: only closing the connection ends it


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.strip()
            if not text.isdigit() or not text.isascii():
                raise _Refused(malformed_http("Invalid Content-Length header."))
            return int(text) if len(text) <= _MAX_LENGTH_DIGITS else 10**_MAX_LENGTH_DIGITS
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, as one message; after it, the server's own receive (to hear a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _refuse(scope: Scope, send: Send, refusal: Refusal) -> None:
    response = reply(refusal.payload(), refusal.status, refusal.name)
    response.headers["connection"] = "close"

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)
