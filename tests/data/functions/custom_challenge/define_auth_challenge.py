"""The seed's custom challenge, step 1: decide what comes next from the session so far."""

MAX_ATTEMPTS = 3


def handler(event, context):
    session = event["request"]["session"]
    response = event["response"]
    answered = [s for s in session if s["challengeName"] == "CUSTOM_CHALLENGE"]
    if answered and answered[-1]["challengeResult"]:
        response["issueTokens"] = True
        response["failAuthentication"] = False
    elif len(answered) >= MAX_ATTEMPTS:
        response["issueTokens"] = False
        response["failAuthentication"] = True
    else:
        response["issueTokens"] = False
        response["failAuthentication"] = False
        response["challengeName"] = "CUSTOM_CHALLENGE"
    return event
