"""Seeded bad requests for every operation the engine serves, driven by botocore's service models.

Each request starts from a plausible body for its operation (the real pool, client, user and tokens where the
model names them, so a request gets past the first lookup and reaches the operation's own checks) and breaks it
one to three ways: a value of the wrong JSON type, a hostile string or number (lone surrogates, 5,000-digit
numbers, lengths past the model's limits), ``null`` inside lists and maps, deep nesting, missing or unknown
members, or a body that is not JSON at all; some requests also get a wrong ``X-Amz-Target`` or content type.

``Fuzzer(seed, ids).requests(n)`` is deterministic for a seed and the engine's operation table, so a failure
is reproduced by its seed and index. ``send_all`` sends them over one keep-alive connection and counts what a
careful server must never do: a status of 500 or more, a connection closed without ``Connection: close``, a
request left without an answer.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.session

from amplify_py.local.operations import registry

__all__ = ["Ids", "Request", "Fuzzer", "Outcome", "send_all", "operations"]

_USER_POOL = registry.USER_POOL_TARGET
_IDENTITY = registry.IDENTITY_TARGET


@dataclass(frozen=True)
class Ids:
    """Real values the generator plants so that requests reach past the first lookup."""

    pool_id: str
    client_id: str
    username: str
    password: str
    access_token: str = ""
    id_token: str = ""
    refresh_token: str = ""
    identity_pool_id: str = ""
    identity_id: str = ""
    issuer: str = ""
    group: str = "admins"


@dataclass(frozen=True)
class Request:
    index: int
    operation: str
    target: str
    body: bytes
    headers: dict[str, str]
    what: str  # the mutations applied, for the failure report


class _Raw:
    """A JSON literal written as is (``NaN``, a 5,000-digit number, ``1e400``)."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Pairs(list):
    """An object written from (key, value) pairs, so a key can appear twice."""


def operations() -> list[tuple[str, str]]:
    """(service, operation) for everything the engine's registry serves, sorted."""
    return ([("cognito-idp", name) for name in sorted(registry.USER_POOL_OPERATIONS)]
            + [("cognito-identity", name) for name in sorted(registry.IDENTITY_OPERATIONS)])


_MODELS: dict[str, Any] = {}


def _input_shape(service: str, operation: str) -> Any:
    if service not in _MODELS:
        _MODELS[service] = botocore.session.get_session().get_service_model(service)
    return _MODELS[service].operation_model(operation).input_shape


_HOSTILE_STRINGS = [
    "", " ", "\ud800", "a\udfffb", "\udc00\ud800", "\u0000", "x\u0000y", "\r\n", "\t", "%s%n%x", "../../etc/passwd",
    "' OR 1=1 --", '{"a":1}', "null", "\u202e\u0635", "\U0001f600" * 3, "\ufeff", "\uffff", "é" * 129,
    "0" * 5000, "9" * 4301, "-1", "1e400", "NaN", "<script>alert(1)</script>", "a" * 70000,
]
_HOSTILE_NUMBERS = [0, -1, 1, 2**31, -2**31 - 1, 2**63, 2**64, -2**63 - 1, 1.5, -0.0, 1e308,
                    _Raw("1e400"), _Raw("-1e400"), _Raw("NaN"), _Raw("Infinity"), _Raw("1" + "0" * 5000),
                    _Raw("0." + "1" * 5000), _Raw("1e-400"), _Raw("-0")]


def _deep(depth: int, kind: str) -> _Raw:
    opening, closing = ("[", "]") if kind == "list" else ('{"a":', "}")
    return _Raw(opening * depth + "1" + closing * depth)


