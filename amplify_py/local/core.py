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

from amplify_py.local import codes, srp
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

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[0-9]{4,15}$")
_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")
LOCKOUT_THRESHOLD = 5
LOCKOUT_MAX_SECONDS = 900


def mask_email(email: str) -> str:
    """Cognito's masked destination, e.g. ``a***@e***``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def mask_phone(phone: str) -> str:
    """Cognito's masked destination, e.g. ``+*******1234``."""
    return "+" + "*" * max(len(phone) - 5, 0) + phone[-4:]


class Core:
    def __init__(self, store: Store, outbox: Outbox, *, region: str, clock: Callable[[], float],
                 trigger_invoker: TriggerInvoker | None) -> None:
        self.store = store
        self.outbox = outbox
        self.region = region
        self.clock = clock
        self.signer = Signer(store)
        self.trigger_invoker = trigger_invoker
        self.endpoint = "http://127.0.0.1"

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
        """Store an SRP verifier and a scrypt hash; the password itself is never kept."""
        user["srp_salt"], user["srp_verifier"] = srp.make_verifier(pool.id, user["username"], password)
        salt = secrets.token_bytes(16)
        user["pw_salt"] = salt.hex()
        user["pw_hash"] = _scrypt(password, salt)

    def password_matches(self, user: dict, password: str | None) -> bool:
        if not user.get("pw_hash") or password is None:
            return False
        return hmac.compare_digest(user["pw_hash"], _scrypt(password, bytes.fromhex(user["pw_salt"])))

    # --- lockout ----------------------------------------------------------
    def check_lockout(self, user: dict) -> None:
        failed = user.get("failed", 0)
        if failed >= LOCKOUT_THRESHOLD:
            wait = min(2 ** (failed - LOCKOUT_THRESHOLD), LOCKOUT_MAX_SECONDS)
            if self.now() < user.get("last_failure", 0.0) + wait:
                raise not_authorized("Password attempts exceeded")

    def record_failure(self, pool: Pool, user: dict) -> None:
        user["failed"] = user.get("failed", 0) + 1
        user["last_failure"] = self.now()
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
        custom = self.custom_message(pool, user, kind, code, client_id, client_metadata)
        if custom:
            subject = custom.get("emailSubject") or subject
            body = (custom.get("emailMessage") if medium == "EMAIL" else custom.get("smsMessage")) or body
        self.outbox.deliver(
            deployment=pool.deployment, pool_id=pool.id, recipient=recipient, medium=medium,
            subject=subject if medium == "EMAIL" else None, body=body, code=code, kind=kind, now=self.now(),
        )
        return {
            "Destination": mask_email(recipient) if medium == "EMAIL" else mask_phone(recipient),
            "DeliveryMedium": medium,
            "AttributeName": attribute,
        }

    def custom_message(self, pool: Pool, user: dict, kind: str, code: str, client_id: str | None,
                       client_metadata: dict | None) -> dict | None:
        source = {
            "SIGN_UP": "CustomMessage_SignUp", "RESEND": "CustomMessage_ResendCode",
            "FORGOT_PASSWORD": "CustomMessage_ForgotPassword", "VERIFY_ATTRIBUTE": "CustomMessage_VerifyUserAttribute",
            "UPDATE_ATTRIBUTE": "CustomMessage_UpdateUserAttribute", "MFA": "CustomMessage_Authentication",
            "EMAIL_OTP": "CustomMessage_Authentication", "SMS_OTP": "CustomMessage_Authentication",
            "INVITATION": "CustomMessage_AdminCreateUser",
        }.get(kind)
        if not source:
            return None
        response = self.trigger(pool, "CustomMessage", source, user, client_id, {
            "userAttributes": dict(user["attributes"]),
            "codeParameter": "{####}",
            "usernameParameter": "{username}" if kind == "INVITATION" else None,
            "clientMetadata": client_metadata or {},
        }, {"smsMessage": None, "emailMessage": None, "emailSubject": None})
        if not response:
            return None
        return {k: (v.replace("{####}", code).replace("{username}", user["username"]) if isinstance(v, str) else v)
                for k, v in response.items()}

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
            id_claims[name] = value == "true" if name.endswith("_verified") else value
        if groups:
            access["cognito:groups"] = groups
            id_claims["cognito:groups"] = groups
            roles = [groups_props[g]["RoleArn"] for g in groups if groups_props.get(g, {}).get("RoleArn")]
            if roles:
                id_claims["cognito:roles"] = roles
                id_claims["cognito:preferred_role"] = roles[0]
        overrides = self.trigger(pool, "PreTokenGeneration", source, user, client.id, {
            "userAttributes": dict(user["attributes"]),
            "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": None},
            "clientMetadata": client_metadata or {},
        }, {"claimsOverrideDetails": None})
        if overrides:
            _apply_claim_overrides(overrides, id_claims, access)
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

    # --- triggers ---------------------------------------------------------
    def trigger(self, pool: Pool, name: str, source: str, user: dict | str | None, client_id: str | None,
                request: dict, response: dict) -> dict | None:
        """Run the pool's Lambda trigger ``name`` (if configured) with Cognito's event; returns its response."""
        ref = pool.raw_lambda_config.get(name)
        if name == "PreTokenGeneration" and ref is None:
            ref = (pool.raw_lambda_config.get("PreTokenGenerationConfig") or {}).get("LambdaArn")
        if ref is None or self.trigger_invoker is None:
            return None
        username = user["username"] if isinstance(user, dict) else user
        event = {
            "version": "1",
            "region": pool.region,
            "userPoolId": pool.id,
            "userName": username,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id or "CLIENT_ID_NOT_APPLICABLE"},
            "triggerSource": source,
            "request": {k: v for k, v in request.items() if v is not None},
            "response": response,
        }
        try:
            result = self.trigger_invoker(pool.deployment, ref, event)
        except CognitoError:
            raise
        except Exception as exc:  # noqa: BLE001 - a failing trigger is the user's error, as in Cognito
            label = name if name != "PreTokenGeneration" else "PreTokenGeneration"
            raise CognitoError("UserLambdaValidationException", f"{label} failed with error {exc}.") from exc
        return (result or {}).get("response") or {}


def _apply_claim_overrides(response: dict, id_claims: dict, access: dict) -> None:
    details = response.get("claimsOverrideDetails") or {}
    protected = {"sub", "iss", "aud", "token_use", "exp", "iat", "auth_time", "jti", "origin_jti", "event_id",
                 "cognito:username"}
    for key, value in (details.get("claimsToAddOrOverride") or {}).items():
        if key not in protected:
            id_claims[key] = value
    for key in details.get("claimsToSuppress") or []:
        if key not in protected:
            id_claims.pop(key, None)
    group_cfg = details.get("groupOverrideDetails") or {}
    if "groupsToOverride" in group_cfg:
        id_claims["cognito:groups"] = access["cognito:groups"] = list(group_cfg["groupsToOverride"] or [])


def _scrypt(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, maxmem=64 * 1024 * 1024).hex()


