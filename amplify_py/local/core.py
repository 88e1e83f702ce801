"""The engine's shared machinery: lookups, users, passwords, messages, tokens, triggers.

Operation modules (``users``, ``auth_flows``, ``identity``) are plain functions
of ``(core, body)``; everything they share lives on ``Core`` so each rule
(password policy, lockout, token claims, message rendering) is written once.
"""

from __future__ import annotations

import hashlib
import hmac
import base64
import re
import secrets

import uuid
from typing import Any, Callable

from amplify_py.local import codes, srp, triggers
from amplify_py.local.lambda_runtime import events
from amplify_py.local.errors import (
    CognitoError,
    invalid_parameter,
    not_authorized,
    resource_not_found,
    user_not_found,
)
from amplify_py.local.outbox import Outbox
from amplify_py.local.pools import CLIENT, GROUP, POOL, Client, Pool
from amplify_py.local.store import Store
from amplify_py.local.tokens import Signer, hash_refresh_token, new_jti, new_refresh_token

__all__ = ["Core", "TriggerInvoker", "mask_email", "mask_phone"]

TriggerInvoker = Callable[[str, Any, dict], dict]
"""``invoker(deployment_id, lambda_config_ref, event) -> returned event``; lambda_runtime.TriggerInvoker is one."""
LogCallback = Callable[[str, str], None]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[0-9]{4,15}$")
_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")
LOCKOUT_THRESHOLD = 5
LOCKOUT_MAX_SECONDS = 900
LOCKOUT_IDLE_RESET = 900


def mask_email(email: str) -> str:
    """Cognito's masked destination, e.g. ``a***@e***``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def mask_phone(phone: str) -> str:
    """Cognito's masked destination, e.g. ``+*******1234``."""
    return "+" + "*" * max(len(phone) - 5, 0) + phone[-4:]


