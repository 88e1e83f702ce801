"""Token storage, the sign-in state between sign_in and confirm_sign_in, refresh and AWS credentials.

Storage follows the seed: in memory by default (a library should not write files
unasked); ``FileStorage(path)`` for programs that run again and again (the Python
counterpart of the browser's localStorage); or any object with ``set_item``,
``get_item``, ``remove_item`` and ``clear``, set with
``cognito_user_pools_token_provider.set_key_value_storage(storage)``.

Keys are Amplify's: ``CognitoIdentityServiceProvider.<clientId>.<username>.idToken``,
``...<clientId>.LastAuthUser``; a remembered device's ``deviceKey``, ``deviceGroupKey`` and
``randomPasswordKey`` beside the tokens, kept when the user signs out (as Amplify keeps them); the in-progress sign-in under ``CognitoSignInState.*``
(Amplify keeps those in sessionStorage for 3 minutes so confirmSignIn survives a page
refresh; we keep them in the token storage for the same 3 minutes, so with a
``FileStorage`` a second process can call ``confirm_sign_in``).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from amplify_py.auth._config import AuthConfig, get_auth_config
from amplify_py.auth._transport import call_identity_pool, call_user_pool
from amplify_py.auth.errors import AuthError, UserUnAuthenticatedException
from amplify_py.auth.types import JWT, AuthTokens, AWSCredentials, SignInDetails

__all__ = [
    "KeyValueStorage",
    "InMemoryStorage",
    "FileStorage",
    "CognitoUserPoolsTokenProvider",
    "cognito_user_pools_token_provider",
    "DeviceMetadata",
]

AUTH_KEY_PREFIX = "CognitoIdentityServiceProvider"
SIGN_IN_STATE = "CognitoSignInState"
SIGN_IN_STATE_TTL_MS = 3 * 60 * 1000
CREDENTIALS_TTL_S = 50 * 60
TOKEN_KEYS = ("accessToken", "idToken", "clockDrift", "refreshToken", "signInDetails", "oauthMetadata")
DEVICE_KEYS = ("deviceKey", "deviceGroupKey", "randomPasswordKey")


@runtime_checkable
class KeyValueStorage(Protocol):
    """Amplify's KeyValueStorageInterface, synchronous."""

    def set_item(self, key: str, value: str) -> None: ...
    def get_item(self, key: str) -> str | None: ...
    def remove_item(self, key: str) -> None: ...
    def clear(self) -> None: ...


class InMemoryStorage:
    """The default: tokens live as long as the process (Amplify's sharedInMemoryStorage)."""

    def __init__(self) -> None:
        self._items: dict[str, str] = {}

    def set_item(self, key: str, value: str) -> None:
        self._items[key] = value

    def get_item(self, key: str) -> str | None:
        return self._items.get(key)

    def remove_item(self, key: str) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()


