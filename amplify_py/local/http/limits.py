"""How much of a request the engine reads, and for how long, and how it says no.

Cognito documents no request size (its quotas are rates and resource sizes), so the body limit is 1 MiB: the
largest real request (AdminCreateUser with 50 custom attributes of 2,048 characters) is a few hundred kB. The
head limit is Node's default (16 KiB), which every Vite dev server in front of an aws-amplify app already
enforces. Refusals use AWS's common error types: ``MalformedHttpRequestException`` (400, also for 431: AWS has
no name for oversized headers), ``RequestAbortedException`` (400: the client stopped mid-request),
``RequestEntityTooLargeException`` (413) and ``RequestTimeoutException`` (408, which boto3 retries).
"""

from __future__ import annotations

import http
import json
import uuid
from dataclasses import dataclass

__all__ = ["Limits", "Refusal", "raw_response", "too_large", "timed_out", "aborted", "malformed_http",
           "head_too_large"]

_JSON = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class Limits:
    """Per request: the body's size, the head's size, the time each may take; how long a connection may sit
    idle (before its first request, and between requests: uvicorn's keep-alive); and how long a connection
    closed mid-request keeps reading (and dropping) what the client still sends, so that the client reads
    the answer instead of a reset."""

    max_body: int = 1024 * 1024
    max_head: int = 16 * 1024
    head_timeout: float = 10.0
    body_timeout: float = 10.0
    idle_timeout: float = 5.0
    linger: float = 2.0


@dataclass(frozen=True)
class Refusal:
    """An answer to a request the engine will not read to its end."""

    status: int
    name: str
    message: str

    def payload(self) -> dict[str, str]:
        return {"__type": self.name, "message": self.message}


def too_large(limits: Limits) -> Refusal:
    return Refusal(413, "RequestEntityTooLargeException",
                   f"The request body is larger than {limits.max_body} bytes.")


def timed_out(seconds: float, part: str) -> Refusal:
    return Refusal(408, "RequestTimeoutException", f"The request's {part} did not arrive within {seconds:g} seconds.")


def aborted(detail: str) -> Refusal:
    return Refusal(400, "RequestAbortedException", f"The connection closed {detail}.")


def malformed_http(message: str) -> Refusal:
    return Refusal(400, "MalformedHttpRequestException", message)


def head_too_large(limits: Limits) -> Refusal:
    return Refusal(431, "MalformedHttpRequestException",
                   f"Request header fields too large: the request line and headers exceed {limits.max_head} bytes.")


def raw_response(refusal: Refusal, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """The refusal as HTTP/1.1 bytes that close the connection (written below the ASGI app)."""
    body = json.dumps(refusal.payload()).encode()
    phrase = http.HTTPStatus(refusal.status).phrase
    lines = [f"HTTP/1.1 {refusal.status} {phrase}".encode()]
    lines += [name + b": " + value for name, value in default_headers]
    lines += [b"content-type: " + _JSON.encode(), b"x-amzn-requestid: " + str(uuid.uuid4()).encode(),
              b"x-amzn-errortype: " + refusal.name.encode() + b":", b"content-length: " + str(len(body)).encode(),
              b"connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
