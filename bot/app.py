"""The core service: config, store, clock and pipeline wired together, with the commands' answers.

Adapters receive a `Sitrep` and call `handle()` with what the user typed; the scheduler calls
`poll()`, `queue_digest()` and `deliver()`. Everything is injected so tests can build one
with a fake clock, an in-memory store and a fake HTTP client.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError

from bot import platforms
from bot.cards import Card, ChannelLine, Digest, FeedLine, FeedsCard, MessageCard, to_json
from bot.clock import Clock, SystemClock
from bot.commands import MAX_QUERY, Caller, CommandRouter, Invocation
from bot.config import BUILTIN_TOPICS, Config
from bot.config.settings import ChannelConfig, TopicConfig
from bot.delivery import direct
from bot.delivery.deliverer import Deliverer, instance_id
from bot.delivery.digest import OVERLAP
from bot.delivery.digest import build as build_digest
from bot.errors import CommandError, SitrepError
from bot.http import ssrf
from bot.http.fetch import Fetcher
from bot.ingest.feed_names import unique_feed_name
from bot.ingest.parse import parse_feed
from bot.ingest.poll import Poller, PollReport, Progress
from bot.ingest.topics import TopicFilter
from bot.knowledge import follow as following
from bot.knowledge.enrich import Enricher
from bot.knowledge.follow import target as follow_target
from bot.knowledge.news import news
from bot.knowledge.trending import trending, window_of
from bot.knowledge.whois import whois
from bot.ops import metrics
from bot.ops.instrumented import DigestWatch, InstrumentedSender
from bot.ports import Sender
from bot.store import Store
from bot.store.db import default_url
from bot.store.follows import Target

log = logging.getLogger(__name__)
INTERACTIVE_DIGEST_WINDOW = timedelta(days=7)


def effective_topics(config: Config) -> dict[str, TopicConfig]:
    """The configured topics, plus any built-in preset that feeds or channels name without defining."""
    topics = dict(config.topics) if config.topics else dict(BUILTIN_TOPICS)
    wanted = {t for f in config.feeds for t in f.topics or []} | {
        t for c in config.channels for t in [*(c.topics or []), *c.alert_topics]}
    for name in wanted - set(topics):
        if name in BUILTIN_TOPICS:
            topics[name] = BUILTIN_TOPICS[name]
    return topics


def resolve_feed_url(config: Config, url: str) -> str:
    """Local feed paths are relative to the config file; URLs are left alone."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        return url
    path = Path(url)
    return str(path if path.is_absolute() else (config.base_dir / path).resolve())


def storage_url(config: Config) -> str:
    """The configured database; a relative SQLite path is relative to the config file, like feed paths."""
    url = config.storage.url
    if not url:
        return default_url(config.base_dir, config.source.stem if config.source else "sitrep")
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((config.base_dir / url.removeprefix(prefix)).resolve())
    return url


