"""Load ``<project>/amplify/backend.py`` and synthesize its CloudFormation template.

The project root goes first on ``sys.path`` (so ``from amplify.auth.resource import auth``
works) and previously imported ``amplify``/``amplify.*`` modules are purged first, so a
re-synth in the same process (the sandbox's watch mode) sees the user's edits.

Stack name for ``ampy synth``: ``amplify-<project folder>`` (lowercased, characters outside
``[a-z0-9-]`` replaced by ``-``), stable for a folder. The sandbox passes its own name.

A synthesizer made with a ``backend_id`` (the sandbox's or branch's identity) gives the backend
that identity (define_auth derives the hosted UI domain prefix from it); with ``secrets`` (a
sandbox's secret store), ``secret("NAME")`` is looked up there first, then in ``AMPY_SECRET_<NAME>``.

Whose error is it? An exception that escapes loading or synthesizing is classified by where it was
raised: innermost in the user's ``amplify/`` files, or a CDK (jsii) error from synthesizing the
final app (the CDK validating the configuration, escape hatches included), it is the user's
(``AmpyUserError`` naming the file and line); innermost in amplify_py's own code (or nowhere we
know), it is our bug (``AmpyFault``, the cause chained).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amplify_py.errors import RUN_AGAIN, AmpyError, AmpyFault, AmpyUserError

if TYPE_CHECKING:
    from amplify_py.backend.identifier import BackendIdentifier
    from amplify_py.backend.secret import SecretValueSource

__all__ = ["Synthesizer", "SynthResult", "default_stack_name"]

BACKEND_MODULE = "amplify.backend"


@dataclass(frozen=True)
class SynthResult:
    stack_name: str
    template: dict[str, Any]
    backend: Any  # amplify_py.backend.backend.Backend


def default_stack_name(project_dir: Path) -> str:
    """``amplify-<folder>``: a valid CloudFormation stack name derived from the project folder."""
    slug = re.sub(r"[^a-z0-9-]+", "-", project_dir.resolve().name.lower()).strip("-") or "app"
    return f"amplify-{slug}"[:128]


_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1]) + os.sep  # .../amplify_py/


def _user_frame(exc: BaseException, project_dir: Path) -> tuple[str, int] | None:
    """The innermost traceback frame in the project's amplify/ folder (file, line)."""
    found = None
    root = str(project_dir.resolve() / "amplify") + os.sep
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(root):
            found = (frame.filename, frame.lineno or 0)
    return found


def _innermost_known_frame(exc: BaseException, project_dir: Path) -> tuple[str, int, Any] | None:
    """The innermost frame in the user's amplify/ folder or in amplify_py: (file, line, code object).

    Library frames (aws_cdk, jsii, pydantic, ...) are skipped: what matters is whose code called them.
    """
    user_root = str(project_dir.resolve() / "amplify") + os.sep
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.startswith((user_root, _PACKAGE_ROOT)):
            found = (filename, line, frame.f_code)
    return found


def _is_cdk_error(exc: BaseException) -> bool:
    """An error the CDK raised through jsii (its JavaScript stack is the cause)."""
    from jsii.errors import JavaScriptError  # jsii comes with aws-cdk-lib

    return isinstance(exc.__cause__, JavaScriptError)


def _classify(exc: Exception, project_dir: Path, *, what: str, cdk_call: Any = None) -> AmpyError:
    """The user's error or our fault, by where ``exc`` was raised (see the module docstring).

    ``cdk_call``: the code object of our function that hands the finished app to the CDK; a CDK error
    raised there is the CDK rejecting the configuration, which the user wrote.
    """
    where = _innermost_known_frame(exc, project_dir)
    user_root = str(project_dir.resolve() / "amplify") + os.sep
    if where is not None and where[0].startswith(user_root):
        return AmpyUserError(
            "BackendLoadError" if what == "loading" else "SynthError",
            f"{where[0]}:{where[1]}: {type(exc).__name__}: {exc}",
            "Fix the error in your backend definition (re-run with --debug for the traceback).",
        )
    if where is not None and cdk_call is not None and where[2] is cdk_call and _is_cdk_error(exc):
        return AmpyUserError(
            "SynthError",
            f"{project_dir / 'amplify' / 'backend.py'}: the CDK rejected the backend's configuration: {exc}",
            "Fix the configuration the CDK names above (often an escape hatch on backend.auth.resources "
            f"in amplify/backend.py) and {RUN_AGAIN}.",
        )
    location = f" at {where[0]}:{where[1]}" if where is not None else ""
    return AmpyFault(
        "UnexpectedError",
        f"{what.capitalize()} the backend failed inside amplify-py{location}: {type(exc).__name__}: {exc}",
    )


