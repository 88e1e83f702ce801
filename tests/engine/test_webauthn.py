"""Passkeys on the engine over Cognito's wire protocol: registration (Start/Complete), listing, deleting, and
the WEB_AUTHN first factor of USER_AUTH, with every refusal Cognito names. The authenticator is
``amplify_py.auth.SoftwareAuthenticator`` (python-fido2's types); the engine verifies with py_webauthn."""

from __future__ import annotations

import base64
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from fido2 import cbor
from fido2.client import ClientError as Fido2ClientError

from amplify_py.auth.software_authenticator import SoftwareAuthenticator
from tests.engine.conftest import CLIENT, PASSWORD, POOL, Env

EXTRA = Path(__file__).resolve().parents[1] / "data" / "reference" / "extra"
ORIGIN = "http://localhost:5173"


def passkey_template(**pool: Any) -> dict:
    """The reference construct's explicit WebAuthn case (PASSWORD + WEB_AUTHN), with a second app client."""
    tpl = json.loads((EXTRA / "webauthn_explicit.template.json").read_text())
    tpl["Resources"][POOL]["Properties"].update({"WebAuthnRelyingPartyID": "localhost", **pool})
    tpl["Resources"]["otherClient"] = copy.deepcopy(tpl["Resources"][CLIENT])
    return tpl


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


class PasskeyEnv(Env):
    def signed_in(self, email: str, client_id: str | None = None) -> str:
        """A confirmed user signed in with a password (USER_AUTH); returns the access token."""
        if not self.idp.list_users(UserPoolId=self.pool_id, Filter=f'email = "{email}"')["Users"]:
            self.confirmed_user(email)
        out = self.idp.initiate_auth(ClientId=client_id or self.client_id, AuthFlow="USER_AUTH", AuthParameters={
            "USERNAME": email, "PASSWORD": PASSWORD, "PREFERRED_CHALLENGE": "PASSWORD"})
        return out["AuthenticationResult"]["AccessToken"]

    def register(self, token: str, authenticator: SoftwareAuthenticator, **overrides: Any) -> dict:
        options = self.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
        options = {**options, **overrides}
        credential = dict(authenticator.make_credential(options))
        self.idp.complete_web_authn_registration(AccessToken=token, Credential=credential)
        return credential

    def passkey_challenge(self, email: str) -> dict:
        return self.idp.initiate_auth(ClientId=self.client_id, AuthFlow="USER_AUTH",
                                      AuthParameters={"USERNAME": email, "PREFERRED_CHALLENGE": "WEB_AUTHN"})

    def answer(self, email: str, challenge: dict, credential: dict | str) -> dict:
        text = credential if isinstance(credential, str) else json.dumps(credential)
        return self.idp.respond_to_auth_challenge(
            ClientId=self.client_id, ChallengeName="WEB_AUTHN", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": email, "CREDENTIAL": text})


def request_options(challenge: dict) -> dict:
    assert challenge["ChallengeName"] == "WEB_AUTHN"
    return json.loads(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])


@pytest.fixture(scope="module")
def env(engine_and_clock) -> PasskeyEnv:
    return PasskeyEnv(*engine_and_clock, "passkeys", passkey_template())


@pytest.fixture(scope="module")
def preferred(engine_and_clock) -> PasskeyEnv:
    return PasskeyEnv(*engine_and_clock, "passkeys-preferred", passkey_template(WebAuthnUserVerification="preferred"))


# --- registration ---------------------------------------------------------------------------------
def test_registration_options_follow_the_pool(env: PasskeyEnv) -> None:
    token = env.signed_in("options@example.com")
    options = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    user = env.idp.get_user(AccessToken=token)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    assert options["rp"] == {"id": "localhost", "name": "localhost"}
    assert options["user"]["name"] == user["Username"] and options["user"]["displayName"] == ""
    assert options["user"]["id"] == b64(sub.encode())
    assert [p["alg"] for p in options["pubKeyCredParams"]] == [-7, -257]
    assert options["timeout"] == 60000 and len(options["challenge"]) == 22  # 16 random bytes, base64url
    assert options["authenticatorSelection"] == {"requireResidentKey": True, "residentKey": "required",
                                                 "userVerification": "required"}
    assert options["excludeCredentials"] == []


