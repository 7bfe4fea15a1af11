"""Direct messages: a person's follow alerts go through the outbox like a channel's posts.

The outbox and the deliverer know channels by name; a person is the pseudo-channel
`dm:PLATFORM:USER` (no configured channel may start with `dm:`), and `channel_for` gives the
deliverer a channel config for it: the person's platform, a `user:ID` target the platform's
sender opens a direct conversation with, and the `follow:` section's alert limit, quiet hours and
timezone. The console's "direct message" is printing at its prompt.
"""

from __future__ import annotations

import getpass

from pydantic import SecretStr

from bot.config.settings import DIRECT_PREFIX, ChannelConfig, Config, Platform

USER_TARGET = "user:"  # a sender seeing this target opens a direct conversation with the user
PLATFORMS = frozenset({Platform.console, Platform.slack, Platform.discord})


def recipient(platform: str, user: str) -> str:
    """The outbox name of a person on a platform."""
    return f"{DIRECT_PREFIX}{platform}:{user}"


def parse(name: str) -> tuple[Platform, str] | None:
    """(platform, user) of a direct-message name, or None for anything else (a channel's name)."""
    if not name.startswith(DIRECT_PREFIX):
        return None
    platform, _, user = name.removeprefix(DIRECT_PREFIX).partition(":")
    if not user or platform not in {p.value for p in PLATFORMS}:
        return None
    return Platform(platform), user


def channel_for(name: str, config: Config) -> ChannelConfig | None:
    """The channel config a person's direct messages are delivered with; None if `name` is not one."""
    parsed = parse(name)
    if parsed is None:
        return None
    platform, user = parsed
    follow = config.follow
    # Built, not validated: the name is sitrep's own (`dm:` is refused in a config file on purpose).
    return ChannelConfig.model_construct(
        name=name, platform=platform, target=None if platform is Platform.console else SecretStr(USER_TARGET + user),
        timezone=follow.timezone, alert_limit=follow.alert_limit, quiet_hours=follow.quiet_hours)


def user_of(target: str) -> str | None:
    """The user a sender's target names (`user:ID`), or None for a channel target."""
    return target.removeprefix(USER_TARGET) if target.startswith(USER_TARGET) else None


def console_user() -> str:
    """Who sits at this terminal: the console's caller, and whom `sitrep follow` follows for."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "console"
