"""Fuzzing Discord slash commands: random option values (longer than the declared ranges too, as a
crafted client could send) dispatched through the real command tree. Every interaction gets an
answer Discord accepts, pinging nobody, and never the "something went wrong" fallback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.reply import FAILED
from tests.adapters.discord.test_commands import bot, invoke, text_of
from tests.fakes.digests import HOSTILE
from tests.fakes.discord_api import MANAGE_SERVER, MEMBER, FakeDiscord, normalised, option, slash, subcommand
from tests.fakes.limits import discord_hazards, discord_problems

pytestmark = pytest.mark.slow
__all__ = ["bot"]  # the fixture, shared with test_commands

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
VALUES = st.one_of(st.text(min_size=1, max_size=60), st.sampled_from([*HOSTILE, "x" * 300, "ai-defense", "%", "_",
                                                                      "https://feeds.example:0/x", "file:///etc"]))


def payload(command: str, value: str, admin: bool) -> dict[str, object]:
    who = {"permissions": MANAGE_SERVER if admin else MEMBER}
    if command in ("subscribe", "unsubscribe"):
        name = "url" if command == "subscribe" else "name"
        return slash("sitrep", [subcommand(command, [option(name, value)])], **who)  # type: ignore[arg-type]
    name = {"whois": "name", "news": "query", "digest": "topic"}[command]
    return slash(command, [option(name, value)], **who)  # type: ignore[arg-type]


@SETTINGS
@given(st.sampled_from(["whois", "news", "digest", "subscribe", "unsubscribe"]), VALUES, st.booleans())
@example("whois", "<@&123456789012345678> @everyone", False)
@example("news", "x" * 300, False)
@example("subscribe", "file:///etc/passwd", True)
async def test_any_option_value_gets_an_answer(bot: DiscordAdapter, fake: FakeDiscord, command: str, value: str,
                                               admin: bool) -> None:
    callback = await invoke(bot, fake, payload(command, value, admin))
    data = normalised({"embeds": [], **callback["data"]})
    assert FAILED not in text_of(data), (command, value)
    assert discord_problems(data) == [] and discord_hazards(data) == []
    assert not fake.rejected
