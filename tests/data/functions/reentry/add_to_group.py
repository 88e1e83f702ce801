"""Example post confirmation trigger: puts every confirmed user in a group with boto3 (Amplify docs' pattern).

Needs ``access=lambda allow: [allow.resource(fn).to(["add_user_to_group"])]``. A trigger of the pool reads the pool
ID from the event (it gets no AMPLIFY_AUTH_USERPOOL_ID: that would make the pool and the function depend on each
other). On the local engine, boto3 reaches the engine through AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER.
"""

import os

import boto3

client = boto3.client("cognito-idp")


def handler(event, context):
    client.admin_add_user_to_group(
        UserPoolId=event["userPoolId"],
        Username=event["userName"],
        GroupName=os.environ["GROUP_NAME"],
    )
    return event
