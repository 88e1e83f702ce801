"""The local engine: a Cognito-compatible service on 127.0.0.1, and the runner for Lambda triggers."""
