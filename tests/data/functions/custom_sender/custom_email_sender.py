"""A custom email sender written as the Amazon Cognito Developer Guide shows it: the AWS Encryption SDK with a
KMS master key provider for the key in KEY_ARN decrypts the code Cognito sent. It "sends" the email by
logging it (a real one would call SES or another provider here)."""

import base64
import os

import aws_encryption_sdk
from aws_encryption_sdk import CommitmentPolicy

# Configure the Encryption SDK client with the KMS key from the environment variables. Cognito's messages
# are not key-committing, so decryption must allow them.
client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
key_provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[os.environ["KEY_ARN"]])


def send_email(to, subject, body):
    print(f"To: {to} | Subject: {subject} | {body}")


def handler(event, context):
    # Decrypt the secret code with the Encryption SDK.
    plaintext_code = None
    if event["request"].get("code"):
        plaintext, _header = client.decrypt(source=base64.b64decode(event["request"]["code"]),
                                            key_provider=key_provider)
        plaintext_code = plaintext.decode("utf-8")

    # plaintext_code now holds the decrypted secret.
    email = event["request"]["userAttributes"]["email"]
    if event["triggerSource"] == "CustomEmailSender_SignUp":
        send_email(email, "Welcome to Acme", f"Your confirmation code is {plaintext_code}")
    elif event["triggerSource"] == "CustomEmailSender_ResendCode":
        send_email(email, "Your new code", f"Your confirmation code is {plaintext_code}")
    elif event["triggerSource"] == "CustomEmailSender_ForgotPassword":
        send_email(email, "Reset your password", f"Your reset code is {plaintext_code}")
    elif event["triggerSource"] in ("CustomEmailSender_UpdateUserAttribute", "CustomEmailSender_VerifyUserAttribute"):
        send_email(email, "Verify your email", f"Your verification code is {plaintext_code}")
    elif event["triggerSource"] == "CustomEmailSender_AdminCreateUser":
        send_email(email, "Your account", f"Your temporary password is {plaintext_code}")
    elif event["triggerSource"] == "CustomEmailSender_Authentication":
        send_email(email, "Your sign-in code", f"Your code is {plaintext_code}")
    return
