"""IAM authorization, as AWS does it: the operations the service model does not mark public (every Cognito
``Admin*``, ``ListUsers``, ``Describe*``, group administration..., and every KMS operation) need a SigV4
signature; the public ones (SignUp, InitiateAuth, ...) are called unsigned.

A signed request is checked against the engine's local credentials (``credentials.py``). The signature is
recomputed by botocore's own SigV4 signer over the request as it arrived (its method, URL, the headers it
says it signed and its body), not by a signer of ours, and compared in constant time. The errors are AWS's:

=====================================  ==============================================================
no ``Authorization: AWS4-...`` header  MissingAuthenticationTokenException
a header missing parts, a bad date     IncompleteSignatureException
an unknown access key                  UnrecognizedClientException
a wrong scope, date or signature       InvalidSignatureException (also when more than 5 minutes off)
=====================================  ==============================================================
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from starlette.requests import Request

from amplify_py.local import shapes
from amplify_py.local.context import EngineContext
from amplify_py.local.credentials import LocalCredentials
from amplify_py.local.errors import CognitoError
from amplify_py.local.operations.kms import TARGET as KMS_TARGET
from amplify_py.local.operations.registry import IDENTITY_TARGET, USER_POOL_TARGET

__all__ = ["requires_signature", "check_request", "check_signature", "MAX_SKEW_SECONDS", "SIGNATURE_MISMATCH"]

MAX_SKEW_SECONDS = 5 * 60
SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your "
                      "AWS Secret Access Key and signing method. Consult the service documentation for details.")
_MISSING = "Request is missing Authentication Token"
_INVALID_TOKEN = "The security token included in the request is invalid."
_ALGORITHM = "AWS4-HMAC-SHA256"
_STAMP = "%Y%m%dT%H%M%SZ"
_SERVICES = {USER_POOL_TARGET: "cognito-idp", IDENTITY_TARGET: "cognito-identity", KMS_TARGET: "kms"}


def _operation(target: str) -> tuple[str, str] | None:
    for prefix, service in _SERVICES.items():
        if target.startswith(prefix):
            return service, target[len(prefix):]
    return None


def requires_signature(target: str) -> bool:
    """Does Cognito authorize the ``X-Amz-Target`` operation with IAM? (Unknown targets: no, they fail anyway.)"""
    found = _operation(target)
    return found is not None and bool(shapes.requires_iam(*found))


def check_request(ctx: EngineContext, request: Request, target: str, body: bytes) -> None:
    """Raise AWS's error unless ``request`` (as it arrived, with ``body``) is signed as its target requires."""
    if requires_signature(target):
        query = request.url.query  # the URL as the client signed it: its Host header (port included), path, query
        url = f"http://{request.headers.get('host', '')}{request.url.path}" + (f"?{query}" if query else "")
        check_signature(ctx.credentials, target, method=request.method, url=url, headers=request.headers.items(),
                        body=body)


def _incomplete(message: str) -> CognitoError:
    return CognitoError("IncompleteSignatureException", message)


def _invalid(message: str) -> CognitoError:
    return CognitoError("InvalidSignatureException", message)


def _parse_authorization(header: str) -> dict[str, str]:
    """``AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`` into its parts."""
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != _ALGORITHM:
        raise _incomplete(f"Unsupported AWS 'algorithm': '{algorithm}'")
    parts: dict[str, str] = {}
    for item in (piece.strip() for piece in rest.split(",")):
        if not item:
            continue
        name, equals, value = item.partition("=")
        if not equals:
            raise _incomplete(f"'{item}' not a valid key=value pair (missing equal-sign) in Authorization header: "
                              f"'{header}'.")
        parts[name.strip()] = value.strip()
    return parts


def _timestamp(headers: Mapping[str, str]) -> str:
    """The request's signing time as SigV4 writes it (``X-Amz-Date``, else the ``Date`` header)."""
    amz_date = headers.get("x-amz-date")
    if amz_date is not None:
        try:
            datetime.strptime(amz_date, _STAMP)
        except ValueError:
            raise _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. "
                              "See http://en.wikipedia.org/wiki/ISO_8601") from None
        return amz_date
    try:
        return parsedate_to_datetime(headers.get("date", "")).astimezone(UTC).strftime(_STAMP)
    except (TypeError, ValueError):
        raise _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{headers.get('date', '')}'. "
                          "See http://en.wikipedia.org/wiki/ISO_8601") from None


