"""The events Cognito sends to each Lambda trigger, and the responses read as Cognito reads them.

Builders return the event exactly as Cognito shapes it (common fields, then
``request`` and ``response`` with Cognito's defaults per trigger source).
Readers take the event the handler returned and apply Cognito's rules,
raising :class:`TriggerResponseError` (Cognito's error name and message) when
the response is invalid. The engine decides when each trigger runs.
"""

from __future__ import annotations

from amplify_py.local.rules.trigger_events._events import (
    CLIENT_ID_NOT_APPLICABLE,
    CODE_PARAMETER,
    LINK_PARAMETER,
    TRIGGER_SOURCES,
    TriggerResponseError,
    USERNAME_PARAMETER,
    build_event,
    create_auth_challenge_event,
    custom_message_event,
    define_auth_challenge_event,
    post_authentication_event,
    post_confirmation_event,
    pre_authentication_event,
    pre_sign_up_event,
    pre_token_generation_event,
    trigger_failure,
    user_migration_event,
    verify_auth_challenge_event,
)
from amplify_py.local.rules.trigger_events._senders import SENDER_REQUEST_TYPES, custom_sender_event
from amplify_py.local.rules.trigger_events._responses import (
    CreateAuthChallengeOutcome,
    CustomMessage,
    DefineAuthChallengeOutcome,
    PreSignUpOutcome,
    TokenCustomisation,
    UserMigrationOutcome,
    read_create_auth_challenge_response,
    read_custom_message_response,
    read_define_auth_challenge_response,
    read_pre_sign_up_response,
    read_pre_token_generation_response,
    read_user_migration_response,
    read_verify_auth_challenge_response,
)

__all__ = [
    "TRIGGER_SOURCES",
    "CODE_PARAMETER",
    "USERNAME_PARAMETER",
    "LINK_PARAMETER",
    "CLIENT_ID_NOT_APPLICABLE",
    "TriggerResponseError",
    "trigger_failure",
    "build_event",
    "pre_sign_up_event",
    "post_confirmation_event",
    "pre_authentication_event",
    "post_authentication_event",
    "custom_message_event",
    "pre_token_generation_event",
    "define_auth_challenge_event",
    "create_auth_challenge_event",
    "verify_auth_challenge_event",
    "user_migration_event",
    "SENDER_REQUEST_TYPES",
    "custom_sender_event",
    "PreSignUpOutcome",
    "CustomMessage",
    "TokenCustomisation",
    "DefineAuthChallengeOutcome",
    "CreateAuthChallengeOutcome",
    "UserMigrationOutcome",
    "read_pre_sign_up_response",
    "read_custom_message_response",
    "read_pre_token_generation_response",
    "read_define_auth_challenge_response",
    "read_create_auth_challenge_response",
    "read_verify_auth_challenge_response",
    "read_user_migration_response",
]
