"""Serving an app on a loopback socket from a background thread (uvicorn), with or without TLS."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["bind", "BackgroundServer", "ManagedLogin"]


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


class ManagedLogin:
    """Managed login's HTTPS server for an engine: started once a pool has a domain (a machine without one never
    needs the local CA), with a leaf certificate for localhost from the machine's CA (made the first time)."""

    def __init__(self, ctx: Any, host: str, port: int | None, *, ca_dir: Path | None, tls_dir: Path) -> None:
        self._ctx, self._host, self._port, self._ca_dir, self._tls_dir = ctx, host, port, ca_dir, tls_dir
        self.server: BackgroundServer | None = None

    @property
    def domain(self) -> str | None:
        """``localhost:<port>`` (None: not served, or a free port not chosen yet)."""
        port = self.server.port if self.server is not None else self._port
        return f"localhost:{port}" if port else None

    @property
    def ca_certificate(self) -> Path:
        from amplify_py.local.certificates import CA_FILE, default_ca_dir

        return (Path(self._ca_dir) if self._ca_dir is not None else default_ca_dir()) / CA_FILE

    @property
    def certificate(self) -> Path | None:
        """The chain the HTTPS port presents (leaf, then CA); None until it serves."""
        return self.server.certfile if self.server is not None else None

    def serve_if_needed(self) -> None:
        from amplify_py.local.model.pool import DOMAIN

        if self._port is None or self.server is not None or not self._ctx.store.resources_of_type(DOMAIN):
            return
        from amplify_py.errors import AmpyUserError
        from amplify_py.local.certificates import issue_leaf, load_or_create_ca
        from amplify_py.local.http.app import create_managed_login_app

        try:
            sock = bind(self._host, self._port)
        except OSError as exc:
            raise AmpyUserError(
                "PortInUseError",
                f"Port {self._port} on {self._host} is already in use, so managed login (the user pool domain's "
                f"HTTPS pages) cannot be served there: {exc.strerror or exc}.",
                f"Stop the process that uses port {self._port}, or run the engine on another port (managed login "
                "uses the next one).",
            ) from exc
        leaf = issue_leaf(load_or_create_ca(self._ca_dir), self._tls_dir)
        from amplify_py.local.http.guard import Guard
        from amplify_py.local.http.limits import Limits

        ctx = self._ctx
        # Its bridges trust the chain it presents; the guard gives it the API port's body limits (a page's
        # cross-site form post is read only up to them) and keeps a bug from dropping the connection.
        app = Guard(create_managed_login_app(ctx, leaf.cert_path), Limits(),
                    on_error=lambda text: ctx.log("engine", text))
        self.server = BackgroundServer(app, sock, name="amplify-managed-login", certfile=leaf.cert_path,
                                       keyfile=leaf.key_path).start()
        self._ctx.managed_login_domain = self.domain

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
            self._ctx.managed_login_domain = None
