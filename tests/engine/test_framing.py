"""HTTP framing over raw sockets: every request gets an HTTP answer, whichever parser and loop serve.

Each case runs against uvicorn's h11 parser on asyncio and its httptools parser on uvloop (the engine's two
supported stacks). The limits are the defaults (1 MiB body, 16 KiB head) with short timeouts, so that the
timeout cases answer quickly.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from amplify_py.local import LocalEngine
from amplify_py.local.http import json_api
from amplify_py.local.http.limits import Limits
from tests.engine.conftest import CLIENT, POOL, template, in_process

STACKS = [("h11", "asyncio"), ("httptools", "uvloop")]
LIMITS = Limits(head_timeout=0.5, body_timeout=0.5, idle_timeout=0.5, linger=0.5)
TARGET = b"X-Amz-Target: AWSCognitoIdentityProviderService.SignUp\r\n"


@dataclass
class Served:
    engine: LocalEngine
    pool_id: str
    client_id: str

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.engine.port), timeout=5)


@pytest.fixture(scope="module", params=STACKS, ids=[f"{h}+{loop}" for h, loop in STACKS])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    http, loop = request.param
    pytest.importorskip(http)
    if loop == "uvloop":
        pytest.importorskip("uvloop")
    engine = LocalEngine(tmp_path_factory.mktemp(f"framing-{http}")).start(http=http, loop=loop, limits=LIMITS)
    ids = engine.deploy("framing", template("email_default")).physical_ids
    yield Served(engine, ids[POOL], ids[CLIENT])
    engine.stop()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool  # the answer said "Connection: close" and the server then closed the connection

    def json(self) -> dict:
        return json.loads(self.body)


def read_answer(sock: socket.socket) -> Answer:
    """One HTTP/1.1 response (Content-Length framed, as the engine sends them), and whether the connection
    then closed (EOF) or stayed open."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed without an HTTP answer (got {data!r})"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the connection closed in the middle of the answer"
        rest += chunk
    body, extra = rest[:length], rest[length:]
    assert extra == b""
    # After "Connection: close" the server must close; otherwise the caller's next request on the same
    # socket shows that it stayed open.
    closed = headers.get("connection") == "close" and sock.recv(1) == b""
    return Answer(int(status_line.split()[1]), headers, body, closed)


def exchange(served: Served, data: bytes, *, half_close: bool = False) -> Answer:
    with served.connect() as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return read_answer(sock)


def post_head(length: int | str, extra: bytes = b"") -> bytes:
    return (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + TARGET + extra
            + b"Content-Length: " + str(length).encode() + b"\r\n\r\n")


def assert_refused(answer: Answer, status: int, name: str, message: str) -> None:
    assert (answer.status, answer.json()) == (status, {"__type": name, "message": message})
    assert answer.headers["x-amzn-errortype"] == f"{name}:"
    assert answer.headers["connection"] == "close" and answer.closed


# --- size -----------------------------------------------------------------------------------------------
def test_a_content_length_past_the_limit_is_refused_before_the_body_is_read(served: Served) -> None:
    answer = exchange(served, post_head(1_000_000_000_000), half_close=True)
    assert_refused(answer, 413, "RequestEntityTooLargeException", "The request body is larger than 1048576 bytes.")


def test_a_client_still_sending_a_refused_body_reads_the_answer_not_a_reset(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(post_head(1_000_000_000_000))

        def keep_sending() -> None:
            try:
                for _ in range(64):
                    sock.sendall(b"x" * 65536)
            except OSError:
                pass  # the server stopped reading after its answer: expected

        sender = threading.Thread(target=keep_sending)
        sender.start()
        answer = read_answer(sock)
        sender.join()
    assert_refused(answer, 413, "RequestEntityTooLargeException", "The request body is larger than 1048576 bytes.")


def test_a_chunked_body_past_the_limit_is_refused(served: Served) -> None:
    chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"
    data = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + TARGET + b"Transfer-Encoding: chunked\r\n\r\n"
            + chunk * 17 + b"0\r\n\r\n")  # 17 x 64 KiB > 1 MiB
    answer = exchange(served, data)
    assert_refused(answer, 413, "RequestEntityTooLargeException", "The request body is larger than 1048576 bytes.")


def test_a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_not(served: Served) -> None:
    prefix = json.dumps({"ClientId": "nope", "Username": "u", "Padding": ""}).encode()[:-2]
    body = prefix + b"a" * (LIMITS.max_body - len(prefix) - 2) + b'"}'
    assert len(body) == LIMITS.max_body
    with served.connect() as sock:
        sock.sendall(post_head(len(body)) + body)
        answer = read_answer(sock)
        assert (answer.status, answer.json()) == (400, {"__type": "ResourceNotFoundException",
                                                         "message": "User pool client nope does not exist."})
        sock.sendall(post_head(len(body) + 1) + body + b" ")  # the same connection: it stayed open
        answer = read_answer(sock)
    assert_refused(answer, 413, "RequestEntityTooLargeException", "The request body is larger than 1048576 bytes.")


def test_a_64_kb_header_is_431(served: Served) -> None:
    data = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"
    assert_refused(exchange(served, data), 431, "MalformedHttpRequestException",
                   "Request header fields too large: the request line and headers exceed 16384 bytes.")


