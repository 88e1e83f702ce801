"""The pytest plugin (entry point ``amplify_py`` in the ``pytest11`` group): fixtures for testing auth for real.

* ``amplify_backend`` (session): the project's ``amplify/`` synthesized (cached while unchanged) and
  deployed to a local engine on a free port, in a temporary state folder; an ``AmplifyBackend``.
* ``amplify_client`` (function): ``amplify_py.auth`` configured against it; token storage cleared after.
* Before each test that uses them, the pools are emptied and the outbox is read from there on.

Which project: the rootdir's, or the ``amplify_project`` ini option, or ``@pytest.mark.amplify_project(path)``
on a test, class or module (paths relative to the rootdir). A marked test gets the backend of that
project: the plugin parametrizes ``amplify_backend`` for it, session-scoped, so each project is
synthesized and started once per session however the tests are ordered.

Importing this module is cheap: pytest, the standard library and nothing else; the engine, boto3 and
the synth (in a child process) are loaded when a test first asks for a backend.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from amplify_py.testing._backend import AmplifyBackend

__all__ = ["amplify_backend", "amplify_client"]

INI_OPTION = "amplify_project"
MARKER = "amplify_project"
_CACHE_NAME = "amplify_py-synth"


@dataclass
class _Started:
    """One project's backend in this session, and what it cost (for the terminal summary)."""

    project_dir: Path
    backend: Any = None  # AmplifyBackend
    error: BaseException | None = None
    error_traceback: Any = None
    synth_seconds: float = 0.0
    from_cache: bool = False
    start_seconds: float = 0.0
    resets: int = 0
    reset_seconds: float = 0.0