def test_register_list_and_sign_in_with_a_passkey(env: PasskeyEnv) -> None:
    token = env.signed_in("alice@example.com")
    authenticator = SoftwareAuthenticator(ORIGIN, attestation="packed")
    credential = env.register(token, authenticator)
    (listed,) = env.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert listed["CredentialId"] == credential["id"] and listed["RelyingPartyId"] == "localhost"
    assert listed["AuthenticatorAttachment"] == "platform" and listed["FriendlyCredentialName"].startswith("Platform")
    again = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert again["excludeCredentials"] == [{"type": "public-key", "id": credential["id"]}]

    for _ in range(2):  # the sign counter moves on each time
        challenge = env.passkey_challenge("alice@example.com")
        options = request_options(challenge)
        assert options["rpId"] == "localhost" and options["userVerification"] == "required"
        assert options["allowCredentials"] == [{"id": credential["id"], "type": "public-key"}]
        assert options["timeout"] == 180000  # the app client's AuthSessionValidity (3 minutes)
        assertion = dict(authenticator.get_assertion(options).get_response(0))
        done = env.answer("alice@example.com", challenge, assertion)
        claims = env.idp.get_user(AccessToken=done["AuthenticationResult"]["AccessToken"])
        assert any(a["Value"] == "alice@example.com" for a in claims["UserAttributes"])


def test_first_factor_selection_offers_web_authn_to_users_with_a_passkey(env: PasskeyEnv) -> None:
    env.signed_in("nopasskey@example.com")
    plain = env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="USER_AUTH",
                                  AuthParameters={"USERNAME": "nopasskey@example.com"})
    assert plain["ChallengeName"] == "SELECT_CHALLENGE" and plain["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]

    token = env.signed_in("chooser@example.com")
    authenticator = SoftwareAuthenticator(ORIGIN)
    env.register(token, authenticator)
    select = env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="USER_AUTH",
                                   AuthParameters={"USERNAME": "chooser@example.com"})
    assert select["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    challenge = env.idp.respond_to_auth_challenge(
        ClientId=env.client_id, ChallengeName="SELECT_CHALLENGE", Session=select["Session"],
        ChallengeResponses={"USERNAME": "chooser@example.com", "ANSWER": "WEB_AUTHN"})
    assertion = dict(authenticator.get_assertion(request_options(challenge)).get_response(0))
    assert env.answer("chooser@example.com", challenge, assertion)["AuthenticationResult"]["IdToken"]


def test_a_passkey_made_for_another_relying_party_is_refused(env: PasskeyEnv) -> None:
    token = env.signed_in("rp@example.com")
    lax = SoftwareAuthenticator(ORIGIN, verify=lambda rp_id, origin: True)  # a client that lets a page pick any RP
    with pytest.raises(ClientError, match="another relying party") as exc:
        env.register(token, lax, rp={"id": "evil.example", "name": "evil"})
    assert error(exc) == ("WebAuthnRelyingPartyMismatchException",
                          "The credential was made for another relying party than this user pool's (localhost).")


def test_an_origin_off_the_relying_party_is_refused(env: PasskeyEnv) -> None:
    token = env.signed_in("origin@example.com")
    for origin in ("https://evil.example", "http://app.example.com", "https://localhost.evil.example"):
        lax = SoftwareAuthenticator(origin, verify=lambda rp_id, o: True)
        with pytest.raises(ClientError, match=re.escape(f"Origin {origin} is not allowed")) as exc:
            env.register(token, lax)
        assert error(exc)[0] == "WebAuthnOriginNotAllowedException"
    env.register(token, SoftwareAuthenticator("https://localhost"))  # https on the RP ID itself is fine
    assert len(env.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]) == 1


