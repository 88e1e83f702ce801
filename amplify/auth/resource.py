"""Define and configure your auth resource (the seed's first example)."""

from amplify_py import define_auth

auth = define_auth(
    login_with={
        "email": True,
    },
)
