"""Example pre token generation trigger that calls the user pool back (AdminGetUser) while Cognito waits."""

import boto3

client = boto3.client("cognito-idp")


def handler(event, context):
    user = client.admin_get_user(UserPoolId=event["userPoolId"], Username=event["userName"])
    event["response"]["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": {"looked_up_status": user["UserStatus"], "looked_up_username": user["Username"]},
    }
    return event
