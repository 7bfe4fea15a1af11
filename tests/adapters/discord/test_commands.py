"""Slash commands end to end: Discord's documented interaction payloads, dispatched through the
real command tree of a client logged in to the fake Discord, answered over its REST API."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.app import Sitrep
from tests.adapters.discord.conftest import ADMIN_ROLE, NAMED_ROLE, OTHER_ROLE
from tests.conftest import shared
from tests.fakes.discord_api import (
    APPLICATION_ID,
    EPHEMERAL,
    GUILD_ID,
    MANAGE_SERVER,
    MEMBER,
    FakeDiscord,
    callback_path,
    followup_path,
    guild,
    normalised,
    option,
    role,
    slash,
    subcommand,
)
from tests.fakes.limits import discord_hazards

pytestmark = pytest.mark.slow  # the demo feeds are polled once per session

ADMINISTRATOR = MEMBER | (1 << 3)


@pytest.fixture
async def bot(core: Sitrep, fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    adapter = DiscordAdapter(core, defer_after=30.0)
    await adapter.client.login(fake.token)  # also syncs the commands (setup_hook)
    yield adapter
    await adapter.client.close()


async def invoke(bot: DiscordAdapter, fake: FakeDiscord, payload: dict[str, Any]) -> dict[str, Any]:
    """Dispatch as the gateway does, and return the interaction callback sitrep sent."""
    bot.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    [callback] = await fake.wait_for(lambda r: r.path == callback_path(payload))
    assert isinstance(callback.body, dict)
    return callback.body


def text_of(data: dict[str, Any]) -> str:
    """What a reader sees: content, titles and descriptions, with Markdown escapes removed."""
    parts = [data.get("content") or ""]
    for embed in data.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def documented(name: str, options: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """Discord's documented slash-command example, adapted to one of sitrep's commands."""
    example = json.loads(shared("corpus", "platform", "discord_interaction_slash_command.json").read_text())
    return slash(name, options, base=example, **kwargs)


async def test_whois_from_the_documented_payload_answers_with_an_embed(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    callback = await invoke(bot, fake, documented("whois", [option("name", "Kalinowski")]))
    assert callback["type"] == 4  # CHANNEL_MESSAGE_WITH_SOURCE: answered at once
    data = callback["data"]
    assert data["flags"] & EPHEMERAL  # a lookup is the asker's own
    assert data["allowed_mentions"] == {"parse": []}
    [embed] = data["embeds"]
    assert "Caitlin Kalinowski" in embed["title"]
    assert "OpenAI" in embed["description"]
    assert not fake.rejected


async def test_a_slow_answer_is_deferred_then_followed_up(core: Sitrep, fake: FakeDiscord) -> None:
    adapter = DiscordAdapter(core, defer_after=0.0)  # nothing is fast enough: always defer
    await adapter.client.login(fake.token)
    try:
        payload = slash("whois", [option("name", "Kalinowski")])
        callback = await invoke(adapter, fake, payload)
        assert callback == {"type": 5, "data": {"flags": EPHEMERAL}}  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
        [followup] = await fake.wait_for(lambda r: r.path == followup_path(payload))
    finally:
        await adapter.client.close()
    assert followup.method == "POST"
    assert "Caitlin Kalinowski" in followup.body["embeds"][0]["title"]
    assert followup.body["allowed_mentions"] == {"parse": []}
    assert followup.body["flags"] & EPHEMERAL
    assert not fake.rejected


async def test_share_posts_the_answer_for_everyone(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    callback = await invoke(bot, fake, slash("whois", [option("name", "Kalinowski"), option("share", True, kind=5)]))
    assert not callback["data"].get("flags", 0) & EPHEMERAL
    assert "Caitlin Kalinowski" in callback["data"]["embeds"][0]["title"]


async def test_news_digest_and_feeds(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    news = await invoke(bot, fake, slash("news", [option("query", "drones")]))
    assert "drone" in text_of(news["data"]).lower()
    digest = await invoke(bot, fake, slash("digest", []))
    assert "Kalinowski" in text_of(digest["data"])  # this channel's digest, the last 7 days
    assert len(digest["data"]["embeds"]) <= 10
    feeds = await invoke(bot, fake, slash("feeds", []))
    assert "defense-wire" in text_of(feeds["data"])
    unknown = await invoke(bot, fake, slash("digest", [option("topic", "gardening")]))
    assert "Unknown topic 'gardening'" in text_of(unknown["data"])
    assert unknown["data"]["flags"] & EPHEMERAL
    assert not fake.rejected


async def test_hostile_input_pings_nobody(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    for name, value in [("whois", "@everyone"), ("news", "<@&123456789012345678> @here"),
                        ("whois", "</ban:1> <#645027906669510667>")]:
        key = "name" if name == "whois" else "query"
        callback = await invoke(bot, fake, slash(name, [option(key, value)]))
        assert callback["data"]["allowed_mentions"] == {"parse": []}
        assert not discord_hazards(normalised(callback["data"])), callback["data"]


ADMIN_COMMANDS = [
    ("subscribe", [option("url", "https://feeds.example/feed.xml"), option("topics", "ai-defense")]),
    ("unsubscribe", [option("name", "defense-wire")]),
    ("status", []),
]


@pytest.mark.parametrize(("command", "options"), ADMIN_COMMANDS, ids=[c for c, _ in ADMIN_COMMANDS])
@pytest.mark.parametrize("who", [
    {"permissions": MEMBER},
    {"permissions": MEMBER, "roles": (OTHER_ROLE,)},
    {"permissions": MANAGE_SERVER, "guild_id": None},  # in a DM nobody is a server admin
], ids=["member", "unlisted-role", "direct-message"])
async def test_non_admins_are_refused_every_admin_command(bot: DiscordAdapter, fake: FakeDiscord, core: Sitrep,
                                                          command: str, options: list[dict[str, Any]],
                                                          who: dict[str, Any]) -> None:
    feeds_before = [f.name for f in core.store.feeds.all()]
    callback = await invoke(bot, fake, slash("sitrep", [subcommand(command, options)], **who))
    assert callback["type"] == 4
    assert text_of(callback["data"]).startswith("⛔")
    assert "for sitrep admins only" in text_of(callback["data"])
    assert callback["data"]["flags"] & EPHEMERAL
    assert [f.name for f in core.store.feeds.all()] == feeds_before


@pytest.mark.parametrize("who", [
    {"permissions": MANAGE_SERVER},
    {"permissions": ADMINISTRATOR},
    {"permissions": MEMBER, "roles": (OTHER_ROLE, ADMIN_ROLE)},  # discord.admin_roles lists its ID
], ids=["manage-server", "administrator", "role-by-id"])
async def test_admins_may_subscribe_and_see_status(bot: DiscordAdapter, fake: FakeDiscord, core: Sitrep,
                                                   feed_site: str, who: dict[str, Any]) -> None:
    url = f"{feed_site}/feed.xml"
    subscribed = await invoke(bot, fake, slash("sitrep", [subcommand("subscribe", [
        option("url", url), option("topics", "ai-defense")])], **who))
    assert text_of(subscribed["data"]).startswith(f"Subscribed to Harbor Defense Notes ({url}) as ")
    [feed] = [f for f in core.store.feeds.all() if f.url == url]
    assert feed.origin != "config"
    status = await invoke(bot, fake, slash("sitrep", [subcommand("status")], **who))
    assert feed.name in text_of(status["data"])
    gone = await invoke(bot, fake, slash("sitrep", [subcommand("unsubscribe", [option("name", feed.name)])], **who))
    assert text_of(gone["data"]) == f"Unsubscribed from {feed.name}."
    assert all(f.url != url for f in core.store.feeds.all())


async def test_a_role_named_like_an_admin_role_grants_nothing(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    """Roles count by ID only: a server's admins can name a role anything, "Sitrep Editors" included."""
    bot.client._connection._add_guild_from_data(guild(GUILD_ID, roles=[  # type: ignore[arg-type]
        role(NAMED_ROLE, "Sitrep Editors"), role(OTHER_ROLE, str(ADMIN_ROLE))]))
    for held in (NAMED_ROLE, OTHER_ROLE):
        refused = await invoke(bot, fake, slash("sitrep", [subcommand("status")], roles=(held,)))
        assert "admins only" in text_of(refused["data"])


