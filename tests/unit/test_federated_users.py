"""The federated sign-in rule's pure parts: Cognito's user name, the identities entry, the attribute mapping."""

from __future__ import annotations

from amplify_py.local.model.oauth import IdentityProvider
from amplify_py.local.model.pool import Pool
from amplify_py.local.rules.federated_users import (
    ProviderIdentity,
    federated_username,
    identity_record,
    mapped_attributes,
)


def _pool(*, case_sensitive: bool) -> Pool:
    return Pool("us-east-1_Abc123456", "d", "UserPool", {"props": {
        "UsernameConfiguration": {"CaseSensitive": case_sensitive},
        "Schema": [{"Name": "email", "Required": True, "Mutable": True},
                   {"Name": "groups", "AttributeDataType": "String", "Mutable": True}]}})


def _provider(provider_type: str, mapping: dict[str, str]) -> IdentityProvider:
    return IdentityProvider("Okta" if provider_type in ("OIDC", "SAML") else provider_type, "us-east-1_Abc123456",
                            provider_type, attribute_mapping=mapping)


def test_the_user_name_is_provider_underscore_subject_lower_cased_in_a_case_insensitive_pool() -> None:
    google = _provider("Google", {})
    assert federated_username(_pool(case_sensitive=False), google, "1234ABC") == "google_1234abc"
    assert federated_username(_pool(case_sensitive=True), google, "1234ABC") == "Google_1234ABC"


def test_the_identities_entry_has_cognitos_keys_and_types() -> None:
    entry = identity_record(_provider("Google", {}), ProviderIdentity("42", {}, "https://accounts.google.com"),
                            1700000000.5)
    assert entry == {"userId": "42", "providerName": "Google", "providerType": "Google", "issuer": None,
                     "primary": "true", "dateCreated": "1700000000500"}
    oidc = identity_record(_provider("OIDC", {}), ProviderIdentity("42", {}, "https://idp.example.com"), 0)
    assert oidc["issuer"] == "https://idp.example.com"  # OIDC and SAML keep their issuer; social ones write null


def test_the_mapping_fills_pool_attributes_from_provider_attributes() -> None:
    provider = _provider("SAML", {"email": "http://schemas.example.com/email", "custom:groups": "groups",
                                  "username": "sub", "name": "displayName", "website": "absent"})
    identity = ProviderIdentity("nameid", {"http://schemas.example.com/email": "a@example.com",
                                           "groups": ["admins", "r&d team"], "displayName": "Ada", "sub": "x"})
    # "website" is a pool attribute the answer lacks (left alone); "username" is Cognito's to set, never mapped.
    assert mapped_attributes(_pool(case_sensitive=False), provider, identity) == {
        "email": "a@example.com", "custom:groups": "[admins, r%26d+team]", "name": "Ada"}


def test_booleans_become_cognitos_strings() -> None:
    # "custom:nope" is no attribute of this pool: not written.
    provider = _provider("Google", {"email_verified": "email_verified", "custom:nope": "email_verified"})
    identity = ProviderIdentity("1", {"email_verified": True})
    assert mapped_attributes(_pool(case_sensitive=False), provider, identity) == {"email_verified": "true"}
