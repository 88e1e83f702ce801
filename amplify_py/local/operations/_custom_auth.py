"""CUSTOM_AUTH: Cognito asks DefineAuthChallenge after every step, with the session so far
([SRP_A, PASSWORD_VERIFIER, CUSTOM_CHALLENGE...]); nothing is issued unless it says issueTokens."""

from __future__ import annotations

from amplify_py.local.errors import INCORRECT_CREDENTIALS, CognitoError, invalid_parameter, not_authorized
from amplify_py.local.model.session import CustomChallengeSession
from amplify_py.local.model.user import User
from amplify_py.local.operations._sign_in_steps import SignIn, after_first_factor, srp_challenge, unknown_user
from amplify_py.local.rules import directory, sessions, triggers

__all__ = ["start", "next_step", "answer", "PASSWORD_VERIFIED"]

_SRP_A = {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}
PASSWORD_VERIFIED = {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True, "challengeMetadata": None}


def start(s: SignIn, user: User | None, params: dict) -> dict:
    if not triggers.custom_auth_configured(s.ctx, s.pool):
        raise invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
    if user is None:
        raise unknown_user(s.client)
    if params.get("SRP_A"):  # CUSTOM_WITH_SRP: the password through SRP first, if DefineAuthChallenge asks for it
        return next_step(s, user, [_SRP_A], srp_a=params["SRP_A"], given_username=params["USERNAME"])
    return next_step(s, user, [])


def next_step(s: SignIn, user: User, history: list[dict], *, srp_a: str | None = None,
              given_username: str | None = None) -> dict:
    outcome = triggers.define_auth_challenge(s.ctx, s.pool, user, s.client.id, history, s.client_metadata)
    if outcome.fail_authentication:
        raise not_authorized(INCORRECT_CREDENTIALS)
    if outcome.issue_tokens:
        return after_first_factor(s, user)
    name = outcome.challenge_name
    if name == "PASSWORD_VERIFIER":
        if srp_a is None or any(h["challengeName"] == "PASSWORD_VERIFIER" for h in history):
            raise not_authorized(INCORRECT_CREDENTIALS)
        return srp_challenge(s, user, srp_a, given_username or user.username, with_session=True,
                             custom_history=history)
    if name != "CUSTOM_CHALLENGE":
        raise CognitoError("InvalidLambdaResponseException", f"Invalid lambda response: challengeName {name}")
    created = triggers.create_auth_challenge(s.ctx, s.pool, user, s.client.id, name, history, s.client_metadata)
    session = CustomChallengeSession(s.client.id, user.username, history=history, challenge=name,
                                     private=created.private_challenge_parameters, metadata=created.challenge_metadata)
    public = {"USERNAME": user.username, **created.public_challenge_parameters}
    return {"ChallengeName": name, "Session": sessions.start(s.ctx, s.pool, s.client, session),
            "ChallengeParameters": public}


def answer(s: SignIn, session: CustomChallengeSession, responses: dict) -> dict:
    user = directory.get_user(s.ctx, s.pool, session.username)
    if user is None:
        raise unknown_user(s.client)
    correct = triggers.verify_auth_challenge(s.ctx, s.pool, user, s.client.id, session.private,
                                             responses.get("ANSWER") or "", s.client_metadata)
    history = session.history + [{"challengeName": session.challenge, "challengeResult": correct,
                                  "challengeMetadata": session.metadata}]
    return next_step(s, user, history)
