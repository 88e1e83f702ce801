"""``CognitoJwtVerifier``: verify a Cognito user pool's access and ID tokens in a Python backend.

The checks and their order:

1. the token is a well-formed JWT (``JwtParseError``);
2. its ``alg`` is RS256, the only one Cognito uses: ``none`` and HS256 (the "public key
   as HMAC secret" forgery) are refused before any key is looked at;
3. its ``iss`` is the pool's issuer, checked before any download so a token from
   another pool or engine never makes the verifier fetch keys;
4. its ``kid`` names a key in the pool's JWKS (``JwksCache``: cached, fetched again on
   an unknown ``kid``, rate-limited), and that JWK is an RSA signing key for RS256;
5. the RS256 signature (PyJWT's RSA algorithm on ``cryptography``);
6. ``exp``, ``nbf`` and ``iat`` against this machine's clock, with ``grace_seconds``;
7. ``token_use``, then the app client (``aud`` for ID tokens, ``client_id`` for access
   tokens);
8. then authorization: ``scopes`` and ``groups`` (at least one of each list must be
   present), so a token that fails them is otherwise valid (an HTTP 403, not 401);
9. your ``custom_jwt_check``.

aws-jwt-verify checks groups before token use and client ID; here authentication comes
first so that the error a caller sees is the one that matters.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

from amplify_py.verify._jwks import JwksCache, Jwk
from amplify_py.verify._jwt import DecomposedJwt, assert_contains, assert_overlaps, decompose, expectation, is_number
from amplify_py.verify.errors import (
    CognitoJwtInvalidClientIdError,
    CognitoJwtInvalidGroupError,
    CognitoJwtInvalidTokenUseError,
    JwkInvalidKtyError,
    JwkInvalidUseError,
    JwkValidationError,
    JwtExpiredError,
    JwtInvalidClaimError,
    JwtInvalidIssuedAtError,
    JwtInvalidIssuerError,
    JwtInvalidScopeError,
    JwtInvalidSignatureAlgorithmError,
    JwtInvalidSignatureError,
    JwtNotBeforeError,
    JwtWithoutValidKidError,
    ParameterValidationError,
)

__all__ = ["CognitoJwtVerifier", "CustomJwtCheck", "Claims", "TokenUse", "DEFAULT_GRACE_SECONDS"]

Claims = dict[str, Any]
TokenUse = Literal["access", "id"]
CustomJwtCheck = Callable[..., "None | Awaitable[None]"]
"""Called as ``check(header=..., payload=..., jwk=...)`` after every other check passed; raise to reject."""

DEFAULT_GRACE_SECONDS = 5.0
"""Clock skew allowed on ``exp``, ``nbf`` and ``iat``. aws-jwt-verify's default is 0, but it does not check
``iat``; with that check a backend whose clock is a second behind Cognito's would refuse fresh tokens."""

_ALG = "RS256"
_RSA_SHA256 = RSAAlgorithm(RSAAlgorithm.SHA256)
# As aws-jwt-verify's USER_POOL_ID_REGEX: <region>_<id>, e.g. us-east-1_AbC123, us-gov-west-1_x.
_USER_POOL_ID = re.compile(r"^(?P<region>[a-z]{2}-(gov-)?[a-z]+-\d)_[a-zA-Z0-9]+$")
_UNSET: Any = object()


def _iso(seconds: float) -> str:
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return str(seconds)


def _strings(name: str, value: Any, *, allow_none: bool = True) -> tuple[str, ...] | None:
    """A string or a non-empty list of non-empty strings, as a tuple (None stays None)."""
    if value is None:
        if allow_none:
            return None
        raise ParameterValidationError(f"{name} must not be None")
    values = [value] if isinstance(value, str) else value
    if isinstance(values, (list, tuple, set, frozenset)) and values and all(isinstance(v, str) and v for v in values):
        return tuple(values)
    raise ParameterValidationError(
        f"{name} must be a string or a non-empty list of strings, or None to skip the check; got {value!r}"
    )


