"""The background engine that ``ampy sandbox --once`` leaves: never an unrecorded one."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from amplify_py.deploy import background_engine


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

    monkeypatch.setattr(background_engine.subprocess, "Popen", popen)
    monkeypatch.setattr(background_engine.httpx, "get", interrupted)
    state_dir = tmp_path / "state"
    port = _free_port()
    with pytest.raises(KeyboardInterrupt, match="Ctrl-C"):
        background_engine.start_detached_server(state_dir, port=port)
    (proc,) = started
    assert proc.returncode is not None  # killed and reaped, not left serving
    assert background_engine.read_server_info(state_dir) is None
    assert background_engine._port_free("127.0.0.1", port)
