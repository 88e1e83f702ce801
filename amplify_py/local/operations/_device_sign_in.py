"""DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER: a remembered device proves its secret before the tokens.

``challenge`` is the last step of a sign-in on a remembered device: after the first factor, and after MFA
unless the device stands in for it. The client answers with SRP_A and the DEVICE_KEY, then with the proof
(the DeviceGroupKey in the pool name's place, the DeviceKey in the user's). aws-amplify sends the Session
back each time; pycognito sends none, so DEVICE_SRP_AUTH is also found by user and device, and
DEVICE_PASSWORD_VERIFIER by its SECRET_BLOCK, as PASSWORD_VERIFIER is.
"""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import INCORRECT_CREDENTIALS, CognitoError, invalid_parameter, not_authorized
from amplify_py.local.model.device import Device
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.session import DevicePasswordVerifierSession, DeviceSrpSession, Session
from amplify_py.local.model.user import User
from amplify_py.local.rules import devices, directory, sessions
from amplify_py.local.srp import ServerChallenge

__all__ = ["challenge", "answer_srp", "verify"]

# Cognito's words for a DEVICE_SRP_AUTH that no sign-in led to (amplify-js issue #10582 quotes them).
_NOT_AUTHENTICATED_FIRST = "Cannot initiate DEVICE_SRP_AUTH flow without first authenticating"


def _by_device(pool: Pool, username: str, device_key: str) -> str:
    return f"device:{pool.id}:{username}:{device_key}"


def _by_block(secret_block: str) -> str:
    return "device-srp:" + secret_block


def _start_paired(ctx: EngineContext, pool: Pool, client: Client, session: Session, known_id: str) -> str:
    """Store ``session`` under ``known_id`` and under a fresh Session id, each naming the other."""
    session.paired_id = known_id  # type: ignore[attr-defined]
    session_id = sessions.start(ctx, pool, client, session)
    session.paired_id = session_id  # type: ignore[attr-defined]
    sessions.start(ctx, pool, client, session, session_id=known_id)
    return session_id


def _spend(ctx: EngineContext, session_id: str, session: Session) -> None:
    sessions.end(ctx, session_id)
    sessions.end(ctx, getattr(session, "paired_id", ""))


def _remembered(ctx: EngineContext, pool: Pool, username: str | None, key: str) -> tuple[User, Device]:
    user = directory.get_user(ctx, pool, username)
    device = devices.get(ctx, pool, user, key) if user is not None else None
    if user is None or device is None or not device.remembered:
        raise devices.device_not_found()
    return user, device


def challenge(ctx: EngineContext, pool: Pool, client: Client, user: User, device: Device) -> dict:
    """DEVICE_SRP_AUTH: everything else passed; the device must now prove its secret."""
    pending = DeviceSrpSession(client.id, user.username, device_key=device.key)
    session_id = _start_paired(ctx, pool, client, pending, _by_device(pool, user.username, device.key))
    return {"ChallengeName": "DEVICE_SRP_AUTH", "Session": session_id, "ChallengeParameters": {}}


def answer_srp(ctx: EngineContext, pool: Pool, client: Client, session_id: str | None, responses: dict) -> dict:
    """DEVICE_SRP_AUTH answered with SRP_A: DEVICE_PASSWORD_VERIFIER with the device's salt and B."""
    key = responses.get("DEVICE_KEY") or ""
    if session_id:
        session = sessions.load(ctx, session_id, client)
    else:
        user = directory.find_user(ctx, pool, responses.get("USERNAME"))
        session_id = _by_device(pool, user.username, key) if user is not None else ""
        try:
            session = sessions.load(ctx, session_id, client)
        except CognitoError as exc:  # nothing pending for this user and device
            raise not_authorized(_NOT_AUTHENTICATED_FIRST) from exc
    if not isinstance(session, DeviceSrpSession):
        raise not_authorized(sessions.INVALID)
    if key != session.device_key:
        raise invalid_parameter(devices.INVALID_DEVICE_KEY)
    if not responses.get("SRP_A"):
        raise invalid_parameter("Missing required parameter SRP_A")
    _spend(ctx, session_id, session)
    user, device = _remembered(ctx, pool, session.username, key)
    server = devices.start_srp(device, responses["SRP_A"])
    verifier = DevicePasswordVerifierSession(client.id, user.username, device_key=device.key, b=format(server.b, "x"),
                                             big_b=server.srp_b_hex, a=responses["SRP_A"],
                                             secret_block=server.secret_block)
    new_id = _start_paired(ctx, pool, client, verifier, _by_block(server.secret_block))
    return {"ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": new_id, "ChallengeParameters": {
        "DEVICE_KEY": device.key, "SALT": devices.salt_for_challenge(device), "SECRET_BLOCK": server.secret_block,
        "SRP_B": server.srp_b_hex, "USERNAME": user.username}}


def verify(ctx: EngineContext, pool: Pool, client: Client, responses: dict) -> tuple[User, Device]:
    """DEVICE_PASSWORD_VERIFIER: check the device's proof; returns the user and the device it proved."""
    block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
    session_id = _by_block(block)
    session = sessions.load(ctx, session_id, client)
    if not isinstance(session, DevicePasswordVerifierSession):
        raise not_authorized(INCORRECT_CREDENTIALS)
    _spend(ctx, session_id, session)
    if (responses.get("DEVICE_KEY") or "") != session.device_key:
        raise invalid_parameter(devices.INVALID_DEVICE_KEY)
    user, device = _remembered(ctx, pool, session.username, session.device_key)
    server = ServerChallenge(b=int(session.b, 16), big_b=int(session.big_b, 16), a=int(session.a, 16),
                             secret_block=session.secret_block)
    if not devices.proof_matches(device, server, block, responses.get("TIMESTAMP") or "",
                                 responses.get("PASSWORD_CLAIM_SIGNATURE") or ""):
        raise not_authorized(INCORRECT_CREDENTIALS)
    return user, device
