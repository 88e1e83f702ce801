"""The event Cognito sends to the custom email and SMS sender triggers.

Shaped as a real Cognito event is (a ``CustomEmailSender_SignUp`` event logged by a deployed handler): the
common envelope, then ``request`` with ``type`` (``customEmailSenderRequestV1`` or ``customSMSSenderRequestV1``),
``code`` (the code or temporary password, encrypted with the AWS Encryption SDK under the pool's KMS key and
base64-encoded), ``clientMetadata`` (``null`` when the caller passed none) and ``userAttributes``. There is no
``response``: Cognito reads nothing back from a sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amplify_py.local.rules.trigger_events._events import TRIGGER_SOURCES, build_event

__all__ = ["SENDER_REQUEST_TYPES", "custom_sender_event"]

SENDER_REQUEST_TYPES = {"CustomEmailSender": "customEmailSenderRequestV1", "CustomSMSSender": "customSMSSenderRequestV1"}


def custom_sender_event(
    trigger_source: str,
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    code: str,
    user_attributes: Mapping[str, str],
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A ``CustomEmailSender_*`` or ``CustomSMSSender_*`` event carrying the already encrypted ``code``."""
    trigger = trigger_source.split("_", 1)[0]
    if trigger not in SENDER_REQUEST_TYPES or trigger_source not in TRIGGER_SOURCES[trigger]:
        senders = TRIGGER_SOURCES["CustomEmailSender"] + TRIGGER_SOURCES["CustomSMSSender"]
        raise ValueError(f"{trigger_source!r} is not a custom sender trigger source; use one of {senders}")
    request = {
        "type": SENDER_REQUEST_TYPES[trigger],
        "code": code,
        "clientMetadata": dict(client_metadata) if client_metadata else None,
        "userAttributes": dict(user_attributes),
    }
    event = build_event(trigger_source, region=region, user_pool_id=user_pool_id, user_name=user_name,
                        client_id=client_id, request=request, response={})
    del event["response"]
    return event
