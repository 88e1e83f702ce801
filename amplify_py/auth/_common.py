"""Small pieces every API module shares: option checks, the signed-in user's tokens, user pool calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amplify_py.auth._config import get_auth_config
from amplify_py.auth._session import cognito_user_pools_token_provider
from amplify_py.auth._transport import call_user_pool
from amplify_py.auth.errors import AuthValidationError, UserUnAuthenticatedException
from amplify_py.auth.types import AuthTokens, CodeDeliveryDetails

__all__ = ["check_options", "require_tokens", "user_pool", "code_delivery", "to_attribute_list"]


def check_options(options: Mapping[str, Any] | None, allowed: tuple[str, ...], api: str) -> dict[str, Any]:
    """The options as a dict; an unknown key (a typo, or Amplify's camelCase) is an error, not ignored."""
    if options is None:
        return {}
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise AuthValidationError(
            "InvalidOptions",
            f"{api}() got unknown option(s) {', '.join(map(repr, unknown))}.",
            f"Use the snake_case options {', '.join(allowed)}.",
        )
    return dict(options)


def require_tokens() -> AuthTokens:
    """The signed-in user's tokens (refreshed if expired), or Amplify's UserUnAuthenticatedException."""
    tokens = cognito_user_pools_token_provider.get_tokens()
    if tokens is None:
        raise UserUnAuthenticatedException()
    return tokens


def user_pool(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    return call_user_pool(get_auth_config().user_pool_endpoint, operation, body)


def code_delivery(details: Mapping[str, Any] | None, *, with_attribute: bool = True) -> CodeDeliveryDetails:
    details = details or {}
    return CodeDeliveryDetails(
        destination=details.get("Destination"),
        delivery_medium=details.get("DeliveryMedium"),
        attribute_name=details.get("AttributeName") if with_attribute else None,
    )


def to_attribute_list(attributes: Mapping[str, str] | None) -> list[dict[str, str]] | None:
    if attributes is None:
        return None
    return [{"Name": name, "Value": value} for name, value in attributes.items()]
