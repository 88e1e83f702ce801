"""``ampy local ca``: where the local CA is and how to trust it."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplify_py.cli.app import main


def test_it_makes_the_ca_once_and_says_how_to_trust_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AMPLIFY_PY_CA_DIR", str(tmp_path / "ca"))
    assert main(["local", "ca"]) == 0
    first = capsys.readouterr().out
    path = tmp_path / "ca" / "amplify-py-local-ca.pem"
    assert f"Local certificate authority (created now): {path}" in first
    assert f"sudo cp {path} /usr/local/share/ca-certificates/amplify-py-local-ca.crt" in first
    assert f"NODE_EXTRA_CA_CERTS={path}" in first and "certutil -d sql:$HOME/.pki/nssdb" in first
    assert main(["local", "ca", "--path"]) == 0
    assert capsys.readouterr().out == f"{path}\n"
    assert main(["local", "ca"]) == 0
    assert "(created earlier)" in capsys.readouterr().out