async def test_the_subscriber_is_recorded_and_topics_are_checked(bot: DiscordAdapter, fake: FakeDiscord,
                                                                 core: Sitrep, feed_site: str) -> None:
    bad = await invoke(bot, fake, slash("sitrep", [subcommand("subscribe", [
        option("url", f"{feed_site}/feed.xml"), option("topics", "ai-defense, knitting")])],
        permissions=MANAGE_SERVER, user_id=42))
    assert "Unknown topic 'knitting'" in text_of(bad["data"])
    good = await invoke(bot, fake, slash("sitrep", [subcommand("subscribe", [
        option("url", f"{feed_site}/feed.xml"), option("topics", "ai-defense")])],
        permissions=MANAGE_SERVER, user_id=42))
    assert text_of(good["data"]).startswith("Subscribed")
    [feed] = [f for f in core.store.feeds.all() if f.url == f"{feed_site}/feed.xml"]
    assert (feed.origin, feed.added_by, feed.topics) == ("command", "discord:42", ["ai-defense"])


async def test_whois_autocompletes_names_from_the_entity_index(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    payload = slash("whois", [option("name", "Kal", focused=True)], autocomplete=True)
    callback = await invoke(bot, fake, payload)
    assert callback["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    names = [c["name"] for c in callback["data"]["choices"]]
    assert "Caitlin Kalinowski" in names
    assert all(c["name"] == c["value"] and len(c["name"]) <= 100 for c in callback["data"]["choices"])
    assert len(names) <= 25
    everyone = await invoke(bot, fake, slash("whois", [option("name", "", focused=True)], autocomplete=True))
    assert 1 < len(everyone["data"]["choices"]) <= 25


async def test_digest_topics_and_feed_names_autocomplete(bot: DiscordAdapter, fake: FakeDiscord,
                                                         feed_site: str) -> None:
    topics = await invoke(bot, fake, slash("digest", [option("topic", "ai", focused=True)], autocomplete=True))
    assert [c["value"] for c in topics["data"]["choices"]] == ["ai-defense"]
    # Only feeds added by command can be unsubscribed, and only admins are told their names.
    await invoke(bot, fake, slash("sitrep", [subcommand("subscribe", [option("url", f"{feed_site}/feed.xml")])],
                                  permissions=MANAGE_SERVER))
    asked = [option("name", "", focused=True)]
    admin = await invoke(bot, fake, slash("sitrep", [subcommand("unsubscribe", asked)], autocomplete=True,
                                          permissions=MANAGE_SERVER))
    assert [c["value"] for c in admin["data"]["choices"]] == ["harbor-defense-notes"]
    member = await invoke(bot, fake, slash("sitrep", [subcommand("unsubscribe", asked)], autocomplete=True))
    assert member["data"]["choices"] == []


async def test_commands_are_synced_to_the_configured_guild(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    [sync] = [r for r in fake.requests if r.method == "PUT"]
    assert sync.path == f"/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands"
    commands = {c["name"]: c for c in sync.body}
    assert set(commands) == {"whois", "news", "digest", "feeds", "follow", "unfollow", "following", "trending",
                             "sitrep"}
    assert [o["name"] for o in commands["sitrep"]["options"]] == ["subscribe", "unsubscribe", "status"]
    assert commands["whois"]["options"][0]["autocomplete"] is True
    # Roles are configured, so Discord must not hide /sitrep from members without Manage Server.
    assert commands["sitrep"]["default_member_permissions"] is None
    assert commands["sitrep"]["dm_permission"] is False


async def test_every_outgoing_message_pings_nobody(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    for payload in [slash("whois", [option("name", "Kalinowski")]), slash("news", [option("query", "Pentagon")]),
                    slash("digest", [option("share", True, kind=5)]), slash("feeds", []),
                    slash("sitrep", [subcommand("status")], permissions=MANAGE_SERVER)]:
        await invoke(bot, fake, payload)
    outgoing = fake.outgoing()
    assert len(outgoing) == 5
    assert all(p["allowed_mentions"] == {"parse": []} for p in outgoing)
    assert not fake.rejected



async def test_a_failing_command_gets_a_short_private_answer(bot: DiscordAdapter, fake: FakeDiscord, core: Sitrep,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    async def broken(text: str, caller: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(core, "handle", broken)
    callback = await invoke(bot, fake, slash("news", [option("query", "x"), option("share", True, kind=5)]))
    assert text_of(callback["data"]).startswith("⚠️ Something went wrong")
    assert callback["data"]["flags"] & EPHEMERAL  # an error is not shared, even when asked to share
    assert "database on fire" not in json.dumps(callback) and "database on fire" in caplog.text


async def test_an_expired_interaction_is_given_up_quietly(core: Sitrep, fake: FakeDiscord,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    adapter = DiscordAdapter(core, defer_after=0.0)
    await adapter.client.login(fake.token)
    fake.script("POST", r"/interactions/\d+/[^/]+/callback", 404, {"message": "Unknown interaction", "code": 10062})
    try:
        payload = slash("whois", [option("name", "Kalinowski")])
        await invoke(adapter, fake, payload)
        late = slash("feeds", [])  # the next interaction is answered as usual
        await invoke(adapter, fake, late)
        await fake.wait_for(lambda r: r.path == followup_path(late))
    finally:
        await adapter.client.close()
    assert not [r for r in fake.requests if r.path == followup_path(payload)]
    assert "could not defer interaction" in caplog.text