@dataclass(frozen=True)
class _Options:
    """The verification settings: the verifier's, or the verifier's with one call's overrides."""

    token_use: TokenUse | None
    client_id: tuple[str, ...] | None
    groups: tuple[str, ...] | None
    scopes: tuple[str, ...] | None
    grace_seconds: float
    custom_jwt_check: CustomJwtCheck | None
    include_raw_jwt_in_errors: bool

    @classmethod
    def build(cls, **values: Any) -> "_Options":
        token_use = values["token_use"]
        if token_use not in ("access", "id", None):
            raise ParameterValidationError(
                f"token_use must be 'access', 'id' or None (either), not {token_use!r}",
                resolution="Pass token_use='access' to verify access tokens (what APIs usually receive), "
                "'id' for ID tokens.",
            )
        grace = values["grace_seconds"]
        if not is_number(grace) or grace < 0:
            raise ParameterValidationError(f"grace_seconds must be a number of seconds >= 0, not {grace!r}")
        check = values["custom_jwt_check"]
        if check is not None and not callable(check):
            raise ParameterValidationError(f"custom_jwt_check must be a function, not {check!r}")
        options = cls(
            token_use=token_use,
            client_id=_strings("client_id", values["client_id"]),
            groups=_strings("groups", values["groups"]),
            scopes=_strings("scopes", values["scopes"]),
            grace_seconds=float(grace),
            custom_jwt_check=check,
            include_raw_jwt_in_errors=bool(values["include_raw_jwt_in_errors"]),
        )
        if options.scopes is not None and options.token_use == "id":
            raise ParameterValidationError(
                "scopes can only be checked on access tokens, but token_use is 'id'",
                resolution="Cognito ID tokens have no scope claim: verify access tokens (token_use='access') "
                "to check scopes, or check groups instead.",
            )
        return options

    def override(self, **overrides: Any) -> "_Options":
        changed = {name: value for name, value in overrides.items() if value is not _UNSET}
        if not changed:
            return self
        return _Options.build(**{**self.__dict__, **changed})