def _check_time(stamp: str, now: float) -> None:
    signed_at = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC).timestamp()
    current = datetime.fromtimestamp(now, UTC)

    def fmt(seconds: float) -> str:
        return datetime.fromtimestamp(seconds, UTC).strftime(_STAMP)

    if signed_at < now - MAX_SKEW_SECONDS:
        raise _invalid(f"Signature expired: {stamp} is now earlier than {fmt(now - MAX_SKEW_SECONDS)} "
                       f"({current.strftime(_STAMP)} - 5 min.)")
    if signed_at > now + MAX_SKEW_SECONDS:
        raise _invalid(f"Signature not yet current: {stamp} is still later than {fmt(now + MAX_SKEW_SECONDS)} "
                       f"({current.strftime(_STAMP)} + 5 min.)")


def check_signature(credentials: LocalCredentials | None, target: str, *, method: str, url: str,
                    headers: Sequence[tuple[str, str]], body: bytes, now: float | None = None) -> None:
    """Raise Cognito's error unless the request is signed with ``credentials`` for the target's service.

    ``url`` is the URL the client addressed (``http://<Host header><path>[?query]``); ``headers`` are the
    request's headers as received (lower-case names); ``now`` defaults to the wall clock."""
    service = _SERVICES.get(target[: target.find(".") + 1]) or "cognito-idp"
    received: dict[str, list[str]] = {}
    for name, value in headers:
        received.setdefault(name.lower(), []).append(value)
    first = {name: values[0] for name, values in received.items()}
    header = first.get("authorization", "")
    if not header.startswith("AWS4-"):
        raise CognitoError("MissingAuthenticationTokenException", _MISSING)
    parts = _parse_authorization(header)
    missing = [f"Authorization header requires '{name}' parameter." for name in ("Credential", "Signature",
                                                                               "SignedHeaders") if name not in parts]
    if "x-amz-date" not in first and "date" not in first:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise _incomplete(" ".join([*missing, f"Authorization={header}"]))
    scope = parts["Credential"].split("/")
    if len(scope) != 5:
        raise _incomplete(f"Credential should be of the form '<access key id>/<date>/<region>/<service>/aws4_request', "
                          f"not '{parts['Credential']}'.")
    access_key_id, scope_date, region, scope_service, terminator = scope
    if credentials is None or not hmac.compare_digest(access_key_id, credentials.access_key_id) \
            or "x-amz-security-token" in first:  # the engine hands out no session tokens
        raise CognitoError("UnrecognizedClientException", _INVALID_TOKEN)
    stamp = _timestamp(first)
    _check_time(stamp, time.time() if now is None else now)
    if scope_date != stamp[:8]:
        raise _invalid(f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                       f"'{scope_date}' != '{stamp[:8]}', from '{stamp}'.")
    if region != credentials.region:
        raise _invalid(f"Credential should be scoped to a valid region, not '{region}'. ")
    if scope_service != service:
        raise _invalid(f"Credential should be scoped to correct service: '{service}'. ")
    if terminator != "aws4_request":
        raise _invalid(f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. ")
    signed = [name.strip().lower() for name in parts["SignedHeaders"].split(";") if name.strip()]
    if "host" not in signed:
        raise _invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    content_sha = first.get("x-amz-content-sha256")
    if content_sha is not None and not hmac.compare_digest(content_sha, hashlib.sha256(body).hexdigest()):
        raise _invalid("The provided 'x-amz-content-sha256' header does not match what was computed.")
    expected = _expected_signature(credentials, service, method, url, received, signed, body, stamp)
    if not hmac.compare_digest(expected, parts["Signature"]):
        raise _invalid(SIGNATURE_MISMATCH)


def _expected_signature(credentials: LocalCredentials, service: str, method: str, url: str,
                        received: Mapping[str, list[str]], signed: list[str], body: bytes, stamp: str) -> str:
    """botocore's SigV4 signature of the request as received, for the headers the client signed."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.compat import HTTPHeaders
    from botocore.credentials import Credentials

    class ReceivedRequestSigner(SigV4Auth):
        def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
            chosen = HTTPHeaders()
            for name in signed:
                for value in request.headers.get_all(name) or [""]:
                    chosen[name] = value
            return chosen

    request = AWSRequest(method=method, url=url, data=body, headers={})
    for name in signed:
        for value in received.get(name, []):
            request.headers[name] = value
    request.context["timestamp"] = stamp
    signer = ReceivedRequestSigner(Credentials(credentials.access_key_id, credentials.secret_access_key),
                                   service, credentials.region)
    canonical = signer.canonical_request(request)
    return signer.signature(signer.string_to_sign(request, canonical), request)
