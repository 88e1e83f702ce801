"""Example custom message trigger: a branded verification email (the code placeholder stays in the body)."""


def handler(event, context):
    if event["triggerSource"] == "CustomMessage_SignUp":
        code = event["request"]["codeParameter"]
        name = event["request"]["userAttributes"].get("email", "there")
        event["response"]["emailSubject"] = "Welcome to Acme!"
        event["response"]["emailMessage"] = f"Hi {name}, thanks for joining Acme. Your verification code is {code}."
    return event
