"""Instant alerts: a story matching one of a channel's `alert_topics` is posted at once, not at
the next digest, within a rate cap (`alert_limit` per hour) and never during quiet hours.

An alert is an outbox digest of kind `alert` with one entry, stored with the slot
`alert:cluster:<id>` (or `alert:story:<id>`), so an event is alerted once per channel however
many outlets report it later and however often the job runs or restarts. Alerts do not move the
channel's digest window: the story is in the next digest too, with everything else. Stories
held back by the cap stay candidates for the window below, then are left to the digest.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot import platforms
from bot.cards import Digest, to_json
from bot.config.settings import ChannelConfig, Config
from bot.delivery.digest import entry, group
from bot.delivery.quiet import is_quiet
from bot.models import StoryView
from bot.store import Store

if TYPE_CHECKING:
    from bot.app import Sitrep

log = logging.getLogger(__name__)
WINDOW = timedelta(minutes=30)  # a story first seen longer ago than this is no longer news to alert
RATE_WINDOW = timedelta(hours=1)


def first_seen(story: StoryView) -> datetime | None:
    return min((s.seen_at for s in story.sources), default=None)


def plan(store: Store, config: Config, channel: ChannelConfig, now: datetime) -> tuple[list[tuple[str, Digest]], int]:
    """The alerts to queue now, as (slot, digest), and how many the rate cap holds back."""
    if not channel.alert_topics or channel.alert_limit <= 0 or is_quiet(channel, now):
        return [], 0
    views = [v for v in store.stories.views(since=now - WINDOW)
             if (seen := first_seen(v)) is None or not is_quiet(channel, seen)]
    weights = {f.name: f.weight for f in config.feeds}
    already = store.outbox.story_ids_since(channel.name, now - WINDOW * 2, kind="alert")
    events = [stories for stories in group(views, topics=channel.alert_topics)
              if not any(s.id in already for s in stories)]
    entries = sorted((entry(stories, weights, now) for stories in events), key=lambda e: -e.score)
    budget = max(0, channel.alert_limit - store.outbox.count_since(channel.name, now - RATE_WINDOW, kind="alert"))
    alerts = []
    for item in entries[:budget]:
        stories = [v for v in views if v.id in item.story_ids]
        topics = sorted({t for s in stories for t in s.topics} & set(channel.alert_topics))
        slot = f"alert:cluster:{item.cluster}" if item.cluster is not None else f"alert:story:{item.story_ids[0]}"
        alerts.append((slot, Digest(channel=channel.name, title=f"sitrep alert — {', '.join(topics)}", since=None,
                                    until=now, entries=[item], kind="alert")))
    return alerts, max(0, len(entries) - budget)


async def queue_alerts(core: Sitrep, channel: ChannelConfig) -> list[int]:
    """Put the channel's due alerts in the outbox; returns the new digest ids."""
    async with core.job_lease(f"alerts:{channel.name}") as held:
        # One instance at a time chooses a channel's alerts, so it sees every alert queued before it.
        if not held:
            return []
        now = core.clock.now()
        state = await asyncio.to_thread(core.store.outbox.channel, channel.name)
        if state is not None and state.status == "failing":
            return []  # the channel takes no posts; the stories will be in the digest once it is fixed
        alerts, held_back = await asyncio.to_thread(plan, core.store, core.config, channel, now)
        if held_back:
            log.info("channel %s: %d alert(s) held back by alert_limit=%d per hour", channel.name, held_back,
                     channel.alert_limit)
        created = []
        plugin = platforms.load(channel.platform.value)
        for slot, digest in alerts:
            digest_id = await asyncio.to_thread(
                core.store.outbox.create_digest, channel=channel.name, platform=channel.platform.value,
                body=to_json(digest), story_ids=digest.story_ids, since=None, until=now,
                payloads=plugin.render_digest(digest), now=now, slot=slot, kind="alert", advance_channel=False)
            if digest_id is not None:
                log.info("channel %s: alert %d queued: %s", channel.name, digest_id,
                         digest.entries[0].headline[:100])
                created.append(digest_id)
        return created


async def alert_job(core: Sitrep) -> None:
    queued = 0
    for channel in core.config.channels:
        if channel.alert_topics:
            queued += len(await queue_alerts(core, channel))
    if queued:
        await core.deliver()
