"""``--debug`` is taken after every command, as the README says (and before it, by the root)."""

from __future__ import annotations

from typing import Any

from amplify_py import _reference_docs as reference


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        if not getattr(sub, "hidden", False):
            found += _commands(sub, (*path, name))
    return found


def test_every_command_takes_debug() -> None:
    commands = _commands(reference.cli_root())
    runnable = [(path, c) for path, c in commands if not getattr(c, "commands", None) or path in ((), ("sandbox",))]
    assert ("sandbox", "secret", "list") in [path for path, _ in runnable]
    assert ("sandbox", "users", "create") in [path for path, _ in runnable]
    missing = [" ".join(path) for path, command in runnable
               if not any("--debug" in getattr(param, "opts", ()) for param in command.params)]
    assert missing == []


def test_debug_after_a_command_parses() -> None:
    root = reference.cli_root()
    for line, path in (("ampy sandbox secret list --debug", ("sandbox", "secret", "list")),
                       ("ampy sandbox users list --debug", ("sandbox", "users", "list")),
                       ("ampy sandbox codes --debug", ("sandbox", "codes")),
                       ("ampy --debug sandbox reset --users", ())):
        assert dict(reference.parse_command_line(root, line))[path].params["debug"] is True, line
