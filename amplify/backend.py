"""The backend: every resource of the app. ``ampy`` loads the module-level ``backend``."""

from amplify_py import define_backend

from amplify.auth.resource import auth

backend = define_backend(auth=auth)
