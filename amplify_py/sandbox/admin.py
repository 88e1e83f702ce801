"""Reaching a running local sandbox as its administrator: where its engine listens, and the boto3 client for it.

A sandbox's engine is either the background one ``ampy sandbox --once`` left (recorded in
``server.json`` in the sandbox's folder) or the one inside a running ``ampy sandbox`` (its endpoint
is in the deployment record). The pool id and region come from the deployment record.

:func:`admin_client` is the one place that makes the admin client, and :func:`admin_credentials`
the one place its credentials come from, so that signed admin calls change here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amplify_py.deploy.background_engine import read_server_info
from amplify_py.deploy.records import load_record
from amplify_py.errors import AmpyUserError
from amplify_py.sandbox.identifiers import identifier_flag
from amplify_py.sandbox.state import sandbox_state_dir

__all__ = ["AdminCredentials", "RunningSandbox", "admin_client", "admin_credentials", "find_running_sandbox"]

_NOT_RUNNING = "NoSandboxRunningError"
_CONNECT_TIMEOUT_S = 2
_READ_TIMEOUT_S = 60  # an admin call can run a trigger (AdminCreateUser runs pre sign-up)


@dataclass(frozen=True)
class AdminCredentials:
    """AWS credentials that sign the admin calls to a sandbox's engine."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


# Before any engine ran on a state folder it has no credentials; these sign nothing any engine accepts.
_NO_CREDENTIALS = AdminCredentials("AKIALOCALNOENGINEYET", "no-engine-has-made-credentials-here-yet")


def admin_credentials(state_dir: Path) -> AdminCredentials:
    """The credentials for the admin calls to the engine that serves ``state_dir``: the sandbox's own local
    credentials, which its engine made in that folder (``credentials.json``) and which its admin operations
    require, as AWS requires IAM credentials."""
    from amplify_py.local.credentials import read_credentials

    try:
        credentials = read_credentials(state_dir)
    except FileNotFoundError:
        return _NO_CREDENTIALS
    return AdminCredentials(credentials.access_key_id, credentials.secret_access_key)


def admin_client(state_dir: Path, endpoint: str, region: str) -> Any:
    """A boto3 ``cognito-idp`` client for the engine at ``endpoint`` that serves ``state_dir``.

    One attempt per call (no retries), so a stopped engine is reported at once.
    """
    import boto3
    from botocore.config import Config

    credentials = admin_credentials(state_dir)
    return boto3.client(
        "cognito-idp", endpoint_url=endpoint, region_name=region,
        aws_access_key_id=credentials.access_key_id, aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=_CONNECT_TIMEOUT_S,
                      read_timeout=_READ_TIMEOUT_S),
    )


@dataclass(frozen=True)
class RunningSandbox:
    """A local sandbox whose engine answers: where it is, and its user pool."""

    identifier: str
    state_dir: Path
    endpoint: str
    region: str
    user_pool_id: str

    def client(self) -> Any:
        """The admin client for this sandbox's engine."""
        return admin_client(self.state_dir, self.endpoint, self.region)


def _start_hint(identifier: str) -> str:
    flag = identifier_flag(identifier)
    return (f"Start it: `ampy sandbox --once{flag}` leaves its engine serving in the background, "
            f"or run `ampy sandbox{flag}` in another terminal. Then run this command again.")


def find_running_sandbox(project_dir: Path, identifier: str) -> RunningSandbox:
    """The local sandbox ``identifier`` of ``project_dir``, checked to be serving its pool."""
    record = load_record(project_dir, identifier)
    if record.target != "local":
        raise AmpyUserError(
            "SandboxNotLocalError",
            f"Sandbox {identifier} is deployed to AWS ({record.stack_name}); these commands manage the users of the "
            "local engine.",
            "Manage an AWS sandbox's users in the Cognito console or with `aws cognito-idp admin-...`, or deploy "
            f"locally with `ampy sandbox --once{identifier_flag(identifier)} --target local`.",
        )
    pool_id = record.stack_outputs.get("userPoolId")
    if not pool_id:
        raise AmpyUserError(
            "NoUserPoolError",
            f"Sandbox {identifier} has no user pool (its backend defines no auth).",
            "Add `auth=define_auth(...)` to define_backend in amplify/backend.py and redeploy the sandbox.",
        )
    state_dir = sandbox_state_dir(project_dir, identifier)
    server = read_server_info(state_dir)
    if server is not None:
        endpoint = server.endpoint
    else:
        endpoint = (record.custom.get("local_engine") or {}).get("user_pool_endpoint") or ""
    if not endpoint:
        raise AmpyUserError(_NOT_RUNNING, f"No local engine is serving sandbox {identifier}.", _start_hint(identifier))
    sandbox = RunningSandbox(identifier, state_dir, endpoint, record.region, pool_id)
    _check_serving(sandbox)
    return sandbox


def _check_serving(sandbox: RunningSandbox) -> None:
    """Ask the engine for the pool: nothing listening, or another sandbox's engine, means not running."""
    from botocore.exceptions import ClientError, EndpointConnectionError

    try:
        sandbox.client().describe_user_pool(UserPoolId=sandbox.user_pool_id)
    except EndpointConnectionError:
        raise AmpyUserError(
            _NOT_RUNNING,
            f"No local engine is serving sandbox {sandbox.identifier}: nothing answers on {sandbox.endpoint}.",
            _start_hint(sandbox.identifier),
        ) from None
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code not in ("ResourceNotFoundException", "UnrecognizedClientException", "InvalidSignatureException"):
            raise
        why = (f"it has no user pool {sandbox.user_pool_id}" if code == "ResourceNotFoundException"
               else "it refuses this sandbox's local credentials")
        raise AmpyUserError(
            _NOT_RUNNING,
            f"The engine on {sandbox.endpoint} does not serve sandbox {sandbox.identifier} "
            f"({why}); another sandbox's engine is using the port.",
            _start_hint(sandbox.identifier),
        ) from None
