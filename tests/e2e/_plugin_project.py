"""Projects and pytest arguments for the tests of the pytest plugin (``amplify_py.testing``)."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from amplify_py._templates import render_tree

PLUGIN_MODULE = "amplify_py.testing._plugin"

RESOURCE_WITH_GROUPS_AND_TRIGGER = '''\
from amplify_py import define_auth, define_function

post_confirmation = define_function(entry="./post_confirmation.py", environment={"GROUP_NAME": "EDITORS"})

auth = define_auth(
    login_with={"email": True},
    groups=["ADMINS", "EDITORS"],
    triggers={"post_confirmation": post_confirmation},
    access=lambda allow: [allow.resource(post_confirmation).to(["add_user_to_group"])],
)
'''

POST_CONFIRMATION = '''\
"""Puts every confirmed user in GROUP_NAME (the Amplify docs' post confirmation pattern)."""

import os

import boto3

client = boto3.client("cognito-idp")


def handler(event, context):
    print("adding", event["request"]["userAttributes"]["email"], "to", os.environ["GROUP_NAME"])
    client.admin_add_user_to_group(
        UserPoolId=event["userPoolId"], Username=event["userName"], GroupName=os.environ["GROUP_NAME"],
    )
    return event
'''


def plugin_args() -> list[str]:
    """``-p amplify_py.testing._plugin`` unless an installed entry point already loads it.

    Both at once would register the module twice (pytest refuses), so it depends on the install.
    """
    installed = any(ep.value == PLUGIN_MODULE for ep in metadata.entry_points(group="pytest11"))
    return [] if installed else ["-p", PLUGIN_MODULE]


def scaffold(project_dir: Path, *, groups_and_trigger: bool = False) -> Path:
    """What `ampy init` writes (email sign-in); optionally with groups and a post confirmation trigger."""
    project_dir.mkdir(parents=True, exist_ok=True)
    render_tree("init", project_dir, {"project_name": project_dir.name})
    if groups_and_trigger:
        (project_dir / "amplify" / "auth" / "resource.py").write_text(RESOURCE_WITH_GROUPS_AND_TRIGGER)
        (project_dir / "amplify" / "auth" / "post_confirmation.py").write_text(POST_CONFIRMATION)
    return project_dir
