"""``define_backend``: the app's backend, owning its CDK App and stack (built lazily).

``backend.auth.resources`` exposes the auth construct's resources as Amplify does;
touching it (or calling ``synth``) builds the CDK app, which starts the jsii runtime.

The backend's identity (which sandbox or branch it is deployed as) comes from the loader
(``backend_settings(backend_id=...)``) or from Amplify's CDK context keys; define_auth derives
the hosted UI domain prefix from it. Secrets resolve through the resolver given to
``define_backend``, else the loader's (the sandbox's secret store), else ``AMPY_SECRET_<NAME>``.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amplify_py.backend.identifier import BackendIdentifier
from amplify_py.backend.secret import resolve_secret_from_env
from amplify_py.errors import AmpyUserError

if TYPE_CHECKING:  # pragma: no cover
    from aws_cdk import App, Stack

    from amplify_py.backend.auth import AuthDefinition
    from amplify_py.backend.auth.construct import AmplifyAuth

__all__ = ["Backend", "define_backend", "backend_settings", "DEFAULT_STACK_NAME"]

DEFAULT_STACK_NAME = "amplify-backend"

# Settings for backends created while a loader imports the user's backend.py (see backend_settings).
_pending: dict[str, Any] = {}


@contextlib.contextmanager
def backend_settings(
    *,
    stack_name: str | None = None,
    outdir: Path | str | None = None,
    context: dict[str, Any] | None = None,
    validate: bool | None = None,
    backend_id: BackendIdentifier | None = None,
    resolve_secret: Callable[[str], Any] | None = None,
) -> Iterator[None]:
    """Apply these settings to every ``define_backend()`` called inside the block.

    The loader wraps the import of ``amplify/backend.py`` in it, so the stack already has
    its final name when the user's escape hatches (``backend.auth.resources...``) build the app.
    """
    previous = dict(_pending)
    _pending.clear()
    given = {"stack_name": stack_name, "outdir": outdir, "context": context, "validate": validate,
             "backend_id": backend_id, "resolve_secret": resolve_secret}
    _pending.update({k: v for k, v in given.items() if v is not None})
    try:
        yield
    finally:
        _pending.clear()
        _pending.update(previous)


class Backend:
    """All resources of the app. One CDK stack; the auth construct has the id ``amplifyAuth``."""

    def __init__(
        self,
        *,
        auth: "AuthDefinition | None" = None,
        resolve_secret: Callable[[str], Any] | None = None,
    ) -> None:
        self._auth_definition = auth
        self._own_resolver = resolve_secret is not None
        self.resolve_secret: Callable[[str], Any] = resolve_secret or resolve_secret_from_env
        self._backend_id: BackendIdentifier | None = None
        self.stack_name = DEFAULT_STACK_NAME
        self._app: App | None = None
        self._stack: Stack | None = None
        self._auth: AmplifyAuth | None = None
        self._context: dict[str, Any] = {}
        self._outdir: str | None = None
        self._validate = False
        if _pending:
            self.configure(**_pending)

    # -- building ---------------------------------------------------------------------------------

    def configure(
        self,
        *,
        stack_name: str | None = None,
        outdir: Path | str | None = None,
        context: dict[str, Any] | None = None,
        validate: bool | None = None,
        backend_id: BackendIdentifier | None = None,
        resolve_secret: Callable[[str], Any] | None = None,
    ) -> "Backend":
        """Set stack name, CDK output dir, context, validation and identity before the app is built (the loader calls this).

        ``backend_id`` also goes into the CDK context under Amplify's keys. ``resolve_secret``
        applies only when ``define_backend`` was given none.

        ``validate`` turns on aws-cdk-lib's built-in CloudFormation schema validation at synth
        (off by default: it costs about 1.2 s per synth; our construct's output is checked with
        cfn-lint in the test suite).
        """
        if self._app is not None:
            raise AmpyUserError(
                "BackendAlreadyBuiltError",
                "The backend's CDK app was already built (backend.auth.resources was used), it cannot be reconfigured.",
                "Create a new backend (re-import amplify/backend.py) to synthesize with other settings.",
            )
        if stack_name:
            self.stack_name = stack_name
        if outdir is not None:
            self._outdir = str(outdir)
        if context:
            self._context.update(context)
        if validate is not None:
            self._validate = validate
        if backend_id is not None:
            self._backend_id = backend_id
            self._context.update(backend_id.to_context())
        if resolve_secret is not None and not self._own_resolver:
            self.resolve_secret = resolve_secret
        return self

    def _build(self) -> None:
        if self._app is not None:
            return
        from amplify_py._node import ensure_jsii_node

        ensure_jsii_node()
        from aws_cdk import App, Stack

        kwargs: dict[str, Any] = {"builtin_cloud_formation_validation": self._validate}
        if self._context:
            kwargs["context"] = dict(self._context)
        if self._outdir:
            kwargs["outdir"] = self._outdir
        self._app = App(**kwargs)
        self._stack = Stack(self._app, self.stack_name)
        if self._backend_id is None:  # e.g. `cdk synth -c amplify-backend-namespace=... ...`
            self._backend_id = BackendIdentifier.from_context(self._app.node.try_get_context)
        if self._auth_definition is not None:
            self._auth = self._auth_definition.build(
                self._stack, resolve_secret=self.resolve_secret, backend_id=self._backend_id
            )

    @property
    def backend_id(self) -> BackendIdentifier | None:
        """Which sandbox or branch this backend is synthesized as (None when nothing said so).

        Before the app is built, only what the loader set; after, also what CDK context says.
        """
        return self._backend_id

    @property
    def app(self) -> "App":
        self._build()
        assert self._app is not None
        return self._app

    @property
    def stack(self) -> "Stack":
        self._build()
        assert self._stack is not None
        return self._stack

    @property
    def auth(self) -> "AmplifyAuth":
        """The ``AmplifyAuth`` construct; ``backend.auth.resources`` as in Amplify."""
        self._build()
        if self._auth is None:
            raise AmpyUserError(
                "NoAuthDefinedError",
                "This backend has no auth resource.",
                "Pass auth=define_auth(...) to define_backend().",
            )
        return self._auth

    # -- synthesizing -----------------------------------------------------------------------------

    def synth(self, stack_name: str | None = None, outdir: Path | None = None) -> dict[str, Any]:
        """Synthesize and return the stack's CloudFormation template; with ``outdir``, the cloud assembly goes there."""
        if self._app is None:
            self.configure(stack_name=stack_name, outdir=outdir)
        elif stack_name and stack_name != self.stack_name:
            raise AmpyUserError(
                "BackendAlreadyBuiltError",
                f"The backend was already built as stack {self.stack_name!r}, not {stack_name!r}.",
                "Synthesize a freshly imported backend to use another stack name.",
            )
        assembly = self.app.synth()
        if outdir is not None and Path(assembly.directory).resolve() != Path(outdir).resolve():
            shutil.copytree(assembly.directory, outdir, dirs_exist_ok=True)
        artifact = assembly.get_stack_artifact(self.stack.artifact_id)
        template = artifact.template
        if not isinstance(template, dict):  # jsii may hand back a mapping proxy
            template = json.loads(json.dumps(template))
        return template


def define_backend(
    *, auth: "AuthDefinition | None" = None, resolve_secret: Callable[[str], Any] | None = None
) -> Backend:
    """Amplify's ``defineBackend``: collect the resources of the app.

    ``resolve_secret(name)`` overrides where ``secret("NAME")`` values come from.
    """
    from amplify_py.backend.auth import AuthDefinition

    if auth is not None and not isinstance(auth, AuthDefinition):
        raise AmpyUserError(
            "InvalidBackendDefinitionError",
            f"define_backend(auth=...) expects the result of define_auth(...), got {type(auth).__name__}.",
            "Pass auth=define_auth(...) (e.g. `from amplify.auth.resource import auth`).",
        )
    return Backend(auth=auth, resolve_secret=resolve_secret)
