"""The engine's local AWS credentials: what IAM-authorized (admin) operations must be signed with.

On AWS, ``Admin*``, ``ListUsers``, ``Describe*`` and group administration are authorized with IAM: the
request carries a SigV4 signature made with an access key. The local engine does the same with one key pair
of its own, made once per state folder and kept in ``credentials.json`` there (readable by its owner only).
The file holds exactly boto3's keyword arguments::

    boto3.client("cognito-idp", endpoint_url=endpoint, **json.loads(path.read_text()))

The access key id starts with ``AKIALOCAL`` so nobody mistakes it for a real key; the secret is random and
never leaves the machine. Deleting the file (or the state folder) makes a new pair on the next start.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

from amplify_py.errors import AmpyUserError

__all__ = ["LocalCredentials", "CREDENTIALS_FILE", "load_or_create_credentials", "read_credentials"]

CREDENTIALS_FILE = "credentials.json"
_KEY_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class LocalCredentials:
    """One access key pair, the region requests must be signed for, and the file that holds them."""

    access_key_id: str
    secret_access_key: str
    region: str
    path: Path | None = field(default=None, compare=False)

    def boto3_kwargs(self) -> dict[str, str]:
        """``boto3.client("cognito-idp", endpoint_url=..., **credentials.boto3_kwargs())``."""
        return {"aws_access_key_id": self.access_key_id, "aws_secret_access_key": self.secret_access_key,
                "region_name": self.region}

    def environment(self) -> dict[str, str]:
        """The variables an AWS SDK reads its credentials from (what trigger functions get)."""
        return {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}


def _new_pair() -> tuple[str, str]:
    access_key_id = "AKIALOCAL" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(11))
    return access_key_id, secrets.token_urlsafe(30)  # 40 characters, like an AWS secret access key


def read_credentials(state_dir: Path) -> LocalCredentials:
    """The credentials of the engine whose state is in ``state_dir`` (FileNotFoundError before its first start)."""
    path = Path(state_dir) / CREDENTIALS_FILE
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
        return LocalCredentials(str(data["aws_access_key_id"]), str(data["aws_secret_access_key"]),
                                str(data["region_name"]), path)
    except (ValueError, KeyError, TypeError) as exc:
        raise AmpyUserError(
            "LocalCredentialsUnreadableError", f"The local engine's credentials file {path} is not valid: {exc}.",
            f"Delete {path}; the engine makes a new key pair when it starts (clients must then use the new one).",
        ) from exc


def load_or_create_credentials(state_dir: Path, region: str) -> LocalCredentials:
    """The state folder's key pair (made on first use, mode 0600), for ``region``."""
    path = Path(state_dir) / CREDENTIALS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        access_key_id, secret = _new_pair()
        try:  # O_EXCL: two engines starting on one new folder agree on the first pair written
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(_text(LocalCredentials(access_key_id, secret, region)))
    existing = read_credentials(state_dir)
    if existing.region == region:
        return existing
    credentials = LocalCredentials(existing.access_key_id, existing.secret_access_key, region, path)
    _replace_private(path, _text(credentials))  # the same keys, signed for the region this engine serves
    return credentials


def _text(credentials: LocalCredentials) -> str:
    return json.dumps(credentials.boto3_kwargs(), indent=2) + "\n"


def _replace_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with a file only its owner can read."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