class Core:
    def __init__(self, store: Store, outbox: Outbox, *, region: str, clock: Callable[[], float],
                 trigger_invoker: TriggerInvoker | None, on_log: LogCallback | None = None) -> None:
        self.store = store
        self.outbox = outbox
        self.region = region
        self.clock = clock
        self.signer = Signer(store)
        self.trigger_invoker = trigger_invoker  # the default, for deployments without their own
        self.invokers: dict[str, TriggerInvoker] = {}
        self.on_log = on_log
        self.endpoint = "http://127.0.0.1"

    def invoker_for(self, deployment_id: str) -> TriggerInvoker | None:
        return self.invokers.get(deployment_id, self.trigger_invoker)

    def log(self, source: str, line: str) -> None:
        """A line for the sandbox console (a trigger's failure); dropped when nobody listens."""
        if self.on_log is not None:
            self.on_log(source, line)

    def now(self) -> float:
        return float(self.clock())

    # --- lookups ----------------------------------------------------------
    def pool(self, pool_id: str | None) -> Pool:
        found = self.store.resource_by_physical(POOL, pool_id or "")
        if not found:
            raise resource_not_found(f"User pool {pool_id} does not exist.")
        return Pool(pool_id, found[0], found[1], found[2])

    def client(self, client_id: str | None) -> tuple[Pool, Client]:
        found = self.store.resource_by_physical(CLIENT, client_id or "")
        if not found:
            raise resource_not_found(f"User pool client {client_id} does not exist.")
        client = Client(client_id, found[0], found[1], found[2])
        return self.pool(client.pool_id), client

    def groups(self, pool: Pool) -> dict[str, dict]:
        out = {}
        for _dep, _lid, physical, config in self.store.resources_of_type(GROUP):
            if config["props"].get("UserPoolId") == pool.id:
                out[physical] = config["props"]
        return out

    def check_secret_hash(self, client: Client, username: str, body: dict, params: dict | None = None) -> None:
        """Clients with a secret must send SECRET_HASH = Base64(HMAC(secret, username + client_id))."""
        if not client.secret:
            return
        given = (params or {}).get("SECRET_HASH") or body.get("SecretHash")
        expected = base64.b64encode(
            hmac.new(client.secret.encode(), (username + client.id).encode(), hashlib.sha256).digest()
        ).decode()
        if not given or not hmac.compare_digest(given, expected):
            raise not_authorized(f"Unable to verify secret hash for client {client.id}")

    def check_client_secret(self, client: Client, given: str | None) -> None:
        """Token operations (RevokeToken, GetTokensFromRefreshToken) take the client secret itself."""
        if client.secret and not (given and hmac.compare_digest(given, client.secret)):
            raise not_authorized(f"Unable to verify secret hash for client {client.id}")

    # --- users ------------------------------------------------------------
    def username_key(self, pool: Pool, name: str) -> str:
        return name if pool.case_sensitive else name.lower()

    def find_user(self, pool: Pool, name: str | None) -> dict | None:
        """By username, then by the sign-in attributes (username attributes, or verified aliases)."""
        if not name:
            return None
        user = self.store.find_user(pool.id, "username_key", self.username_key(pool, name))
        if user:
            return user
        for attr, column, key in (("email", "email_key", name.lower()), ("phone_number", "phone_key", name)):
            if attr in pool.username_attributes:
                user = self.store.find_user(pool.id, column, key)
            elif attr in pool.alias_attributes:
                user = self.store.find_user(pool.id, column, key)
                if user and user["attributes"].get(f"{attr}_verified") != "true":
                    user = None
            if user:
                return user
        return None

    def save_user(self, pool: Pool, user: dict) -> None:
        user["modified"] = self.now()
        attrs = user["attributes"]
        email = attrs.get("email")
        self.store.put_user(
            pool.id, user,
            username_key=self.username_key(pool, user["username"]),
            email_key=email.lower() if email else None,
            phone_key=attrs.get("phone_number"),
        )

    def reload_user(self, pool: Pool, user: dict) -> dict:
        """Refresh ``user`` in place from the store (after a trigger, whose handler may have changed it)."""
        fresh = self.store.get_user(pool.id, user["username"])
        if fresh is not None:
            user.clear()
            user.update(fresh)
        return user

    def new_user(self, pool: Pool, username: str, attributes: dict[str, str], status: str) -> dict:
        sub = str(uuid.uuid4())
        now = self.now()
        return {
            "username": username,
            "sub": sub,
            "attributes": {"sub": sub, **attributes},
            "status": status,
            "enabled": True,
            "created": now,
            "modified": now,
            "mfa": {"sms": False, "totp": False, "email": False, "preferred": None},
            "totp_secret": None,
            "failed": 0,
            "last_failure": 0.0,
            "pending": {},
        }

    def attribute_list(self, user: dict) -> list[dict[str, str]]:
        attrs = user["attributes"]
        ordered = ["sub"] + [k for k in attrs if k != "sub"]
        return [{"Name": k, "Value": attrs[k]} for k in ordered if k in attrs]

    def user_type(self, user: dict, *, attributes_key: str = "Attributes") -> dict:
        return {
            "Username": user["username"],
            attributes_key: self.attribute_list(user),
            "UserCreateDate": user["created"],
            "UserLastModifiedDate": user["modified"],
            "Enabled": user["enabled"],
            "UserStatus": user["status"],
        }

    def mfa_settings(self, pool: Pool, user: dict) -> dict:
        enabled = []
        if user["mfa"].get("sms"):
            enabled.append("SMS_MFA")
        if user["mfa"].get("totp"):
            enabled.append("SOFTWARE_TOKEN_MFA")
        if user["mfa"].get("email"):
            enabled.append("EMAIL_OTP")
        out: dict[str, Any] = {}
        if enabled:
            out["UserMFASettingList"] = enabled
        if user["mfa"].get("preferred"):
            out["PreferredMfaSetting"] = user["mfa"]["preferred"]
        return out

    # --- attributes -------------------------------------------------------
    def validate_attributes(self, pool: Pool, items: list[dict] | None, *, creating: bool,
                            existing: dict[str, str] | None = None) -> dict[str, str]:
        schema = pool.schema()
        values: dict[str, str] = {}
        for item in items or []:
            name, value = item.get("Name"), item.get("Value", "")
            attr = schema.get(name or "")
            if attr is None:
                raise invalid_parameter(
                    f"Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined"
                )
            value = "" if value is None else str(value)
            if name == "sub" or (not attr.mutable and not creating and existing and name in existing):
                raise invalid_parameter(
                    f"Attributes did not conform to the schema: {name}: Attribute cannot be updated. "
                    "(changing an immutable attribute)"
                )
            self._check_value(attr, value)
            values[name] = value
        if creating:
            missing = [a.name for a in schema.values() if a.required and a.name != "sub" and not values.get(a.name)]
            if missing:
                detail = "\n".join(f"{m}: The attribute is required" for m in missing)
                raise invalid_parameter(f"Attributes did not conform to the schema: {detail}")
        return values

    @staticmethod
    def _check_value(attr: Any, value: str) -> None:
        name = attr.name
        prefix = "Attributes did not conform to the schema: "
        if len(value) > 2048:
            raise invalid_parameter(f"{prefix}{name}: String must be no longer than 2048 characters")
        if name == "email" and value and not _EMAIL.match(value):
            raise invalid_parameter("Invalid email address format.")
        if name == "phone_number" and value and not _PHONE.match(value):
            raise invalid_parameter("Invalid phone number format.")
        if attr.data_type == "String":
            if attr.max_length is not None and len(value) > attr.max_length:
                raise invalid_parameter(f"{prefix}{name}: String must be no longer than {attr.max_length} characters")
            if attr.min_length is not None and len(value) < attr.min_length:
                raise invalid_parameter(f"{prefix}{name}: String must be no shorter than {attr.min_length} characters")
        elif attr.data_type == "Number":
            try:
                number = float(value)
            except ValueError as exc:
                raise invalid_parameter(f"{prefix}{name}: Number must be a valid integer") from exc
            if attr.max_value is not None and number > attr.max_value:
                raise invalid_parameter(f"{prefix}{name}: Number must be no greater than {int(attr.max_value)}")
            if attr.min_value is not None and number < attr.min_value:
                raise invalid_parameter(f"{prefix}{name}: Number must be no less than {int(attr.min_value)}")
        elif attr.data_type == "Boolean" and value not in ("true", "false"):
            raise invalid_parameter(f"{prefix}{name}: Boolean attribute must be true or false")

    # --- passwords --------------------------------------------------------
    def check_password_policy(self, pool: Pool, password: str | None) -> None:
        policy = pool.password_policy
        password = password or ""
        problem = None
        if len(password) < policy["MinimumLength"]:
            problem = "Password not long enough"
        elif policy["RequireLowercase"] and not any(c.islower() for c in password):
            problem = "Password must have lowercase characters"
        elif policy["RequireUppercase"] and not any(c.isupper() for c in password):
            problem = "Password must have uppercase characters"
        elif policy["RequireNumbers"] and not any(c.isdigit() for c in password):
            problem = "Password must have numeric characters"
        elif policy["RequireSymbols"] and not any(c in _SYMBOLS for c in password):
            problem = "Password must have symbol characters"
        if problem:
            raise CognitoError("InvalidPasswordException", f"Password did not conform with policy: {problem}")
        if len(password) > 256:
            raise invalid_parameter("1 validation error detected: Value at 'password' failed to satisfy constraint: "
                                    "Member must have length less than or equal to 256")

    def set_password(self, pool: Pool, user: dict, password: str) -> None:
        """Store the SRP salt and verifier, the one password secret (the password itself is never kept)."""
        user["srp_salt"], user["srp_verifier"] = srp.make_verifier(pool.id, user["username"], password)
        # Rows written before the verifier became the only secret also carried a scrypt hash of the same
        # password; every such row has a verifier too, so the hash is dropped rather than migrated.
        user.pop("pw_hash", None)
        user.pop("pw_salt", None)

    def password_matches(self, pool: Pool, user: dict, password: str | None) -> bool:
        """A plain password (USER_PASSWORD_AUTH, PASSWORD, ChangePassword) checked against the SRP verifier."""
        if not user.get("srp_verifier") or password is None:
            return False
        return srp.password_matches(pool.id, user["username"], password, user["srp_salt"], user["srp_verifier"])

    # --- lockout ----------------------------------------------------------
    # Cognito's documented rule: after 5 failed password (or MFA code) attempts the user is locked out for
    # 2^(n-5) seconds (n = failures so far), up to about 15 minutes; attempts during a lockout fail with
    # "Password attempts exceeded" and don't count; a success after the lockout, or 15 minutes without any
    # sign-in attempt, resets n to 0.
    def check_lockout(self, pool: Pool, user: dict) -> None:
        now = self.now()
        last_attempt = max(user.get("last_attempt", 0.0), user.get("last_failure", 0.0))
        if user.get("failed", 0) >= LOCKOUT_THRESHOLD and now - last_attempt >= LOCKOUT_IDLE_RESET:
            user["failed"] = 0
            self.save_user(pool, user)  # saved: a trigger may run before the next save, and callers re-read
        failed = user.get("failed", 0)
        if failed >= LOCKOUT_THRESHOLD:
            wait = min(2 ** (failed - LOCKOUT_THRESHOLD), LOCKOUT_MAX_SECONDS)
            if now < user.get("last_failure", 0.0) + wait:
                user["last_attempt"] = now
                self.save_user(pool, user)
                raise not_authorized("Password attempts exceeded")

    def record_failure(self, pool: Pool, user: dict) -> None:
        user["failed"] = user.get("failed", 0) + 1
        user["last_failure"] = user["last_attempt"] = self.now()
        self.save_user(pool, user)

    def record_success(self, pool: Pool, user: dict) -> None:
        if user.get("failed"):
            user["failed"] = 0
            self.save_user(pool, user)

    # --- messages ---------------------------------------------------------
    def deliver_code(self, pool: Pool, user: dict, attribute: str, code: str, kind: str,
                     *, destination: str | None = None, client_id: str | None = None,
                     client_metadata: dict | None = None) -> dict:
        """Render and deliver ``code`` to the user's email or phone; returns CodeDeliveryDetails."""
        recipient = destination or user["attributes"].get(attribute, "")
        medium = "EMAIL" if attribute == "email" else "SMS"
        if kind in ("MFA", "EMAIL_OTP", "SMS_OTP"):
            subject, email_body, sms_body = pool.authentication_message()
        elif kind == "INVITATION":
            subject, email_body, sms_body = pool.invitation_message()
        else:
            subject, email_body, sms_body = pool.verification_message()
        body = email_body if medium == "EMAIL" else sms_body
        body = body.replace("{####}", code).replace("{username}", user["username"])
        custom = self.custom_message(pool, user, kind, client_id, client_metadata)
        if custom is not None:
            if medium == "EMAIL":
                subject = custom.email_subject or subject
                body = _fill(custom.email_message, code, user["username"]) or body
            else:
                body = _fill(custom.sms_message, code, user["username"]) or body
        self.outbox.deliver(
            deployment=pool.deployment, pool_id=pool.id, recipient=recipient, medium=medium,
            subject=subject if medium == "EMAIL" else None, body=body, code=code, kind=kind, now=self.now(),
        )
        return {
            "Destination": mask_email(recipient) if medium == "EMAIL" else mask_phone(recipient),
            "DeliveryMedium": medium,
            "AttributeName": attribute,
        }

    def custom_message(self, pool: Pool, user: dict, kind: str, client_id: str | None,
                       client_metadata: dict | None) -> events.CustomMessage | None:
        """The CustomMessage trigger's message (placeholders still in it), or None to keep the pool's."""
        source = _CUSTOM_MESSAGE_SOURCES.get(kind)
        if not source or not triggers.configured(self, pool, "CustomMessage"):
            return None
        event = events.custom_message_event(
            source, **triggers.common(self, pool, user["username"], client_id),
            user_attributes=user["attributes"], client_metadata=client_metadata)
        returned = triggers.invoke(self, pool, "CustomMessage", event)
        return triggers.read(events.read_custom_message_response, returned) if returned is not None else None

    def send_verification(self, pool: Pool, user: dict, purpose: str, kind: str, ttl: float,
                          *, attribute: str | None = None, client_id: str | None = None,
                          client_metadata: dict | None = None) -> dict | None:
        """Issue a code for the first auto-verified attribute (or ``attribute``) and deliver it."""
        attrs = {**user["attributes"], **user.get("pending", {})}
        if attribute is None:
            candidates = [a for a in ("phone_number", "email") if a in pool.auto_verified and attrs.get(a)]
            if not candidates:
                return None
            attribute = candidates[0]
        code = codes.issue(self.store, pool.id, user["username"], purpose, self.now(), ttl)
        return self.deliver_code(pool, user, attribute, code, kind, destination=attrs.get(attribute),
                                 client_id=client_id, client_metadata=client_metadata)

    # --- sessions (between challenges) -------------------------------------
    def new_session(self, pool: Pool, client: Client, data: dict, *, session_id: str | None = None) -> str:
        session_id = session_id or base64.b64encode(secrets.token_bytes(96)).decode()
        self.store.prune_sessions(self.now())  # abandoned sign-ins would otherwise pile up for ever
        self.store.put_session(session_id, pool.id, self.now() + client.auth_session_seconds,
                               {**data, "client_id": client.id})
        return session_id

    def load_session(self, session_id: str | None, client: Client) -> dict:
        found = self.store.get_session(session_id or "")
        if not found or found[2].get("client_id") != client.id:
            raise not_authorized("Invalid session for the user.")
        _pool_id, expires, data = found
        if expires <= self.now():
            self.store.delete_session(session_id)
            raise not_authorized("Invalid session for the user, session is expired.")
        return data

    # --- tokens -----------------------------------------------------------
    def issuer(self, pool: Pool) -> str:
        return f"{self.endpoint}/{pool.id}"

    def issue_tokens(self, pool: Pool, client: Client, user: dict, *, auth_time: float | None = None,
                     origin_jti: str | None = None, event_id: str | None = None, refresh: bool = True,
                     source: str = "TokenGeneration_Authentication", client_metadata: dict | None = None) -> dict:
        now = int(self.now())
        auth_time = int(auth_time or now)
        event_id = event_id or str(uuid.uuid4())
        origin_jti = origin_jti or new_jti()
        groups_props = self.groups(pool)
        groups = sorted(self.store.groups_of(pool.id, user["username"]),
                        key=lambda g: (groups_props.get(g, {}).get("Precedence", 1 << 30), g))
        common = {"sub": user["sub"], "iss": self.issuer(pool), "origin_jti": origin_jti, "event_id": event_id,
                  "auth_time": auth_time, "iat": now}
        access = {**common, "client_id": client.id, "token_use": "access",
                  "scope": "aws.cognito.signin.user.admin", "exp": now + client.validity_seconds("AccessToken"),
                  "jti": new_jti(), "username": user["username"]}
        id_claims: dict[str, Any] = {**common, "aud": client.id, "token_use": "id", "cognito:username": user["username"],
                                     "exp": now + client.validity_seconds("IdToken"), "jti": new_jti()}
        for name, value in user["attributes"].items():
            if name == "sub":
                continue
            # Only the two standard verification flags are booleans; custom attributes are always strings.
            id_claims[name] = value == "true" if name in ("email_verified", "phone_number_verified") else value
        if groups:
            access["cognito:groups"] = groups
            id_claims["cognito:groups"] = groups
            roles = [groups_props[g]["RoleArn"] for g in groups if groups_props.get(g, {}).get("RoleArn")]
            if roles:
                id_claims["cognito:roles"] = roles
                id_claims["cognito:preferred_role"] = roles[0]
        scopes = access["scope"].split()
        if triggers.configured(self, pool, "PreTokenGeneration"):
            version = triggers.token_generation_version(pool)
            event = events.pre_token_generation_event(
                source, **triggers.common(self, pool, user["username"], client.id),
                user_attributes=user["attributes"], groups=groups,
                iam_roles=id_claims.get("cognito:roles", []), preferred_role=id_claims.get("cognito:preferred_role"),
                scopes=scopes, version=version, client_metadata=client_metadata)
            returned = triggers.invoke(self, pool, "PreTokenGeneration", event)
            if returned is not None:
                custom = triggers.read(events.read_pre_token_generation_response, returned)
                _customise_tokens(custom, id_claims, access, scopes, version)
        result: dict[str, Any] = {
            "AccessToken": self.signer.sign(access),
            "ExpiresIn": client.validity_seconds("AccessToken"),
            "TokenType": "Bearer",
            "IdToken": self.signer.sign(id_claims),
        }
        if refresh:
            token = new_refresh_token()
            self.store.put_refresh(hash_refresh_token(token), pool.id, client.id, user["username"], origin_jti,
                                   now + client.validity_seconds("RefreshToken"),
                                   {"auth_time": auth_time, "event_id": event_id})
            result["RefreshToken"] = token
        return result

    def authenticate(self, access_token: str | None) -> tuple[Pool, dict, dict]:
        """Verify an access token (signature, expiry, revocation) and return its pool, user and claims."""
        claims = self.signer.decode(access_token or "", now=self.now(), token_use="access",
                                    expired_message="Access Token has expired",
                                    invalid_message="Invalid Access Token")
        pool = self.pool(str(claims.get("iss", "")).rsplit("/", 1)[-1])
        if self.store.origin_revoked(claims.get("origin_jti", "")) is not False:
            raise not_authorized("Access Token has been revoked")
        user = self.store.get_user(pool.id, claims.get("username", ""))
        if user is None:
            raise user_not_found()
        if not user["enabled"]:
            raise not_authorized("User is disabled.")
        return pool, user, claims


