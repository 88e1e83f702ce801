"""AmplifyFunction and grant_auth_access synthesize what Lambda, Cognito and Amplify expect."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito

from amplify_py.backend.function import define_function
from amplify_py.backend.function.access import grant_auth_access
from amplify_py.backend.function.construct import AmplifyFunction
from amplify_py.errors import AmpyUserError

DATA = Path(__file__).resolve().parent.parent / "data" / "functions"


def _resources(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """A pool with a pre sign-up trigger (define_function) that also has access, plus a second function."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = App(outdir=str(outdir))
    stack = Stack(app, "Backend")
    pool = cognito.UserPool(stack, "UserPool")
    trigger = define_function(
        entry=DATA / "pre_sign_up" / "pre_sign_up.py", timeout_seconds=5, memory_mb=256,
        environment={"ALLOWED_DEPARTMENTS": "engineering"},
    )  # fmt: skip
    fn = trigger.resolve_function(pool)
    assert trigger.resolve_function(stack) is fn  # one function per stack, whatever the scope
    pool.add_trigger(cognito.UserPoolOperation.PRE_SIGN_UP, fn)
    grant_auth_access(fn, pool, ["add_user_to_group"], set_user_pool_id=False)
    admin = define_function(entry=DATA / "basic" / "echo.py", name="admin-tasks", runtime="python3.12")
    grant_auth_access(admin.resolve_function(stack), pool, ["manage_users", "list_users"])
    assembly = app.synth()
    return assembly.get_stack_by_name("Backend").template, outdir


def test_function_properties(synthesized: tuple[dict, Path]) -> None:
    template, _ = synthesized
    functions = _resources(template, "AWS::Lambda::Function")
    by_handler = {f["Properties"]["Handler"]: f for f in functions.values()}
    assert set(by_handler) == {"pre_sign_up.handler", "echo.handler"}
    props = by_handler["pre_sign_up.handler"]["Properties"]
    assert props["Runtime"] == "python3.13"
    assert props["Timeout"] == 5 and props["MemorySize"] == 256
    assert props["Environment"] == {"Variables": {"ALLOWED_DEPARTMENTS": "engineering"}}
    assert props["Architectures"] == ["x86_64"]
    assert {"Key": "amplify:friendly-name", "Value": "pre_sign_up"} in props["Tags"]
    assert by_handler["pre_sign_up.handler"]["Metadata"]["amplify_py:source"] == str(DATA / "pre_sign_up")
    assert by_handler["echo.handler"]["Properties"]["Runtime"] == "python3.12"


def test_code_is_an_asset_of_the_entry_folder(synthesized: tuple[dict, Path]) -> None:
    template, outdir = synthesized
    props = next(f["Properties"] for f in _resources(template, "AWS::Lambda::Function").values()
                 if f["Properties"]["Handler"] == "pre_sign_up.handler")  # fmt: skip
    asset_dir = outdir / f"asset.{props['Code']['S3Key'].removesuffix('.zip')}"
    assert sorted(p.name for p in asset_dir.iterdir()) == ["pre_sign_up.py"]


def test_trigger_wiring_and_permission(synthesized: tuple[dict, Path]) -> None:
    template, _ = synthesized
    pool = next(iter(_resources(template, "AWS::Cognito::UserPool").values()))
    fn_id = next(k for k, v in _resources(template, "AWS::Lambda::Function").items()
                 if v["Properties"]["Handler"] == "pre_sign_up.handler")  # fmt: skip
    assert pool["Properties"]["LambdaConfig"] == {"PreSignUp": {"Fn::GetAtt": [fn_id, "Arn"]}}
    permission = next(iter(_resources(template, "AWS::Lambda::Permission").values()))["Properties"]
    assert permission["Action"] == "lambda:InvokeFunction"
    assert permission["Principal"] == "cognito-idp.amazonaws.com"
    assert permission["FunctionName"] == {"Fn::GetAtt": [fn_id, "Arn"]}


