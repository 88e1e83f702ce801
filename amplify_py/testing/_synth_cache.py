"""The synthesized backend the pytest plugin deploys, cached while ``amplify/`` is unchanged.

A synth starts the CDK's jsii runtime (about a second), so its result is kept between test sessions,
keyed by everything that can change the template: every file under ``amplify/`` (names and bytes,
``__pycache__`` left out), the project's path (a function's live source folder is an absolute path
in the template) and app name (the stack name), the ``AMPY_SECRET_*`` variables (``secret()`` falls
back to them at synth time), and the versions of amplify-py, aws-cdk-lib and Python. Any change is a
new key; the entry of the previous key for the same project is removed then.

The synth itself runs in a child process (``_synth_worker``), so the test process never imports
aws_cdk, keeps its ``sys.modules`` and ``sys.path``, and has no jsii runtime left running.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from amplify_py.errors import AmpyError, AmpyFault, AmpyUserError

__all__ = ["CachedSynth", "synth_key", "cached_synth"]

_SKIPPED_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_SECRET_PREFIX = "AMPY_SECRET_"
_TEMPLATE = "template.json"
_RESULT = "result.json"
_ERROR = "error.json"
_ASSEMBLY = "cdk.out"
_PROJECT = "project.txt"
IDENTIFIER = "pytest"  # the sandbox identifier test deployments are synthesized as


@dataclass(frozen=True)
class CachedSynth:
    """A synthesized backend on disk: its stack name, template and cloud assembly (for triggers)."""

    stack_name: str
    template: dict[str, Any]
    assembly_dir: Path
    key: str
    from_cache: bool
    seconds: float  # how long the synth took (0 when it came from the cache)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def _backend_files(amplify_dir: Path) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(amplify_dir):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        files += [Path(root) / n for n in sorted(names) if not n.endswith(_SKIPPED_SUFFIXES)]
    return files


def synth_key(project_dir: Path, environ: dict[str, str] | None = None) -> str:
    """The cache key of a project's synth (see the module docstring for what goes into it)."""
    project_dir = Path(project_dir).resolve()
    environ = dict(os.environ if environ is None else environ)
    digest = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
            digest.update(b"\0")

    add("amplify-py", _version("amplify-py"), "aws-cdk-lib", _version("aws-cdk-lib"), sys.version)
    add("project", str(project_dir))
    pyproject = project_dir / "pyproject.toml"  # the app name (and so the stack name) may come from it
    add("pyproject", pyproject.read_bytes() if pyproject.is_file() else b"")
    for name in sorted(k for k in environ if k.startswith(_SECRET_PREFIX)):
        add("secret", name, environ[name])
    amplify_dir = project_dir / "amplify"
    for path in _backend_files(amplify_dir):
        add("file", path.relative_to(amplify_dir).as_posix(), path.read_bytes())
    return digest.hexdigest()[:32]


def _load(entry: Path, key: str, *, from_cache: bool, seconds: float) -> CachedSynth | None:
    try:
        template = json.loads((entry / _TEMPLATE).read_text(encoding="utf-8"))
        result = json.loads((entry / _RESULT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return CachedSynth(stack_name=result["stack_name"], template=template, assembly_dir=entry / _ASSEMBLY,
                       key=key, from_cache=from_cache, seconds=seconds)


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


def _run_worker(project_dir: Path, out_dir: Path) -> None:
    """Synthesize in a child process into ``out_dir``; re-raise its AmpyError here, as the same kind."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_root(), env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "amplify_py.testing._synth_worker", str(project_dir), str(out_dir), IDENTIFIER]
    run = subprocess.run(command, cwd=project_dir, env=env, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True)
    error_file = out_dir / _ERROR
    if error_file.is_file():
        data = json.loads(error_file.read_text(encoding="utf-8"))
        kind = AmpyUserError if data["kind"] == "user" else AmpyFault
        raise kind(data["name"], data["message"], data["resolution"], details=data.get("details"))
    if run.returncode != 0 or not (out_dir / _TEMPLATE).is_file():
        tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-30:])
        raise AmpyFault("SynthProcessError",
                        f"Synthesizing {project_dir / 'amplify'} for the tests failed (exit code {run.returncode}).",
                        details=tail or None)


def _prune(cache_dir: Path, project_dir: Path, keep: str) -> None:
    """Remove older entries of the same project: a changed amplify/ never comes back to an old key cheaply."""
    for entry in cache_dir.iterdir():
        if entry.name == keep or not entry.is_dir():
            continue
        try:
            owner = (entry / _PROJECT).read_text(encoding="utf-8")
        except OSError:
            continue
        if owner == str(project_dir):
            shutil.rmtree(entry, ignore_errors=True)


def cached_synth(project_dir: Path, cache_dir: Path | None) -> CachedSynth:
    """The project's synth from ``cache_dir`` when its key is there, else synthesized and stored there.

    Without a ``cache_dir`` (pytest's cache provider disabled) it synthesizes into a temporary folder.
    Entries are written to a temporary folder and renamed into place, so parallel sessions (xdist
    workers) never see a half-written entry; the first to finish wins.
    """
    project_dir = Path(project_dir).resolve()
    key = synth_key(project_dir)
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        found = _load(cache_dir / key, key, from_cache=True, seconds=0.0)
        if found is not None:
            return found
    parent = cache_dir if cache_dir is not None else Path(tempfile.mkdtemp(prefix="amplify-py-synth-"))
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=parent))
    started = time.perf_counter()
    try:
        _run_worker(project_dir, staging)
    except AmpyError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    seconds = time.perf_counter() - started
    (staging / _PROJECT).write_text(str(project_dir), encoding="utf-8")
    final = parent / key
    try:
        os.rename(staging, final)
    except OSError:  # another session stored the same key first
        shutil.rmtree(staging, ignore_errors=True)
    if cache_dir is not None:
        _prune(cache_dir, project_dir, keep=key)
    loaded = _load(final, key, from_cache=False, seconds=seconds)
    if loaded is None:
        raise AmpyFault("SynthCacheError", f"The synthesized backend in {final} could not be read back.")
    return loaded
