"""The trigger runners of a ``LocalEngine``: which invoker runs each deployment's triggers, built from its cloud
assembly or given, rebuilt after a restart (a mixin of ``LocalEngine``, kept here so that class stays small)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_py.local.context import EngineContext, TriggerInvoker

if TYPE_CHECKING:
    from amplify_py.local.credentials import LocalCredentials
    from amplify_py.local.store import Store

__all__ = ["TriggerRunners", "TRIGGERS_KEY"]

TRIGGERS_KEY = "triggers:"
"""The meta key (plus the deployment id) of a deployment whose functions the engine runs from its assembly."""
_IN_PROCESS_INVOKER = ("a multi-process engine runs triggers from a cloud assembly only (deploy(..., assembly_dir=...)); "
                       "use workers=1 for an invoker in this process")
_TRIGGERS_KEY = TRIGGERS_KEY


class TriggerRunners:
    """Needs the engine's ``context``, ``_store``, ``region``, ``workers``, ``endpoint``, ``_port`` and
    ``credentials`` (what the functions sign their calls to the engine with)."""

    context: EngineContext
    _store: "Store"
    region: str
    credentials: "LocalCredentials"
    workers: int
    _port: int | None

    endpoint: str

    def set_trigger_invoker(self, deployment_id: str, invoker: TriggerInvoker | None) -> None:
        """Run this deployment's triggers with ``invoker`` (None: the constructor's); the engine closes a replaced one."""
        self._set_invoker(deployment_id, invoker, built=False)

    def _set_invoker(self, deployment_id: str, invoker: TriggerInvoker | None, *, built: bool) -> None:
        if invoker is not None and not built and self.workers > 1:
            raise ValueError(_IN_PROCESS_INVOKER)
        previous = self.context.invokers.pop(deployment_id, None)
        if invoker is not None:
            self.context.invokers[deployment_id] = invoker
        if previous is not None and previous is not invoker:
            _close(previous)

    def trigger_invoker(self, deployment_id: str) -> TriggerInvoker | None:
        """The invoker that runs this deployment's triggers."""
        return self.context.invoker_for(deployment_id)

    def _invoker_from_template(self, deployment_id: str, template: dict, assembly_dir: Path,
                               physical_ids: dict[str, str]) -> TriggerInvoker:
        from amplify_py.local.trigger_functions import invoker_for_template

        existing = self.context.invokers.get(deployment_id)
        return invoker_for_template(
            template, assembly_dir, physical_ids=physical_ids, region=self.region,
            stack_name=deployment_id, on_log=self.context.on_log,
            existing=existing if hasattr(existing, "update") else None,  # type: ignore[arg-type]
            endpoint=self._serving_endpoint, credentials=self.credentials.environment(),
        )

    def _serving_endpoint(self) -> str | None:
        """Where the functions' AWS SDKs reach this engine; None until ``start`` (read at each worker start)."""
        return self.endpoint if self._port is not None else None

    def restore_triggers(self) -> list[str]:
        """Rebuild the trigger invokers of deployments deployed with an ``assembly_dir`` (after a restart; each
        worker of a multi-process engine builds its own as well)."""
        restored = []
        for deployment_id in self._store.deployments():
            if deployment_id in self.context.invokers:
                continue
            saved = self._store.get_meta(_TRIGGERS_KEY + deployment_id)
            if saved is None:
                continue
            data = json.loads(saved)
            physical_ids = {row.logical_id: row.physical_id for row in self._store.resources(deployment_id)}
            self._set_invoker(deployment_id, self._invoker_from_template(
                deployment_id, data["template"], Path(data["assembly_dir"]), physical_ids), built=True)
            restored.append(deployment_id)
        return restored



def _close(invoker: object) -> None:
    close = getattr(invoker, "close", None)
    if callable(close):
        close()
