"""Example user migration trigger: users from an old directory come in on first sign-in or password reset."""

OLD_DIRECTORY = {
    "legacy@example.com": {"password": "Legacy-passw0rd!", "name": "Lee Gacy"},
}


def handler(event, context):
    old_user = OLD_DIRECTORY.get(event["userName"])
    if old_user is None:
        raise Exception("User does not exist in the old directory")
    if event["triggerSource"] == "UserMigration_Authentication":
        if event["request"]["password"] != old_user["password"]:
            raise Exception("Bad password")
        event["response"]["finalUserStatus"] = "CONFIRMED"
    event["response"]["userAttributes"] = {
        "email": event["userName"],
        "email_verified": "true",
        "name": old_user["name"],
    }
    event["response"]["messageAction"] = "SUPPRESS"
    return event
