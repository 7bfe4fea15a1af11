"""Telling a channel that one of its feeds is failing: at most once a day per feed, through the outbox.

The notice is a MessageCard rendered by the channel's platform and queued like a digest (kind
"notice"), so it survives restarts and outages the same way. `feeds.failing_notified_at` keeps
the once-a-day promise across restarts; the outbox slot (feed and day) keeps it when two
instances notice the same failure at once. A feed that recovers is reported again the next
time it fails.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot import platforms
from bot.cards import MessageCard, to_json
from bot.config.settings import ChannelConfig, Config
from bot.config.types import format_duration
from bot.store import FeedRow, Store

log = logging.getLogger(__name__)
NOTICE_EVERY = timedelta(days=1)


def channels_for(config: Config, feed: FeedRow) -> list[ChannelConfig]:
    """The channels this feed's stories can reach: their topics overlap (no topics means all)."""
    return [c for c in config.channels
            if feed.topics is None or c.topics is None or set(feed.topics) & set(c.topics)]


def failing_text(feed: FeedRow, error: str, retry_every: timedelta) -> str:
    since = f" since {feed.failing_since:%Y-%m-%d %H:%M} UTC" if feed.failing_since else ""
    return (f"Feed {feed.name} is failing{since}: {error}. sitrep keeps trying every "
            f"{format_duration(retry_every)} and resumes by itself when it answers again; "
            f"/feeds shows its status.")


def notify_failing(store: Store, config: Config, feed: FeedRow, error: str, now: datetime) -> int:
    """Queue a failing-feed notice for each channel it reaches, unless one went out in the last day.

    Returns how many notices were queued. Runs in a worker thread (it writes to the store).
    """
    if feed.failing_notified_at is not None and now - feed.failing_notified_at < NOTICE_EVERY:
        return 0
    text = failing_text(feed, error, config.poll.failing_interval)
    card = MessageCard(text, level="error")
    queued = 0
    for channel in channels_for(config, feed):
        try:
            payload = platforms.load(channel.platform.value).render_card(card)
        except Exception:  # a platform that cannot render must not stop polling; it is logged loudly
            log.exception("cannot render a notice for channel %s", channel.name)
            continue
        digest_id = store.outbox.create_digest(
            channel=channel.name, platform=channel.platform.value, body=to_json(card), story_ids=[],
            since=None, until=now, payloads=[payload], now=now, kind="notice", advance_channel=False,
            slot=f"notice:feed-failing:{feed.id}:{now:%Y-%m-%d}")
        queued += digest_id is not None
    store.feeds.mark_notified(feed.id, now)
    log.warning("feed %s is failing (%s); %d channel notices queued", feed.name, error, queued)
    return queued
