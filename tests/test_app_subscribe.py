"""Feeds added by command: guarded, fetched and parsed once, stored as origin=command, kept across restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Sitrep
from bot.cards import MessageCard
from bot.cli.main import main
from bot.clock import FakeClock
from bot.commands import Caller
from bot.store.schema import feeds
from tests.conftest import make_config
from tests.fakes.feed_site import feed_site as serve_feed_site

ADMIN = Caller(user="U0ADMIN", platform="slack", admin=True)


@pytest.fixture
async def feed_site() -> AsyncIterator[str]:
    async with serve_feed_site() as url:
        yield url


def config_text(db: Path, *, allow_private: bool) -> str:
    return f"""
storage: {{url: "sqlite:///{db}"}}
http: {{allow_private_addresses: {str(allow_private).lower()}}}
feeds:
  - {{name: local, url: local.xml}}
"""


async def open_core(tmp_path: Path, *, allow_private: bool) -> Sitrep:
    config = make_config(config_text(tmp_path / "s.db", allow_private=allow_private), tmp_path)
    return Sitrep.open(config, clock=FakeClock())


async def answer(core: Sitrep, text: str, caller: Caller = ADMIN) -> MessageCard:
    card = await core.handle(text, caller)
    assert isinstance(card, MessageCard)
    return card


async def test_a_subscribed_feed_is_stored_survives_a_restart_and_shows_in_sitrep_feeds(
        tmp_path: Path, feed_site: str, capsys: pytest.CaptureFixture[str]) -> None:
    core = await open_core(tmp_path, allow_private=True)
    try:
        card = await answer(core, f"/sitrep subscribe {feed_site}/feed.xml ai-defense")
        assert card.level == "info", card.text
        assert "as harbor-defense-notes" in card.text and "2 items" in card.text
        again = await answer(core, f"/sitrep subscribe {feed_site}/feed.xml")
        assert again.level == "error" and "Already subscribed" in again.text
    finally:
        await core.aclose()

    core = await open_core(tmp_path, allow_private=True)  # a restart: config feeds synced again
    try:
        row = core.store.feeds.get("harbor-defense-notes")
        assert row is not None and row.origin == "command" and row.added_by == "slack:U0ADMIN"
        assert row.topics == ["ai-defense"] and row.url == f"{feed_site}/feed.xml"
    finally:
        await core.aclose()

    capsys.readouterr()
    assert main(["--config", str(tmp_path / "sitrep.yaml"), "feeds"]) == 0
    assert "harbor-defense-notes" in capsys.readouterr().out


async def test_the_guard_refuses_a_loopback_feed_and_stores_nothing(tmp_path: Path, feed_site: str) -> None:
    core = await open_core(tmp_path, allow_private=False)
    try:
        for url, reason in ((f"{feed_site}/feed.xml", "loopback"), ("http://169.254.169.254/", "metadata"),
                            ("http://2130706433/feed", "unusual spelling"), ("file:///etc/passwd", "http"),
                            ("http://localhost/feed", "this machine")):
            card = await answer(core, f"/sitrep subscribe {url}")
            assert card.level == "error" and "will not fetch" in card.text and reason in card.text, card.text
        assert [r.name for r in core.store.feeds.all()] == ["local"]
    finally:
        await core.aclose()


async def test_what_is_not_a_feed_is_refused(tmp_path: Path, feed_site: str) -> None:
    core = await open_core(tmp_path, allow_private=True)
    try:
        page = await answer(core, f"/sitrep subscribe {feed_site}/page.html")
        assert page.level == "error" and "not a feed" in page.text
        missing = await answer(core, f"/sitrep subscribe {feed_site}/gone.xml")
        assert missing.level == "error" and "HTTP 404" in missing.text
        topic = await answer(core, f"/sitrep subscribe {feed_site}/feed.xml knitting")
        assert topic.level == "error" and "Unknown topic 'knitting'" in topic.text
        assert [r.name for r in core.store.feeds.all()] == ["local"]
    finally:
        await core.aclose()


async def test_only_admins_subscribe_and_config_feeds_stay(tmp_path: Path, feed_site: str) -> None:
    core = await open_core(tmp_path, allow_private=True)
    try:
        denied = await answer(core, f"/sitrep subscribe {feed_site}/feed.xml", Caller("U1", "slack"))
        assert denied.level == "denied"
        assert (await answer(core, f"/sitrep subscribe {feed_site}/feed.xml")).level == "info"
        assert (await answer(core, "/sitrep unsubscribe local")).level == "error"
        done = await answer(core, "/sitrep unsubscribe harbor-defense-notes")
        assert done.level == "info" and core.store.feeds.get("harbor-defense-notes") is None
    finally:
        await core.aclose()


async def test_feeds_added_by_command_are_polled_through_the_guard(tmp_path: Path, feed_site: str) -> None:
    """The guard holds after subscribe too: a command feed whose address turns private is refused at poll."""
    core = await open_core(tmp_path, allow_private=False)
    try:
        url = f"{feed_site}/feed.xml"
        core.store.feeds.add(name="sneaky", url=url, topics=None, added_by="slack:U0ADMIN", now=core.clock.now())
        core.store.feeds.add(name="trusted", url=url + "?config", topics=None, added_by="config", now=core.clock.now())
        with core.store.engine.begin() as c:  # the operator's own config feed, same host
            c.execute(feeds.update().where(feeds.c.name == "trusted").values(origin="config"))
        await core.poll()
        sneaky, trusted = core.store.feeds.get("sneaky"), core.store.feeds.get("trusted")
        assert sneaky is not None and trusted is not None
        assert sneaky.last_success_at is None and "refused" in (sneaky.last_error or "")
        assert trusted.last_success_at is not None and trusted.item_count == 2
    finally:
        await core.aclose()
