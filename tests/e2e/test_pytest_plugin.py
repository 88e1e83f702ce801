"""The pytest plugin's fixtures, run by pytest itself (pytester) against projects synthesized for real.

Most inner sessions share one project (email sign-in, two groups, a post confirmation trigger) and one
pytest cache folder, so the project is synthesized once per worker and every other session reuses
the cached synth, as a user's consecutive runs do. Each inner session is its own process, as a user's is
(an in-process run would drop and re-import modules such as cryptography's between sessions).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ._plugin_project import plugin_args, scaffold

pytest_plugins = ["pytester"]

PASSWORD = "Sup3r-secret!"
# jsii unpacks aws-cdk-lib (about 20 s) into a cache under HOME, and pytester gives each inner session a new HOME.
_JSII_CACHE = os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aws" / "jsii" / "package-cache")


@pytest.fixture(autouse=True)
def _shared_jsii_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", _JSII_CACHE)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project, pytest cache folder) shared by the inner sessions of this module."""
    project = scaffold(tmp_path_factory.mktemp("shared") / "app", groups_and_trigger=True)
    return project, tmp_path_factory.mktemp("shared-cache")


def run(pytester: pytest.Pytester, shared: tuple[Path, Path], *args: str) -> pytest.RunResult:
    """An inner session whose pytest.ini names the shared project by a path relative to the rootdir."""
    project, cache = shared
    pytester.makeini(f"[pytest]\namplify_project = {os.path.relpath(project, pytester.path)}\n")
    return pytester.runpytest_subprocess(*plugin_args(), "-o", f"cache_dir={cache}", *args)


def test_sign_up_confirm_with_latest_code_sign_in_then_the_next_test_starts_clean(
    pytester: pytest.Pytester, shared: tuple[Path, Path]
) -> None:
    pytester.makepyfile(f'''
        import json
        import re

        import pytest
        from amplify_py.auth import AuthError

        EMAIL, PASSWORD = "ana@example.com", "{PASSWORD}"

        def test_sign_up_confirm_sign_in(amplify_backend, amplify_client, capsys):
            result = amplify_client.sign_up(username=EMAIL, password=PASSWORD,
                                             options={{"user_attributes": {{"email": EMAIL}}}})
            assert result.next_step.sign_up_step == "CONFIRM_SIGN_UP"
            [message] = amplify_backend.messages(EMAIL)
            assert (message["kind"], message["medium"]) == ("SIGN_UP", "EMAIL")
            code = amplify_backend.latest_code(EMAIL)
            assert code == message["code"] and re.fullmatch(r"[0-9]{{6}}", code)
            done = amplify_client.confirm_sign_up(username=EMAIL, confirmation_code=code)
            assert done.is_sign_up_complete
            assert amplify_client.sign_in(username=EMAIL, password=PASSWORD).is_signed_in
            tokens = amplify_client.fetch_auth_session().tokens
            assert tokens.id_token.payload["email"] == EMAIL
            assert tokens.id_token.payload["cognito:groups"] == ["EDITORS"]  # the post confirmation trigger
            assert "adding ana@example.com to EDITORS" in capsys.readouterr().err
            local = amplify_backend.outputs["custom"]["local_engine"]
            assert local == {{"user_pool_endpoint": amplify_backend.endpoint,
                              "identity_pool_endpoint": amplify_backend.endpoint}}
            assert amplify_backend.endpoint.startswith("http://127.0.0.1:")
            assert json.loads(amplify_backend.outputs_path.read_text()) == amplify_backend.outputs

        def test_the_next_test_sees_no_users_codes_or_tokens(amplify_backend, amplify_client):
            pool = amplify_backend.outputs["auth"]["user_pool_id"]
            assert amplify_backend.admin.list_users(UserPoolId=pool)["Users"] == []
            assert amplify_backend.messages() == []
            with pytest.raises(AuthError, match="User needs to be authenticated to call this API"):
                amplify_client.get_current_user()
            amplify_client.sign_up(username=EMAIL, password=PASSWORD,
                                   options={{"user_attributes": {{"email": EMAIL}}}})  # no UsernameExistsException
            assert [m["kind"] for m in amplify_backend.messages(EMAIL.upper())] == ["SIGN_UP"]
    ''')
    result = run(pytester, shared)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*amplify_py*", "*app: *; engine started in *; 2 test(s) got a clean pool, *"])