_summary_key = pytest.StashKey[list[_Started]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(INI_OPTION, "amplify-py: the project folder (holding amplify/) that the amplify_backend fixture "
                  "deploys; relative to the rootdir (default: the rootdir).", type="string", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(path): amplify-py: the amplify_backend of this test is the project at path "
        "(the folder holding amplify/, relative to the rootdir).")
    config.stash[_summary_key] = []


def _resolve(config: pytest.Config, value: Any) -> Path:
    path = Path(os.path.expanduser(os.fspath(value)))
    return (path if path.is_absolute() else config.rootpath / path).resolve()


def _project_dir(path: Path, origin: str) -> Path:
    """The folder holding ``amplify/backend.py`` (the ``amplify/`` folder itself is accepted too)."""
    from amplify_py.errors import AmpyUserError

    if path.name == "amplify" and (path / "backend.py").is_file():
        return path.parent
    if (path / "amplify" / "backend.py").is_file():
        return path
    raise AmpyUserError(
        "AmplifyProjectNotFoundError",
        f"amplify_backend: {path / 'amplify' / 'backend.py'} does not exist (the project comes from {origin}).",
        f"Run `ampy init` in {path}, or point the `{INI_OPTION}` ini option or "
        f"@pytest.mark.{MARKER}(path) at the folder that holds amplify/.",
    )


def _default_project(config: pytest.Config) -> tuple[Path, str]:
    value = config.getini(INI_OPTION)
    if value:
        where = config.inipath or "the configuration"
        return _resolve(config, value), f"the {INI_OPTION} ini option ({value!r} in {where})"
    return config.rootpath, f"the rootdir (set the {INI_OPTION} ini option to use another folder)"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked ``amplify_project(path)`` gets that project's ``amplify_backend`` (session-scoped)."""
    marker = metafunc.definition.get_closest_marker(MARKER)
    if marker is None or "amplify_backend" not in metafunc.fixturenames:
        return
    if len(marker.args) != 1 or marker.kwargs or not isinstance(marker.args[0], str | os.PathLike):
        raise pytest.UsageError(
            f"{metafunc.definition.nodeid}: @pytest.mark.{MARKER} takes one path (the folder holding amplify/), "
            f"e.g. @pytest.mark.{MARKER}('apps/shop'); got args={marker.args!r} kwargs={marker.kwargs!r}.")
    value = marker.args[0]
    project = _resolve(metafunc.config, value)
    metafunc.parametrize("amplify_backend", [(project, f"@pytest.mark.{MARKER}({os.fspath(value)!r})")],
                         indirect=True, scope="session", ids=[f"{MARKER}={os.fspath(value)}"])


class _Backends:
    """The session's backends by project folder: each synthesized (or read from the cache) and started once."""

    def __init__(self, config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._config = config
        self._tmp = tmp_path_factory
        self._started: dict[Path, _Started] = {}

    def get(self, path: Path, origin: str) -> "AmplifyBackend":
        try:
            project = _project_dir(path, origin)
        except Exception as exc:  # noqa: BLE001 - reported for every test that asks for it, once in the summary
            project, error = path, exc
        else:
            error = None
        found = self._started.get(project)
        if found is None:
            found = self._started[project] = _Started(project_dir=project, error=error,
                                                      error_traceback=error and error.__traceback__)
            if error is None:
                self._start(found)
            self._config.stash[_summary_key].append(found)
        if found.error is not None:  # the first traceback, not one that grows by a frame for every test
            raise found.error.with_traceback(found.error_traceback)
        return found.backend

    def started(self, backend: Any) -> _Started | None:
        return next((s for s in self._started.values() if s.backend is backend), None)

    def _start(self, record: _Started) -> None:
        from amplify_py.testing._backend import start_backend
        from amplify_py.testing._synth_cache import cached_synth

        project = record.project_dir
        try:
            cache = getattr(self._config, "cache", None)
            synth = cached_synth(project, cache.mkdir(_CACHE_NAME) if cache is not None else None)
            record.synth_seconds, record.from_cache = synth.seconds, synth.from_cache
            started = time.perf_counter()
            record.backend = start_backend(project, synth, self._tmp.mktemp(f"amplify-{project.name}"))
            record.start_seconds = time.perf_counter() - started
        except Exception as exc:  # noqa: BLE001 - kept, and raised again for every test that asks for it
            record.error, record.error_traceback = exc, exc.__traceback__

    def close(self) -> None:
        for record in self._started.values():
            if record.backend is not None:
                record.backend.close()


@pytest.fixture(scope="session")
def _amplify_backends(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Backends]:
    backends = _Backends(pytestconfig, tmp_path_factory)
    try:
        yield backends
    finally:
        backends.close()


@pytest.fixture(scope="session")
def amplify_backend(request: pytest.FixtureRequest, _amplify_backends: _Backends) -> "AmplifyBackend":
    """The project's backend on a local engine: ``outputs``, ``endpoint``, ``admin``, ``create_user``,
    ``latest_code``, ``messages``. Its pools are emptied before each test that uses it."""
    param = getattr(request, "param", None)
    path, origin = param if param is not None else _default_project(request.config)
    return _amplify_backends.get(path, origin)


@pytest.fixture(autouse=True)
def _amplify_clean_pool(request: pytest.FixtureRequest) -> None:
    """Before each test that uses ``amplify_backend``: no users, and only this test's messages."""
    if "amplify_backend" not in request.fixturenames:
        return
    backend = request.getfixturevalue("amplify_backend")
    started = time.perf_counter()
    backend.reset()
    record = request.getfixturevalue("_amplify_backends").started(backend)
    if record is not None:
        record.resets += 1
        record.reset_seconds += time.perf_counter() - started


@pytest.fixture
def amplify_client(amplify_backend: "AmplifyBackend") -> Iterator[Any]:
    """``amplify_py.auth`` configured with the backend's outputs (yielded: ``amplify_client.sign_in(...)``).

    After the test its token storage is cleared (the storage in use, and the one before it if the
    test swapped it), the pending auto sign-in and cached credentials are dropped, and the previous
    configuration comes back.
    """
    from amplify_py import auth
    from amplify_py.auth import _auto_sign_in, _session
    from amplify_py.auth._config import Amplify

    provider = auth.cognito_user_pools_token_provider
    previous_config, previous_storage = Amplify.get_config(), provider.storage
    Amplify.configure(amplify_backend.outputs)
    try:
        yield auth
    finally:
        provider.storage.clear()
        if provider.storage is not previous_storage:
            previous_storage.clear()
            provider.set_key_value_storage(previous_storage)
        _auto_sign_in.reset()
        _session.credentials_provider._cached = None
        _session.credentials_provider._primary_identity_id = None
        Amplify._auth = previous_config


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    records = config.stash.get(_summary_key, [])
    if not records:
        return
    terminalreporter.section("amplify_py", sep="-")
    for r in records:
        if r.error is not None:
            terminalreporter.write_line(f"{r.project_dir}: not started: {getattr(r.error, 'name', type(r.error).__name__)}")
            continue
        synth = ("synth reused from the cache (amplify/ unchanged)" if r.from_cache
                 else f"synthesized in {r.synth_seconds:.2f} s (cached for the next session)")
        per_test = f"{r.resets} test(s) got a clean pool"
        if r.resets:
            per_test += f", {1000 * r.reset_seconds / r.resets:.1f} ms each on average"
        terminalreporter.write_line(f"{r.project_dir}: {synth}; engine started in {r.start_seconds:.2f} s; "
                                    f"{per_test}")
