"""Per-sandbox secret stores behind ``ampy sandbox secret set|get|list|remove``.

ampx keeps a sandbox's secrets in SSM Parameter Store under
``/amplify/<namespace>/<name>-sandbox-<hash>/<NAME>`` (backend-secret's
``SSMSecretClient``, path from platform-core's ``ParameterPathConversions``).
A local sandbox keeps them in ``<project>/.amplify/sandbox/<identifier>/secrets.json``:
mode 0600, replaced atomically, kept by ``ampy sandbox delete`` (as ampx keeps
its parameters). Both stores version each secret like SSM does (1, 2, ...).

Values never appear in logs or error messages; only ``get`` returns them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from amplify_py._files import write_text_atomic
from amplify_py.backend.identifier import BackendIdentifier
from amplify_py.errors import AmpyFault, AmpyUserError

__all__ = [
    "SecretRecord",
    "SecretStore",
    "LocalSecretStore",
    "SsmSecretStore",
    "SECRETS_FILE",
    "validate_secret_name",
]

SECRETS_FILE = "secrets.json"
_FORMAT_VERSION = 1
_NAME = re.compile(r"^[a-zA-Z0-9_.-]+$")  # ampx sandbox secret set's check


@dataclass(frozen=True)
class SecretRecord:
    """One secret; ``value`` only when it was asked for (``get``)."""

    name: str
    version: int | None = None
    last_updated: datetime | None = None
    value: str | None = None

    def __repr__(self) -> str:  # never show the value
        return f"SecretRecord(name={self.name!r}, version={self.version!r})"


class SecretStore(Protocol):
    """A sandbox's secrets, wherever they are kept (:class:`LocalSecretStore`, :class:`SsmSecretStore`).

    The synthesizer reads values with ``get_value``; ``ampy sandbox secret`` uses the rest.
    """

    def describe(self) -> str: ...

    def set_command(self, name: str) -> str: ...

    def set(self, name: str, value: str) -> SecretRecord: ...

    def get(self, name: str) -> SecretRecord: ...

    def get_value(self, name: str) -> str | None: ...

    def remove(self, name: str) -> None: ...

    def remove_all(self) -> list[str]: ...

    def list(self) -> list[SecretRecord]: ...


def validate_secret_name(name: str) -> str:
    if not _NAME.match(name):
        raise AmpyUserError(
            "InvalidCommandInputError",
            f"Invalid secret name provided: {name}",
            "Use a secret name that matches [a-zA-Z0-9_.-]+",
        )
    return name


def _set_command(name: str, identifier: str, default_identifier: str | None, extra: str = "") -> str:
    command = f"ampy sandbox secret set {name}"
    if identifier != default_identifier:
        command += f" --identifier {identifier}"
    return command + extra


def _not_found(name: str, api: str, where: str, set_command: str) -> AmpyUserError:
    return AmpyUserError(
        "SecretNotFoundError",
        f"Failed to {api} {name} secret: it is not set for {where}.",
        f"Make sure that {name} has been set: `{set_command}`.",
    )


class LocalSecretStore:
    """The secrets of one local sandbox, in ``<state dir>/secrets.json``."""

    def __init__(self, state_dir: Path, identifier: str, *, default_identifier: str | None = None) -> None:
        self.path = Path(state_dir) / SECRETS_FILE
        self.identifier = identifier
        self.default_identifier = default_identifier

    def describe(self) -> str:
        return f"sandbox {self.identifier} (local, {self.path})"

    def set_command(self, name: str) -> str:
        return _set_command(name, self.identifier, self.default_identifier)

    # -- file -------------------------------------------------------------------------------------

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
            secrets = data["secrets"]
            if not isinstance(secrets, dict):
                raise TypeError("secrets is not an object")
        except (ValueError, KeyError, TypeError) as exc:  # the message never quotes the file's content
            raise AmpyUserError(
                "InvalidSecretsFileError",
                f"{self.path} is not a valid secrets file ({type(exc).__name__}).",
                "Delete the file and set the sandbox's secrets again with `ampy sandbox secret set NAME`.",
            ) from exc
        return secrets

    def _save(self, secrets: dict[str, dict[str, Any]]) -> None:
        """Replace the file atomically, mode 0600 (the values are never readable by others)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": _FORMAT_VERSION, "secrets": secrets}, indent=2, sort_keys=True) + "\n"
        write_text_atomic(self.path, text, mode=0o600)

    # -- operations -------------------------------------------------------------------------------

    def set(self, name: str, value: str) -> SecretRecord:
        validate_secret_name(name)
        secrets = self._load()
        version = int(secrets.get(name, {}).get("version", 0)) + 1
        now = datetime.now(timezone.utc)
        secrets[name] = {"value": value, "version": version, "lastUpdated": now.isoformat()}
        self._save(secrets)
        return SecretRecord(name, version, now)

    def get(self, name: str) -> SecretRecord:
        entry = self._load().get(name)
        if entry is None:
            raise _not_found(name, "get", self.describe(), self.set_command(name))
        return self._record(name, entry, with_value=True)

    def get_value(self, name: str) -> str | None:
        entry = self._load().get(name)
        return None if entry is None else str(entry["value"])

    def list(self) -> list[SecretRecord]:
        return [self._record(name, entry) for name, entry in sorted(self._load().items())]

    def remove(self, name: str) -> None:
        secrets = self._load()
        if name not in secrets:
            raise _not_found(name, "remove", self.describe(), self.set_command(name))
        del secrets[name]
        self._save(secrets)

    def remove_all(self) -> list[str]:
        names = sorted(self._load())
        if names:
            self._save({})
        return names

    @staticmethod
    def _record(name: str, entry: dict[str, Any], *, with_value: bool = False) -> SecretRecord:
        updated = entry.get("lastUpdated")
        return SecretRecord(
            name,
            entry.get("version"),
            datetime.fromisoformat(updated) if isinstance(updated, str) else None,
            str(entry["value"]) if with_value else None,
        )


