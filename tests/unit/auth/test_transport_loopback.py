"""The client's transport to a plain-http loopback endpoint (the local engine): one kept-alive connection per
thread, each request written in one send, the same answers and errors as through httpx."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from amplify_py.auth import _transport
from amplify_py.auth.errors import AuthError


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless told otherwise

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen.append((self.client_address[1], self.headers["X-Amz-Target"], body))  # type: ignore[attr-defined]
        if body.get("fail"):
            payload, status = {"__type": "NotAuthorizedException", "message": "Incorrect username or password."}, 400
        else:
            payload, status = {"echo": body}, 200
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "req-1")
        if body.get("close"):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    _transport._loopback.__dict__.clear()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        _transport._loopback.__dict__.clear()


def _endpoint(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}/"


def test_requests_share_one_kept_alive_connection_and_drop_none_values(server: ThreadingHTTPServer) -> None:
    for n in range(3):
        answer = _transport.call_user_pool(_endpoint(server), "GetUser", {"AccessToken": f"t{n}", "Skip": None})
        assert answer == {"echo": {"AccessToken": f"t{n}"}}
    ports = {port for port, _, _ in server.seen}  # type: ignore[attr-defined]
    assert len(ports) == 1
    assert [target for _, target, _ in server.seen] == ["AWSCognitoIdentityProviderService.GetUser"] * 3  # type: ignore[attr-defined]


def test_a_connection_the_server_closed_is_replaced(server: ThreadingHTTPServer) -> None:
    _transport.call_user_pool(_endpoint(server), "GetUser", {"close": True})
    _transport.call_user_pool(_endpoint(server), "GetUser", {"n": 2})
    _transport.call_user_pool(_endpoint(server), "GetUser", {"n": 3})
    ports = [port for port, _, _ in server.seen]  # type: ignore[attr-defined]
    assert ports[0] != ports[1] and ports[1] == ports[2]


def test_service_errors_are_the_same_as_through_httpx(server: ThreadingHTTPServer) -> None:
    with pytest.raises(AuthError, match=r"^\[NotAuthorizedException\] Incorrect username or password\.") as caught:
        _transport.call_user_pool(_endpoint(server), "InitiateAuth", {"fail": True})
    assert caught.value.name == "NotAuthorizedException"
    assert caught.value.metadata == {"http_status_code": 400, "request_id": "req-1"}


def test_an_endpoint_nobody_serves_is_a_network_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free once closed
    with pytest.raises(AuthError, match=r"^\[NetworkError\] A network error has occurred\.\nResolution: Check that http://127\.0\.0\.1:\d+/ is reachable") as caught:
        _transport.call_user_pool(f"http://127.0.0.1:{port}/", "GetUser", {})
    assert caught.value.name == "NetworkError"
    assert f"Check that http://127.0.0.1:{port}/ is reachable" in (caught.value.recovery_suggestion or "")


def test_only_plain_http_on_loopback_skips_httpx() -> None:
    assert _transport._loopback_connection("http://127.0.0.1:9325/") is not None
    assert _transport._loopback_connection("http://localhost:9325") is not None
    assert _transport._loopback_connection("https://127.0.0.1:9325/") is None
    assert _transport._loopback_connection("https://cognito-idp.us-east-1.amazonaws.com/") is None
    assert _transport._loopback_connection("http://192.0.2.1:9325/") is None
