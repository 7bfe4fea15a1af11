"""Prometheus metrics: what an operator graphs and alerts on, and the small hooks the code calls.

Two kinds of numbers live here:

- per-process counters and histograms, moved by hook functions where things happen (a feed
  polled, a message posted, a command answered); with several instances, sum them;
- gauges read from the database when scraped (outbox depth, stories stored, feeds by status):
  the same for every instance, since they share the database; take max(), not sum().

Labels are bounded on purpose: a failure reason is one of a few classes, never the error text;
a command label is a known command name or "unknown".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from bot import __version__

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
DELAY_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0, 4 * 3600.0)

BUILD = Info("sitrep_build", "The running version.", registry=REGISTRY)
BUILD.info({"version": __version__})
FEEDS_POLLED = Counter("sitrep_feeds_polled", "Feed polls, by outcome (ok, not_modified, failed).",
                       ["status"], registry=REGISTRY)
FEED_FAILURES = Counter("sitrep_feed_failures", "Failed feed polls, by reason class.", ["reason"], registry=REGISTRY)
STORIES_STORED = Counter("sitrep_stories_stored", "New stories stored by this process.", registry=REGISTRY)
LAST_POLL = Gauge("sitrep_last_poll_timestamp_seconds", "When this process last finished a poll cycle.",
                  registry=REGISTRY)
DIGESTS_QUEUED = Counter("sitrep_digests_queued", "Digests built and put in the outbox, by platform.", ["platform"],
                         registry=REGISTRY)
DIGESTS_SENT = Counter("sitrep_digests_sent", "Digests whose every message was posted, by platform.", ["platform"],
                       registry=REGISTRY)
DIGESTS_FAILED = Counter("sitrep_digests_failed", "Digests with a message that failed for good, by platform.",
                         ["platform"], registry=REGISTRY)
MESSAGES_SENT = Counter("sitrep_messages_sent", "Messages posted to a platform.", ["platform"], registry=REGISTRY)
MESSAGES_FAILED = Counter("sitrep_messages_failed", "Posts that failed (retried later or given up).", ["platform"],
                          registry=REGISTRY)
DELIVERY_LATENCY = Histogram("sitrep_delivery_latency_seconds", "How long one post to a platform took.",
                             ["platform"], buckets=LATENCY_BUCKETS, registry=REGISTRY)
DIGEST_DELAY = Histogram("sitrep_digest_delivery_delay_seconds",
                         "From a digest entering the outbox to its last message posted.", ["platform"],
                         buckets=DELAY_BUCKETS, registry=REGISTRY)
COMMAND_LATENCY = Histogram("sitrep_command_latency_seconds", "Time to answer a slash command.",
                            ["command", "outcome"], buckets=LATENCY_BUCKETS, registry=REGISTRY)
RETENTION_PRUNED = Counter("sitrep_retention_pruned_stories", "Stories deleted by the retention job.",
                           registry=REGISTRY)
ENRICH_FAILURES = Counter("sitrep_enrich_failures", "Stories stored with less than was learned from them, by the "
                          "step that failed (enrich: the NLP; save: storing its results).", ["step"],
                          registry=REGISTRY)


# --- hooks: call these where things happen -------------------------------------------------------

def feed_polled(status: str, reason: str | None = None) -> None:
    """One feed poll finished. status: ok | not-modified | failed; reason: error text or a class."""
    status = status.replace("-", "_")
    FEEDS_POLLED.labels(status=status).inc()
    if status == "failed":
        FEED_FAILURES.labels(reason=failure_reason(reason)).inc()


def stories_stored(count: int) -> None:
    if count > 0:
        STORIES_STORED.inc(count)


def poll_finished(at: datetime) -> None:
    LAST_POLL.set(at.timestamp())


class _Outcome(Protocol):
    status: str
    new: int
    error: str | None


class _Report(Protocol):
    @property
    def feeds(self) -> Sequence[_Outcome]: ...


def record_poll(report: _Report, *, at: datetime) -> None:
    """Every outcome of one poll cycle (bot.ingest.poll.PollReport or anything shaped like it)."""
    for outcome in report.feeds:
        feed_polled(outcome.status, outcome.error)
        stories_stored(outcome.new)
    poll_finished(at)


def digest_queued(platform: str) -> None:
    DIGESTS_QUEUED.labels(platform=platform).inc()


def digest_sent(platform: str, delay_seconds: float | None = None) -> None:
    """A digest's last message was posted; delay: seconds since it entered the outbox."""
    DIGESTS_SENT.labels(platform=platform).inc()
    if delay_seconds is not None:
        DIGEST_DELAY.labels(platform=platform).observe(max(delay_seconds, 0.0))


