"""The uvicorn configuration the engine serves with: its app inside the guard, on a guarded protocol."""

from __future__ import annotations

import functools
from typing import Any

from amplify_py.local.context import EngineContext
from amplify_py.local.http.app import create_app
from amplify_py.local.http.guard import Guard
from amplify_py.local.http.limits import Limits
from amplify_py.local.http.protocols import protocol_for

__all__ = ["server_config", "HTTP_IMPLEMENTATIONS", "EVENT_LOOPS"]

HTTP_IMPLEMENTATIONS = ("h11", "httptools")
EVENT_LOOPS = ("asyncio", "uvloop")


def server_config(ctx: EngineContext, *, http: str = "h11", loop: str = "asyncio",
                  limits: Limits | None = None) -> Any:
    """A ``uvicorn.Config`` for the engine; the same limits and answers whichever parser and loop serve."""
    import uvicorn

    if loop not in EVENT_LOOPS:
        raise ValueError(f"unknown event loop {loop!r}: choose one of {', '.join(EVENT_LOOPS)}")
    limits = limits or Limits()
    app = Guard(create_app(ctx), limits, on_error=lambda text: ctx.log("engine", text))
    return uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", loop=loop,
        http=functools.partial(protocol_for(http), limits=limits),  # type: ignore[arg-type]
        h11_max_incomplete_event_size=limits.max_head,  # never below ours: the 431 comes from the protocol
        timeout_keep_alive=limits.idle_timeout,  # type: ignore[arg-type]  (a float works: it feeds call_later)
    )