def _read_outputs(outputs: str | os.PathLike[str] | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(outputs, Mapping):
        return outputs
    path = Path(outputs)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ParameterValidationError(
            f"{path} does not exist",
            resolution="Pass the path of amplify_outputs.json: `ampy sandbox` writes it for the local engine, "
            "`ampy generate outputs` for a deployed backend.",
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParameterValidationError(
            f"{path} could not be read as JSON: {exc}",
            resolution="Regenerate it with `ampy sandbox --once` or `ampy generate outputs`.",
        ) from exc
    if not isinstance(data, Mapping):
        raise ParameterValidationError(f"{path} is not a JSON object", resolution="Regenerate it with `ampy generate outputs`.")
    return data


class CognitoJwtVerifier:
    """Verifies the access or ID tokens of one Cognito user pool (or the local engine's copy of it).

    Build it once (it keeps the pool's keys) with ``from_outputs`` or from the pool ID:
    ``client_id`` and ``token_use`` are required, as in aws-jwt-verify (pass None to skip
    that check, knowingly). ``region`` defaults to the pool ID's prefix;
    ``user_pool_endpoint`` (the local engine's URL) makes the issuer
    ``<user_pool_endpoint>/<user_pool_id>`` instead of Cognito's. ``groups`` and
    ``scopes``: at least one must be in the token. Every setting but the pool can be
    overridden per call of ``verify``.
    """

    def __init__(
        self,
        user_pool_id: str,
        *,
        client_id: str | Sequence[str] | None,
        token_use: TokenUse | None,
        region: str | None = None,
        user_pool_endpoint: str | None = None,
        groups: str | Sequence[str] | None = None,
        scopes: str | Sequence[str] | None = None,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
        custom_jwt_check: CustomJwtCheck | None = None,
        include_raw_jwt_in_errors: bool = False,
        jwks_cache: JwksCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        match = _USER_POOL_ID.match(user_pool_id) if isinstance(user_pool_id, str) else None
        if match is None:
            raise ParameterValidationError(
                f"Invalid Cognito User Pool ID: {user_pool_id!r}",
                resolution="A user pool ID looks like us-east-1_AbCdEf123 (amplify_outputs.json: auth.user_pool_id).",
            )
        pool_region = match.group("region")
        if region is not None and region != pool_region:
            raise ParameterValidationError(
                f"region {region!r} does not match user pool {user_pool_id}, which is in {pool_region}",
                resolution="Leave region out (it is the pool ID's prefix) or fix it.",
            )
        if user_pool_endpoint is not None:
            if not isinstance(user_pool_endpoint, str) or not re.match(r"^https?://[^/\s]+", user_pool_endpoint):
                raise ParameterValidationError(
                    f"user_pool_endpoint must be an http(s) URL such as http://127.0.0.1:9325, not {user_pool_endpoint!r}",
                    resolution="Use custom.local_engine.user_pool_endpoint from amplify_outputs.json, or leave it "
                    "out to verify tokens from Cognito.",
                )
            self.issuer = f"{user_pool_endpoint.rstrip('/')}/{user_pool_id}"
        else:
            self.issuer = f"https://cognito-idp.{pool_region}.amazonaws.com/{user_pool_id}"
        self.user_pool_id = user_pool_id
        self.region = pool_region
        self.jwks_uri = f"{self.issuer}/.well-known/jwks.json"
        self.jwks_cache = jwks_cache if jwks_cache is not None else JwksCache()
        self._options = _Options.build(
            token_use=token_use, client_id=client_id, groups=groups, scopes=scopes, grace_seconds=grace_seconds,
            custom_jwt_check=custom_jwt_check, include_raw_jwt_in_errors=include_raw_jwt_in_errors,
        )
        self._clock = clock
        self._keys: dict[str, tuple[Jwk, RSAPublicKey]] = {}

    @classmethod
    def from_outputs(
        cls,
        outputs: str | os.PathLike[str] | Mapping[str, Any],
        *,
        token_use: TokenUse | None,
        client_id: str | Sequence[str] | None = _UNSET,
        **options: Any,
    ) -> "CognitoJwtVerifier":
        """A verifier for the backend an amplify_outputs.json (a path or its parsed dict) describes.

        The pool and app client come from ``auth``; when the outputs carry
        ``custom.local_engine.user_pool_endpoint`` (``ampy sandbox`` writes it), tokens
        are expected from the local engine, otherwise from Cognito. ``client_id``
        defaults to ``auth.user_pool_client_id``; other keywords as the constructor.
        """
        data = _read_outputs(outputs)
        auth = data.get("auth")
        if not isinstance(auth, Mapping) or not auth.get("user_pool_id"):
            raise ParameterValidationError(
                "amplify_outputs.json has no auth.user_pool_id",
                resolution="Add auth to your backend (define_backend(auth=define_auth(...))) and regenerate "
                "amplify_outputs.json with `ampy sandbox` or `ampy generate outputs`.",
            )
        if client_id is _UNSET:
            client_id = auth.get("user_pool_client_id")
            if not client_id:
                raise ParameterValidationError(
                    "amplify_outputs.json has no auth.user_pool_client_id",
                    resolution="Pass client_id=... (or None to accept tokens of every app client).",
                )
        local = data.get("custom", {}).get("local_engine") if isinstance(data.get("custom"), Mapping) else None
        endpoint = local.get("user_pool_endpoint") if isinstance(local, Mapping) else None
        return cls(
            str(auth["user_pool_id"]), client_id=client_id, token_use=token_use,
            region=auth.get("aws_region") or None, user_pool_endpoint=endpoint or None, **options,
        )

    def __repr__(self) -> str:
        return f"CognitoJwtVerifier(issuer={self.issuer!r}, token_use={self._options.token_use!r})"

    @property
    def token_use(self) -> TokenUse | None:
        return self._options.token_use

    # --- keys ---------------------------------------------------------------
    def cache_jwks(self, jwks: dict[str, Any]) -> None:
        """Load the pool's JWKS yourself (no download on first verify); ``{"keys": []}`` clears it."""
        self.jwks_cache.add_jwks(self.jwks_uri, jwks)

    def hydrate(self) -> None:
        """Download the pool's JWKS now (at start-up), so the first request does not wait for it."""
        self.jwks_cache.get_jwks(self.jwks_uri)

    async def hydrate_async(self) -> None:
        await self.jwks_cache.get_jwks_async(self.jwks_uri)

    # --- verify -------------------------------------------------------------
    def verify(
        self,
        token: str,
        *,
        token_use: TokenUse | None = _UNSET,
        client_id: str | Sequence[str] | None = _UNSET,
        groups: str | Sequence[str] | None = _UNSET,
        scopes: str | Sequence[str] | None = _UNSET,
        grace_seconds: float = _UNSET,
        custom_jwt_check: CustomJwtCheck | None = _UNSET,
        include_raw_jwt_in_errors: bool = _UNSET,
    ) -> Claims:
        """The token's claims if it passes every check, else a ``JwtVerificationError``.

        Downloads the JWKS (blocking) when the token's key is not cached; in async code
        use ``verify_async``. A ``custom_jwt_check`` must be a plain function here.
        """
        options = self._options.override(
            token_use=token_use, client_id=client_id, groups=groups, scopes=scopes, grace_seconds=grace_seconds,
            custom_jwt_check=custom_jwt_check, include_raw_jwt_in_errors=include_raw_jwt_in_errors,
        )
        jwt, kid = self._before_keys(token)
        jwk = self.jwks_cache.get_jwk(self.jwks_uri, kid)
        self._check_signature(jwt, kid, jwk)
        try:
            self._check_claims(jwt.payload, options)
            if options.custom_jwt_check is not None:
                result = options.custom_jwt_check(header=jwt.header, payload=jwt.payload, jwk=jwk)
                if inspect.isawaitable(result):
                    if inspect.iscoroutine(result):
                        result.close()
                    raise ParameterValidationError(
                        "custom_jwt_check must be synchronous with verify(), but it returned an awaitable",
                        resolution="Call verify_async() to use an async check, or make the check a plain function.",
                    )
        except JwtInvalidClaimError as exc:
            raise self._with_raw(exc, jwt, options) from None
        return jwt.payload

    async def verify_async(
        self,
        token: str,
        *,
        token_use: TokenUse | None = _UNSET,
        client_id: str | Sequence[str] | None = _UNSET,
        groups: str | Sequence[str] | None = _UNSET,
        scopes: str | Sequence[str] | None = _UNSET,
        grace_seconds: float = _UNSET,
        custom_jwt_check: CustomJwtCheck | None = _UNSET,
        include_raw_jwt_in_errors: bool = _UNSET,
    ) -> Claims:
        """``verify`` for async code: the JWKS download does not block the loop; the check may be async."""
        options = self._options.override(
            token_use=token_use, client_id=client_id, groups=groups, scopes=scopes, grace_seconds=grace_seconds,
            custom_jwt_check=custom_jwt_check, include_raw_jwt_in_errors=include_raw_jwt_in_errors,
        )
        jwt, kid = self._before_keys(token)
        jwk = await self.jwks_cache.get_jwk_async(self.jwks_uri, kid)
        self._check_signature(jwt, kid, jwk)
        try:
            self._check_claims(jwt.payload, options)
            if options.custom_jwt_check is not None:
                result = options.custom_jwt_check(header=jwt.header, payload=jwt.payload, jwk=jwk)
                if inspect.isawaitable(result):
                    await result
        except JwtInvalidClaimError as exc:
            raise self._with_raw(exc, jwt, options) from None
        return jwt.payload

    @staticmethod
    def _with_raw(exc: JwtInvalidClaimError, jwt: DecomposedJwt, options: _Options) -> JwtInvalidClaimError:
        if options.include_raw_jwt_in_errors:
            exc.with_raw_jwt(jwt.header, jwt.payload)
        return exc

    # --- the checks ---------------------------------------------------------
    def _before_keys(self, token: str) -> tuple[DecomposedJwt, str]:
        """Everything that needs no key: parse, alg, issuer, kid."""
        jwt = decompose(token)
        alg = jwt.header.get("alg")
        if not alg:
            raise JwtInvalidSignatureAlgorithmError(f"Missing JWT signature algorithm. Expected: {_ALG}", alg, _ALG)
        if alg != _ALG:
            raise JwtInvalidSignatureAlgorithmError(f"JWT signature algorithm not allowed: {alg}. Expected: {_ALG}", alg, _ALG)
        self._check_issuer(jwt.payload.get("iss"))
        kid = jwt.header.get("kid")
        if not kid:
            raise JwtWithoutValidKidError("JWT header does not have valid kid claim")
        return jwt, kid

    def _check_issuer(self, iss: Any) -> None:
        if iss == self.issuer:
            return
        resolution = None
        if isinstance(iss, str) and iss.rsplit("/", 1)[-1] == self.user_pool_id:
            resolution = (
                f"The token is from user pool {self.user_pool_id}, but issued by {iss.rsplit('/', 1)[0]} while this "
                f"verifier trusts {self.issuer.rsplit('/', 1)[0]}: "
                + (
                    "a token from the local engine sent to a verifier for Cognito. Build the verifier from the "
                    "amplify_outputs.json `ampy sandbox` wrote (it has custom.local_engine)."
                    if self.issuer.startswith("https://cognito-idp.")
                    else "the engine now runs elsewhere (another port?) or the token is from Cognito. Rebuild the "
                    "verifier from the current amplify_outputs.json, and sign in again against it."
                )
            )
        if not iss:
            raise JwtInvalidIssuerError(f"Missing Issuer. Expected: {self.issuer}", iss, self.issuer, resolution=resolution)
        raise JwtInvalidIssuerError(
            f"Issuer not allowed: {iss}. Expected: {self.issuer}", iss, self.issuer, resolution=resolution
        )

    def _check_signature(self, jwt: DecomposedJwt, kid: str, jwk: Jwk) -> None:
        if jwk.get("kty") != "RSA":
            raise JwkInvalidKtyError(f"JWK kty not allowed: {jwk.get('kty')}. Expected: RSA", jwk.get("kty"), "RSA")
        if "use" in jwk and jwk["use"] != "sig":
            raise JwkInvalidUseError(f"JWK use not allowed: {jwk['use']}. Expected: sig", jwk["use"], "sig")
        if "alg" in jwk and jwk["alg"] != jwt.header["alg"]:
            raise JwtInvalidSignatureAlgorithmError(
                f"JWT signature algorithm not allowed: {jwt.header['alg']}. Expected: {jwk['alg']} (the alg of JWK {kid})",
                jwt.header["alg"], jwk["alg"],
            )
        if not jwk.get("n"):
            raise JwkValidationError("Missing modulus (n)")
        if not jwk.get("e"):
            raise JwkValidationError("Missing exponent (e)")
        cached = self._keys.get(kid)
        if cached is not None and cached[0] is jwk:
            key = cached[1]
        else:
            try:
                key = RSAAlgorithm.from_jwk(jwk)
            except (InvalidKeyError, ValueError, TypeError) as exc:
                raise JwkValidationError(f"JWK {kid} is not a valid RSA public key: {exc}") from exc
            if not isinstance(key, RSAPublicKey):
                raise JwkValidationError(f"JWK {kid} is a private key; a JWKS publishes public keys only")
            self._keys[kid] = (jwk, key)
        if not _RSA_SHA256.verify(jwt.signing_input, key, jwt.signature):
            raise JwtInvalidSignatureError("Invalid signature")

    def _check_claims(self, payload: Claims, options: _Options) -> None:
        now = self._clock()
        grace = options.grace_seconds
        exp = payload.get("exp")
        if exp is None:
            raise JwtInvalidClaimError("Missing Expiration (exp); Cognito tokens always carry one", None, None)
        if now >= exp + grace:  # RFC 7519 4.1.4: valid only before exp
            raise JwtExpiredError(f"Token expired at {_iso(exp)}", exp, None)
        nbf = payload.get("nbf")
        if nbf is not None and nbf - grace > now:
            raise JwtNotBeforeError(f"Token can't be used before {_iso(nbf)}", nbf, None)
        iat = payload.get("iat")
        if iat is None:
            raise JwtInvalidIssuedAtError("Missing Issued at (iat); Cognito tokens always carry one", None, None)
        if iat - grace > now:
            raise JwtInvalidIssuedAtError(f"Token issued in the future: iat is {_iso(iat)}", iat, None)

        token_use = payload.get("token_use")
        assert_contains("Token use", token_use, ("id", "access"), CognitoJwtInvalidTokenUseError)
        if options.token_use is not None and token_use != options.token_use:
            given, wanted = ("an ID", "an access") if token_use == "id" else ("an access", "an ID")
            attribute = "access_token" if options.token_use == "access" else "id_token"
            raise CognitoJwtInvalidTokenUseError(
                f"Token use not allowed: {token_use}. {expectation(options.token_use)}",
                token_use, options.token_use,
                resolution=f"This is {given} token, but the verifier accepts {wanted} token only: send "
                f"tokens.{attribute} (Amplify JS: tokens.{'accessToken' if attribute == 'access_token' else 'idToken'}), "
                f"or build the verifier with token_use={token_use!r}.",
            )
        if options.client_id is not None:
            if token_use == "id":
                assert_contains('Client ID ("audience")', payload.get("aud"), options.client_id, CognitoJwtInvalidClientIdError)
            else:
                assert_contains("Client ID", payload.get("client_id"), options.client_id, CognitoJwtInvalidClientIdError)

        if options.scopes is not None:
            scope = payload.get("scope")
            assert_overlaps("Scope", scope.split() if isinstance(scope, str) else scope, options.scopes, JwtInvalidScopeError)
        if options.groups is not None:
            assert_overlaps("Cognito group", payload.get("cognito:groups"), options.groups, CognitoJwtInvalidGroupError)