def digest_failed(platform: str) -> None:
    DIGESTS_FAILED.labels(platform=platform).inc()


def message_sent(platform: str, seconds: float) -> None:
    MESSAGES_SENT.labels(platform=platform).inc()
    DELIVERY_LATENCY.labels(platform=platform).observe(seconds)


def message_failed(platform: str) -> None:
    MESSAGES_FAILED.labels(platform=platform).inc()


def command_answered(command: str, outcome: str, seconds: float) -> None:
    """outcome: ok | error | denied. command must be a known name (the router guarantees it)."""
    COMMAND_LATENCY.labels(command=command, outcome=outcome).observe(seconds)


def retention_pruned(count: int) -> None:
    if count > 0:
        RETENTION_PRUNED.inc(count)


def enrich_failed(step: str) -> None:
    ENRICH_FAILURES.labels(step=step).inc()


# --- failure reasons: a few classes, so a label never carries an error message ------------------

_REASONS: list[tuple[str, re.Pattern[str]]] = [
    ("timeout", re.compile(r"time(d)? ?out", re.I)),
    ("too_large", re.compile(r"larger than", re.I)),
    ("redirects", re.compile(r"redirects", re.I)),
    ("decode", re.compile(r"decode", re.I)),
    ("blocked", re.compile(r"private|loopback|link-local|not allowed|blocked", re.I)),
    ("connect", re.compile(r"connect|resolve|name or service|getaddrinfo|network|refused|reset|ssl|tls", re.I)),
    ("file", re.compile(r"no such file|cannot read", re.I)),
    ("internal", re.compile(r"internal error", re.I)),
    ("not_a_feed", re.compile(r"not a feed|parse|malformed|xml|syntax|no entries|bozo", re.I)),
]
_HTTP = re.compile(r"\bHTTP (\d{3})\b")
_NAMED_CODES = frozenset({401, 403, 404, 410, 429})
_CLASS = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
_CLASSES = frozenset({name for name, _ in _REASONS} | {"http_4xx", "http_5xx", "http_other", "other"} |
                     {f"http_{code}" for code in _NAMED_CODES})


def failure_reason(error: str | None) -> str:
    """A bounded class for a failure: an error message or an explicit class the caller already knows."""
    if not error:
        return "other"
    if _CLASS.match(error) and error in _CLASSES:
        return error
    http = _HTTP.search(error)
    if http:
        code = int(http.group(1))
        if code in _NAMED_CODES:
            return f"http_{code}"
        return "http_5xx" if code >= 500 else "http_4xx" if code >= 400 else "http_other"
    for name, pattern in _REASONS:
        if pattern.search(error):
            return name
    return "other"


# --- gauges read from the database when scraped ------------------------------------------------

class StoreCollector(Collector):
    """Outbox depth, stories and feeds by status, read at scrape time from the shared database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def describe(self) -> Iterable[Metric]:
        return []  # collected live; describing would query the database at registration

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("sitrep_database_up", "1 when the last scrape could read the database.")
        try:
            depth = self.store.outbox.depth()
            stories = self.store.stories.count()
            by_status: dict[str, int] = {}
            for feed in self.store.feeds.all():
                status = feed.status if feed.enabled else "disabled"
                by_status[status] = by_status.get(status, 0) + 1
        except Exception as error:  # noqa: BLE001 - a scrape must answer even when the database does not
            log.warning("metrics: cannot read the database: %s", error)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        outbox = GaugeMetricFamily("sitrep_outbox_depth", "Messages waiting to be posted (pending or sending).")
        outbox.add_metric([], depth)
        total = GaugeMetricFamily("sitrep_stories", "Stories in the database.")
        total.add_metric([], stories)
        feeds = GaugeMetricFamily("sitrep_feeds", "Feeds in the database, by status.", labels=["status"])
        for status, count in sorted(by_status.items()):
            feeds.add_metric([status], count)
        return [up, outbox, total, feeds]


def exposition(extra: Collector | None = None) -> bytes:
    """The text format Prometheus scrapes: this process's metrics plus, when given, the store's gauges."""
    body = generate_latest(REGISTRY)
    if extra is not None:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(extra)
        body += generate_latest(registry)
    return body


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    """A metric's current value (0 when never moved): for tests and the status command."""
    value: Any = REGISTRY.get_sample_value(name, labels or {})
    return float(value) if value is not None else 0.0
