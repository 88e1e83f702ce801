"""The JWKS cache: download a user pool's signing keys once, again only when a new key appears.

As aws-jwt-verify's ``SimpleJwksCache``: the JWKS of each URI is downloaded on first
use and kept in memory; a token whose ``kid`` is not in it makes the cache download
the JWKS again (that is how key rotation is picked up). A download that still lacks
the ``kid`` starts a wait period (``penalty_seconds``, 10 s as aws-jwt-verify's
``SimplePenaltyBox``) during which tokens with unknown ``kid`` values are refused at
once, so a flood of forged ``kid`` values costs the JWKS endpoint one request per
period; tokens with known ``kid`` values keep verifying. Concurrent misses share one
download (threads through a lock, coroutines through one task per event loop).

Each download has one immediate retry on a network error, none on a non-200 answer.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from amplify_py.verify.errors import (
    FetchError,
    JwksValidationError,
    KidNotFoundInJwksError,
    NonRetryableFetchError,
    WaitPeriodNotYetEndedJwkError,
)

__all__ = ["JwksCache", "Jwk", "Jwks", "DEFAULT_PENALTY_SECONDS", "DEFAULT_FETCH_TIMEOUT"]

Jwk = dict[str, Any]
Jwks = dict[str, Any]

DEFAULT_PENALTY_SECONDS = 10.0
DEFAULT_FETCH_TIMEOUT = 3.0

# RFC 7517/7518 members that must be strings when present (as aws-jwt-verify checks them).
_STRING_MEMBERS = ("use", "alg", "kid", "n", "e", "x", "y", "crv")


@dataclass
class _Entry:
    """What the cache knows about one JWKS URI."""

    jwks: Jwks | None = None
    generation: int = 0  # bumped on every store: a waiter that sees it change knows a download happened
    penalty_until: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    task: asyncio.Task[None] | None = None


def _find(jwks: Jwks | None, kid: str) -> Jwk | None:
    if jwks is None:
        return None
    for jwk in jwks["keys"]:
        if jwk.get("kid") == kid:
            return jwk
    return None


def parse_jwks(uri: str, data: Any) -> Jwks:
    """Check that ``data`` is a JWKS (an object with a ``keys`` array of JWK objects); return a private copy."""
    if not isinstance(data, dict):
        raise JwksValidationError(f"JWKS at {uri} should be an object")
    if "keys" not in data:
        raise JwksValidationError(f"JWKS at {uri} does not include keys")
    keys = data["keys"]
    if not isinstance(keys, list):
        raise JwksValidationError(f"JWKS keys at {uri} should be an array")
    copies = []
    for index, jwk in enumerate(keys):
        if not isinstance(jwk, dict):
            raise JwksValidationError(f"JWK #{index} at {uri} should be an object")
        if not isinstance(jwk.get("kty"), str):
            raise JwksValidationError(f"JWK #{index} at {uri}: kty should be a string")
        for member in _STRING_MEMBERS:
            if member in jwk and not isinstance(jwk[member], str):
                raise JwksValidationError(f"JWK #{index} at {uri}: {member} should be a string")
        copies.append(dict(jwk))
    return {**data, "keys": copies}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class JwksCache:
    """Downloads and keeps JWKS documents by URI; share one between verifiers to share downloads.

    ``transport`` / ``async_transport`` are httpx transports for the sync and async
    downloads (``httpx.MockTransport`` serves both, for tests); ``timeout`` is httpx's
    per-operation timeout in seconds; ``clock`` measures the wait period (monotonic).
    """

    def __init__(
        self,
        *,
        penalty_seconds: float = DEFAULT_PENALTY_SECONDS,
        timeout: float = DEFAULT_FETCH_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.penalty_seconds = float(penalty_seconds)
        self.timeout = float(timeout)
        self._transport = transport
        if async_transport is None and isinstance(transport, httpx.AsyncBaseTransport):
            async_transport = transport
        self._async_transport = async_transport
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._entries_lock = threading.Lock()

    @staticmethod
    def _verify(transport: object) -> ssl.SSLContext | bool:
        return True if transport is not None else _tls_context()  # a given transport does its own TLS (or none)

    # --- the cache ----------------------------------------------------------
    def _entry(self, uri: str) -> _Entry:
        entry = self._entries.get(uri)
        if entry is None:
            with self._entries_lock:
                entry = self._entries.setdefault(uri, _Entry())
        return entry

    def add_jwks(self, uri: str, jwks: Jwks) -> None:
        """Put a JWKS you already have in the cache (e.g. with no network); ``{"keys": []}`` empties it."""
        self._store(self._entry(uri), parse_jwks(uri, jwks))

    def cached_jwks(self, uri: str) -> Jwks | None:
        """The JWKS held for ``uri``, or None before the first download."""
        return self._entry(uri).jwks

    def _store(self, entry: _Entry, jwks: Jwks) -> None:
        entry.jwks = jwks  # set before the generation: a reader that sees the new generation sees the new keys
        entry.generation += 1

    def _check_wait_period(self, entry: _Entry, uri: str, kid: str) -> None:
        if entry.penalty_until is not None and self._clock() < entry.penalty_until:
            raise WaitPeriodNotYetEndedJwkError(
                f'JWK for kid "{kid}" is not in the cached JWKS, and the JWKS at {uri} was downloaded moments ago '
                "without it: not allowed to fetch JWKS yet, still waiting for back off period to end"
            )

    def _pick(self, entry: _Entry, uri: str, kid: str) -> Jwk:
        """The JWK for ``kid`` after a download; a miss starts the wait period, a hit ends it."""
        jwk = _find(entry.jwks, kid)
        if jwk is None:
            entry.penalty_until = self._clock() + self.penalty_seconds
            raise KidNotFoundInJwksError(f'JWK for kid "{kid}" not found in the JWKS at {uri}')
        entry.penalty_until = None
        return jwk

    # --- sync ---------------------------------------------------------------
    def get_jwk(self, uri: str, kid: str) -> Jwk:
        """The JWK for ``kid``: from the cache, else from a fresh download (key rotation)."""
        entry = self._entry(uri)
        generation = entry.generation  # read before the lookup (see _store)
        jwk = _find(entry.jwks, kid)
        if jwk is not None:
            return jwk
        with entry.lock:
            if entry.generation == generation:  # nobody downloaded while we waited for the lock
                self._check_wait_period(entry, uri, kid)
                self._store(entry, self._download(uri))
        return self._pick(entry, uri, kid)

    def get_jwks(self, uri: str) -> Jwks:
        """Download the JWKS now (whatever is cached) and keep it: ``hydrate`` at start-up."""
        entry = self._entry(uri)
        with entry.lock:
            jwks = self._download(uri)
            self._store(entry, jwks)
        return jwks

    def _download(self, uri: str) -> Jwks:
        for attempt in (1, 2):
            try:
                with httpx.Client(transport=self._transport, verify=self._verify(self._transport),
                                  timeout=self.timeout) as client:
                    response = client.get(uri, headers={"Accept": "application/json"})
            except httpx.TransportError as exc:
                if attempt == 2:
                    raise FetchError(uri, _describe(exc)) from exc
                continue
            return self._parse_response(uri, response)
        raise AssertionError("unreachable")

    # --- async --------------------------------------------------------------
    async def get_jwk_async(self, uri: str, kid: str) -> Jwk:
        """``get_jwk`` without blocking the event loop; concurrent misses on one loop share a download."""
        entry = self._entry(uri)
        jwk = _find(entry.jwks, kid)
        if jwk is not None:
            return jwk
        loop = asyncio.get_running_loop()
        task = entry.task
        if task is None or task.done() or task.get_loop() is not loop:
            self._check_wait_period(entry, uri, kid)
            task = loop.create_task(self._download_and_store_async(entry, uri))
            entry.task = task
        # shield: a cancelled request (client gone) must not cancel the download others wait for
        await asyncio.shield(task)
        return self._pick(entry, uri, kid)

    async def get_jwks_async(self, uri: str) -> Jwks:
        """``get_jwks`` without blocking the event loop."""
        entry = self._entry(uri)
        await self._download_and_store_async(entry, uri)
        assert entry.jwks is not None
        return entry.jwks

    async def _download_and_store_async(self, entry: _Entry, uri: str) -> None:
        for attempt in (1, 2):
            try:
                async with httpx.AsyncClient(transport=self._async_transport,
                                             verify=self._verify(self._async_transport), timeout=self.timeout) as client:
                    response = await client.get(uri, headers={"Accept": "application/json"})
            except httpx.TransportError as exc:
                if attempt == 2:
                    raise FetchError(uri, _describe(exc)) from exc
                continue
            self._store(entry, self._parse_response(uri, response))
            return

    # --- shared -------------------------------------------------------------
    def _parse_response(self, uri: str, response: httpx.Response) -> Jwks:
        if response.status_code != 200:
            raise NonRetryableFetchError(uri, f"Status code is {response.status_code}, expected 200")
        try:
            data = json.loads(response.content.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError) as exc:
            raise JwksValidationError(f"JWKS at {uri} could not be parsed as JSON: {exc}") from exc
        return parse_jwks(uri, data)


_tls: ssl.SSLContext | None = None
_tls_lock = threading.Lock()


def _tls_context() -> ssl.SSLContext:
    """One TLS context for every download in the process: httpx builds one per client otherwise (~0.1 s each)."""
    global _tls
    if _tls is None:
        with _tls_lock:
            if _tls is None:
                _tls = httpx.create_ssl_context()
    return _tls


def _describe(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return f"time-out: {text}"
    return text
