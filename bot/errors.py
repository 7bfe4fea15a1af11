"""One exception family, so callers can catch sitrep's own failures and nothing else."""

from __future__ import annotations

from pathlib import Path


class SitrepError(Exception):
    """Base of every error sitrep raises on purpose."""


class ConfigError(SitrepError):
    """A config file that cannot be used; names the file, line and key so the user can fix it."""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "<config>"
        if self.line is not None:
            where += f":{self.line}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


class ConfigErrors(ConfigError):
    """Several problems found in one pass, reported together so the user fixes them in one go."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.message, path=first.path, line=first.line, key=first.key)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class StoreError(SitrepError):
    """The database could not be opened or migrated."""


class CommandError(SitrepError):
    """A slash command that cannot be answered as typed (unknown verb, missing argument)."""


class PermissionDenied(CommandError):
    """An admin command asked for by someone who is not an admin."""
