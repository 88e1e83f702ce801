"""Packaging a Python function's folder, with its requirements, without Docker.

When a ``requirements.txt`` sits beside the entry, ``pip install -r
requirements.txt -t <dir>`` runs at synth time for Lambda's platform
(manylinux, the runtime's Python version, binary wheels only) and the result is
cached by the hash of the requirements and the target. The bundle (the source
folder plus the installed dependencies) is cached by the hash of both, so an
unchanged function synthesizes without copying or installing anything.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from amplify_py.errors import AmpyUserError

__all__ = ["IGNORED_NAMES", "REQUIREMENTS_FILE", "default_cache_dir", "bundle_with_requirements", "source_fingerprint"]

REQUIREMENTS_FILE = "requirements.txt"
# Never packaged (and never part of the change fingerprint).
IGNORED_NAMES = frozenset({"__pycache__", ".venv", "venv", ".git", ".mypy_cache", ".pytest_cache", "node_modules"})
_IGNORED_SUFFIXES = (".pyc", ".pyo")


def default_cache_dir() -> Path:
    """Where installed requirements and bundles are kept between synths (``$AMPY_CACHE_DIR`` overrides)."""
    configured = os.environ.get("AMPY_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "amplify-py"


def _source_files(folder: Path) -> list[Path]:
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_NAMES)
        for name in sorted(names):
            if not name.endswith(_IGNORED_SUFFIXES):
                files.append(Path(root) / name)
    return files


def source_fingerprint(folder: Path) -> str:
    """A hash of the folder's packaged files (paths and contents)."""
    digest = hashlib.sha256()
    for file in _source_files(folder):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def _install_requirements(requirements: Path, runtime: str, architecture: str, cache_dir: Path) -> Path:
    python_version = runtime.removeprefix("python")
    platform = "manylinux2014_aarch64" if architecture == "arm64" else "manylinux2014_x86_64"
    key = hashlib.sha256(
        b"\0".join([requirements.read_bytes(), python_version.encode(), platform.encode()])
    ).hexdigest()[:32]
    target = cache_dir / "requirements" / key
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=target.parent))
    command = [
        sys.executable, "-m", "pip", "install",
        "--disable-pip-version-check", "--no-input", "--quiet",
        "-r", str(requirements),
        "-t", str(staging),
        "--platform", platform,
        "--implementation", "cp",
        "--python-version", python_version,
        "--only-binary=:all:",
        "--upgrade",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=requirements.parent, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise AmpyUserError(
            "FunctionDependencyInstallError",
            f"Installing {requirements} for {runtime} ({platform}) failed.",
            "Check the requirements (pip installs binary wheels only, for Lambda's platform, since no Docker is used); "
            "the pip output follows.",
            details=(result.stdout + result.stderr).strip(),
        )
    try:
        staging.rename(target)
    except OSError:  # another synth finished first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def bundle_with_requirements(
    folder: Path, *, runtime: str, architecture: str = "x86_64", cache_dir: Path | None = None
) -> Path:
    """A folder holding ``folder``'s files and its requirements installed beside them."""
    cache = cache_dir or default_cache_dir()
    deps = _install_requirements(folder / REQUIREMENTS_FILE, runtime, architecture, cache)
    key = hashlib.sha256(f"{source_fingerprint(folder)}:{deps.name}".encode()).hexdigest()[:32]
    bundle = cache / "bundles" / key
    if bundle.is_dir():
        return bundle
    bundle.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=bundle.parent))
    shutil.copytree(deps, staging, dirs_exist_ok=True)
    for file in _source_files(folder):
        destination = staging / file.relative_to(folder)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, destination)
    try:
        staging.rename(bundle)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return bundle
