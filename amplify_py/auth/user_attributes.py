"""User attributes of the signed-in user: fetch, update (with confirmation codes), verify, delete."""

from __future__ import annotations

from amplify_py.auth._common import check_options, code_delivery, require_tokens, to_attribute_list, user_pool
from amplify_py.auth.errors import assert_validation
from amplify_py.auth.types import (
    ClientMetadataOptions,
    CodeDeliveryDetails,
    UpdateUserAttributeNextStep,
    UpdateUserAttributeOutput,
    UserAttribute,
)

__all__ = [
    "fetch_user_attributes",
    "update_user_attributes",
    "update_user_attribute",
    "confirm_user_attribute",
    "send_user_attribute_verification_code",
    "delete_user_attributes",
]


def fetch_user_attributes() -> dict[str, str]:
    """The user's attributes as ``{name: value}`` (Cognito GetUser)."""
    tokens = require_tokens()
    response = user_pool("GetUser", {"AccessToken": str(tokens.access_token)})
    return {a["Name"]: a.get("Value") for a in response.get("UserAttributes") or []}


def update_user_attributes(
    user_attributes: dict[str, str], options: ClientMetadataOptions | None = None
) -> dict[str, UpdateUserAttributeOutput]:
    """Update several attributes; each result says DONE or CONFIRM_ATTRIBUTE_WITH_CODE (Cognito UpdateUserAttributes)."""
    opts = check_options(options, ("client_metadata",), "update_user_attributes")
    tokens = require_tokens()
    response = user_pool(
        "UpdateUserAttributes",
        {
            "AccessToken": str(tokens.access_token),
            "ClientMetadata": opts.get("client_metadata"),
            "UserAttributes": to_attribute_list(user_attributes),
        },
    )
    results = {
        key: UpdateUserAttributeOutput(is_updated=True, next_step=UpdateUserAttributeNextStep(update_attribute_step="DONE"))
        for key in user_attributes
    }
    for details in response.get("CodeDeliveryDetailsList") or []:
        name = details.get("AttributeName")
        if name:
            results[name] = UpdateUserAttributeOutput(
                is_updated=False,
                next_step=UpdateUserAttributeNextStep(
                    update_attribute_step="CONFIRM_ATTRIBUTE_WITH_CODE", code_delivery_details=code_delivery(details)
                ),
            )
    return results


def update_user_attribute(
    user_attribute: UserAttribute, options: ClientMetadataOptions | None = None
) -> UpdateUserAttributeOutput:
    """Update one attribute: ``user_attribute={"attribute_key": "email", "value": "..."}``."""
    key = user_attribute["attribute_key"]
    output = update_user_attributes({key: user_attribute["value"]}, options)
    return next(iter(output.values()))


def confirm_user_attribute(user_attribute_key: str, confirmation_code: str) -> None:
    """Confirm an attribute change with the code that was sent (Cognito VerifyUserAttribute)."""
    assert_validation(confirmation_code, "EmptyConfirmUserAttributeCode")
    tokens = require_tokens()
    user_pool(
        "VerifyUserAttribute",
        {"AccessToken": str(tokens.access_token), "AttributeName": user_attribute_key, "Code": confirmation_code},
    )


def send_user_attribute_verification_code(
    user_attribute_key: str, options: ClientMetadataOptions | None = None
) -> CodeDeliveryDetails:
    """Send a code to verify ``email`` or ``phone_number`` (Cognito GetUserAttributeVerificationCode)."""
    opts = check_options(options, ("client_metadata",), "send_user_attribute_verification_code")
    tokens = require_tokens()
    response = user_pool(
        "GetUserAttributeVerificationCode",
        {
            "AccessToken": str(tokens.access_token),
            "ClientMetadata": opts.get("client_metadata"),
            "AttributeName": user_attribute_key,
        },
    )
    return code_delivery(response.get("CodeDeliveryDetails"))


def delete_user_attributes(user_attribute_keys: list[str]) -> None:
    """Delete attributes (Cognito DeleteUserAttributes)."""
    tokens = require_tokens()
    user_pool(
        "DeleteUserAttributes",
        {"AccessToken": str(tokens.access_token), "UserAttributeNames": list(user_attribute_keys)},
    )
