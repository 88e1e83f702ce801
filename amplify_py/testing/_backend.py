"""``AmplifyBackend``: a project's backend deployed to an in-process local engine, for tests.

One per project and test session. The pools keep their ids for the whole session (an app under
test may be configured once with them); between tests the plugin empties them (``reset``): every
user goes, with their codes, sessions, refresh tokens and group memberships, and the outbox is read
from the point the test began, so no test sees another's users or codes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from amplify_py.errors import AmpyUserError

__all__ = ["AmplifyBackend", "start_backend"]

_REGION = "us-east-1"
_USER_POOL = "AWS::Cognito::UserPool"


class AmplifyBackend:
    """The ``amplify_backend`` fixture's value: outputs, endpoint, an admin client, users and messages."""

    def __init__(self, *, project_dir: Path, stack_name: str, engine: Any, outputs: dict[str, Any],
                 outputs_path: Path, user_pool_ids: list[str], admin: Any) -> None:
        self.project_dir = project_dir
        self.stack_name = stack_name
        #: amplify_outputs.json as a dict (``custom.local_engine`` says where the engine listens).
        self.outputs = outputs
        #: The same outputs written to a file, for an app that reads amplify_outputs.json itself.
        self.outputs_path = outputs_path
        #: A boto3 ``cognito-idp`` client already pointed at the engine.
        self.admin = admin
        self._engine = engine
        self._user_pool_ids = user_pool_ids
        self._mark = 0  # outbox messages before the current test began

    def __repr__(self) -> str:
        return f"<AmplifyBackend {self.project_dir} on {self.endpoint}>"

    @property
    def endpoint(self) -> str:
        """The engine's URL: Cognito's user pool and identity pool APIs are both served there."""
        return self._engine.endpoint

    @property
    def user_pool_id(self) -> str:
        auth = self.outputs.get("auth")
        if not auth:
            raise AmpyUserError(
                "NoAuthResourceError",
                f"{self.project_dir / 'amplify' / 'backend.py'} defines no auth resource, so there is no user pool.",
                "Pass auth=define_auth(...) to define_backend in amplify/backend.py.",
            )
        return auth["user_pool_id"]

    # -- users -------------------------------------------------------------------------------------
    def create_user(self, username: str, password: str, attributes: dict[str, str] | None = None,
                    groups: list[str] | tuple[str, ...] | None = None) -> dict[str, Any]:
        """A confirmed user who can sign in with ``password`` now; returns Cognito's ``User`` (UserType).

        As an admin would: AdminCreateUser without an invitation, then a permanent password. An
        ``email`` or ``phone_number`` (given, or the username in a pool that signs in with it) is
        marked verified, as after a confirmed sign-up, unless ``attributes`` say otherwise.
        """
        attrs = dict(attributes or {})
        pool = self.user_pool_id
        created = self.admin.admin_create_user(
            UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": str(v)} for k, v in attrs.items()],
        )["User"]
        values = {a["Name"]: a["Value"] for a in created.get("Attributes", [])}
        verified = [{"Name": f"{name}_verified", "Value": "true"} for name in ("email", "phone_number")
                    if values.get(name) and f"{name}_verified" not in attrs]
        if verified:
            self.admin.admin_update_user_attributes(UserPoolId=pool, Username=created["Username"],
                                                    UserAttributes=verified)
        self.admin.admin_set_user_password(UserPoolId=pool, Username=created["Username"], Password=password,
                                           Permanent=True)
        for group in groups or ():
            self._add_to_group(created["Username"], group)
        user = self.admin.admin_get_user(UserPoolId=pool, Username=created["Username"])
        shape = {"UserAttributes": "Attributes", "Username": "Username", "UserCreateDate": "UserCreateDate",
                 "UserLastModifiedDate": "UserLastModifiedDate", "Enabled": "Enabled", "UserStatus": "UserStatus"}
        return {name: user[key] for key, name in shape.items() if key in user}

    def _add_to_group(self, username: str, group: str) -> None:
        try:
            self.admin.admin_add_user_to_group(UserPoolId=self.user_pool_id, Username=username, GroupName=group)
        except self.admin.exceptions.ResourceNotFoundException:
            defined = [g["GroupName"] for g in self.admin.list_groups(UserPoolId=self.user_pool_id)["Groups"]]
            raise AmpyUserError(
                "GroupNotFoundError",
                f"create_user: group {group!r} is not defined in {self.project_dir / 'amplify'} "
                f"(its groups: {', '.join(defined) if defined else 'none'}).",
                "Add it to define_auth(groups=[...]) in amplify/auth/resource.py, or pass one of the groups above.",
            ) from None

    # -- messages ----------------------------------------------------------------------------------
    def messages(self, address: str | None = None) -> list[dict[str, Any]]:
        """What the outbox holds for ``address`` (all recipients if None) since this test began, oldest first.

        Each message has ``recipient``, ``medium`` (EMAIL or SMS), ``subject``, ``body``, ``code`` and
        ``kind`` (what sent it: SIGN_UP, RESEND, FORGOT_PASSWORD, MFA, EMAIL_OTP, INVITATION, ...).
        """
        found = self._engine.messages()[self._mark:]
        if address is None:
            return found
        wanted = address.casefold()
        return [m for m in found if str(m.get("recipient", "")).casefold() == wanted]

    def latest_code(self, address: str) -> str:
        """The newest code sent to ``address`` (an email address or phone number) during this test."""
        for message in reversed(self.messages(address)):
            if message.get("code"):
                return str(message["code"])
        held = self.messages()
        if held:
            listed = "; ".join(f"{m.get('kind')} {m.get('medium')} to {m.get('recipient')}" for m in held)
            holds = f"{len(held)} message(s) from this test: {listed}"
        else:
            holds = "no messages from this test"
        raise AmpyUserError(
            "NoCodeSentError",
            f"latest_code: no code was sent to {address!r}; the outbox holds {holds}.",
            "Call latest_code after the step that sends the code (sign_up, resend_sign_up_code, reset_password, "
            "a sign-in with an OTP or MFA challenge), with the address the code went to.",
        )

    # -- between tests -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty the pools and start reading the outbox from here (the plugin calls it before each test)."""
        for pool in self._user_pool_ids:
            usernames: list[str] = []
            token = None
            while True:
                page = self.admin.list_users(UserPoolId=pool, **({"PaginationToken": token} if token else {}))
                usernames += [u["Username"] for u in page.get("Users", [])]
                token = page.get("PaginationToken")
                if not token:
                    break
            for username in usernames:
                self.admin.admin_delete_user(UserPoolId=pool, Username=username)
        self._mark = len(self._engine.messages())

    def close(self) -> None:
        self._engine.stop()


