"""The auto sign-in started by sign_up and finished by auto_sign_in (in memory: it holds the password).

Amplify listens for confirmSignUp on its Hub; here confirm_sign_up asks ``ready_after_confirm``
directly. As in Amplify, the flow is dropped after 3 minutes without a confirmation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AutoSignInState", "state", "reset", "start", "ready_after_confirm"]

MAX_WAIT_S = 3 * 60


@dataclass
class AutoSignInState:
    active: bool = False
    username: str | None = None
    session: str | None = None
    sign_in_input: dict[str, Any] | None = None  # username, password, options for the sign-in
    callback_ready: bool = False
    deadline: float = field(default=0.0)


state = AutoSignInState()


def reset(reset_callback: bool = True) -> None:
    """Amplify's resetAutoSignIn: the store always, the pending callback unless told to keep it."""
    sign_in_input, ready = state.sign_in_input, state.callback_ready
    state.active, state.username, state.session = False, None, None
    state.sign_in_input, state.callback_ready, state.deadline = None, False, 0.0
    if not reset_callback:
        state.sign_in_input, state.callback_ready = sign_in_input, ready


def start(username: str, session: str | None, sign_in_input: dict[str, Any], *, confirmed: bool) -> None:
    state.active, state.username, state.session = True, username, session
    state.sign_in_input = sign_in_input
    state.callback_ready = confirmed
    state.deadline = time.monotonic() + MAX_WAIT_S


def ready_after_confirm(username: str, session: str | None) -> bool:
    """Called by confirm_sign_up: True when this confirmation completes a pending auto sign-in."""
    if not state.active or state.username != username or state.sign_in_input is None:
        reset()
        return False
    if time.monotonic() > state.deadline:
        reset()
        return False
    state.session = session
    state.callback_ready = True
    return True
