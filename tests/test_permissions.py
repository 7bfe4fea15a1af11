"""Admin commands, table-driven: refused to everyone who is not an admin, accepted for admins.

This file covers the table itself, the core (which every adapter goes through) and the console;
tests/adapters/slack/test_permissions.py and tests/adapters/discord/test_permissions.py run the
same table through each platform's real request path.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from adapters.console.adapter import ConsoleAdapter
from bot.app import Sitrep
from bot.cards import FeedsCard, MessageCard
from bot.clock import FakeClock
from bot.commands import ADMIN, HELP, PERMISSIONS, Access, Caller, CommandRouter
from bot.render import plain
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.admin_commands import (
    ADMIN_COMMANDS,
    CHANNEL_ERROR,
    FEED_ERROR,
    FEED_URL,
    IDS,
    REFUSED,
    AdminCommand,
    operator_details,
)


def test_the_table_lists_every_admin_command() -> None:
    assert {c.name for c in ADMIN_COMMANDS} == set(ADMIN)
    for command in ADMIN:  # and /help says so
        assert any(usage.startswith(f"/sitrep {command}") and "(admins)" in text for usage, text in HELP)


async def test_every_command_the_core_answers_has_a_row_in_the_one_table(core: Sitrep) -> None:
    assert set(core.router.names) | {"help"} == set(PERMISSIONS)
    with pytest.raises(ValueError, match="PERMISSIONS"):  # a new command must say who may run it
        CommandRouter().register("purge", core.router._handlers["feeds"])


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Sitrep]:
    store = Store.open(f"sqlite:///{tmp_path / 'permissions.db'}")
    config = make_config(yaml.safe_dump({"feeds": [{"name": "defense-wire", "url": "wire.xml"}],
                                         "channels": [{"name": "team", "platform": "console"}]}), tmp_path)
    core = Sitrep(config=config, store=store, clock=FakeClock())
    core.sync_feeds()
    store.feeds.add(name="by-command", url=FEED_URL, topics=None, added_by="slack:U0", now=core.clock.now())
    operator_details(core)

    async def fetch_nothing(url: str, **_: object) -> object:
        raise AssertionError(f"a refused command fetched {url}")

    core.guarded_fetcher.fetch = fetch_nothing  # type: ignore[method-assign,assignment]
    yield core
    await core.aclose()


@pytest.mark.parametrize("command", ADMIN_COMMANDS, ids=IDS)
@pytest.mark.parametrize("platform", ["console", "slack", "discord"])
async def test_the_core_refuses_non_admins_every_spelling(core: Sitrep, command: AdminCommand, platform: str) -> None:
    feeds = [f.name for f in core.store.feeds.all()]
    for typed in command.spellings():
        card = await core.handle(typed, Caller(user="U0MEMBER", platform=platform, admin=False))
        assert isinstance(card, MessageCard) and card.level == "denied", (typed, card)
        assert REFUSED in card.text
    assert [f.name for f in core.store.feeds.all()] == feeds  # nothing changed, nothing fetched


async def test_the_core_accepts_admins(core: Sitrep) -> None:
    admin = Caller(user="U0ADMIN", platform="slack", admin=True)
    status = await core.handle("/sitrep status", admin)
    assert "defense-wire" in str(status)
    gone = await core.handle("/sitrep unsubscribe by-command", admin)
    assert gone == MessageCard("Unsubscribed from by-command.")
    refused = await core.handle("/sitrep subscribe http://169.254.169.254/latest/", admin)
    assert isinstance(refused, MessageCard) and refused.level == "error" and "metadata" in refused.text


async def test_the_console_is_the_operator_and_may_run_admin_commands(core: Sitrep) -> None:
    """Whoever types at sitrep's own terminal already holds its config and database: an admin."""
    out = io.StringIO()
    console = ConsoleAdapter(core, stdin=io.StringIO(), stdout=out, user="operator")
    assert console.caller.admin
    said = await console.answer("/sitrep status")
    assert "defense-wire" in said and REFUSED not in said
    assert await console.answer("/sitrep unsubscribe by-command") == "Unsubscribed from by-command."


@pytest.mark.parametrize("platform", ["console", "slack", "discord"])
async def test_members_see_feed_names_and_states_not_urls_or_errors(core: Sitrep, platform: str) -> None:
    """/sitrep status is the admins' view; /feeds must not hand members the same thing."""
    card = await core.handle("/feeds", Caller(user="U0MEMBER", platform=platform, admin=False))
    assert isinstance(card, FeedsCard)
    assert {(f.name, f.status) for f in card.feeds} == {("defense-wire", "failing"), ("by-command", "new")}
    assert all(f.url == "" and f.last_error is None for f in card.feeds)
    assert card.channels == []  # no delivery errors, no queue
    said = plain.render(card)
    assert FEED_ERROR not in said and CHANNEL_ERROR not in said and "hunter2" not in str(card)


@pytest.mark.parametrize("typed", ["/feeds", "/sitrep status"])
async def test_admins_see_urls_and_errors(core: Sitrep, typed: str) -> None:
    card = await core.handle(typed, Caller(user="U0ADMIN", platform="slack", admin=True))
    assert isinstance(card, FeedsCard)
    assert FEED_URL in {f.url for f in card.feeds}
    said = plain.render(card)
    assert FEED_ERROR in said and CHANNEL_ERROR in said


def test_only_feeds_answers_differently_for_admins() -> None:
    assert {n for n, a in PERMISSIONS.items() if a is Access.everyone_admins_see_more} == {"feeds"}


def test_help_shows_every_command_and_the_follow_commands_are_for_everyone(core: Sitrep) -> None:
    for usage, _ in HELP:  # /help shows only commands the table knows
        name = usage.split()[1] if usage.startswith("/sitrep ") else usage.split()[0].lstrip("/")
        assert name in PERMISSIONS
    assert all(PERMISSIONS[n] is Access.everyone for n in ("follow", "unfollow", "following", "trending"))
    assert {"follow", "unfollow", "following", "trending"} <= {u.split()[0].lstrip("/") for u, _ in HELP}


@pytest.mark.parametrize("platform", ["console", "slack", "discord"])
async def test_anyone_may_follow_and_only_their_own(core: Sitrep, platform: str) -> None:
    member = Caller(user="U0MEMBER", platform=platform, admin=False)
    followed = await core.handle("/follow Quentin Marlowe", member)
    assert isinstance(followed, MessageCard) and followed.level == "info"
    listed = await core.handle("/following", member)
    assert "Quentin Marlowe" in str(listed)
    for name in ("trending", "trending 24h"):
        assert not isinstance(answer := await core.handle(f"/{name}", member), MessageCard), answer
    other = Caller(user="U0OTHER", platform=platform, admin=True)  # an admin, but not the follower
    refused = await core.handle("/unfollow Quentin Marlowe", other)
    assert isinstance(refused, MessageCard) and refused.level == "error"
    assert await core.handle("/unfollow Quentin Marlowe", member) == MessageCard(
        "No longer following Quentin Marlowe.")


async def test_the_console_follows_for_its_user_and_prints_alerts(core: Sitrep) -> None:
    console = ConsoleAdapter(core, stdin=io.StringIO(), stdout=io.StringIO(), user="operator")
    assert "An alert is printed here" in await console.answer("/follow Quentin Marlowe")
    assert "You follow 1 name:\n  • Quentin Marlowe (not in the news yet)" in await console.answer("/following")
    help_text = await console.answer("/help")
    for usage in ("/follow NAME", "/unfollow NAME", "/following", "/trending [24h|7d|30d]"):
        assert usage in help_text
