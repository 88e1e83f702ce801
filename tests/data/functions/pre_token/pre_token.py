"""Example pre token generation trigger (version 1): a tenant claim and an extra group in the ID token."""


def handler(event, context):
    groups = event["request"]["groupConfiguration"]["groupsToOverride"]
    event["response"]["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": {"tenant_id": "acme-42"},
        "groupOverrideDetails": {"groupsToOverride": [*groups, "beta-testers"]},
    }
    return event
