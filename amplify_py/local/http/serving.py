"""Serving an app on a loopback socket from a background thread (uvicorn), with or without TLS."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["bind", "BackgroundServer", "serve_managed_login"]


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket. proto=IPPROTO_TCP matters: asyncio turns on TCP_NODELAY only for sockets that
    say they are TCP, and accepted connections inherit it; without it every response waited ~40 ms for a
    delayed ACK."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class BackgroundServer:
    """One uvicorn server in a daemon thread; ``start`` returns once it accepts connections."""

    def __init__(self, app: Any, sock: socket.socket, *, name: str, certfile: Path | None = None,
                 keyfile: Path | None = None) -> None:
        import uvicorn

        self.port: int = sock.getsockname()[1]
        self.certfile = certfile
        tls = {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)} if certfile and keyfile else {}
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                loop="asyncio", http="h11", **tls)  # explicit: not whatever happens to be installed
        self._server = uvicorn.Server(config)
        self._sock = sock
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)

    @property
    def servers(self) -> list[Any]:
        """uvicorn's asyncio servers (their listening sockets), as ``uvicorn.Server.servers``."""
        return list(self._server.servers)

    def start(self, timeout: float = 10.0) -> "BackgroundServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the local engine did not start serving on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Finish the requests in flight; connections still open after a second (a browser's keep-alive TLS
        connection never answers the close) are dropped."""
        self._server.should_exit = True
        self._thread.join(timeout=1)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout=10)
        self._sock.close()


def serve_managed_login(ctx: Any, host: str, port: int, *, ca_dir: Path | None, tls_dir: Path) -> BackgroundServer:
    """Managed login's app on HTTPS: a leaf certificate for localhost from the machine's CA (made the first
    time), on ``port`` (0: any free one)."""
    from amplify_py.errors import AmpyUserError
    from amplify_py.local.certificates import issue_leaf, load_or_create_ca
    from amplify_py.local.http.app import create_managed_login_app

    try:
        sock = bind(host, port)
    except OSError as exc:
        raise AmpyUserError(
            "PortInUseError",
            f"Port {port} on {host} is already in use, so managed login (the user pool domain's HTTPS pages) "
            f"cannot be served there: {exc.strerror or exc}.",
            f"Stop the process that uses port {port}, or run the engine on another port (managed login uses the "
            "next one).",
        ) from exc
    leaf = issue_leaf(load_or_create_ca(ca_dir), tls_dir)
    return BackgroundServer(create_managed_login_app(ctx), sock, name="amplify-managed-login",
                            certfile=leaf.cert_path, keyfile=leaf.key_path).start()