class Fuzzer:
    """Bad requests for every operation, reproducible from ``seed``."""

    def __init__(self, seed: int, ids: Ids) -> None:
        self.random = random.Random(seed)
        self.ids = ids
        self.soft = False

    # --- the stream --------------------------------------------------------------------------------
    def requests(self, count: int) -> Iterator[Request]:
        """``count`` requests, cycling through every operation so each gets its share."""
        ops = operations()
        for index in range(count):
            service, operation = ops[index % len(ops)]
            yield self.request(index, service, operation)

    def request(self, index: int, service: str, operation: str) -> Request:
        rnd = self.random
        shape = _input_shape(service, operation)
        target = (_USER_POOL if service == "cognito-idp" else _IDENTITY) + operation
        headers = {"Content-Type": "application/x-amz-json-1.1"}
        what: list[str] = []
        roll = rnd.random()
        # a third of the requests break values without breaking their JSON types, to get past the
        # serialization check into the model's constraints and the operation's own checks
        self.soft = rnd.random() < 0.35
        if self.soft:
            what.append("soft")
        if roll < 0.12 and not self.soft:
            body, label = self._raw_body(shape)
            what.append(label)
        else:
            value = self._plausible(shape, "", 0)
            for _ in range(rnd.choice((1, 1, 2, 3))):
                value, label = self._mutate(shape, value)
                what.append(label)
            body = _dump(value).encode("utf-8", "surrogatepass")
        if rnd.random() < 0.08:
            target, label = self._bad_target(target)
            what.append(label)
        if rnd.random() < 0.05:
            headers["Content-Type"] = rnd.choice(["application/json", "text/plain", "", "application/x-amz-json-1.0",
                                                  "multipart/form-data; boundary=x"])
            what.append(f"content-type {headers['Content-Type']!r}")
        if rnd.random() < 0.02:
            headers["Content-Encoding"] = "gzip"
            what.append("content-encoding gzip (not gzipped)")
        if target is not None:
            headers["X-Amz-Target"] = target
        return Request(index, operation, target or "", body, headers, "; ".join(what))

    # --- plausible values ----------------------------------------------------------------------------
    def _plausible(self, shape: Any, name: str, depth: int) -> Any:
        rnd, kind = self.random, shape.type_name
        if kind == "structure":
            out = {}
            for member_name, member in shape.members.items():
                if member_name in shape.required_members or rnd.random() < 0.6:
                    out[member_name] = self._plausible(member, member_name, depth + 1)
            return out
        if kind == "list":
            return [self._plausible(shape.member, name, depth + 1) for _ in range(rnd.choice((0, 1, 1, 2)))]
        if kind == "map":
            return self._plausible_map(shape, name, depth)
        if kind == "boolean":
            return rnd.random() < 0.5
        if kind in ("integer", "long"):
            low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 100)
            return rnd.randint(low, min(high, low + 100))
        if kind in ("float", "double", "timestamp"):
            return rnd.random() * 1000
        if shape.metadata.get("enum"):
            return rnd.choice(shape.metadata["enum"])
        return self._plausible_string(name)

    def _plausible_map(self, shape: Any, name: str, depth: int) -> dict:
        ids, rnd = self.ids, self.random
        if name == "AuthParameters":
            keys = ["USERNAME", "PASSWORD", "SRP_A", "REFRESH_TOKEN", "SECRET_HASH", "DEVICE_KEY", "CHALLENGE_NAME"]
        elif name == "ChallengeResponses":
            keys = ["USERNAME", "PASSWORD", "NEW_PASSWORD", "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA_CODE", "ANSWER",
                    "PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP", "EMAIL_OTP_CODE",
                    "userAttributes.email", "MFAS_CAN_SETUP"]
        elif name == "Logins":
            return {ids.issuer.removeprefix("http://").removeprefix("https://") or "cognito": ids.id_token}
        else:
            keys = ["key", "email", "custom:x"]
        values = {"USERNAME": ids.username, "PASSWORD": ids.password, "NEW_PASSWORD": ids.password,
                  "REFRESH_TOKEN": ids.refresh_token, "SRP_A": "ab" * 32}
        chosen = rnd.sample(keys, k=min(len(keys), rnd.choice((1, 2, 3))))
        return {key: values.get(key, self._plausible_string(key)) for key in chosen}

    def _plausible_string(self, name: str) -> str:
        ids, rnd = self.ids, self.random
        known = {
            "UserPoolId": ids.pool_id, "ClientId": ids.client_id, "Username": ids.username,
            "Password": ids.password, "PreviousPassword": ids.password, "ProposedPassword": ids.password + "x",
            "AccessToken": ids.access_token, "RefreshToken": ids.refresh_token, "Token": ids.refresh_token,
            "IdentityPoolId": ids.identity_pool_id, "IdentityId": ids.identity_id, "GroupName": ids.group,
            "Name": rnd.choice(["email", "name", "custom:x", "phone_number", "sub"]),
            "Value": rnd.choice(["a@example.com", "x", "+12065551234", "true"]),
            "ConfirmationCode": f"{rnd.randrange(10**6):06d}", "Code": f"{rnd.randrange(10**6):06d}",
            "UserCode": f"{rnd.randrange(10**6):06d}", "Session": "s" * rnd.choice((20, 40, 2048)),
            "AttributeName": rnd.choice(["email", "phone_number"]), "Filter": rnd.choice(
                ['email = "a@example.com"', 'email ^= "a"', 'sub = "x"', "garbage", 'status = "Enabled"']),
            "PaginationToken": rnd.choice(["1", "0", "x", "99"]), "NextToken": rnd.choice(["1", "x"]),
            "AccountId": "123456789012", "CustomRoleArn": "arn:aws:iam::123456789012:role/x",
        }
        if name in known:
            return known[name]
        return rnd.choice(["x", "hello", "a@example.com", "123456", ids.username])

    # --- breaking them --------------------------------------------------------------------------------
    def _mutate(self, shape: Any, body: Any) -> tuple[Any, str]:
        rnd = self.random
        if not isinstance(body, dict):
            return body, "(body not an object)"
        roll = rnd.random()
        if roll < 0.08:
            required = list(shape.required_members)
            if required:
                name = rnd.choice(required)
                body.pop(name, None)
                return body, f"drop required {name}"
        if roll < 0.14:
            key = rnd.choice(["Unknown", "__proto__", "", "\ud800", "a" * 1000, "constructor"])
            body[key] = self._hostile_any()
            return body, f"unknown member {key[:20]!r}"
        if roll < 0.18:
            pairs = _Pairs(body.items())
            if pairs:
                name, _ = rnd.choice(pairs)
                pairs.append((name, self._hostile_any()))
            return pairs, "duplicate key"
        # a member anywhere in the tree: choose a path through the shape and replace the value there
        return self._mutate_at(shape, body, "")

    def _mutate_at(self, shape: Any, value: Any, path: str) -> tuple[Any, str]:
        rnd, kind = self.random, shape.type_name
        if kind == "structure" and isinstance(value, dict) and shape.members and rnd.random() < 0.85:
            name = rnd.choice(list(shape.members))
            member = shape.members[name]
            if name not in value:
                value[name] = self._plausible(member, name, 1)
            value[name], label = self._mutate_at(member, value[name], f"{path}.{name}")
            return value, label
        if kind == "list" and isinstance(value, list) and value and rnd.random() < 0.6:
            index = rnd.randrange(len(value))
            value[index], label = self._mutate_at(shape.member, value[index], f"{path}[{index}]")
            return value, label
        if kind == "map" and isinstance(value, dict) and value and rnd.random() < 0.5:
            key = rnd.choice(list(value))
            value[key], label = self._mutate_at(shape.value, value[key], f"{path}.{key}")
            return value, label
        replacement, label = self._hostile_for(shape)
        return replacement, f"{path or '(body)'} = {label}"

    def _hostile_for(self, shape: Any) -> tuple[Any, str]:
        rnd, kind, meta = self.random, shape.type_name, shape.metadata
        if self.soft:
            return self._soft_for(shape)
        roll = rnd.random()
        if roll < 0.25:
            value = self._hostile_any()
            return value, "wrong type " + _short(value)
        if kind == "string":
            options = list(_HOSTILE_STRINGS)
            if meta.get("max"):
                options += ["x" * (meta["max"] + 1), "\U0001f600" * (meta["max"] // 2 + 1)]
            if meta.get("enum"):
                options += [meta["enum"][0].lower(), meta["enum"][0] + " ", "UNKNOWN_VALUE"]
            value = rnd.choice(options)
        elif kind in ("integer", "long", "float", "double", "timestamp"):
            value = rnd.choice(_HOSTILE_NUMBERS + [meta.get("max", 10) + 1, meta.get("min", 0) - 1])
        elif kind == "boolean":
            value = rnd.choice(["true", 0, 1, None, _Raw("True"), []])
        elif kind == "list":
            value = rnd.choice([[], [None], [None, None], [[]], [{}], ["x"] * 1000, [1], [_deep(400, "list")],
                                [self._plausible(shape.member, "", 1), None], [""]])
        elif kind == "map":
            value = rnd.choice([{}, {"": ""}, {"k": None}, {"\ud800": "x"}, {"k": "\ud800"},
                                {str(i): str(i) for i in range(1000)}, {"k": {"a": 1}}, {"k": ["x"]}])
        else:  # structure
            members = list(shape.members)
            value = rnd.choice([{}, {"": None}, {m: None for m in members},
                                {m: self._hostile_any() for m in members[:3]}, _deep(300, "object")])
        return value, _short(value)

    def _soft_for(self, shape: Any) -> tuple[Any, str]:
        """A value of the right JSON type that is still wrong: edge lengths, odd text, out-of-range numbers."""
        rnd, kind, meta = self.random, shape.type_name, shape.metadata
        if kind == "string":
            top = meta.get("max", 64)
            options = [s for s in _HOSTILE_STRINGS if s.encode("utf-8", "surrogatepass").decode("utf-8", "replace") == s
                       and len(s) <= top] + ["x" * top, "x" * max(0, meta.get("min", 1) - 1), "😀" * (top // 2)]
            if meta.get("enum"):
                options += [rnd.choice(meta["enum"]), meta["enum"][-1].lower()]
            value: Any = rnd.choice(options)
        elif kind in ("integer", "long"):
            value = rnd.choice([0, -1, 1, meta.get("max", 10), meta.get("min", 0), 2**31 - 1, -2**31])
        elif kind == "boolean":
            value = rnd.random() < 0.5
        elif kind == "list":
            value = rnd.choice([[], [self._plausible(shape.member, "", 1)] * rnd.choice((1, 2, 60))])
        elif kind == "map":
            value = rnd.choice([{}, {"k": "v"}, {"": ""}, {"email": "x" * 2048}])
        elif kind == "structure":
            value = rnd.choice([{}, self._plausible(shape, "", 1)])
        else:
            value = 0
        return value, "soft " + _short(value)

    def _hostile_any(self) -> Any:
        rnd = self.random
        return rnd.choice([None, True, False, 0, -1, 1.5, "x", "\ud800", [], {}, [None], {"a": None},
                           _Raw("1" + "0" * 5000), _Raw("NaN"), _deep(rnd.choice((50, 900, 1200, 20000)), "list"),
                           _deep(rnd.choice((50, 1100, 3000)), "object"), "a" * 10000])

    def _raw_body(self, shape: Any) -> tuple[bytes, str]:
        rnd = self.random
        valid = _dump(self._plausible(shape, "", 0)).encode()
        options: list[tuple[bytes, str]] = [
            (b"", "empty body"),
            (b"null", "body null"), (b"[]", "body []"), (b'"x"', "body string"), (b"1", "body number"),
            (b"true", "body true"), (valid[: max(1, len(valid) // 2)], "truncated JSON"),
            (valid + b"}", "trailing garbage"), (valid + b" {}", "two documents"),
            (b"\xef\xbb\xbf" + valid, "UTF-8 BOM"), (valid.decode().encode("utf-16"), "UTF-16 body"),
            (b'{"ClientId": "\xff\xfe"}', "invalid UTF-8"), (b'{"ClientId": "\xed\xa0\x80"}', "CESU surrogate bytes"),
            (b"{'ClientId': 'x'}", "single quotes"), (b'{"a": 1, /* c */ "b": 2}', "comment"),
            (b"[" * 1000 + b"]" * 1000, "array nested 1000 deep"), (b'{"a":' * 5000 + b"1" + b"}" * 5000, "object nested 5000 deep"),
            (b"[" * 100000, "100000 unclosed arrays"), (b'{"a":' * 999 + b"1" + b"}" * 999, "object nested 999 deep"),
            (b"1" * 5000, "5000-digit number body"), (b'{"ClientId": ' + b"1" * 5000 + b"}", "5000-digit number member"),
            (b"\x00" * 16, "NUL bytes"), (b"{\"ClientId\": \"\\ud800\"}", "lone surrogate escape"),
            (b'{"ClientId": "\\u00"}', "bad escape"), (b'{"ClientId": "a\nb"}', "raw newline in string"),
            (b"NaN", "body NaN"), (b'{"' + b"k" * 100000 + b'": 1}', "100 kB key"),
        ]
        return rnd.choice(options)

    def _bad_target(self, target: str) -> tuple[str | None, str]:
        rnd = self.random
        service, _, operation = target.partition(".")
        choice = rnd.choice([None, "", service + "." + operation.lower(), target + " ", " " + target,
                             service + ".", "." + operation, service + ".%00",
                             "AWSCognitoIdentityService.SignUp", "AWSCognitoIdentityProviderService.GetId",
                             target + "." + operation, "x" * 5000])
        return choice, f"target {_short(choice)}"


def _short(value: Any) -> str:
    text = _dump(value) if not isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _dump(value: Any) -> str:
    """JSON text for ``value``, with raw literals and duplicate keys as planted (ASCII: surrogates escaped)."""
    if isinstance(value, _Raw):
        return value.text
    if isinstance(value, _Pairs):
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v)}" for k, v in value) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**300:
        return _Raw(str(value)).text
    return json.dumps(value)


# --- sending ------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What the server did with a batch; ``failures`` holds the first few bad ones for the report."""

    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: int = 0
    dropped: int = 0
    hangs: int = 0
    not_cognito_errors: int = 0  # a 4xx whose body is not Cognito's {"__type", "message"}
    error_types: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def record_failure(self, request: Request, problem: str) -> None:
        if len(self.failures) < 20:
            self.failures.append(f"#{request.index} {request.operation} [{request.what}]: {problem}")

    @property
    def clean(self) -> bool:
        return not (self.server_errors or self.dropped or self.hangs or self.not_cognito_errors)


def send_all(host: str, port: int, requests: Iterator[Request], *, timeout: float = 10.0,
             credentials: Any = None) -> Outcome:
    """Send every request on one keep-alive connection (reopened only after ``Connection: close``).

    With ``credentials`` (the engine's), requests are signed as they are sent, so the IAM-authorized
    operations get past the signature check; every tenth one goes unsigned, to hit that check too."""
    from tests._signing import sign_exactly

    outcome = Outcome()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        for request in requests:
            outcome.sent += 1
            headers = request.headers
            if credentials is not None and request.index % 10 != 9:
                headers = sign_exactly(credentials, f"http://{host}:{port}/", request.body, headers)
            try:
                connection.request("POST", "/", body=request.body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except (socket.timeout, TimeoutError):
                outcome.hangs += 1
                outcome.record_failure(request, "no answer within the timeout")
                connection.close()
                continue
            except (http.client.HTTPException, ConnectionError, OSError) as exc:
                outcome.dropped += 1
                outcome.record_failure(request, f"connection dropped: {exc!r}")
                connection.close()
                continue
            status = response.status
            outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
            if status >= 500:
                outcome.server_errors += 1
                outcome.record_failure(request, f"{status} {payload[:200]!r}")
            elif status >= 400:
                name = _cognito_error(payload)
                if name is None:
                    outcome.not_cognito_errors += 1
                    outcome.record_failure(request, f"{status} not a Cognito error: {payload[:200]!r}")
                else:
                    outcome.error_types[name] = outcome.error_types.get(name, 0) + 1
    finally:
        connection.close()
    return outcome


def _cognito_error(payload: bytes) -> str | None:
    """The error's ``__type`` if the body is Cognito's ``{"__type", "message"}``, else None."""
    try:
        body = json.loads(payload)
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("__type"), str) and isinstance(body.get("message"), str):
        return body["__type"]
    return None


def prepare(endpoint: str, pool_id: str, client_id: str, identity_pool_id: str = "",
            username: str = "fuzz@example.com", password: str = "Fuzz-Passw0rd!", *, credentials: Any) -> Ids:
    """A confirmed user with tokens and an identity id in the deployed pool (the client must allow
    ADMIN_USER_PASSWORD_AUTH): the real values the generator plants. ``credentials``: the engine's."""
    import boto3

    idp = boto3.client("cognito-idp", endpoint_url=endpoint, **credentials.boto3_kwargs())
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": username}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    tokens = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": username, "PASSWORD": password})["AuthenticationResult"]
    issuer = f"{endpoint}/{pool_id}"
    identity_id = ""
    if identity_pool_id:
        identity = boto3.client("cognito-identity", endpoint_url=endpoint, **credentials.boto3_kwargs())
        login = {issuer.removeprefix("http://").removeprefix("https://"): tokens["IdToken"]}
        identity_id = identity.get_id(IdentityPoolId=identity_pool_id, Logins=login)["IdentityId"]
    return Ids(pool_id=pool_id, client_id=client_id, username=username, password=password,
               access_token=tokens["AccessToken"], id_token=tokens["IdToken"], refresh_token=tokens["RefreshToken"],
               identity_pool_id=identity_pool_id, identity_id=identity_id, issuer=issuer)
