"""Testing an app's auth against its real backend definition, on the local engine, with pytest.

Installing amplify-py installs the pytest plugin (``amplify_py.testing._plugin``): the fixtures
``amplify_backend`` (an ``AmplifyBackend``) and ``amplify_client`` need no import. This module
exports the fixture's type for annotations::

    from amplify_py.testing import AmplifyBackend

    def test_sign_in(amplify_backend: AmplifyBackend, amplify_client):
        amplify_backend.create_user("ana@example.com", "Sup3r-secret!")
        assert amplify_client.sign_in(username="ana@example.com", password="Sup3r-secret!").is_signed_in
"""

from __future__ import annotations

from amplify_py.testing._backend import AmplifyBackend

__all__ = ["AmplifyBackend"]