class Synthesizer:
    """Synthesizes one project. ``synth`` may be called repeatedly in one process."""

    def __init__(
        self,
        project_dir: Path | str,
        *,
        validate: bool = False,
        backend_id: BackendIdentifier | None = None,
        secrets: SecretValueSource | None = None,  # a sandbox's store: get_value(name), and set_command(name)
    ) -> None:
        self.project_dir = Path(project_dir).resolve()
        self.validate = validate
        self.backend_id = backend_id
        self.secrets = secrets

    def _stack_name(self, stack_name: str | None) -> str:
        if stack_name:
            return stack_name
        return self.backend_id.stack_name if self.backend_id is not None else default_stack_name(self.project_dir)

    @property
    def backend_file(self) -> Path:
        return self.project_dir / "amplify" / "backend.py"

    def _purge(self) -> None:
        for name in [m for m in sys.modules if m == "amplify" or m.startswith("amplify.")]:
            del sys.modules[name]
        importlib.invalidate_caches()

    def load_backend(self, stack_name: str | None = None, outdir: Path | None = None) -> Any:
        """Import the project's ``amplify/backend.py`` afresh and return its module-level ``backend``."""
        from amplify_py.backend.backend import Backend, backend_settings
        from amplify_py.backend.secret import secret_resolver

        if not self.backend_file.is_file():
            raise AmpyUserError(
                "BackendNotFoundError",
                f"No backend definition found: {self.backend_file} does not exist.",
                "Run the command in your project folder (or pass --dir), or create one with `ampy init`.",
            )
        from amplify_py._node import ensure_jsii_node

        ensure_jsii_node()  # before the user's backend.py imports aws_cdk
        self._purge()
        root = str(self.project_dir)
        sys.path.insert(0, root)
        # No .pyc for user files: a cached one could hide an edit made within the same second (watch mode).
        dont_write = sys.dont_write_bytecode
        sys.dont_write_bytecode = True
        try:
            name = self._stack_name(stack_name)
            resolver = secret_resolver(self.secrets, set_command=getattr(self.secrets, "set_command", None))
            with backend_settings(stack_name=name, outdir=outdir, validate=self.validate, backend_id=self.backend_id,
                                  resolve_secret=resolver):
                module = importlib.import_module(BACKEND_MODULE)
        except AmpyError as exc:
            where = _user_frame(exc, self.project_dir)
            if where and not exc.details:
                exc.details = f"(raised at {where[0]}:{where[1]})"
            raise
        except SyntaxError as exc:
            raise AmpyUserError(
                "SyntaxError",
                f"{exc.filename}:{exc.lineno}: {exc.msg}",
                f"Fix the syntax error and {RUN_AGAIN}.",
            ) from exc
        except Exception as exc:  # noqa: BLE001 - the user's mistake or our bug, by where it was raised
            raise _classify(exc, self.project_dir, what="loading") from exc
        finally:
            sys.dont_write_bytecode = dont_write
            try:
                sys.path.remove(root)
            except ValueError:
                pass
        if module.__file__ and Path(module.__file__).resolve() != self.backend_file:
            raise AmpyUserError(
                "BackendNotFoundError",
                f"'amplify.backend' resolved to {module.__file__}, not {self.backend_file}.",
                "Rename the other 'amplify' package or module that shadows your project's amplify/ folder.",
            )
        backend = getattr(module, "backend", None)
        if not isinstance(backend, Backend):
            found = "nothing" if backend is None else f"a {type(backend).__name__}"
            raise AmpyUserError(
                "BackendNotFoundError",
                f"{self.backend_file} must define a module-level 'backend' = define_backend(...), found {found}.",
                "Add: backend = define_backend(auth=auth)",
            )
        return backend

    def synth(self, stack_name: str | None = None, outdir: Path | None = None) -> SynthResult:
        name = self._stack_name(stack_name)
        backend = self.load_backend(name, outdir)
        try:
            template = backend.synth(name, outdir)
        except AmpyError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's mistake or our bug, by where it was raised
            from amplify_py.backend.backend import Backend

            raise _classify(exc, self.project_dir, what="synthesizing", cdk_call=Backend.synth.__code__) from exc
        return SynthResult(stack_name=name, template=template, backend=backend)