# SSM error codes ampx reports as SSMCredentialsError (backend-secret's error translation).
_CREDENTIAL_ERRORS = {
    "UnrecognizedClientException", "AccessDeniedException", "NotAuthorized", "ExpiredTokenException",
    "ExpiredToken", "CredentialsProviderError", "IncompleteSignatureException", "InvalidSignatureException",
}


class SsmSecretStore:
    """The secrets of one AWS sandbox, in SSM Parameter Store at ampx's paths (``SecureString``)."""

    def __init__(
        self,
        backend_id: BackendIdentifier,
        *,
        client: Any = None,
        profile: str | None = None,
        default_identifier: str | None = None,
    ) -> None:
        self.backend_id = backend_id
        self.profile = profile
        self.default_identifier = default_identifier
        self._client = client

    @property
    def client(self) -> Any:
        """The SSM client, created on first use (a sandbox that uses no secret never needs credentials)."""
        if self._client is None:
            import boto3
            from botocore.exceptions import BotoCoreError

            try:
                self._client = boto3.Session(profile_name=self.profile).client("ssm")
            except BotoCoreError as exc:  # unknown profile, no region
                raise AmpyUserError(
                    "SSMCredentialsError",
                    f"Failed to create an SSM client. {type(exc).__name__}: {exc}",
                    "Make sure your AWS credentials are set up correctly, refreshed and have necessary permissions "
                    "to call SSM service",
                ) from exc
        return self._client

    def describe(self) -> str:
        return f"sandbox {self.backend_id.name} (SSM {self.backend_id.parameter_prefix()})"

    def set_command(self, name: str) -> str:
        return _set_command(name, self.backend_id.name, self.default_identifier, " --target aws")

    def _call(self, api: str, method: str, name: str | None = None, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            message = exc.response.get("Error", {}).get("Message", "")
            if code in _CREDENTIAL_ERRORS:
                raise AmpyUserError(
                    "SSMCredentialsError",
                    f"Failed to {api} secrets. {code}: {message}",
                    "Make sure your AWS credentials are set up correctly, refreshed and have necessary permissions "
                    "to call SSM service",
                ) from exc
            if code == "ParameterNotFound" and name is not None:
                raise AmpyUserError(
                    "SSMParameterNotFoundError",
                    f"Failed to {api} {name} secret. {code}: {message}",
                    f"Make sure that {name} has been set: `{self.set_command(name)}`.",
                ) from exc
            raise AmpyFault(f"{api.capitalize()}SecretsFailedFault", f"Failed to {api} secrets. {code}: {message}") from exc
        except BotoCoreError as exc:  # no credentials, no region, no network
            raise AmpyUserError(
                "SSMCredentialsError",
                f"Failed to {api} secrets. {type(exc).__name__}: {exc}",
                "Make sure your AWS credentials are set up correctly, refreshed and have necessary permissions "
                "to call SSM service",
            ) from exc

    def set(self, name: str, value: str) -> SecretRecord:
        validate_secret_name(name)
        response = self._call(
            "set", "put_parameter", Name=self.backend_id.parameter_path(name), Type="SecureString", Value=value,
            Description="Amplify Secret", Overwrite=True,
        )
        return SecretRecord(name, response.get("Version"))

    def get(self, name: str) -> SecretRecord:
        response = self._call("get", "get_parameter", name, Name=self.backend_id.parameter_path(name),
                              WithDecryption=True)
        parameter = response.get("Parameter", {})
        return SecretRecord(name, parameter.get("Version"), parameter.get("LastModifiedDate"), parameter.get("Value"))

    def get_value(self, name: str) -> str | None:
        try:
            return self.get(name).value
        except AmpyUserError as exc:
            if exc.name == "SSMParameterNotFoundError":
                return None
            raise

    def list(self) -> list[SecretRecord]:
        records: list[SecretRecord] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Path": self.backend_id.parameter_prefix(), "WithDecryption": True}
            if token:
                kwargs["NextToken"] = token
            response = self._call("list", "get_parameters_by_path", **kwargs)
            for parameter in response.get("Parameters", []):
                if parameter.get("Name") and parameter.get("Value"):
                    records.append(SecretRecord(parameter["Name"].split("/")[-1], parameter.get("Version"),
                                                parameter.get("LastModifiedDate")))
            token = response.get("NextToken")
            if not token:
                return records

    def remove(self, name: str) -> None:
        self._call("remove", "delete_parameter", name, Name=self.backend_id.parameter_path(name))

    def remove_all(self) -> list[str]:
        names = [record.name for record in self.list()]
        for start in range(0, len(names), 10):  # DeleteParameters takes at most 10 names
            self._call("remove", "delete_parameters",
                       Names=[self.backend_id.parameter_path(n) for n in names[start:start + 10]])
        return names
