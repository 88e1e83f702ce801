"""One error hierarchy for the whole project.

``AmpyError`` has two branches: ``AmpyUserError`` for anything the user can fix
(a bad definition, a missing deployment, a port in use) and ``AmpyFault`` for
our own bugs. Every error carries a ``name`` (stable, CamelCase, like Amplify's
``AmplifyUserError`` names), a ``message`` (what went wrong, and where) and a
``resolution`` (how to fix it). The CLI renders them in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AmpyError", "AmpyUserError", "AmpyFault", "Problem", "DefinitionError"]


class AmpyError(Exception):
    """Base of every error the project raises on purpose."""

    def __init__(self, name: str, message: str, resolution: str, *, details: str | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.message = message
        self.resolution = resolution
        self.details = details

    def __str__(self) -> str:
        text = f"[{self.name}] {self.message}"
        if self.details:
            text += f"\n{self.details}"
        if self.resolution:
            text += f"\nResolution: {self.resolution}"
        return text


class AmpyUserError(AmpyError):
    """Something the user can fix: the message says what and where, the resolution how."""


class AmpyFault(AmpyError):
    """A bug in amplify-py. The resolution asks the user to report it."""

    def __init__(self, name: str, message: str, resolution: str | None = None, *, details: str | None = None) -> None:
        super().__init__(
            name,
            message,
            resolution or "This is a bug in amplify-py. Re-run with --debug and report the output.",
            details=details,
        )


@dataclass(frozen=True)
class Problem:
    """One problem in a definition: where (a DSL path), what, and how to fix it."""

    path: str
    message: str
    resolution: str = ""

    def render(self) -> str:
        where = self.path or "(top level)"
        text = f"{where}: {self.message}"
        if self.resolution:
            text += f" {self.resolution}"
        return text


class DefinitionError(AmpyUserError):
    """A backend definition (define_auth, define_function, ...) has one or more problems.

    All problems are collected and reported at once, each with its DSL path.
    """

    def __init__(self, what: str, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(f"  - {p.render()}" for p in self.problems)
        super().__init__(
            "InvalidDefinitionError",
            f"{what} has {count} {noun}:\n{lines}",
            "Fix each problem listed above in your definition and run the command again.",
        )
