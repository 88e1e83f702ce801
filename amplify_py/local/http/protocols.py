"""uvicorn's two HTTP/1.1 protocols (h11 and httptools), taught to answer what they would drop.

Below the ASGI app, uvicorn leaves a client without an answer in four cases; the same mixin fixes each for
both parsers, so the guarantees hold whichever one serves:

- **A head that is too large** (request line and headers past ``Limits.max_head``): uvicorn reads it all
  (h11 checks its limit only on a head that is still incomplete; httptools has none). Answered 431.
- **A head that never ends**: nothing times it out, nor a connection that never sends a byte. The head has
  ``head_timeout`` from its first byte (408); a silent connection is closed after uvicorn's keep-alive time.
- **A client that half-closes** (sends EOF, waits for the answer): uvicorn closes at once. A complete request
  is still answered; one cut short (head or body) gets 400 ``RequestAbortedException``.
- **Closing while the client is still sending** (a refused body, a refused head) makes the kernel answer the
  unread bytes with a reset, and the client may lose the response it was sent. A close mid-request lingers:
  the answer is flushed and the write side shut, then what still arrives is read and dropped until the
  client closes or ``Limits.linger`` passes.

The ASGI side (body size, body time, exceptions) is in ``guard``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from amplify_py.local.http.limits import Limits, Refusal, aborted, head_too_large, malformed_http, raw_response, timed_out

__all__ = ["GuardedH11Protocol", "GuardedHttpToolsProtocol", "protocol_for"]

_HEAD_ENDS = (b"\r\n\r\n", b"\n\n")
_log = logging.getLogger("amplify_py.local")


class _Framing:
    """The mixin: runs before (``data_received``) and around (``eof_received``, close) uvicorn's own code."""

    cycle: Any
    transport: Any
    server_state: Any
    loop: asyncio.AbstractEventLoop
    timeout_keep_alive: float

    def __init__(self, *args: Any, limits: Limits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.limits = limits
        self._raw: asyncio.Transport | None = None
        self._head_bytes = 0  # bytes of the head being received (0: between requests)
        self._head_tail = b""  # its last bytes, to find its end across reads
        self._timer: asyncio.TimerHandle | None = None
        self._peer_done = False  # the client sent EOF: answer what it asked, then close
        self._lingering = False

    # --- the transport uvicorn sees: its close() lingers when the client may still be sending -----------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._raw = transport
        super().connection_made(_LingeringTransport(transport, self))  # type: ignore[misc]
        self._arm(self.timeout_keep_alive, self._idle_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return  # dropped: the answer is out, the connection is closing
        if self._between_requests() or self._head_bytes:
            if self._head_bytes == 0:
                self._arm(self.limits.head_timeout, self._head_timeout)
            if not self._count_head(data):
                self._refuse(head_too_large(self.limits))
                return
        before = self.cycle
        try:
            super().data_received(data)  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - a parser's own failure (h11 on a 5,000-digit Content-Length)
            _log.warning("the HTTP parser failed on a request", exc_info=True)
            self._refuse(malformed_http("Invalid HTTP request received."))
            return
        if self.cycle is not before and self._head_bytes:  # the parser found an end of head we did not
            self._head_bytes, self._head_tail = 0, b""
            self._cancel_timer()

    def _count_head(self, data: bytes) -> bool:
        """Add ``data`` to the head being received; False once it is larger than the limit."""
        window = self._head_tail + data
        ends = [found + len(mark) for mark in _HEAD_ENDS if (found := window.find(mark)) != -1]
        if ends:  # the head ends in this read: its size is known
            size = self._head_bytes - len(self._head_tail) + min(ends)
            self._head_bytes, self._head_tail = 0, b""
            self._cancel_timer()
            return size <= self.limits.max_head
        self._head_bytes += len(data)
        self._head_tail = window[-3:]
        return self._head_bytes <= self.limits.max_head

    def _between_requests(self) -> bool:
        cycle = self.cycle
        return cycle is None or (cycle.response_complete and not cycle.more_body)

    def _body_incomplete(self) -> bool:
        """The request's body has not all arrived (whether or not it has been answered)."""
        cycle = self.cycle
        return cycle is not None and cycle.more_body

    # --- EOF from the client ------------------------------------------------------------------------
    def eof_received(self) -> bool | None:
        if self._lingering:
            return None  # the client has read the answer and closed: close too
        if self._head_bytes:
            self._refuse(aborted("before the request's headers were complete"), peer_done=True)
            return True
        if self._body_incomplete() and not self.cycle.response_started:
            self._refuse(aborted("before the request body was complete"), peer_done=True)
            return True
        if self.cycle is not None and not self.cycle.response_complete:
            self._peer_done = True  # a whole request, then EOF: answer it, then close
            return True
        return None

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if self._peer_done:
            self.transport.close()

    # --- timers ---------------------------------------------------------------------------------------
    def _arm(self, seconds: float, callback: Any) -> None:
        self._cancel_timer()
        self._timer = self.loop.call_later(seconds, callback)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _idle_timeout(self) -> None:
        if self._head_bytes == 0 and self.cycle is None and self._raw is not None:
            self._raw.close()  # connected and never sent a byte

    def _head_timeout(self) -> None:
        if self._head_bytes:
            self._refuse(timed_out(self.limits.head_timeout, "headers"))

    # --- answering below the app ----------------------------------------------------------------------
    def send_400_response(self, msg: str) -> None:
        """The parser's own refusal (a request that is not HTTP), in the engine's format."""
        self._refuse(malformed_http(msg))

    def _refuse(self, refusal: Refusal, *, peer_done: bool = False) -> None:
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:  # half an answer is out: nothing to add, just close
                self.transport.close()
                return
            cycle.disconnected = True  # the app's receive now hears a disconnect; its sends are dropped
            cycle.message_event.set()
        self._head_bytes, self._head_tail = 0, b""
        self._cancel_timer()
        if self._raw is None or self._raw.is_closing():
            return
        self._raw.write(raw_response(refusal, self.server_state.default_headers))
        if peer_done:
            self._raw.close()
        else:
            self._linger()

    def _linger(self) -> None:
        raw = self._raw
        if raw is None or raw.is_closing() or self._lingering:
            return
        self._lingering = True
        if not raw.can_write_eof():
            raw.close()
            return
        raw.write_eof()  # the answer is flushed, then FIN; keep reading until the client closes
        raw.resume_reading()
        self._arm(self.limits.linger, raw.close)

    def _close_requested(self) -> None:
        """uvicorn closes the connection: at once when nothing is left unread, else lingering."""
        if self._raw is None or self._raw.is_closing():
            return
        if self._peer_done or not (self._head_bytes or self._body_incomplete()):
            self._raw.close()
        else:
            self._linger()

    def shutdown(self) -> None:
        """The server is stopping: a request still arriving will not be served; end it now."""
        if self._head_bytes or self._body_incomplete():
            if self._raw is not None:
                self._raw.close()
            return
        super().shutdown()  # type: ignore[misc]


class _LingeringTransport:
    """The real transport, except that ``close`` asks the protocol how (and ``is_closing`` says so)."""

    def __init__(self, raw: asyncio.Transport, protocol: _Framing) -> None:
        self._transport, self._protocol = raw, protocol
        self._closing = False

    def close(self) -> None:
        self._closing = True
        self._protocol._close_requested()

    def is_closing(self) -> bool:
        return self._closing or self._protocol._lingering or self._transport.is_closing()

    def pause_reading(self) -> None:
        if not self._protocol._lingering:
            self._transport.pause_reading()

    def resume_reading(self) -> None:
        if not self._protocol._lingering:
            self._transport.resume_reading()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class GuardedH11Protocol(_Framing, H11Protocol):
    """uvicorn's h11 protocol with the engine's framing guarantees."""


class GuardedHttpToolsProtocol(_Framing, HttpToolsProtocol):
    """uvicorn's httptools protocol with the engine's framing guarantees."""


def protocol_for(http: str) -> type[_Framing]:
    """The guarded protocol class for uvicorn's ``http`` setting (``h11`` or ``httptools``)."""
    classes = {"h11": GuardedH11Protocol, "httptools": GuardedHttpToolsProtocol}
    if http not in classes:
        raise ValueError(f"unknown HTTP implementation {http!r}: choose one of {', '.join(classes)}")
    return classes[http]
