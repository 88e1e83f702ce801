"""The seed's custom challenge, step 2: ask for the secret code, with a hint for the client."""

import os


def handler(event, context):
    if event["request"]["challengeName"] == "CUSTOM_CHALLENGE":
        event["response"]["publicChallengeParameters"] = {"hint": "Enter the secret code"}
        event["response"]["privateChallengeParameters"] = {"answer": os.environ["SECRET_CODE"]}
        event["response"]["challengeMetadata"] = "SECRET_CODE"
    return event
