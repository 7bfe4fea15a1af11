"""Fuzzing the command parser and router: random slash-command text for every command.

Whatever a workspace member types (through the console, Slack's escaped text or Discord's options),
the core answers with a card or a polite error, never an exception; admin commands are refused to
everyone else before any work; and the answer, rendered for each platform, fits the platform and
pings nobody, even when it quotes what was typed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.discord import embeds
from adapters.discord.commands import command_text
from adapters.slack import blocks
from adapters.slack.commands import from_slack_text
from bot.app import Sitrep
from bot.cards import MessageCard
from bot.clock import FakeClock
from bot.commands import ADMIN, CONTROL_CHARACTERS, MAX_COMMAND, Caller, parse
from bot.config.settings import HttpConfig
from bot.errors import CommandError
from bot.http.fetch import Fetcher
from bot.http.ssrf import guarded_client
from bot.render import markdown, plain
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.digests import HOSTILE
from tests.fakes.limits import discord_hazards, discord_problems, slack_hazards, slack_problems

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

_HEADS = st.sampled_from(["/whois", "/who", "/news", "/search", "/digest", "/feeds", "/sources", "/help", "/?",
                          "/sitrep", "/sitrep subscribe", "/sitrep unsubscribe", "/sitrep status", "/sitrep feeds",
                          "/sitrep help", "/SITREP STATUS", "/nope", "/", "", "sitrep", "whois", "/sitrep sitrep"])
_WORDS = st.one_of(
    st.sampled_from([*HOSTILE, '"', "'", '"unclosed', "\\", "--", "-h", "ai-defense", "%s", "{0}", "${HOME}",
                     "https://example.com/feed", "http://127.0.0.1/", "file:///etc/passwd", "x" * 600,
                     "\x00", "\u202e", "　", "Kalinowski", "*", "%", "_", "'; DROP TABLE stories; --"]),
    st.text(max_size=30),
)
COMMANDS = st.builds(lambda head, words: " ".join([head, *words]), _HEADS, st.lists(_WORDS, max_size=5))


@pytest.fixture
async def core(tmp_path: Path, store_url: str) -> AsyncIterator[Sitrep]:
    """A core on each backend: /news builds an FTS5 query on SQLite and a tsquery on PostgreSQL."""
    store = Store.open(store_url)
    config = make_config(yaml.safe_dump({"feeds": [{"name": "wire", "url": "wire.xml"}]}), tmp_path)
    core = Sitrep(config=config, store=store, clock=FakeClock())
    core.sync_feeds()

    async def no_dns(host: str, port: int) -> list[str]:  # subscribe must never reach a real resolver here
        raise OSError("no DNS in tests")

    await core.guarded_fetcher.client.aclose()
    core.guarded_fetcher = Fetcher(HttpConfig(), client=guarded_client(HttpConfig(), resolver=no_dns))
    yield core
    await core.aclose()


def _check_answer(card: object, typed: str) -> None:
    slack, discord = blocks.render_card(card), embeds.render_card(card)  # type: ignore[arg-type]
    assert slack_problems(slack) == [] and slack_hazards(slack) == [], (typed, slack)
    assert discord_problems(discord) == [] and discord_hazards(discord) == [], (typed, discord)
    rendered = plain.render(card) + markdown.render(card)  # type: ignore[arg-type]
    assert "\x1b" not in rendered and "\u202e" not in rendered


@SETTINGS
@given(COMMANDS, st.booleans())
@example("/whois <!channel> @everyone", False)
@example("/news " + "x" * 600, False)
@example('/sitrep subscribe "http://127.0.0.1:9/feed', True)
@example("/sitrep unsubscribe \x00", True)  # PostgreSQL refuses NUL in any text parameter
@example("/sitrep subscribe http://[::1", True)
@example("/sitrep subscribe http://a.example:99999/", True)
@example("/sitrep subscribe https://example.com/feed ai-defense", True)
@example("/digest <@&123456789012345678>", False)
@example("/sitrep unsubscribe wire", True)
@example("/nope\x1b[31m", False)
async def test_any_command_text_gets_a_card(core: Sitrep, typed: str, admin: bool) -> None:
    caller = Caller(user="U1", platform="slack", admin=admin)
    card = await core.handle(typed, caller)
    _check_answer(card, typed)
    try:
        invocation = parse(typed)
    except CommandError:
        assert isinstance(card, MessageCard) and card.level == "error"
        return
    if invocation.name in ADMIN and not admin:
        assert isinstance(card, MessageCard) and card.level == "denied"


@SETTINGS
@given(st.text(max_size=MAX_COMMAND + 50))
def test_parse_gives_an_invocation_or_a_command_error(typed: str) -> None:
    try:
        invocation = parse(typed)
    except CommandError as error:
        assert str(error)
        return
    assert len(typed.strip()) <= MAX_COMMAND
    assert invocation.name == invocation.name.lower() and " " not in invocation.name
    assert all(isinstance(a, str) for a in invocation.args)


@SETTINGS
@given(st.text(max_size=200))
@example("<@U1|<!channel>>")
@example("<!subteam^S1|@team>")
@example("<https://x.example|<!here>>")
def test_slack_command_text_is_taken_apart_without_broadcasts(typed: str) -> None:
    meant = from_slack_text(typed)
    assert "<!" not in meant or "<!" in typed.replace("&lt;", "<")


@SETTINGS
@given(st.lists(_WORDS, max_size=4))
def test_discord_options_stay_one_argument_each(words: list[str]) -> None:
    """Discord passes options, not text: quoted for the parser, each comes back as one argument."""
    words = [w for w in words if w]
    typed = "/sitrep subscribe " + command_text(*words)
    try:
        invocation = parse(typed)
    except CommandError:
        assert len(typed) > MAX_COMMAND
        return
    assert invocation.args == [CONTROL_CHARACTERS.sub(" ", w) for w in words]  # control characters are spaces
