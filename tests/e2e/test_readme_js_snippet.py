"""The README's aws-amplify snippet runs as written in Node 22 (an ES module next to amplify_outputs.json).

Node 22 refuses a JSON import without ``with { type: 'json' }`` (ERR_IMPORT_ATTRIBUTE_MISSING), so the
snippet must carry it. After the snippet, the test signs a user up through aws-amplify to show that
the library now talks to the local engine.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from amplify_py._node import bundled_node

from ._js import install_amplify_js

REFERENCE_CASE = "email_default"
README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "### Using the local engine from aws-amplify JS"


def readme_snippet() -> str:
    """The first ```js block under the README's aws-amplify heading."""
    text = README.read_text(encoding="utf-8")
    assert HEADING in text, f"README.md has no section {HEADING!r}"
    match = re.search(r"```js\n(.*?)```", text.split(HEADING, 1)[1], re.DOTALL)
    assert match, f"no ```js block under {HEADING!r} in README.md"
    return match.group(1)


@pytest.fixture(scope="module")
def node22() -> str:
    """The virtualenv's Node 22 (the README's install step puts it there)."""
    node = bundled_node()
    assert node is not None, "no Node in <venv>/node: run `npm install -s --prefix .venv/node node@22` (README)"
    version = subprocess.run([str(node), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert version.startswith("v22."), f"{node} is {version}, not Node 22"
    return str(node)


def test_the_readme_snippet_runs_as_written_in_node_22(node22: str, backend, tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "node_modules").symlink_to(install_amplify_js() / "node_modules", target_is_directory=True)
    (app / "package.json").write_text(json.dumps({"private": True, "type": "module"}))
    (app / "amplify_outputs.json").write_text(json.dumps(backend.outputs))
    check = """
const { signUp } = await import('aws-amplify/auth');
const result = await signUp({ username: 'readme@example.com', password: 'Corr3ct-Horse!',
  options: { userAttributes: { email: 'readme@example.com' } } });
console.log(JSON.stringify({ endpoint: Amplify.getConfig().Auth.Cognito.userPoolEndpoint,
  step: result.nextStep.signUpStep }));
"""
    (app / "index.mjs").write_text(readme_snippet() + check)
    done = subprocess.run([node22, "index.mjs"], cwd=app, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"endpoint": backend.engine.endpoint,
                                                              "step": "CONFIRM_SIGN_UP"}
    assert any(m["recipient"] == "readme@example.com" for m in backend.engine.messages())
