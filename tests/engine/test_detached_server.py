"""The background engine that ``ampy sandbox --once`` leaves: never an unrecorded one."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from amplify_py.deploy import local


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ctrl_c_while_the_server_starts_leaves_no_process_behind(tmp_path: Path, monkeypatch) -> None:
    started: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt("Ctrl-C")

    monkeypatch.setattr(local.subprocess, "Popen", popen)
    monkeypatch.setattr(local.httpx, "get", interrupted)
    state_dir = tmp_path / "state"
    port = _free_port()
    with pytest.raises(KeyboardInterrupt, match="Ctrl-C"):
        local.start_detached_server(state_dir, port=port)
    (proc,) = started
    assert proc.returncode is not None  # killed and reaped, not left serving
    assert local.read_server_info(state_dir) is None
    assert local._port_free("127.0.0.1", port)