def test_registration_challenges_are_single_use_expiring_and_bound_to_the_client(env: PasskeyEnv) -> None:
    token = env.signed_in("challenge@example.com")
    authenticator = SoftwareAuthenticator(ORIGIN)
    with pytest.raises(ClientError, match="No registration challenge is waiting") as exc:
        env.idp.complete_web_authn_registration(AccessToken=token, Credential={"id": "x"})
    assert error(exc)[0] == "WebAuthnChallengeNotFoundException"

    old = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    env.idp.start_web_authn_registration(AccessToken=token)  # a new Start replaces the old challenge
    with pytest.raises(ClientError, match="answers no challenge") as exc:
        env.idp.complete_web_authn_registration(AccessToken=token, Credential=dict(authenticator.make_credential(old)))
    assert error(exc)[0] == "WebAuthnChallengeNotFoundException"

    options = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    env.clock.advance(61)  # past the 60-second timeout the options announce
    with pytest.raises(ClientError, match="expired or was used") as exc:
        env.idp.complete_web_authn_registration(AccessToken=token, Credential=dict(authenticator.make_credential(options)))
    assert error(exc)[0] == "WebAuthnChallengeNotFoundException"

    other_client = env.result.physical_ids["otherClient"]
    options = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    other_token = env.signed_in("challenge@example.com", client_id=other_client)
    with pytest.raises(ClientError, match="another app client") as exc:
        env.idp.complete_web_authn_registration(AccessToken=other_token,
                                                Credential=dict(authenticator.make_credential(options)))
    assert error(exc)[0] == "WebAuthnClientMismatchException"


def test_user_verification_required_refuses_an_unverified_authenticator(env: PasskeyEnv,
                                                                        preferred: PasskeyEnv) -> None:
    unverified = SoftwareAuthenticator(ORIGIN, user_verified=False)
    unverified._check_verification = lambda requirement: None  # type: ignore[method-assign]  # a lying client
    token = env.signed_in("uv@example.com")
    with pytest.raises(ClientError, match="requires user verification") as exc:
        env.register(token, unverified)
    assert error(exc)[0] == "WebAuthnCredentialNotSupportedException"

    token = preferred.signed_in("uv@example.com")  # "preferred": an authenticator without UV may register
    preferred.register(token, SoftwareAuthenticator(ORIGIN, user_verified=False))
    assert len(preferred.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]) == 1


def test_a_tampered_attestation_is_refused(env: PasskeyEnv) -> None:
    token = env.signed_in("attest@example.com")
    options = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = dict(SoftwareAuthenticator(ORIGIN, attestation="packed").make_credential(options))
    attestation = cbor.decode(base64.urlsafe_b64decode(credential["response"]["attestationObject"] + "=="))
    signature = bytearray(attestation["attStmt"]["sig"])
    signature[-1] ^= 0x01
    attestation["attStmt"]["sig"] = bytes(signature)
    forged = {**credential, "response": {**credential["response"], "attestationObject": b64(cbor.encode(attestation))}}
    with pytest.raises(ClientError, match="The credential could not be verified") as exc:
        env.idp.complete_web_authn_registration(AccessToken=token, Credential=forged)
    assert error(exc)[0] == "InvalidParameterException"

    options = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = dict(SoftwareAuthenticator(ORIGIN).make_credential(options))
    other = dict(SoftwareAuthenticator(ORIGIN).make_credential(options))  # same challenge, another key
    swapped = {**credential, "response": {**credential["response"],
                                          "attestationObject": other["response"]["attestationObject"]}}
    with pytest.raises(ClientError, match="rawId is not the credential ID its attestation names") as exc:
        env.idp.complete_web_authn_registration(AccessToken=token, Credential=swapped)
    assert error(exc)[0] == "InvalidParameterException"
    assert env.idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []


# --- sign-in refusals ----------------------------------------------------------------------------
def test_tampered_replayed_and_foreign_assertions_are_refused(env: PasskeyEnv) -> None:
    token = env.signed_in("bob@example.com")
    authenticator = SoftwareAuthenticator(ORIGIN)
    env.register(token, authenticator)
    refused = ("NotAuthorizedException", "Incorrect username or password.")

    first = env.passkey_challenge("bob@example.com")  # one good sign-in: the engine now knows sign count 1
    env.answer("bob@example.com", first, dict(authenticator.get_assertion(request_options(first)).get_response(0)))
    challenge = env.passkey_challenge("bob@example.com")
    assertion = dict(authenticator.get_assertion(request_options(challenge)).get_response(0))
    signature = bytearray(base64.urlsafe_b64decode(assertion["response"]["signature"] + "=="))
    signature[-1] ^= 0x01
    tampered = {**assertion, "response": {**assertion["response"], "signature": b64(bytes(signature))}}
    with pytest.raises(ClientError, match=re.escape(refused[1])) as exc:
        env.answer("bob@example.com", challenge, tampered)
    assert error(exc) == refused
    with pytest.raises(ClientError, match="Invalid session") as exc:  # the challenge is gone, right or wrong
        env.answer("bob@example.com", challenge, assertion)

    replay = env.passkey_challenge("bob@example.com")  # an old assertion answers a new challenge
    with pytest.raises(ClientError, match=re.escape(refused[1])) as exc:
        env.answer("bob@example.com", replay, assertion)
    assert error(exc) == refused

    cloned = env.passkey_challenge("bob@example.com")  # a cloned key: its sign counter went backwards
    authenticator.credentials[0].sign_count = 0
    with pytest.raises(ClientError, match=re.escape(refused[1])):
        env.answer("bob@example.com", cloned, dict(authenticator.get_assertion(request_options(cloned)).get_response(0)))

    other_rp = env.passkey_challenge("bob@example.com")  # signed for another relying party
    lax = SoftwareAuthenticator(ORIGIN, verify=lambda rp_id, origin: True)
    lax.credentials = [copy.copy(authenticator.credentials[0])]
    lax.credentials[0].rp_id, lax.credentials[0].sign_count = "evil.example", 100
    options = {**request_options(other_rp), "rpId": "evil.example"}
    with pytest.raises(ClientError, match=re.escape(refused[1])):
        env.answer("bob@example.com", other_rp, dict(lax.get_assertion(options).get_response(0)))

    carol = env.signed_in("carol@example.com")  # another user's passkey
    carols = SoftwareAuthenticator(ORIGIN)
    env.register(carol, carols)
    wrong_user = env.passkey_challenge("bob@example.com")
    options = {**request_options(wrong_user), "allowCredentials": []}
    with pytest.raises(ClientError, match=re.escape(refused[1])):
        env.answer("bob@example.com", wrong_user, dict(carols.get_assertion(options).get_response(0)))

    fresh = env.passkey_challenge("bob@example.com")  # and the genuine one still works
    good = dict(authenticator.get_assertion(request_options(fresh)).get_response(0))
    assert env.answer("bob@example.com", fresh, good)["AuthenticationResult"]["AccessToken"]


def test_an_unknown_user_gets_a_challenge_that_never_succeeds(env: PasskeyEnv) -> None:
    challenge = env.passkey_challenge("nobody@example.com")
    assert request_options(challenge)["allowCredentials"] == []
    someone = SoftwareAuthenticator(ORIGIN)
    with pytest.raises(Fido2ClientError, match="No passkey for localhost"):
        someone.get_assertion(request_options(challenge))
    with pytest.raises(ClientError, match=re.escape("Incorrect username or password.")):
        env.answer("nobody@example.com", challenge, {"id": "AAAA", "rawId": "AAAA", "type": "public-key",
                                                     "response": {"clientDataJSON": "e30", "authenticatorData": "AA",
                                                                  "signature": "AA"}})


