"""SRP across implementations: pycognito's AWSSRP (boto3) and aws-amplify JS both sign in against the engine.

Three independent SRP codes meet here: the engine's verifier check, pycognito's
client (Python) and aws-amplify's client (JS). A user signed up through boto3 signs
in through both clients; the tokens verify against the engine's published JWKS.
"""

from __future__ import annotations

import jwt
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from ._js import AmplifyJs
from .conftest import PASSWORD, LocalBackend, new_email

REFERENCE_CASE = "email_default"


@pytest.fixture(scope="module")
def boto3_user(backend: LocalBackend, cognito) -> tuple[str, str]:
    """A user signed up and confirmed through boto3 alone: (email, sub)."""
    email = new_email("pycognito")
    mark = backend.outbox.mark()
    signed_up = cognito.sign_up(
        ClientId=backend.client_id, Username=email, Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": email}]
    )
    code = backend.outbox.code_for(email, after=mark)
    cognito.confirm_sign_up(ClientId=backend.client_id, Username=email, ConfirmationCode=code)
    return email, signed_up["UserSub"]


def test_pycognito_srp_sign_in_gets_tokens_signed_by_the_engine(backend: LocalBackend, cognito, boto3_user) -> None:
    email, sub = boto3_user
    srp = AWSSRP(username=email, password=PASSWORD, pool_id=backend.user_pool_id, client_id=backend.client_id, client=cognito)
    tokens = srp.authenticate_user()["AuthenticationResult"]

    issuer = f"{backend.engine.endpoint}/{backend.user_pool_id}"
    jwks = jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json")
    id_token = tokens["IdToken"]
    claims = jwt.decode(
        id_token, jwks.get_signing_key_from_jwt(id_token).key, algorithms=["RS256"], audience=backend.client_id, issuer=issuer
    )
    assert (claims["sub"], claims["email"], claims["token_use"]) == (sub, email, "id")
    access = jwt.decode(
        tokens["AccessToken"], jwks.get_signing_key_from_jwt(tokens["AccessToken"]).key, algorithms=["RS256"], issuer=issuer
    )
    assert (access["sub"], access["client_id"], access["token_use"]) == (sub, backend.client_id, "access")
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == sub


def test_pycognito_srp_with_a_wrong_password_is_not_authorized(backend: LocalBackend, cognito, boto3_user) -> None:
    email, _ = boto3_user
    srp = AWSSRP(username=email, password=PASSWORD + "x", pool_id=backend.user_pool_id, client_id=backend.client_id, client=cognito)
    with pytest.raises(ClientError, match=r"NotAuthorizedException.*Incorrect username or password\."):
        srp.authenticate_user()


def test_aws_amplify_js_signs_in_the_boto3_user(signed_out: AmplifyJs, boto3_user) -> None:
    email, sub = boto3_user
    out = signed_out.call("signIn", {"username": email, "password": PASSWORD})
    assert out == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert signed_out.call("getCurrentUser")["userId"] == sub