def test_headers_just_under_the_limit_are_read(served: Served) -> None:
    start = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
    data = start + b"a" * (LIMITS.max_head - len(start) - 4) + b"\r\n\r\n"
    assert len(data) == LIMITS.max_head
    answer = exchange(served, data)
    assert (answer.status, answer.json()["status"]) == (200, "ok")


# --- time -------------------------------------------------------------------------------------------------
def test_a_body_that_never_finishes_times_out(served: Served) -> None:
    answer = exchange(served, post_head(100) + b"{}")
    assert_refused(answer, 408, "RequestTimeoutException", "The request's body did not arrive within 0.5 seconds.")


def test_headers_that_never_finish_time_out(served: Served) -> None:
    answer = exchange(served, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    assert_refused(answer, 408, "RequestTimeoutException", "The request's headers did not arrive within 0.5 seconds.")


def test_a_connection_that_never_sends_a_byte_is_closed(served: Served) -> None:
    with served.connect() as sock:
        assert sock.recv(1) == b""  # closed after the idle timeout, with nothing to answer


# --- the client stops early ---------------------------------------------------------------------------------
def test_a_body_shorter_than_its_content_length_then_eof(served: Served) -> None:
    answer = exchange(served, post_head(100) + b"{}", half_close=True)
    assert_refused(answer, 400, "RequestAbortedException", "The connection closed before the request body was complete.")


def test_headers_cut_short_by_eof(served: Served) -> None:
    answer = exchange(served, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", half_close=True)
    assert_refused(answer, 400, "RequestAbortedException",
                   "The connection closed before the request's headers were complete.")


def test_a_whole_request_then_eof_is_answered(served: Served) -> None:
    answer = exchange(served, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", half_close=True)
    assert (answer.status, answer.json()["status"]) == (200, "ok")


# --- not HTTP -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS hello on the plain port
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n{}",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n",
], ids=["tls-hello", "length-not-a-number", "length-of-5000-digits", "space-in-header-name"])
def test_a_request_that_is_not_http_is_400(served: Served, data: bytes) -> None:
    assert_refused(exchange(served, data), 400, "MalformedHttpRequestException", "Invalid HTTP request received.")


# --- keep-alive after errors ----------------------------------------------------------------------------------
def _post(body: bytes, target: bytes = TARGET) -> bytes:
    return (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + target
            + b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
            + body)


def test_one_connection_stays_usable_through_every_kind_of_bad_request(served: Served) -> None:
    client = served.client_id.encode()
    bad = [
        (b'{"ClientId": "\\ud800", "Username": "u"}', "SerializationException"),
        (b'{"a": ' + b"[" * 1000 + b"]" * 1000 + b"}", "SerializationException"),
        (b"[" * 100_000, "SerializationException"),
        (b'{"ClientId": NaN}', "SerializationException"),
        (b'{"ClientId": "' + client + b'", "Username": "k@example.com", "Password": "Passw0rd!", "UserAttributes": [null]}',
         "InvalidParameterException"),
        (b"not json", "SerializationException"),
    ]
    with served.connect() as sock:
        for body, name in bad:
            sock.sendall(_post(body))
            answer = read_answer(sock)
            assert (answer.status, answer.json()["__type"]) == (400, name), body[:40]
            assert "connection" not in answer.headers  # kept open: the next request goes on the same socket
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read_answer(sock).status == 200


@in_process
def test_a_bug_outside_an_operation_is_cognitos_500_and_keeps_the_connection(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(raw: bytes) -> dict:
        raise RuntimeError("a bug in the face")

    logged: list[tuple[str, str]] = []
    monkeypatch.setattr(json_api, "parse_body", broken)
    monkeypatch.setattr(served.engine.context, "on_log", lambda source, line: logged.append((source, line)))
    with served.connect() as sock:
        sock.sendall(_post(b"{}"))
        answer = read_answer(sock)
        assert (answer.status, answer.json()) == (500, {"__type": "InternalErrorException",
                                                         "message": "Internal server error."})
        assert "connection" not in answer.headers
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")  # the same connection
        assert read_answer(sock).status == 200
    assert len(logged) == 1 and logged[0][0] == "engine"
    assert "RuntimeError: a bug in the face" in logged[0][1]


def test_a_refusal_reaches_boto3_as_its_error_code(served: Served) -> None:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    idp = boto3.client("cognito-idp", endpoint_url=served.engine.endpoint, region_name="us-east-1",
                       aws_access_key_id="local", aws_secret_access_key="local",
                       config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError, match=r"\(RequestEntityTooLargeException\).*larger than 1048576 bytes") as exc:
        idp.sign_up(ClientId=served.client_id, Username="big@example.com", Password="Passw0rd!",
                    UserAttributes=[{"Name": "name", "Value": "x" * (2 * 1024 * 1024)}])
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


@in_process
def test_the_engine_listens_on_loopback_only(served: Served) -> None:
    """What the engine binds when nobody says otherwise: the engine itself and ``ampy local serve``."""
    import inspect

    from amplify_py.cli.local import serve

    listening = [s.getsockname() for srv in served.engine._server.servers for s in srv.sockets]
    assert listening and all(address[0] == "127.0.0.1" for address in listening)
    assert inspect.signature(LocalEngine).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(serve).parameters["host"].default.default == "127.0.0.1"
