"""The engine's HTTP faces: Cognito's JSON protocol and the well-known documents, mounted by ``app``."""
