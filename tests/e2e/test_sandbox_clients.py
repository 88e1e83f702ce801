"""Issue 5's "done when": after `ampy sandbox --once` in the example project, the amplify_outputs.json it wrote
is all that amplify_py.auth and the aws-amplify JS library need to sign up and sign in against the pool it
left serving; and a trigger defined in the project runs in that background engine."""

from __future__ import annotations

import contextlib
import json
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from amplify_py import Amplify
from amplify_py.auth import confirm_sign_up, fetch_auth_session, sign_in, sign_out, sign_up
from tests.e2e._js import amplify_js
from tests.e2e._outbox import Outbox
from tests.e2e.test_sandbox_e2e import REPO, _ampy, _free_port
from tests.outputs_schema import assert_valid_outputs

PASSWORD = "Passw0rd!!"


@contextlib.contextmanager
def _sandbox_once(project: Path, identifier: str) -> Iterator[tuple[dict, Outbox]]:
    port = _free_port()
    try:
        run = _ampy("sandbox", "--once", "--identifier", identifier, "--port", str(port), "--dir", str(project))
        assert run.returncode == 0, run.stdout + run.stderr
        outputs = json.loads((project / "amplify_outputs.json").read_text())
        assert_valid_outputs(outputs)
        yield outputs, Outbox(project / ".amplify" / "sandbox" / identifier / "outbox.jsonl")
    finally:
        stopped = _ampy("sandbox", "stop", "--identifier", identifier, "--dir", str(project))
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "example"
    root.mkdir()
    shutil.copytree(REPO / "amplify", root / "amplify", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_python_client_and_aws_amplify_js_sign_up_and_sign_in_from_the_sandbox_outputs(
    example: Path, node: str, amplify_js_driver: Path
) -> None:
    with _sandbox_once(example, "clients") as (outputs, outbox):
        # the project's own client, configured from the file the sandbox wrote
        Amplify.configure(example / "amplify_outputs.json")
        mark = outbox.mark()
        out = sign_up(username="py@example.com", password=PASSWORD,
                      options={"user_attributes": {"email": "py@example.com"}})
        assert out.next_step.sign_up_step == "CONFIRM_SIGN_UP"
        confirm_sign_up(username="py@example.com", confirmation_code=outbox.code_for("py@example.com", after=mark))
        assert sign_in(username="py@example.com", password=PASSWORD).next_step.sign_in_step == "DONE"
        session = fetch_auth_session()
        assert session.tokens.id_token.payload["email"] == "py@example.com"
        assert session.tokens.id_token.payload["iss"].endswith("/" + outputs["auth"]["user_pool_id"])
        sign_out()

        # aws-amplify v6, configured from the same file (plus the endpoint from custom.local_engine)
        with amplify_js(node, amplify_js_driver, example / "amplify_outputs.json") as js:
            mark = outbox.mark()
            up = js.call("signUp", {"username": "js@example.com", "password": PASSWORD,
                                    "options": {"userAttributes": {"email": "js@example.com"}}})
            assert up["nextStep"]["signUpStep"] == "CONFIRM_SIGN_UP"
            code = outbox.code_for("js@example.com", after=mark)
            assert js.call("confirmSignUp", {"username": "js@example.com", "confirmationCode": code})["isSignUpComplete"]
            signed_in = js.call("signIn", {"username": "js@example.com", "password": PASSWORD})
            assert signed_in["isSignedIn"] is True
            assert js.targets() == ["InitiateAuth", "RespondToAuthChallenge"]  # SRP, as against Cognito
            # and the user signed up through Python signs in through JS
            js.call("signOut")
            assert js.call("signIn", {"username": "py@example.com", "password": PASSWORD})["isSignedIn"] is True

        # issue 3: `ampy generate outputs` rewrites the outputs of this deployment without deploying
        out_dir = example / "generated"
        generated = _ampy("generate", "outputs", "--dir", str(example), "--identifier", "clients",
                          "--out-dir", str(out_dir), "--format", "dart")
        assert generated.returncode == 0, generated.stdout + generated.stderr
        dart = (out_dir / "amplify_outputs.dart").read_text()
        assert dart.startswith("const amplifyConfig = r\'\'\'")
        assert json.loads(dart.split("\'\'\'")[1]) == outputs


def test_a_trigger_in_the_project_runs_in_the_background_engine(example: Path) -> None:
    (example / "amplify" / "auth" / "pre_sign_up.py").write_text(textwrap.dedent('''
        def handler(event, context):
            print("pre sign-up for", event["request"]["userAttributes"]["email"])
            if event["request"]["userAttributes"]["email"].endswith("@example.com"):
                event["response"]["autoConfirmUser"] = True
                event["response"]["autoVerifyEmail"] = True
            return event
    '''))
    (example / "amplify" / "auth" / "resource.py").write_text(textwrap.dedent('''
        from amplify_py import define_auth, define_function

        auth = define_auth(
            login_with={"email": True},
            triggers={"pre_sign_up": define_function(entry="./pre_sign_up.py")},
        )
    '''))
    with _sandbox_once(example, "triggers"):
        Amplify.configure(example / "amplify_outputs.json")
        out = sign_up(username="auto@example.com", password=PASSWORD,
                      options={"user_attributes": {"email": "auto@example.com"}})
        assert out.is_sign_up_complete is True
        assert out.next_step.sign_up_step == "DONE"
        assert sign_in(username="auto@example.com", password=PASSWORD).next_step.sign_in_step == "DONE"
        sign_out()
        log = (example / ".amplify" / "sandbox" / "triggers" / "server.log").read_text()
        assert "pre sign-up for auto@example.com" in log