class FileStorage:
    """A JSON file readable by its owner only (0600), replaced atomically on every write.

    Every read goes to the file, so two processes (a CLI run after another, a
    ``confirm_sign_in`` in a second script) see each other's writes.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()

    def _read(self) -> dict[str, str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AuthError(
                "InvalidTokenStorage",
                f"The token file {self.path} is not valid JSON.",
                "Delete the file to sign out, then sign in again.",
                underlying=exc,
            ) from exc
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write(self, data: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def set_item(self, key: str, value: str) -> None:
        data = self._read()
        data[key] = value
        self._write(data)

    def get_item(self, key: str) -> str | None:
        return self._read().get(key)

    def remove_item(self, key: str) -> None:
        data = self._read()
        if key in data:
            del data[key]
            self._write(data)

    def clear(self) -> None:
        self._write({})


@dataclass(frozen=True)
class StoredTokens:
    access_token: JWT
    id_token: JWT | None
    refresh_token: str | None
    clock_drift: int  # milliseconds, server time minus local time (from the access token's iat)
    username: str
    sign_in_details: SignInDetails | None = None
    device_key: str | None = None


@dataclass(frozen=True)
class DeviceMetadata:
    """A confirmed device of one user on this client (Amplify's DeviceMetadata)."""

    device_key: str
    device_group_key: str
    random_password: str


@dataclass(frozen=True)
class SignInState:
    username: str | None = None
    challenge_name: str | None = None
    session: str | None = None
    sign_in_details: SignInDetails | None = None


def _now_ms() -> int:
    return int(time.time() * 1000)


def _details_to_json(details: SignInDetails | None) -> str | None:
    if details is None:
        return None
    return json.dumps({"loginId": details.login_id, "authFlowType": details.auth_flow_type})


def _details_from_json(text: str | None) -> SignInDetails | None:
    if not text:
        return None
    data = json.loads(text)
    return SignInDetails(login_id=data.get("loginId"), auth_flow_type=data.get("authFlowType"))


def is_token_expired(expires_at_s: int | float, clock_drift_ms: int, tolerance_ms: int = 5000) -> bool:
    """Amplify's isTokenExpired: expired 5 s early, on the server's clock."""
    return _now_ms() + clock_drift_ms + tolerance_ms > expires_at_s * 1000


class CognitoUserPoolsTokenProvider:
    """Where tokens and the sign-in state live; refreshes tokens when they expire."""

    def __init__(self) -> None:
        self._storage: KeyValueStorage = InMemoryStorage()
        self._lock = threading.RLock()

    # -- storage ---------------------------------------------------------------------------
    def set_key_value_storage(self, storage: KeyValueStorage) -> None:
        """Keep tokens in ``storage`` (``InMemoryStorage()``, ``FileStorage(path)``, or your own)."""
        missing = [m for m in ("set_item", "get_item", "remove_item", "clear") if not callable(getattr(storage, m, None))]
        if missing:
            raise AuthError(
                "InvalidKeyValueStorage",
                f"{type(storage).__name__} does not implement {', '.join(missing)}.",
                "Pass an object with set_item(key, value), get_item(key), remove_item(key) and clear().",
            )
        self._storage = storage

    @property
    def storage(self) -> KeyValueStorage:
        return self._storage

    # -- keys ------------------------------------------------------------------------------
    @staticmethod
    def _last_user_key(config: AuthConfig) -> str:
        return f"{AUTH_KEY_PREFIX}.{config.user_pool_client_id}.LastAuthUser"

    def last_auth_user(self, config: AuthConfig) -> str:
        return self._storage.get_item(self._last_user_key(config)) or "username"

    def _key(self, config: AuthConfig, name: str, username: str | None = None) -> str:
        user = username if username is not None else self.last_auth_user(config)
        return f"{AUTH_KEY_PREFIX}.{config.user_pool_client_id}.{user}.{name}"

    # -- tokens ----------------------------------------------------------------------------
    def load_tokens(self, config: AuthConfig | None = None) -> StoredTokens | None:
        config = config or get_auth_config()
        get = self._storage.get_item
        access = get(self._key(config, "accessToken"))
        if not access:
            return None
        id_token = get(self._key(config, "idToken"))
        return StoredTokens(
            access_token=JWT.decode(access),
            id_token=JWT.decode(id_token) if id_token else None,
            refresh_token=get(self._key(config, "refreshToken")),
            clock_drift=int(get(self._key(config, "clockDrift")) or 0),
            username=self.last_auth_user(config),
            sign_in_details=_details_from_json(get(self._key(config, "signInDetails"))),
            device_key=get(self._key(config, "deviceKey")),
        )

    def store_tokens(self, tokens: StoredTokens, config: AuthConfig | None = None) -> None:
        config = config or get_auth_config()
        storage = self._storage
        storage.set_item(self._last_user_key(config), tokens.username)
        user = tokens.username
        storage.set_item(self._key(config, "accessToken", user), str(tokens.access_token))
        for name, value in (
            ("idToken", str(tokens.id_token) if tokens.id_token else None),
            ("refreshToken", tokens.refresh_token),
            ("signInDetails", _details_to_json(tokens.sign_in_details)),
        ):
            if value is None:
                storage.remove_item(self._key(config, name, user))
            else:
                storage.set_item(self._key(config, name, user), value)
        storage.set_item(self._key(config, "clockDrift", user), str(tokens.clock_drift))

    def set_oauth_metadata(self, metadata: dict[str, Any], config: AuthConfig | None = None) -> None:
        """Amplify's oauthMetadata (``{"oauthSignIn": true}`` after sign_in_with_redirect), kept with the tokens."""
        config = config or get_auth_config()
        self._storage.set_item(self._key(config, "oauthMetadata"), json.dumps(metadata))

    def oauth_metadata(self, config: AuthConfig | None = None) -> dict[str, Any]:
        config = config or get_auth_config()
        text = self._storage.get_item(self._key(config, "oauthMetadata"))
        return json.loads(text) if text else {}

    def clear_tokens(self, config: AuthConfig | None = None) -> None:
        """Remove this client's tokens only (not ``clear()``: the storage may hold other data)."""
        config = config or get_auth_config()
        for name in TOKEN_KEYS:
            self._storage.remove_item(self._key(config, name))
        self._storage.remove_item(self._last_user_key(config))

    # -- device metadata (Amplify's TokenStore getDeviceMetadata / clearDeviceMetadata) ----------
    def get_device_metadata(self, config: AuthConfig | None = None, username: str | None = None) -> DeviceMetadata | None:
        """The device remembered for ``username`` (default: the last signed-in user); None unless all three keys are there."""
        config = config or get_auth_config()
        key, group, password = (self._storage.get_item(self._key(config, name, username)) for name in DEVICE_KEYS)
        return DeviceMetadata(key, group, password) if key and group and password else None

    def store_device_metadata(self, metadata: DeviceMetadata, username: str, config: AuthConfig | None = None) -> None:
        config = config or get_auth_config()
        values = (metadata.device_key, metadata.device_group_key, metadata.random_password)
        for name, value in zip(DEVICE_KEYS, values):
            self._storage.set_item(self._key(config, name, username), value)

    def clear_device_metadata(self, config: AuthConfig | None = None, username: str | None = None) -> None:
        config = config or get_auth_config()
        for name in DEVICE_KEYS:
            self._storage.remove_item(self._key(config, name, username))

    def cache_authentication_result(
        self,
        result: dict[str, Any],
        username: str,
        sign_in_details: SignInDetails | None,
        device_metadata: DeviceMetadata | None = None,
    ) -> None:
        """Store an AuthenticationResult as Amplify's cacheCognitoTokens does (with a newly confirmed device)."""
        if not result.get("AccessToken"):
            raise AuthError("InvalidTokens", "Invalid tokens", "Check Cognito UserPool settings")
        access = JWT.decode(result["AccessToken"])
        iat = int(access.payload.get("iat") or 0)
        self.store_tokens(
            StoredTokens(
                access_token=access,
                id_token=JWT.decode(result["IdToken"]) if result.get("IdToken") else None,
                refresh_token=result.get("RefreshToken"),
                clock_drift=iat * 1000 - _now_ms() if iat > 0 else 0,
                username=username,
                sign_in_details=sign_in_details,
            )
        )
        if device_metadata is not None:
            self.store_device_metadata(device_metadata, username)

    def get_tokens(
        self, *, force_refresh: bool = False, client_metadata: dict[str, str] | None = None
    ) -> AuthTokens | None:
        """The current tokens, refreshed when expired or forced; None when nobody is signed in."""
        config = get_auth_config()
        with self._lock:
            tokens = self.load_tokens(config)
            if tokens is None:
                return None
            id_expired = tokens.id_token is not None and is_token_expired(
                tokens.id_token.payload.get("exp", 0), tokens.clock_drift
            )
            access_expired = is_token_expired(tokens.access_token.payload.get("exp", 0), tokens.clock_drift)
            if force_refresh or id_expired or access_expired:
                refreshed = self._refresh(config, tokens, client_metadata)
                if refreshed is None:
                    return None
                tokens = refreshed
            return AuthTokens(
                access_token=tokens.access_token, id_token=tokens.id_token, sign_in_details=tokens.sign_in_details
            )

    def _refresh(
        self, config: AuthConfig, tokens: StoredTokens, client_metadata: dict[str, str] | None
    ) -> StoredTokens | None:
        if not tokens.refresh_token:
            raise UserUnAuthenticatedException()  # Amplify's tokenRefreshException
        try:
            # Amplify v6 refreshes with GetTokensFromRefreshToken (not InitiateAuth REFRESH_TOKEN_AUTH).
            response = call_user_pool(
                config.user_pool_endpoint,
                "GetTokensFromRefreshToken",
                {
                    "ClientId": config.user_pool_client_id,
                    "RefreshToken": tokens.refresh_token,
                    "DeviceKey": tokens.device_key,
                    "ClientMetadata": client_metadata,
                },
            )
        except AuthError as exc:
            # Clear only when the tokens are definitely dead; keep them on transient failures.
            if exc.name in (
                "NotAuthorizedException",
                "TokenRevokedException",
                "UserNotFoundException",
                "PasswordResetRequiredException",
                "UserNotConfirmedException",
                "RefreshTokenReuseException",
            ):
                self.clear_tokens(config)
            if exc.name == "NotAuthorizedException":
                return None
            raise
        result = response.get("AuthenticationResult") or {}
        access = JWT.decode(result.get("AccessToken", ""))
        iat = access.payload.get("iat")
        if not iat:
            raise AuthError("iatNotFoundException", "iat not found in access token")
        new_tokens = StoredTokens(
            access_token=access,
            id_token=JWT.decode(result["IdToken"]) if result.get("IdToken") else None,
            refresh_token=result.get("RefreshToken") or tokens.refresh_token,
            clock_drift=int(iat) * 1000 - _now_ms(),
            username=tokens.username,
            sign_in_details=tokens.sign_in_details,
        )
        self.store_tokens(new_tokens, config)
        return new_tokens

    # -- sign-in state ---------------------------------------------------------------------
    def get_sign_in_state(self) -> SignInState:
        get = self._storage.get_item
        expiry = get(f"{SIGN_IN_STATE}.expiry")
        if not expiry or int(expiry) <= _now_ms():
            self.reset_sign_in_state()
            return SignInState()
        return SignInState(
            username=get(f"{SIGN_IN_STATE}.username"),
            challenge_name=get(f"{SIGN_IN_STATE}.challengeName"),
            session=get(f"{SIGN_IN_STATE}.signInSession"),
            sign_in_details=_details_from_json(get(f"{SIGN_IN_STATE}.signInDetails")),
        )

    def set_sign_in_state(self, state: SignInState) -> None:
        """Replace the state; like Amplify, only the values present are written."""
        self.reset_sign_in_state()
        self.update_sign_in_state(
            username=state.username,
            challenge_name=state.challenge_name,
            session=state.session,
            sign_in_details=state.sign_in_details,
        )

    def update_sign_in_state(
        self,
        *,
        username: str | None = None,
        challenge_name: str | None = None,
        session: str | None = None,
        sign_in_details: SignInDetails | None = None,
    ) -> None:
        put = self._storage.set_item
        if username:
            put(f"{SIGN_IN_STATE}.username", username)
        if challenge_name:
            put(f"{SIGN_IN_STATE}.challengeName", challenge_name)
        if sign_in_details is not None:
            put(f"{SIGN_IN_STATE}.signInDetails", _details_to_json(sign_in_details) or "")
        if session:
            put(f"{SIGN_IN_STATE}.signInSession", session)
            put(f"{SIGN_IN_STATE}.expiry", str(_now_ms() + SIGN_IN_STATE_TTL_MS))

    def reset_sign_in_state(self) -> None:
        for name in ("username", "challengeName", "signInSession", "expiry", "signInDetails"):
            self._storage.remove_item(f"{SIGN_IN_STATE}.{name}")


cognito_user_pools_token_provider = CognitoUserPoolsTokenProvider()


# -- identity pool: identity id and AWS credentials ------------------------------------------
@dataclass
class _CachedCredentials:
    credentials: AWSCredentials
    identity_id: str
    authenticated: bool
    id_token: str | None
    expires_at: float


class _CredentialsProvider:
    """Amplify's CognitoAWSCredentialsAndIdentityIdProvider: GetId, then GetCredentialsForIdentity."""

    def __init__(self) -> None:
        self._cached: _CachedCredentials | None = None
        self._primary_identity_id: str | None = None

    def clear(self) -> None:
        """On sign-out: forget credentials and the identity id (guest id included)."""
        self._cached = None
        self._primary_identity_id = None
        config = get_auth_config()
        if config.identity_pool_id:
            cognito_user_pools_token_provider.storage.remove_item(_guest_key(config))

    def get(
        self, config: AuthConfig, tokens: AuthTokens | None, *, force_refresh: bool
    ) -> tuple[AWSCredentials, str] | None:
        if not config.identity_pool_id or not config.identity_pool_endpoint:
            return None
        authenticated = tokens is not None
        if not authenticated and not config.allow_guest_access:
            return None
        id_token = str(tokens.id_token) if tokens and tokens.id_token else None
        cached = self._cached
        if force_refresh or (cached and cached.id_token and id_token != cached.id_token):
            self._cached = cached = None
        if cached and cached.authenticated == authenticated and cached.expires_at > time.time():
            return cached.credentials, cached.identity_id
        if authenticated and id_token is None:
            raise UserUnAuthenticatedException()
        logins = _logins(id_token) if id_token else {}
        identity_id = self._identity_id(config, logins, authenticated)
        body: dict[str, Any] = {"IdentityId": identity_id}
        if authenticated:
            body["Logins"] = logins
        response = call_identity_pool(config.identity_pool_endpoint, "GetCredentialsForIdentity", body)
        creds = response.get("Credentials") or {}
        if not creds.get("AccessKeyId") or not creds.get("SecretKey"):
            raise AuthError(
                "CredentialsException" if authenticated else "CredentialsNotFoundException",
                "Cognito did not respond with either Credentials, AccessKeyId or SecretKey.",
            )
        identity_id = response.get("IdentityId") or identity_id
        self._store_identity_id(config, identity_id, authenticated)
        credentials = AWSCredentials(
            access_key_id=creds["AccessKeyId"],
            secret_access_key=creds["SecretKey"],
            session_token=creds.get("SessionToken"),
            expiration=creds.get("Expiration"),
        )
        self._cached = _CachedCredentials(
            credentials, identity_id, authenticated, id_token, time.time() + CREDENTIALS_TTL_S
        )
        return credentials, identity_id

    def _identity_id(self, config: AuthConfig, logins: dict[str, str], authenticated: bool) -> str:
        if self._primary_identity_id:
            return self._primary_identity_id
        stored = cognito_user_pools_token_provider.storage.get_item(_guest_key(config))
        if stored:
            return stored
        assert config.identity_pool_endpoint is not None
        response = call_identity_pool(
            config.identity_pool_endpoint,
            "GetId",
            {"IdentityPoolId": config.identity_pool_id, "Logins": logins},
        )
        identity_id = response.get("IdentityId")
        if not identity_id:
            raise AuthError(
                "GetIdResponseException",
                "Received undefined response from getId operation",
                "Make sure to pass a valid identityPoolId in the configuration.",
            )
        self._store_identity_id(config, identity_id, authenticated)
        return identity_id

    def _store_identity_id(self, config: AuthConfig, identity_id: str, authenticated: bool) -> None:
        storage = cognito_user_pools_token_provider.storage
        if authenticated:
            self._primary_identity_id = identity_id
            storage.remove_item(_guest_key(config))
        else:
            self._primary_identity_id = None
            storage.set_item(_guest_key(config), identity_id)


def _guest_key(config: AuthConfig) -> str:
    return f"com.amplify.Cognito.{config.identity_pool_id}.identityId"


def _logins(id_token: str) -> dict[str, str]:
    issuer = JWT.decode(id_token).payload.get("iss")
    if not issuer:
        raise AuthError("InvalidIdTokenException", "Invalid Idtoken.")
    provider = issuer.split("://", 1)[1] if "://" in issuer else issuer
    return {provider: id_token}


credentials_provider = _CredentialsProvider()


def on_configure(config: AuthConfig) -> None:
    """A new configuration starts with no cached credentials and no auto sign-in."""
    credentials_provider._cached = None
    credentials_provider._primary_identity_id = None
    from amplify_py.auth import _auto_sign_in

    _auto_sign_in.reset()