def test_create_user_makes_a_confirmed_verified_user_in_groups(pytester: pytest.Pytester,
                                                              shared: tuple[Path, Path]) -> None:
    pytester.makepyfile(f'''
        import pytest
        from amplify_py.errors import AmpyUserError

        def test_create_user(amplify_backend, amplify_client):
            user = amplify_backend.create_user("bo@example.com", "{PASSWORD}", attributes={{"name": "Bo"}},
                                               groups=["ADMINS"])
            attrs = {{a["Name"]: a["Value"] for a in user["Attributes"]}}
            assert user["UserStatus"] == "CONFIRMED" and user["Enabled"] is True
            assert attrs["email"] == "bo@example.com" and attrs["email_verified"] == "true" and attrs["name"] == "Bo"
            assert user["Username"] == attrs["sub"]  # email is the sign-in name, the username a UUID
            assert amplify_backend.messages() == []  # no invitation was sent
            assert amplify_client.sign_in(username="bo@example.com", password="{PASSWORD}").is_signed_in
            payload = amplify_client.fetch_auth_session().tokens.id_token.payload
            # Cognito runs no post confirmation trigger for an admin-created user: only the group asked for.
            assert payload["cognito:groups"] == ["ADMINS"]

        def test_an_unknown_group_is_named_with_the_defined_ones(amplify_backend):
            with pytest.raises(AmpyUserError, match=r"group 'OWNERS' is not defined in .*amplify "
                                                    r"\\(its groups: ADMINS, EDITORS\\)"):
                amplify_backend.create_user("cy@example.com", "{PASSWORD}", groups=["OWNERS"])

        def test_a_password_the_policy_refuses_is_cognitos_error(amplify_backend):
            with pytest.raises(amplify_backend.admin.exceptions.InvalidPasswordException,
                               match="Password did not conform with policy"):
                amplify_backend.create_user("di@example.com", "short")
    ''')
    run(pytester, shared).assert_outcomes(passed=3)


def test_latest_code_without_a_code_names_the_address_and_what_the_outbox_holds(
    pytester: pytest.Pytester, shared: tuple[Path, Path]
) -> None:
    pytester.makepyfile(f'''
        import pytest
        from amplify_py.errors import AmpyUserError

        def test_nothing_sent_yet(amplify_backend):
            with pytest.raises(AmpyUserError, match=r"no code was sent to 'ed@example.com'; "
                                                    r"the outbox holds no messages from this test"):
                amplify_backend.latest_code("ed@example.com")

        def test_sent_to_someone_else(amplify_backend, amplify_client):
            amplify_client.sign_up(username="fay@example.com", password="{PASSWORD}",
                                   options={{"user_attributes": {{"email": "fay@example.com"}}}})
            with pytest.raises(AmpyUserError, match=r"no code was sent to 'ed@example.com'; the outbox holds "
                                                    r"1 message\\(s\\) from this test: SIGN_UP EMAIL to fay@example.com"):
                amplify_backend.latest_code("ed@example.com")
            assert amplify_backend.messages("ed@example.com") == []

        def test_a_resent_code_is_the_latest(amplify_backend, amplify_client):
            amplify_client.sign_up(username="fay@example.com", password="{PASSWORD}",
                                   options={{"user_attributes": {{"email": "fay@example.com"}}}})
            first = amplify_backend.latest_code("fay@example.com")
            amplify_client.resend_sign_up_code(username="fay@example.com")
            kinds = [m["kind"] for m in amplify_backend.messages("fay@example.com")]
            assert kinds == ["SIGN_UP", "RESEND"]
            assert amplify_backend.latest_code("fay@example.com") == amplify_backend.messages()[-1]["code"]
            with pytest.raises(amplify_client.AuthError, match="Invalid verification code provided"):
                if first != amplify_backend.latest_code("fay@example.com"):
                    amplify_client.confirm_sign_up(username="fay@example.com", confirmation_code=first)
                else:  # the same six digits twice by chance: a wrong code shows the same error
                    amplify_client.confirm_sign_up(username="fay@example.com", confirmation_code="000000"
                                                   if first != "000000" else "111111")
            assert amplify_client.confirm_sign_up(username="fay@example.com",
                                                  confirmation_code=amplify_backend.latest_code("fay@example.com"))
    ''')
    run(pytester, shared).assert_outcomes(passed=3)


def test_amplify_client_clears_token_storage_and_restores_a_swapped_one(pytester: pytest.Pytester,
                                                                          shared: tuple[Path, Path]) -> None:
    pytester.makepyfile(f'''
        import json

        import pytest
        from amplify_py.auth import FileStorage, cognito_user_pools_token_provider as provider

        ORIGINAL = provider.storage

        def test_signs_in_with_file_storage(amplify_backend, amplify_client, tmp_path_factory):
            amplify_backend.create_user("gus@example.com", "{PASSWORD}")
            provider.set_key_value_storage(FileStorage(tmp_path_factory.getbasetemp() / "tokens.json"))
            assert amplify_client.sign_in(username="gus@example.com", password="{PASSWORD}").is_signed_in

        def test_after_it_nothing_is_stored(amplify_client, tmp_path_factory):
            assert provider.storage is ORIGINAL
            assert json.loads((tmp_path_factory.getbasetemp() / "tokens.json").read_text()) == {{}}
            with pytest.raises(amplify_client.AuthError, match="User needs to be authenticated"):
                amplify_client.get_current_user()
    ''')
    run(pytester, shared).assert_outcomes(passed=2)