class Sitrep:
    def __init__(self, *, config: Config, store: Store, clock: Clock | None = None,
                 http_client: httpx.AsyncClient | None = None, enricher: Enricher | None = None,
                 senders: dict[str, Sender] | None = None) -> None:
        self.config = config
        self.store = store
        self.clock = clock or SystemClock()
        # URLs that chat users supplied (feeds added by command, and their article pages) are
        # fetched only through the SSRF guard, which checks every connection, redirects included.
        guarded = ssrf.guarded_client(config.http)
        self.guarded_fetcher = Fetcher(config.http, client=guarded, clock=self.clock)
        # Config feeds are fetched as written, private addresses included, but where their server
        # redirects is not the operator's word: those hops go through the guard too.
        self.fetcher = Fetcher(config.http, client=http_client, clock=self.clock, redirect_client=guarded)
        self.topics = TopicFilter(effective_topics(config))
        self.enricher = enricher or Enricher(config.nlp)
        # This process, as the holder of leases: several instances may share the database (docs/operations.md).
        self.owner = instance_id()
        self.poller = Poller(config=config, store=store, fetcher=self.fetcher, clock=self.clock,
                             topics=self.topics, enricher=self.enricher, guarded_fetcher=self.guarded_fetcher,
                             owner=self.owner)
        self._senders: dict[str, Sender] = dict(senders or {})  # per platform; loaded on first use if absent
        self._deliver_lock = asyncio.Lock()  # the delivery tick and a digest job never send at once
        self.digest_watch = DigestWatch()  # metrics: digests sent, and how long they waited
        self.router = CommandRouter()
        for name, handler in (("whois", self._whois), ("news", self._news), ("digest", self._digest),
                              ("feeds", self._feeds), ("status", self._status), ("subscribe", self._subscribe),
                              ("unsubscribe", self._unsubscribe), ("follow", self._follow),
                              ("unfollow", self._unfollow), ("following", self._following),
                              ("trending", self._trending)):
            self.router.register(name, handler)

    @classmethod
    def open(cls, config: Config, **kwargs: Any) -> Sitrep:
        """Open the configured store (migrating it) and make sure the config's feeds are in it."""
        store = Store.open(storage_url(config))
        core = cls(config=config, store=store, **kwargs)
        core.sync_feeds()
        core.sync_follows()
        return core

    def sync_feeds(self) -> None:
        self.store.feeds.sync_config(self.config.feeds, lambda u: resolve_feed_url(self.config, u), self.clock.now())

    def sync_follows(self) -> None:
        """The channels' `follows:` from the config, each resolved through the knowledge base now."""
        wanted: dict[str, list[Target]] = {}
        for channel in self.config.channels:
            targets = []
            for query in channel.follows:
                chosen, hint = follow_target(self.store, " ".join(query.split()))
                if chosen is None:
                    log.warning("channel %s follows %r: %s It follows the name as written.", channel.name, query, hint)
                    chosen = Target(query, query)
                targets.append(chosen)
            wanted[channel.name] = targets
        self.store.follows.sync_config(wanted, now=self.clock.now())

    async def aclose(self) -> None:
        for sender in self._senders.values():
            await sender.aclose()
        await self._release_leases()
        await self.fetcher.aclose()
        await self.guarded_fetcher.client.aclose()
        await asyncio.to_thread(self.poller.close)  # the parser processes, if a busy cycle started them
        await asyncio.to_thread(self.enricher.close)  # lets a running NLP batch finish first
        self.store.close()

    async def _release_leases(self) -> None:
        """Stopping: end the delivery leases this process holds, so the next sender (this one
        restarted, or another instance) resumes them at once instead of waiting them out."""
        try:
            released = await asyncio.to_thread(self.store.outbox.release, self.owner, self.clock.now())
        except SQLAlchemyError as error:  # a database gone at shutdown: the leases simply run out
            log.warning("could not release this instance's delivery leases: %s", error)
            return
        if released:
            log.info("released %d delivery lease(s) held at shutdown", released)

    # --- the pipeline --------------------------------------------------------------------------

    async def poll(self, *, everything: bool = False, progress: Progress | None = None) -> PollReport:
        report = await self.poller.poll_due(everything=everything, progress=progress)
        metrics.record_poll(report, at=self.clock.now())
        return report

    def digest(self, channel: ChannelConfig | None, *, since: datetime | None, topic: str | None = None,
               limit: int | None = None, exclude: Collection[str] | None = None,
               announced_only: bool = True) -> Digest:
        """`announced_only=False` for a window someone asked for (see bot.delivery.digest)."""
        return build_digest(self.store, self.config, channel, since=since, now=self.clock.now(), topic=topic,
                            limit=limit, exclude=exclude, announced_only=announced_only)

    def channel_since(self, channel: ChannelConfig) -> datetime | None:
        state = self.store.outbox.channel(channel.name)
        return state.last_digest_until if state else None

    async def queue_digest(self, channel: ChannelConfig, *, since: datetime | None,
                           slot: str | None = None, announced_only: bool = True) -> int | None:
        """Build a channel's digest and put it in the outbox; None if that slot was already built.

        From the second digest on, stories the channel already had are left out (see digest.OVERLAP);
        an empty digest is stored (the slot is done) but posts nothing unless `post_empty` is set.
        """
        exclude = None
        if since is not None:
            exclude = await asyncio.to_thread(self.store.outbox.story_ids_since, channel.name, since - OVERLAP)
        digest = await asyncio.to_thread(self.digest, channel, since=since, exclude=exclude,
                                         announced_only=announced_only)
        plugin = platforms.load(channel.platform.value)
        payloads = plugin.render_digest(digest) if digest.entries or channel.post_empty else []
        now = self.clock.now()
        digest_id = await asyncio.to_thread(
            self.store.outbox.create_digest, channel=channel.name, platform=channel.platform.value,
            body=to_json(digest), story_ids=digest.story_ids, since=since, until=digest.until, payloads=payloads,
            now=now, slot=slot)
        if digest_id is not None and payloads:
            self.digest_watch.add(digest_id, channel.platform.value, now)
        return digest_id

    @asynccontextmanager
    async def job_lease(self, name: str) -> AsyncIterator[bool]:
        """Hold the named job lease for the block (yields whether it was taken); see bot.store.leases."""
        leases = self.store.leases
        held = await asyncio.to_thread(leases.acquire, name, owner=self.owner, now=self.clock.now(),
                                       ttl=self.config.leases.job)
        try:
            yield held
        finally:
            if held:
                await asyncio.to_thread(leases.release, name, owner=self.owner)

    def sender(self, platform: str) -> Sender:
        if platform not in self._senders:
            self._senders[platform] = InstrumentedSender(platform, platforms.load(platform).sender(self))
        return self._senders[platform]

    async def deliver(self, *, channel: str | None = None) -> int:
        platforms_in_use = {c.platform.value for c in self.config.channels if channel in (None, c.name)}
        # People's direct messages (follow alerts) waiting in the outbox need their platform's sender too.
        waiting = [channel] if channel is not None else list(await asyncio.to_thread(self.store.outbox.queued))
        platforms_in_use |= {person[0].value for name in waiting if (person := direct.parse(name)) is not None}
        senders: dict[str, Sender] = {}
        unavailable: dict[str, str] = {}  # a platform that cannot send here fails its channels visibly
        for platform in platforms_in_use:
            try:
                senders[platform] = self.sender(platform)
            except SitrepError as error:
                unavailable[platform] = str(error)
        deliverer = Deliverer(config=self.config, store=self.store, clock=self.clock, senders=senders,
                              unavailable=unavailable, owner=self.owner, lock=self._deliver_lock,
                              lease=self.config.leases.delivery)
        sent = await deliverer.deliver_due(channel=channel)
        if len(self.digest_watch):
            await asyncio.to_thread(self.digest_watch.check, self.store, self.clock.now())
        return sent

    # --- commands --------------------------------------------------------------------------------

    async def handle(self, text: str, caller: Caller) -> Card:
        return await self.router.handle(text, caller)

    async def _whois(self, invocation: Invocation, caller: Caller) -> Card:
        if not invocation.text:
            raise CommandError("Whom should I look up? Try /whois Kalinowski.")
        return await asyncio.to_thread(whois, self.store, invocation.text[:MAX_QUERY], now=self.clock.now())

    # Follows are the caller's own: keyed by platform and user, so nobody can change another's.

    async def _follow(self, invocation: Invocation, caller: Caller) -> Card:
        return await asyncio.to_thread(following.follow, self.store, self.config,
                                       direct.recipient(caller.platform, caller.user), invocation.text,
                                       origin="command", now=self.clock.now())

    async def _unfollow(self, invocation: Invocation, caller: Caller) -> Card:
        return await asyncio.to_thread(following.unfollow, self.store, direct.recipient(caller.platform, caller.user),
                                       invocation.text, now=self.clock.now())

    async def _following(self, invocation: Invocation, caller: Caller) -> Card:
        return await asyncio.to_thread(following.following, self.store,
                                       direct.recipient(caller.platform, caller.user))

    async def _trending(self, invocation: Invocation, caller: Caller) -> Card:
        window = window_of(invocation.args[0] if invocation.args else None)
        return await asyncio.to_thread(trending, self.store, window, now=self.clock.now())

    async def _news(self, invocation: Invocation, caller: Caller) -> Card:
        if not invocation.text:
            raise CommandError("Search for what? Try /news drones.")
        return await asyncio.to_thread(news, self.store, invocation.text[:MAX_QUERY])

    async def _digest(self, invocation: Invocation, caller: Caller) -> Card:
        topic = invocation.args[0] if invocation.args else None
        if topic and topic not in self.topics.topics:
            raise CommandError(f"Unknown topic {topic!r}; topics: {', '.join(self.topics.topics)}")
        channel = self.config.channel(caller.channel) if caller.channel else None
        since = self.clock.now() - INTERACTIVE_DIGEST_WINDOW
        # Asked for, so every relevant story of the window: the flood guard is for scheduled posts.
        return await asyncio.to_thread(self.digest, channel, since=since, topic=topic, announced_only=False)

    async def _feeds(self, invocation: Invocation, caller: Caller) -> Card:
        return await asyncio.to_thread(self.feeds_card, detail=caller.admin)

    async def _status(self, invocation: Invocation, caller: Caller) -> Card:
        # The router lets only admins here; the card still asks, so a change to the table cannot leak it.
        return await asyncio.to_thread(self.feeds_card, detail=caller.admin)

    def feeds_card(self, *, detail: bool = True) -> FeedsCard:
        """Feeds and channels with everything the operator needs; `detail=False` (a member's /feeds):
        feed names and states only, no URLs (they may carry tokens or internal hosts), no error
        texts (they name hosts, paths and channels) and no channels or delivery queue."""
        rows = self.store.feeds.all()
        lines = [FeedLine(r.name, r.url if detail else "", r.status if r.enabled else "disabled", r.origin,
                          r.last_success_at, r.last_error if detail else None, r.consecutive_failures,
                          r.item_count, r.next_due_at) for r in rows]
        if not detail:
            return FeedsCard(lines, [])
        states = {s.channel: s for s in self.store.outbox.channels()}
        queued = self.store.outbox.queued()
        channels = [ChannelLine(c.name, c.platform.value, states[c.name].status if c.name in states else "ok",
                                states[c.name].last_error if c.name in states else None, c.schedule,
                                queued.get(c.name, 0), states[c.name].failing_since if c.name in states else None)
                    for c in self.config.channels]
        return FeedsCard(lines, channels)

    async def _subscribe(self, invocation: Invocation, caller: Caller) -> Card:
        """Add a feed by command: the URL through the SSRF guard, fetched and parsed once (it must
        be a feed) before it is stored, so a typo or a web page is refused while the admin watches."""
        if not invocation.args:
            raise CommandError("Usage: /sitrep subscribe URL [topic …]")
        url, topics = invocation.args[0], invocation.args[1:] or None
        unknown = [t for t in topics or [] if t not in self.topics.topics]
        if unknown:
            raise CommandError(f"Unknown topic {unknown[0]!r}; topics: {', '.join(self.topics.topics)}")
        try:
            ssrf.policy_for(self.config.http).check_url(url)
        except ssrf.BlockedAddress as blocked:
            raise CommandError(f"I will not fetch that URL: {blocked}.") from None
        rows = await asyncio.to_thread(self.store.feeds.all)
        same = next((r for r in rows if r.url == url), None)
        if same is not None:
            raise CommandError(f"Already subscribed to that feed (as {same.name}).")
        result = await self.guarded_fetcher.fetch(url)
        if not result.ok:
            raise CommandError(f"Could not read {url}: {result.error}")
        parsed = await asyncio.to_thread(parse_feed, result.body, url=url, content_type=result.content_type)
        if not parsed.usable:
            raise CommandError(f"{url} is not a feed I can read ({parsed.problem}).")
        name = unique_feed_name([parsed.title or "", url], {r.name for r in rows})
        await asyncio.to_thread(self.store.feeds.add, name=name, url=url, topics=topics,
                                added_by=f"{caller.platform}:{caller.user}", now=self.clock.now())
        title = f"{parsed.title} " if parsed.title else ""
        return MessageCard(f"Subscribed to {title}({url}) as {name}, {len(parsed.items)} items now; "
                           f"it will be polled shortly. /sitrep unsubscribe {name} removes it.")

    async def _unsubscribe(self, invocation: Invocation, caller: Caller) -> Card:
        if not invocation.args:
            raise CommandError("Usage: /sitrep unsubscribe NAME")
        feed = await asyncio.to_thread(self.store.feeds.get, invocation.args[0])
        if feed is None:
            raise CommandError(f"No feed called {invocation.args[0]!r}; see /feeds.")
        if feed.origin == "config":
            raise CommandError(f"{feed.name} comes from the config file; remove it there.")
        await asyncio.to_thread(self.store.feeds.remove, feed.name)
        return MessageCard(f"Unsubscribed from {feed.name}.")
