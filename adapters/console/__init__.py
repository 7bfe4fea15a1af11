"""The console: slash commands typed at a prompt (or piped in), digests printed to the terminal.

It is also the fake platform the tests use: it renders cards the same way and records what it
"posted", so a test can read exactly what a user would have seen.
"""

from __future__ import annotations

from adapters.console.adapter import ConsoleAdapter, ConsolePlugin, ConsoleSender

__all__ = ["ConsoleAdapter", "ConsolePlugin", "ConsoleSender", "plugin"]


def plugin() -> ConsolePlugin:
    return ConsolePlugin()