def test_a_marker_selects_another_project_and_an_edit_invalidates_its_cached_synth(
    pytester: pytest.Pytester, shared: tuple[Path, Path]
) -> None:
    other = scaffold(pytester.path / "apps" / "other")
    pytester.makepyfile('''
        import pytest

        POOLS = {}

        @pytest.mark.amplify_project("apps/other")
        def test_other(amplify_backend):
            POOLS["other"] = amplify_backend.outputs["auth"]["user_pool_id"]
            assert amplify_backend.project_dir.name == "other"
            amplify_backend.create_user("hal@example.com", "Sup3r-secret!")

        def test_default(amplify_backend):
            POOLS["default"] = amplify_backend.outputs["auth"]["user_pool_id"]
            assert amplify_backend.project_dir.name == "app"

        @pytest.mark.amplify_project("apps/other/amplify")  # the amplify/ folder itself names the project too
        def test_other_again(amplify_backend, amplify_client):
            assert amplify_backend.outputs["auth"]["user_pool_id"] == POOLS["other"] != POOLS["default"]
            assert amplify_backend.admin.list_users(UserPoolId=POOLS["other"])["Users"] == []
    ''')
    first = run(pytester, shared, "-v")
    first.assert_outcomes(passed=3)
    first.stdout.fnmatch_lines(["*test_other*amplify_project=apps/other* PASSED*",
                                f"{other}: synthesized in * s (cached for the next session); *"])
    again = run(pytester, shared)
    again.assert_outcomes(passed=3)
    again.stdout.fnmatch_lines([f"{other}: synth reused from the cache (amplify/ unchanged); *"])

    resource = other / "amplify" / "auth" / "resource.py"
    resource.write_text(resource.read_text() + "# an edit\n")
    edited = run(pytester, shared)
    edited.assert_outcomes(passed=3)
    edited.stdout.fnmatch_lines([f"{other}: synthesized in * s (cached for the next session); *"])
    owners = [p.read_text() for p in (shared[1] / "d" / "amplify_py-synth").glob("*/project.txt")]
    assert owners.count(str(other)) == 1  # the entry of the edited-away version was removed


def test_a_project_that_is_not_there_is_named_with_where_it_came_from(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\namplify_project = nowhere\n")
    pytester.makepyfile('''
        def test_one(amplify_backend):
            pass

        def test_two(amplify_client):
            pass
    ''')
    result = pytester.runpytest_subprocess(*plugin_args())
    result.assert_outcomes(errors=2)
    assert result.stdout.str().count(
        f"[AmplifyProjectNotFoundError] amplify_backend: {pytester.path / 'nowhere' / 'amplify' / 'backend.py'} "
        f"does not exist (the project comes from the amplify_project ini option ('nowhere' in "
        f"{pytester.path / 'tox.ini'}))") == 2
    result.stdout.fnmatch_lines(["*Resolution: Run `ampy init` in *nowhere, or point the `amplify_project` ini "
                                 "option or @pytest.mark.amplify_project(path) at the folder that holds amplify/.*"])


def test_a_marker_without_one_path_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
        import pytest

        @pytest.mark.amplify_project()
        def test_one(amplify_backend):
            pass
    ''')
    result = pytester.runpytest_subprocess(*plugin_args())
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*UsageError: *test_one: @pytest.mark.amplify_project takes one path (the folder holding "
                                 "amplify/), e.g. @pytest.mark.amplify_project('apps/shop'); got args=() kwargs={}.*"])


def test_a_broken_definition_fails_every_test_that_needs_it_with_the_definition_error(
    pytester: pytest.Pytester,
) -> None:
    project = scaffold(pytester.path)
    (project / "amplify" / "auth" / "resource.py").write_text(
        'from amplify_py import define_auth\n\nauth = define_auth(login_with={"email": True}, '
        'user_attributes={"familyName": {"required": True}})\n')
    pytester.makepyfile('''
        def test_one(amplify_backend):
            pass

        def test_two(amplify_backend):
            pass
    ''')
    result = pytester.runpytest_subprocess(*plugin_args(), "-o", f"cache_dir={pytester.path / '.cache'}")
    result.assert_outcomes(errors=2)
    text = result.stdout.str()
    assert text.count("user_attributes.familyName: unknown user attribute 'familyName'. amplify-py uses snake_case "
                      "names: write 'family_name' instead of 'familyName'.") >= 2
    result.stdout.fnmatch_lines([f"{project}: not started: InvalidDefinitionError"])
