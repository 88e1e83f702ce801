"""What every operation and rule works with: the store, the clock, the outbox, the signer, the local
credentials, the trigger invokers, the recent activity, and lookups of the deployed pools and clients.

One ``EngineContext`` per engine; operations receive it with the request body. It sits below the rules:
it knows the model and the store, nothing of Cognito's rules.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from amplify_py.local.credentials import LocalCredentials
from amplify_py.local.activity import Activity
from amplify_py.local.errors import resource_not_found
from amplify_py.local.model.oauth import Domain, IdentityProvider, ResourceServer
from amplify_py.local.model.pool import (CLIENT, DOMAIN, GROUP, IDENTITY_POOL, IDP, POOL, RESOURCE_SERVER, Client, Group,
                                         Pool)
from amplify_py.local.outbox import Outbox
from amplify_py.local.signer import Signer
from amplify_py.local.store import Store

__all__ = ["EngineContext", "TriggerInvoker", "LogCallback"]

TriggerInvoker = Callable[[str, Any, dict], dict]
"""``invoker(deployment_id, lambda_config_ref, event) -> returned event``; ``lambda_runtime.TriggerInvoker`` is one."""
LogCallback = Callable[[str, str], None]
"""``on_log(source, line)``: a line for the sandbox console."""
_CLIENT_IP: ContextVar[str | None] = ContextVar("amplify_py_local_client_ip", default=None)


class EngineContext:
    def __init__(self, store: Store, outbox: Outbox, *, region: str, clock: Callable[[], float],
                 trigger_invoker: TriggerInvoker | None, on_log: LogCallback | None = None,
                 credentials: LocalCredentials | None = None) -> None:
        self.store = store
        self.outbox = outbox
        self.region = region
        self.clock = clock
        self.credentials = credentials  # what IAM-authorized requests must be signed with (None: every signed request is refused)
        self.signer = Signer(store)
        self.signer.retire_shared_key([row.physical_id for row in store.resources_of_type(POOL)], now=self.now())
        self.trigger_invoker = trigger_invoker  # the default, for deployments without their own
        self.invokers: dict[str, TriggerInvoker] = {}
        self.on_log = on_log
        self.endpoint = "http://127.0.0.1"
        self._config = _ConfigCache()
        self.on_config_change: Callable[[], None] | None = None  # a worker process rebuilds its trigger runners
        self.activity = Activity()  # the last requests and trigger runs, for the local console
        self.console_token = ""  # the local console's token (LocalEngine sets it); empty: the console is closed
        # Where managed login and the OAuth endpoints are served ("localhost:<port>", over HTTPS); None: not served.
        self.managed_login_domain: str | None = None
        # Identity-provider bridges by ProviderType ("Google", "OIDC", "SAML", ...): how the authorize flow hands a
        # user to an external provider (``rules.federation.FederationBridge``). None registered: such a provider
        # is configured but cannot be reached locally.
        self.federation_bridges: dict[str, Any] = {}

    def invoker_for(self, deployment_id: str) -> TriggerInvoker | None:
        return self.invokers.get(deployment_id, self.trigger_invoker)

    def log(self, source: str, line: str) -> None:
        """A line for the sandbox console (a trigger's failure); dropped when nobody listens."""
        if self.on_log is not None:
            self.on_log(source, line)

    def now(self) -> float:
        return float(self.clock())

    @staticmethod
    def set_client_ip(address: str | None) -> None:
        """The HTTP face records the caller's address for the request it serves (a device's last_ip_used)."""
        _CLIENT_IP.set(address)

    @staticmethod
    def client_ip() -> str | None:
        return _CLIENT_IP.get()

    def issuer(self, pool: Pool) -> str:
        """The tokens' ``iss``: the engine's URL and the pool id, so verifiers find ``/.well-known/jwks.json``."""
        return f"{self.endpoint}/{pool.id}"

    # --- the deployed resources ---------------------------------------------------
    # Pools, clients and groups change only when something is deployed, so they are read and parsed once and
    # kept until the store's configuration generation moves (every deploy moves it, in any process).
    def sync_config(self) -> None:
        """Forget the cached pools, clients and groups if a deploy happened since they were read."""
        generation = self.store.config_generation()
        if generation != self._config.generation:
            self._config = _ConfigCache(generation)
            if self.on_config_change is not None:
                self.on_config_change()

    def pool(self, pool_id: str | None) -> Pool:
        cache = self._config.pools
        key = pool_id or ""
        if key not in cache:
            row = self.store.resource_by_physical(POOL, key)
            cache[key] = Pool(row.physical_id, row.deployment, row.logical_id, row.config) if row else None
        pool = cache[key]
        if pool is None:
            raise resource_not_found(f"User pool {pool_id} does not exist.")
        return pool

    def client(self, client_id: str | None) -> tuple[Pool, Client]:
        cache = self._config.clients
        key = client_id or ""
        if key not in cache:
            row = self.store.resource_by_physical(CLIENT, key)
            cache[key] = Client(row.physical_id, row.deployment, row.logical_id, row.config) if row else None
        client = cache[key]
        if client is None:
            raise resource_not_found(f"User pool client {client_id} does not exist.")
        return self.pool(client.pool_id), client

    def clients(self, pool: Pool) -> list[Client]:
        return [Client(r.physical_id, r.deployment, r.logical_id, r.config)
                for r in self.store.resources_of_type(CLIENT) if r.config["props"].get("UserPoolId") == pool.id]

    def groups(self, pool: Pool) -> dict[str, Group]:
        """The pool's groups by name (a copy: callers may change it)."""
        cache = self._config.groups
        if pool.id not in cache:
            found = {}
            for row in self.store.resources_of_type(GROUP):
                group = Group.from_props(row.config["props"])
                if group.pool_id == pool.id:
                    found[group.name] = group
            cache[pool.id] = found
        return dict(cache[pool.id])

    def domain(self, pool: Pool) -> Domain | None:
        """The pool's UserPoolDomain (None: no managed login for this pool)."""
        return next((d for r in self.store.resources_of_type(DOMAIN)
                     if (d := Domain.from_props(r.config["props"])).pool_id == pool.id), None)

    def resource_servers(self, pool: Pool) -> list[ResourceServer]:
        return [s for r in self.store.resources_of_type(RESOURCE_SERVER)
                if (s := ResourceServer.from_props(r.config["props"])).pool_id == pool.id]

    def identity_providers(self, pool: Pool) -> dict[str, IdentityProvider]:
        """The pool's identity providers by name."""
        return {p.name: p for r in self.store.resources_of_type(IDP)
                if (p := IdentityProvider.from_props(r.config["props"])).pool_id == pool.id}

    def identity_pool(self, identity_pool_id: str | None) -> dict | None:
        """The identity pool's resolved properties (None: no such pool)."""
        cache = self._config.identity_pools
        key = identity_pool_id or ""
        if key not in cache:
            row = self.store.resource_by_physical(IDENTITY_POOL, key)
            cache[key] = row.config["props"] if row else None
        return cache[key]


class _ConfigCache:
    """What one configuration generation of the store holds, parsed (None: looked up, not there)."""

    def __init__(self, generation: int | None = None) -> None:
        self.generation = generation
        self.pools: dict[str, Pool | None] = {}
        self.clients: dict[str, Client | None] = {}
        self.groups: dict[str, dict[str, Group]] = {}
        self.identity_pools: dict[str, dict | None] = {}