def _log_to_stderr(source: str, line: str) -> None:
    """Trigger output, written where pytest captures it for the running test."""
    print(f"[{source}] {line}", file=sys.stderr)


def start_backend(project_dir: Path, synth: Any, state_dir: Path) -> AmplifyBackend:
    """Start an engine on a free port in ``state_dir``, deploy ``synth`` (a ``CachedSynth``) to it."""
    import boto3

    from amplify_py.local import LocalEngine
    from amplify_py.outputs import build_outputs, local_engine_custom, resolve_stack_outputs, write_outputs

    engine = LocalEngine(state_dir / "engine", port=0, region=_REGION, on_log=_log_to_stderr)
    engine.start()
    try:
        assembly = synth.assembly_dir if synth.assembly_dir.is_dir() else None
        result = engine.deploy(synth.stack_name, synth.template, assembly_dir=assembly)
        stack_outputs = resolve_stack_outputs(synth.template, result.physical_ids, result.region,
                                              stack_name=synth.stack_name)
        model = build_outputs(stack_outputs, custom=local_engine_custom(engine.endpoint))
        outputs_path = write_outputs(model, state_dir)
        admin = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs())
        resources = synth.template.get("Resources") or {}
        pools = [result.physical_ids[logical] for logical, resource in resources.items()
                 if resource.get("Type") == _USER_POOL and logical in result.physical_ids]
        backend = AmplifyBackend(project_dir=project_dir, stack_name=synth.stack_name, engine=engine,
                                 outputs=model.to_dict(), outputs_path=outputs_path, user_pool_ids=pools, admin=admin)
        backend.reset()  # the first call loads boto3's operation models: paid here, not by the first test
    except BaseException:
        engine.stop()
        raise
    return backend
