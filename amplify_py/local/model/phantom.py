"""A name that is no user of the pool, kept as if it were one (PreventUserExistenceErrors).

Where existence errors are prevented, an unknown name must answer as a user would: its code requests count
toward the hourly limit and its wrong passwords toward the lockout, or the 21st request (or the sixth wrong
password) would tell who exists. ``PhantomUser`` is a ``User`` in every respect but where it is saved: the
directory stores it under an id no pool has (``store.phantom_pool_id``), so no operation, listing or sign-in
ever finds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amplify_py.local.model.user import User

__all__ = ["PhantomUser"]


@dataclass
class PhantomUser(User):
    """What the engine remembers about a name nobody has: attempt counts and lockout state, nothing else."""

    # Wrong codes entered since the last simulated delivery, by code purpose (present once one was "sent"): a
    # user's code takes five guesses, so a simulated one does too.
    guesses: dict[str, int] = field(default_factory=dict)