def test_access_policies_and_environment(synthesized: tuple[dict, Path]) -> None:
    template, _ = synthesized
    policies = _resources(template, "AWS::IAM::Policy")
    assert sorted(policies) == sorted(k for k in policies if k.startswith("userpoolAccess"))
    statements = {k[: len("userpoolAccess") + 1]: v["Properties"]["PolicyDocument"]["Statement"] for k, v in policies.items()}
    pool_id = next(iter(_resources(template, "AWS::Cognito::UserPool")))
    assert statements["userpoolAccess1"] == [
        {"Action": "cognito-idp:AdminAddUserToGroup", "Effect": "Allow", "Resource": {"Fn::GetAtt": [pool_id, "Arn"]}}
    ]
    second = statements["userpoolAccess2"][0]
    assert len(second["Action"]) == 14 and second["Action"][-1] == "cognito-idp:ListUsers"
    echo = next(f for f in _resources(template, "AWS::Lambda::Function").values()
                if f["Properties"]["Handler"] == "echo.handler")  # fmt: skip
    assert echo["Properties"]["Environment"]["Variables"] == {"AMPLIFY_AUTH_USERPOOL_ID": {"Ref": pool_id}}


def test_template_passes_cfn_lint(synthesized: tuple[dict, Path]) -> None:
    from cfnlint.api import lint

    template, _ = synthesized
    matches = lint(json.dumps(template), regions=["us-east-1"])
    # W3005: the CDK's Function always DependsOn its role (the TS reference template has it too).
    assert [str(m) for m in matches if m.rule.id != "W3005"] == []


def test_duplicate_function_names_are_rejected(tmp_path: Path) -> None:
    stack = Stack(App(outdir=str(tmp_path)), "S")
    define_function(entry=DATA / "basic" / "echo.py", name="same").resolve_function(stack)
    other = define_function(entry=DATA / "pre_sign_up" / "pre_sign_up.py", name="same")
    with pytest.raises(AmpyUserError, match=r"Two resources in stack S are named 'same'"):
        other.resolve_function(stack)


def test_unsupported_runtime_in_construct(tmp_path: Path) -> None:
    stack = Stack(App(outdir=str(tmp_path)), "S")
    with pytest.raises(AmpyUserError, match=r"'python3\.8' is not a supported Python Lambda runtime"):
        AmplifyFunction(stack, "old", entry=DATA / "basic" / "echo.py", runtime="python3.8")


def _write_wheel(folder: Path, name: str, version: str) -> Path:
    """A pure-Python wheel built by hand (no network, no build backend)."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: amplify-py-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
    return wheel


def test_requirements_are_installed_into_the_asset(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _write_wheel(wheels, "tinydep", "1.2.3")
    source = tmp_path / "fn"
    source.mkdir()
    (source / "handler.py").write_text("import tinydep\n\ndef handler(event, context):\n    return tinydep.VERSION\n")
    (source / "requirements.txt").write_text(f"--no-index\n--find-links {wheels}\ntinydep==1.2.3\n")
    cache = tmp_path / "cache"
    outdir = tmp_path / "out"
    app = App(outdir=str(outdir))
    stack = Stack(app, "S")
    AmplifyFunction(stack, "withdeps", entry=source / "handler.py", cache_dir=cache)
    template = app.synth().get_stack_by_name("S").template
    props = next(iter(_resources(template, "AWS::Lambda::Function").values()))["Properties"]
    asset_dir = outdir / f"asset.{props['Code']['S3Key'].removesuffix('.zip')}"
    assert (asset_dir / "handler.py").is_file()
    assert (asset_dir / "tinydep" / "__init__.py").read_text() == "VERSION = '1.2.3'\n"
    assert (asset_dir / "tinydep-1.2.3.dist-info" / "METADATA").is_file()
    installed = list((cache / "requirements").iterdir())
    assert len(installed) == 1

    # A second synth reuses the cached install (same folder, untouched).
    mtime = installed[0].stat().st_mtime_ns
    AmplifyFunction(Stack(App(outdir=str(tmp_path / "out2")), "S"), "withdeps", entry=source / "handler.py", cache_dir=cache)
    assert [p.stat().st_mtime_ns for p in (cache / "requirements").iterdir()] == [mtime]


def test_failed_requirements_install_is_a_user_error(tmp_path: Path) -> None:
    source = tmp_path / "fn"
    source.mkdir()
    (source / "handler.py").write_text("def handler(event, context):\n    return event\n")
    (source / "requirements.txt").write_text(f"--no-index\n--find-links {tmp_path}\nnot-a-real-package==9.9\n")
    stack = Stack(App(outdir=str(tmp_path / "out")), "S")
    with pytest.raises(AmpyUserError, match=r"Installing .*requirements\.txt for python3\.13 \(manylinux2014_x86_64\) failed"):
        AmplifyFunction(stack, "broken", entry=source / "handler.py", cache_dir=tmp_path / "cache")
