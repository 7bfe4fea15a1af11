"""Follow alerts: when a new story names a followed person or organisation, its follower hears of it.

Enrichment records a hit for every follow a new story meets (bot/store/follows.py); this job turns
a recipient's hits into alerts, one per event however many outlets report it: each event is an
outbox digest of kind `alert` with the slot `alert:cluster:<id>` (the slot topic alerts use too,
so a channel never gets one event twice, whichever rule saw it first). The alert holds the
headline, the sentence of the story that names the followed entity, and the entity's quote if it
has one there. A person's alerts go to them by direct message (bot/delivery/direct.py), a
channel's to the channel.

Limits: the recipient's `alert_limit` per hour (a channel's own; `follow.alert_limit` for people)
and quiet hours. Unlike topic alerts, whose stories a channel's digest carries anyway, a follow
alert waits: through quiet hours and a full hourly cap, for up to `follow.wait` after the story
was first read; then it is dropped (the story stays in `/whois`'s timeline). Hits are recorded as
stories are enriched, so a story read before the follow began is not alerted, and neither is the
backfill a new feed brings.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot import platforms
from bot.cards import Digest, DigestEntry, QuoteLine, to_json
from bot.config.settings import ChannelConfig, Config
from bot.delivery import direct
from bot.delivery.alerts import RATE_WINDOW, first_seen
from bot.delivery.digest import entry
from bot.delivery.quiet import is_quiet
from bot.knowledge.nlp import sentences
from bot.models import StoryView
from bot.store import Store
from bot.store.follows import HitRow

if TYPE_CHECKING:
    from bot.app import Sitrep

log = logging.getLogger(__name__)
MAX_SENTENCES = 3


@dataclass(slots=True)
class Plan:
    alerts: list[tuple[str, Digest]] = field(default_factory=list)  # (slot, one-entry digest), best first
    done: list[str] = field(default_factory=list)  # stories whose hits need no alert (stale, backfill)
    waiting: int = 0  # events held back (quiet hours, the hourly cap)


def recipient_channel(config: Config, recipient: str) -> ChannelConfig | None:
    return config.channel(recipient) or direct.channel_for(recipient, config)


def naming_sentence(text: str, names: list[str]) -> str | None:
    """The first sentence of a story that names the entity (any of its names, as whole words)."""
    wanted = [n for n in sorted(set(names), key=len, reverse=True) if len(n) > 1]
    if not wanted:
        return None
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in wanted) + r")(?!\w)")
    for paragraph in text.split("\n"):
        if not pattern.search(paragraph):
            continue
        for sentence in sentences(paragraph):
            if pattern.search(sentence):
                return sentence
    return None


def _names(store: Store, hit: HitRow) -> list[str]:
    names = [hit.name]
    if hit.entity_id is not None:
        names += store.knowledge.aliases(hit.entity_id)
    if " " in hit.name:
        names.append(hit.name.split()[-1])  # "Kalinowski said", after the first mention
    return names


def _alert_entry(store: Store, stories: list[StoryView], hits: list[HitRow], texts: dict[str, str],
                 weights: dict[str, float], now: datetime) -> DigestEntry:
    """The event as an entry: the lead report's headline, the sentences naming the followed, their quotes."""
    base = entry(stories, weights, now)
    followed = list(dict.fromkeys(h.name for h in hits))
    facts: list[str] = []
    quote: QuoteLine | None = None
    for name in followed:
        names = _names(store, next(h for h in hits if h.name == name))
        for story in stories:
            found = naming_sentence(texts.get(story.id, ""), names)
            if found and found not in facts:
                facts.append(found)
                break
        if quote is None:
            quote = next((QuoteLine(q.text, s.url, s.title, s.published, q.speaker) for s in stories
                          for q in s.quotes if q.speaker == name and not q.partial and q.text.strip()), None)
    return dataclasses.replace(base, facts=facts[:MAX_SENTENCES] or base.facts[:1], quote=quote)


def _note(recipient: str, names: list[str]) -> str:
    who = ", ".join(names)
    if direct.parse(recipient) is None:
        return f"This channel follows {who} (the follows list in its config)."
    return f"You follow {who}. /unfollow {names[0]} stops these alerts."


