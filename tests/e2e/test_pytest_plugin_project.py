"""A project outside the repository, made with `ampy init`, tested with nothing but the plugin's fixtures.

This is what a user does: scaffold, write a FastAPI route protected by the token verifier and a test, run
`pytest` in the project. The second run finds the synth in the project's pytest cache.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ._plugin_project import plugin_args

REPO = Path(__file__).resolve().parents[2]

APP_FILE = '''\
from fastapi import Depends, FastAPI

from amplify_py.verify import CognitoJwtVerifier
from amplify_py.verify.fastapi import CognitoAuth


def create_app(outputs) -> FastAPI:
    verifier = CognitoJwtVerifier.from_outputs(outputs, token_use="access")
    app = FastAPI()

    @app.get("/me")
    def me(claims: dict = Depends(CognitoAuth(verifier))):
        return {"sub": claims["sub"]}

    return app
'''

TEST_FILE = '''\
from fastapi.testclient import TestClient

from app import create_app

EMAIL = "ana@example.com"
PASSWORD = "Sup3r-secret!"


def test_sign_up_confirm_and_sign_in(amplify_backend, amplify_client):
    result = amplify_client.sign_up(username=EMAIL, password=PASSWORD, options={"user_attributes": {"email": EMAIL}})
    assert result.next_step.sign_up_step == "CONFIRM_SIGN_UP"
    done = amplify_client.confirm_sign_up(username=EMAIL, confirmation_code=amplify_backend.latest_code(EMAIL))
    assert done.is_sign_up_complete
    assert amplify_client.sign_in(username=EMAIL, password=PASSWORD).is_signed_in
    tokens = amplify_client.fetch_auth_session().tokens
    assert tokens.id_token.payload["email"] == EMAIL

    api = TestClient(create_app(amplify_backend.outputs))
    assert api.get("/me").status_code == 401
    answer = api.get("/me", headers={"Authorization": f"Bearer {tokens.access_token}"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"sub": tokens.id_token.payload["sub"]}


def test_each_test_starts_with_an_empty_pool(amplify_backend, amplify_client):
    amplify_backend.create_user(EMAIL, PASSWORD)  # no UsernameExistsException: the first test's user is gone
    assert amplify_client.sign_in(username=EMAIL, password=PASSWORD).is_signed_in
    assert amplify_client.get_current_user().sign_in_details.login_id == EMAIL
'''


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300)


def test_an_ampy_init_project_passes_with_the_fixtures_alone_and_reuses_its_synth(tmp_path: Path) -> None:
    project = tmp_path / "sample-app"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "sample-app"\n\n[tool.pytest.ini_options]\n'
                                            'testpaths = ["tests"]\npythonpath = ["."]\n')
    init = _run(["-m", "amplify_py", "init"], project)
    assert init.returncode == 0, init.stdout + init.stderr
    (project / "tests").mkdir()
    (project / "app.py").write_text(APP_FILE)
    (project / "tests" / "test_auth.py").write_text(TEST_FILE)

    first = _run(["-m", "pytest", *plugin_args()], project)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "2 passed" in first.stdout
    assert f"{project}: synthesized in " in first.stdout, first.stdout

    second = _run(["-m", "pytest", *plugin_args()], project)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "2 passed" in second.stdout
    assert f"{project}: synth reused from the cache (amplify/ unchanged); " in second.stdout, second.stdout