# --- list, delete, limits, configuration ------------------------------------------------------------
def test_list_pages_and_delete(env: PasskeyEnv) -> None:
    token = env.signed_in("pages@example.com")
    ids = [env.register(token, SoftwareAuthenticator(ORIGIN))["id"] for _ in range(3)]
    first = env.idp.list_web_authn_credentials(AccessToken=token, MaxResults=2)
    assert [c["CredentialId"] for c in first["Credentials"]] == ids[:2] and first["NextToken"]
    rest = env.idp.list_web_authn_credentials(AccessToken=token, MaxResults=2, NextToken=first["NextToken"])
    assert [c["CredentialId"] for c in rest["Credentials"]] == ids[2:] and "NextToken" not in rest
    with pytest.raises(ClientError, match="Invalid NextToken") as exc:
        env.idp.list_web_authn_credentials(AccessToken=token, NextToken="bm9wZQ")
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError, match="less than or equal to 20"):
        env.idp.list_web_authn_credentials(AccessToken=token, MaxResults=21)

    env.idp.delete_web_authn_credential(AccessToken=token, CredentialId=ids[0])
    left = env.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert [c["CredentialId"] for c in left] == ids[1:]
    with pytest.raises(ClientError, match="no passkey with this CredentialId") as exc:
        env.idp.delete_web_authn_credential(AccessToken=token, CredentialId=ids[0])
    assert error(exc)[0] == "ResourceNotFoundException"
    stranger = env.signed_in("stranger@example.com")
    with pytest.raises(ClientError, match="no passkey with this CredentialId"):
        env.idp.delete_web_authn_credential(AccessToken=stranger, CredentialId=ids[1])


def test_a_user_has_at_most_twenty_passkeys(env: PasskeyEnv) -> None:
    token = env.signed_in("many@example.com")
    for _ in range(20):
        env.register(token, SoftwareAuthenticator(ORIGIN))
    with pytest.raises(ClientError, match="already has 20 passkeys") as exc:
        env.idp.start_web_authn_registration(AccessToken=token)
    assert error(exc)[0] == "LimitExceededException"


def test_deleting_a_user_deletes_their_passkeys(env: PasskeyEnv) -> None:
    token = env.signed_in("gone@example.com")
    credential = env.register(token, SoftwareAuthenticator(ORIGIN))
    env.idp.delete_user(AccessToken=token)
    token = env.signed_in("gone@example.com")
    assert env.idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []
    assert credential["id"]


def test_pools_without_passkeys_say_so(engine_and_clock) -> None:
    tpl = passkey_template()
    props = tpl["Resources"][POOL]["Properties"]
    props["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] = ["PASSWORD"]
    off = PasskeyEnv(*engine_and_clock, "passkeys-off", tpl)
    token = off.signed_in("off@example.com")
    with pytest.raises(ClientError, match="WebAuthn is not enabled") as exc:
        off.idp.start_web_authn_registration(AccessToken=token)
    assert error(exc)[0] == "WebAuthnNotEnabledException"

    tpl = passkey_template()
    del tpl["Resources"][POOL]["Properties"]["WebAuthnRelyingPartyID"]
    missing = PasskeyEnv(*engine_and_clock, "passkeys-no-rp", tpl)
    token = missing.signed_in("norp@example.com")
    with pytest.raises(ClientError, match="no WebAuthn relying party ID and no domain") as exc:
        missing.idp.start_web_authn_registration(AccessToken=token)
    assert error(exc)[0] == "WebAuthnConfigurationMissingException"


def test_a_prefix_domain_is_the_relying_party_when_none_is_set(engine_and_clock) -> None:
    tpl = passkey_template()
    del tpl["Resources"][POOL]["Properties"]["WebAuthnRelyingPartyID"]
    tpl["Resources"]["domain"] = {"Type": "AWS::Cognito::UserPoolDomain",
                                  "Properties": {"Domain": "myapp", "UserPoolId": {"Ref": POOL}}}
    env = PasskeyEnv(*engine_and_clock, "passkeys-domain", tpl)
    token = env.signed_in("domain@example.com")
    options = env.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == "myapp.auth.us-east-1.amazoncognito.com"
    env.register(token, SoftwareAuthenticator("https://myapp.auth.us-east-1.amazoncognito.com"))