def plan(store: Store, config: Config, recipient: str, channel: ChannelConfig, hits: list[HitRow],
         now: datetime) -> Plan:
    """The alerts to queue for one recipient's hits now."""
    result = Plan()
    story_ids = list(dict.fromkeys(h.story_id for h in hits))
    views = {v.id: v for v in store.stories.views(ids=story_ids, include_irrelevant=True)}
    live: dict[str, StoryView] = {}
    for story_id in story_ids:
        view = views.get(story_id)
        seen = first_seen(view) if view else None
        if view is None or not view.announce or (seen is not None and seen < now - config.follow.wait):
            result.done.append(story_id)
        else:
            live[story_id] = view
    events: dict[object, list[StoryView]] = defaultdict(list)
    for view in live.values():
        events[("cluster", view.cluster) if view.cluster is not None else ("story", view.id)].append(view)
    if not events:
        return result
    if is_quiet(channel, now):
        result.waiting = len(events)
        return result
    texts = store.stories.texts(list(live))
    weights = {f.name: f.weight for f in config.feeds}
    by_story: dict[str, list[HitRow]] = defaultdict(list)
    for hit in hits:
        by_story[hit.story_id].append(hit)
    entries = []
    for stories in events.values():
        event_hits = [h for s in stories for h in by_story[s.id]]
        entries.append((_alert_entry(store, stories, event_hits, texts, weights, now),
                        list(dict.fromkeys(h.name for h in event_hits))))
    entries.sort(key=lambda pair: -pair[0].score)
    for item, names in entries:
        slot = f"alert:cluster:{item.cluster}" if item.cluster is not None else f"alert:story:{item.story_ids[0]}"
        result.alerts.append((slot, Digest(channel=recipient, title=f"sitrep follow — {', '.join(names)}",
                                           since=None, until=now, entries=[item], kind="alert",
                                           note=_note(recipient, names))))
    return result


async def queue_follow_alerts(core: Sitrep, recipient: str) -> list[int]:
    """Put one recipient's due follow alerts in the outbox; returns the new digest ids."""
    store = core.store
    channel = recipient_channel(core.config, recipient)
    if channel is None:  # a channel removed from the config: nobody to tell
        hits = await asyncio.to_thread(store.follows.hits, recipient)
        await asyncio.to_thread(store.follows.drop_hits, recipient, [h.story_id for h in hits])
        return []
    async with core.job_lease(f"alerts:{recipient}") as held:
        # The lease topic alerts take for a channel: one instance at a time counts its hourly cap.
        if not held:
            return []
        now = core.clock.now()
        state = await asyncio.to_thread(store.outbox.channel, recipient)
        if state is not None and state.status == "failing":
            return []  # the hits wait (up to follow.wait) for the recipient to take posts again
        hits = await asyncio.to_thread(store.follows.hits, recipient)
        todo = await asyncio.to_thread(plan, store, core.config, recipient, channel, hits, now)
        await asyncio.to_thread(store.follows.drop_hits, recipient, todo.done)
        sent = await asyncio.to_thread(store.outbox.count_since, recipient, now - RATE_WINDOW, kind="alert")
        budget = max(0, channel.alert_limit - sent)
        plugin = platforms.load(channel.platform.value)
        created = []
        for slot, digest in todo.alerts:
            if budget <= 0:
                todo.waiting += 1
                continue
            digest_id = await asyncio.to_thread(
                store.outbox.create_digest, channel=recipient, platform=channel.platform.value,
                body=to_json(digest), story_ids=digest.story_ids, since=None, until=now,
                payloads=plugin.render_digest(digest), now=now, slot=slot, kind="alert", advance_channel=False)
            if digest_id is not None:  # None: this event was alerted here already
                budget -= 1
                created.append(digest_id)
                log.info("%s: follow alert %d queued: %s", recipient, digest_id, digest.entries[0].headline[:100])
            await asyncio.to_thread(store.follows.drop_hits, recipient, digest.story_ids)
        if todo.waiting:
            log.info("%s: %d follow alert(s) wait (quiet hours or alert_limit)", recipient, todo.waiting)
        return created


async def follow_alert_job(core: Sitrep) -> int:
    """Queue every recipient's due follow alerts and send them; returns how many were queued."""
    queued = 0
    for recipient in await asyncio.to_thread(core.store.follows.recipients_with_hits):
        queued += len(await queue_follow_alerts(core, recipient))
    if queued:
        await core.deliver()
    return queued
