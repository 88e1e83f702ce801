"""The sign-up / sign-in walk-through proposed for the README (test_client_readme.py runs it as written)."""

WALKTHROUGH = '''
from amplify_py import Amplify
from amplify_py.auth import confirm_sign_in, confirm_sign_up, fetch_auth_session, sign_in, sign_out, sign_up

Amplify.configure("amplify_outputs.json")

result = sign_up(
    username="hello@mycompany.com",
    password="Sup3r-secret!",
    options={"user_attributes": {"email": "hello@mycompany.com"}},
)
if result.next_step.sign_up_step == "CONFIRM_SIGN_UP":
    details = result.next_step.code_delivery_details
    print(f"Code sent by {details.delivery_medium} to {details.destination}")
    confirm_sign_up(username="hello@mycompany.com", confirmation_code=input("Code: "))

result = sign_in(username="hello@mycompany.com", password="Sup3r-secret!")
while result.next_step.sign_in_step != "DONE":
    step = result.next_step.sign_in_step
    if step in ("CONFIRM_SIGN_IN_WITH_SMS_CODE", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "CONFIRM_SIGN_IN_WITH_TOTP_CODE"):
        result = confirm_sign_in(challenge_response=input("One-time code: "))
    elif step == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP":
        print("Add to your authenticator app:", result.next_step.totp_setup_details.get_setup_uri("my_app"))
        result = confirm_sign_in(challenge_response=input("Code from the app: "))
    else:
        raise SystemExit(f"Not handled here: {step}")

session = fetch_auth_session()
print("Signed in as", session.tokens.id_token.payload["email"])
sign_out()
'''
