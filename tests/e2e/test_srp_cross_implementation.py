"""SRP across implementations: one user, two independent SRP clients, one engine.

pycognito's AWSSRP (Python, over boto3) and aws-amplify's SRP (JS) both sign in the
same boto3-created user, and their access tokens name the same user. The engine tier
already checks pycognito's math and the JWKS; this checks that both real clients agree
with the engine over the wire.
"""

from __future__ import annotations

from pycognito.aws_srp import AWSSRP

from ._js import AmplifyJs
from .conftest import PASSWORD, LocalBackend, new_email

REFERENCE_CASE = "email_default"


def test_a_boto3_user_signs_in_through_pycognito_and_aws_amplify(signed_out: AmplifyJs, backend: LocalBackend, cognito) -> None:
    email = new_email("crosssrp")
    mark = backend.outbox.mark()
    sub = cognito.sign_up(
        ClientId=backend.client_id, Username=email, Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": email}]
    )["UserSub"]
    cognito.confirm_sign_up(ClientId=backend.client_id, Username=email, ConfirmationCode=backend.outbox.code_for(email, after=mark))

    srp = AWSSRP(username=email, password=PASSWORD, pool_id=backend.user_pool_id, client_id=backend.client_id, client=cognito)
    python_tokens = srp.authenticate_user()["AuthenticationResult"]
    assert cognito.get_user(AccessToken=python_tokens["AccessToken"])["Username"] == sub

    js = signed_out
    assert js.call("signIn", {"username": email, "password": PASSWORD}) == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert [exchange["request"].get("ChallengeName") for exchange in js.last_wire] == [None, "PASSWORD_VERIFIER"]
    js_access = js.call("fetchAuthSession")["tokens"]["accessToken"]["jwt"]
    assert js_access != python_tokens["AccessToken"]
    assert cognito.get_user(AccessToken=js_access)["Username"] == sub
