"""The console checks the Host of its own prefix only (``/_console/...``), not of every path that starts alike."""

from __future__ import annotations

from amplify_py.local.http.host_check import _under


def test_a_prefix_covers_itself_and_below_only() -> None:
    assert _under("/_console", "/_console") and _under("/_console/users", "/_console")
    assert not _under("/_consoleX/.well-known/jwks.json", "/_console")
