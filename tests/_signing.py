"""Signing a raw request as boto3 would (SigV4 with botocore's signer), for tests that post JSON themselves."""

from __future__ import annotations

from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def signed_headers(credentials: Any, endpoint: str, target: str, body: bytes,
                   headers: dict[str, str] | None = None) -> dict[str, str]:
    """The headers of a POST of ``body`` to ``endpoint`` for ``target``, signed with ``credentials``
    (an engine's ``LocalCredentials``)."""
    service = "cognito-identity" if target.startswith("AWSCognitoIdentityService.") else "cognito-idp"
    request = AWSRequest(method="POST", url=endpoint.rstrip("/") + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target, **(headers or {})})
    SigV4Auth(Credentials(credentials.access_key_id, credentials.secret_access_key), service,
              credentials.region).add_auth(request)
    return dict(request.headers.items())


def sign_exactly(credentials: Any, url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
    """``headers`` plus a SigV4 signature over them and ``body`` (nothing else added), for the service the
    X-Amz-Target names (KMS, identity pools, else user pools)."""
    target = headers.get("X-Amz-Target", "")
    service = ("kms" if target.startswith("TrentService.") else
               "cognito-identity" if target.startswith("AWSCognitoIdentityService.") else "cognito-idp")
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
    SigV4Auth(Credentials(credentials.access_key_id, credentials.secret_access_key), service,
              credentials.region).add_auth(request)
    return dict(request.headers.items())
