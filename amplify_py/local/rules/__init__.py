"""Cognito's rules, each written once: the directory, attributes, passwords and lockout, codes, messages,
sessions, tokens and triggers. Operations combine them; rules never import operations or the HTTP faces."""
