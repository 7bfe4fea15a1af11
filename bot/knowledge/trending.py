"""/trending: the people and organisations whose mentions rose most against the window before.

A mention is a story naming the entity. The window ends with the newest story read (which is now
for a bot that is reading; for a store that has been idle it is when the news stopped, so the
answer is about the last week of news, not an empty week). Rising is weighed the way counts
should be: a rise from nothing to five is more news than one from a hundred to a hundred and
five, so entities are ranked by the rise over the square root of what came before (a Poisson
z-score, roughly); the answer shows plain counts and the change.

Noise stays out: the outlets themselves (their feeds' names and titles, their web sites, the
wire services), and words the entity recogniser sometimes takes for names (weekdays, months).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import numpy as np

from bot.cards import TrendingCard, TrendLine
from bot.errors import CommandError
from bot.knowledge.gazetteer import DAYS, MONTHS, NOT_NAMES
from bot.store import Store, name_key
from bot.store.knowledge_repo import EntityRow
from bot.store.trends import WindowCount

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
DEFAULT_WINDOW = "7d"
MIN_MENTIONS = 2  # in the window: one story is not a trend
TOP = 10
MIN_DAYS = 7  # the sparkline shows at least a week, so a day's rise has something to rise from
WIRE_SERVICES = frozenset({"ap", "associated press", "the associated press", "reuters", "thomson reuters", "afp",
                           "agence france-presse", "agence france presse", "upi", "united press international",
                           "dpa", "efe", "ansa", "pa media", "press association", "bloomberg news", "xinhua",
                           "tass", "kyodo", "yonhap"})
_NOT_A_NAME = DAYS | MONTHS | NOT_NAMES


def window_of(text: str | None) -> str:
    """The window asked for (24h, 7d, 30d; also 1d, 1w, 1m, 30 days…), or a CommandError saying which exist."""
    if not text:
        return DEFAULT_WINDOW
    typed = re.sub(r"\s+", "", text.lower())
    spoken = {"1d": "24h", "day": "24h", "1day": "24h", "24hours": "24h", "week": "7d", "1w": "7d", "7days": "7d",
              "month": "30d", "1m": "30d", "30days": "30d"}
    window = spoken.get(typed, typed)
    if window not in WINDOWS:
        raise CommandError(f"Trending over {text!r}? Choose one of {', '.join(WINDOWS)}.")
    return window


def outlet_keys(store: Store) -> set[str]:
    """Names of the outlets sitrep reads (feed names, feed titles, site names) and the wire services."""
    keys = set(WIRE_SERVICES)
    for feed in store.feeds.all():
        for name in (feed.name, feed.title or ""):
            keys |= {name_key(name), name_key(name.replace("-", " ").replace("_", " "))}
        host = (urlsplit(feed.url).hostname or "").removeprefix("www.").removeprefix("feeds.")
        if "." in host:
            site = host.rsplit(".", 1)[0]
            keys |= {name_key(host), name_key(site), name_key(site.replace("-", " "))}
    keys.discard("")
    return keys


def noise(name: str, outlets: set[str]) -> bool:
    key = name_key(name)
    words = key.split()
    return (len(key) < 2 or key.isdigit() or key in outlets or key.removeprefix("the ") in outlets
            or all(w in _NOT_A_NAME for w in words))


def trending(store: Store, window: str, *, now: datetime, limit: int = TOP) -> TrendingCard:
    span = WINDOWS[window]
    latest = store.trends.latest(before=now)
    until = min(now, latest + timedelta(seconds=1)) if latest else now
    mid = until - span
    since = mid - span
    current, previous = store.trends.windows(since, mid, until)
    ids = np.nonzero((current >= MIN_MENTIONS) & (current > previous))[0]
    score = (current[ids] - previous[ids]) / np.sqrt(previous[ids] + 1)
    ranked = ids[np.lexsort((ids, -current[ids], -score))]  # the last key sorts first
    counts = [WindowCount(int(i), int(current[i]), int(previous[i])) for i in ranked[:limit * 40]]
    outlets = outlet_keys(store)
    top: list[tuple[WindowCount, EntityRow]] = []
    for offset in range(0, len(counts), limit * 4):  # best first, until enough names are not noise
        chunk = counts[offset:offset + limit * 4]
        # By id, not from the /whois name index: that reloads whenever the knowledge base changes.
        named = {n.id: n for n in store.knowledge.entities_by_id([c.entity_id for c in chunk])}
        top += [(c, named[c.entity_id]) for c in chunk
                if c.entity_id in named and not noise(named[c.entity_id].name, outlets)]
        if len(top) >= limit:
            break
    top = top[:limit]
    days = _days(until, span)
    start = datetime.combine(days[0], datetime.min.time(), tzinfo=UTC)
    per_day = store.trends.by_day([count.entity_id for count, _ in top], start, until)
    trends = [TrendLine(entity.name, entity.kind.value, count.current, count.previous, count.current - count.previous,
                        [per_day.get(count.entity_id, {}).get(d.isoformat(), 0) for d in days])
              for count, entity in top]
    return TrendingCard(window, mid, until, trends, days[0].isoformat())


def _days(until: datetime, span: timedelta) -> list[date]:
    """The UTC days the sparkline covers: both windows, at least MIN_DAYS, ending with `until`'s day."""
    last = (until - timedelta(microseconds=1)).astimezone(UTC).date()
    count = max(MIN_DAYS, math.ceil(span * 2 / timedelta(days=1)))
    return [last - timedelta(days=count - 1 - i) for i in range(count)]
