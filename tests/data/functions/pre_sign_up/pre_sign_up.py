"""Example pre sign-up trigger: rejects an invalid custom:department, auto-confirms example.com addresses."""

import os

ALLOWED = set(os.environ.get("ALLOWED_DEPARTMENTS", "engineering,sales").split(","))


def handler(event, context):
    department = event["request"]["userAttributes"].get("custom:department")
    if department is not None and department not in ALLOWED:
        raise Exception(f"Invalid department: {department}")
    if event["request"]["userAttributes"].get("email", "").endswith("@example.com"):
        event["response"]["autoConfirmUser"] = True
        event["response"]["autoVerifyEmail"] = True
    return event