_CUSTOM_MESSAGE_SOURCES = {
    "SIGN_UP": "CustomMessage_SignUp", "RESEND": "CustomMessage_ResendCode",
    "FORGOT_PASSWORD": "CustomMessage_ForgotPassword", "VERIFY_ATTRIBUTE": "CustomMessage_VerifyUserAttribute",
    "UPDATE_ATTRIBUTE": "CustomMessage_UpdateUserAttribute", "MFA": "CustomMessage_Authentication",
    "EMAIL_OTP": "CustomMessage_Authentication", "SMS_OTP": "CustomMessage_Authentication",
    "INVITATION": "CustomMessage_AdminCreateUser",
}


def _fill(message: str | None, code: str, username: str) -> str | None:
    """Put the code (and, for invitations, the user name) where the trigger left Cognito's placeholders."""
    if message is None:
        return None
    return message.replace(events.CODE_PARAMETER, code).replace(events.USERNAME_PARAMETER, username)


def _customise_tokens(custom: events.TokenCustomisation, id_claims: dict, access: dict, scopes: list[str],
                      version: str) -> None:
    """Apply a pre token generation response as Cognito does (claims, groups, roles; V2+: access token, scopes)."""
    id_claims.update(custom.id_token_claims_to_add_or_override)
    for name in custom.id_token_claims_to_suppress:
        id_claims.pop(name, None)
    if custom.groups_to_override is not None:
        groups = list(custom.groups_to_override)
        for claims in (id_claims, access):
            if groups:
                claims["cognito:groups"] = groups
            else:
                claims.pop("cognito:groups", None)
    if custom.iam_roles_to_override is not None:
        if custom.iam_roles_to_override:
            id_claims["cognito:roles"] = list(custom.iam_roles_to_override)
        else:
            id_claims.pop("cognito:roles", None)
    if custom.preferred_role is not None:
        id_claims["cognito:preferred_role"] = custom.preferred_role
    if version == "1":
        return
    access.update(custom.access_token_claims_to_add_or_override)
    for name in custom.access_token_claims_to_suppress:
        access.pop(name, None)
    kept = [s for s in scopes if s not in custom.access_token_scopes_to_suppress]
    kept += [s for s in custom.access_token_scopes_to_add if s not in kept]
    access["scope"] = " ".join(kept)

