"""The README's walk-through runs as written against the local engine (input() answered from the outbox)."""

from __future__ import annotations

import builtins
import json

from readme_walkthrough import WALKTHROUGH

from amplify_py.auth import cognito_user_pools_token_provider


def test_readme_walkthrough(deploy, tmp_path, monkeypatch, capsys) -> None:
    backend = deploy("email_default")
    (tmp_path / "amplify_outputs.json").write_text(json.dumps(backend.outputs))
    monkeypatch.chdir(tmp_path)
    prompts: list[str] = []

    def answer(prompt: str = "") -> str:
        prompts.append(prompt)
        return backend.last_code("hello@mycompany.com")

    monkeypatch.setattr(builtins, "input", answer)
    exec(compile(WALKTHROUGH, "README.md", "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "Code sent by EMAIL to h***@m***" in out
    assert "Signed in as hello@mycompany.com" in out
    assert prompts == ["Code: "]
    assert cognito_user_pools_token_provider.load_tokens() is None  # signed out at the end
