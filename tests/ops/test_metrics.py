"""Metrics: the hooks move the right series, labels stay bounded, database gauges read the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import Sitrep
from bot.cards import Card, MessageCard
from bot.clock import FakeClock
from bot.commands import Caller, CommandRouter, Invocation
from bot.config.settings import ChannelConfig, Platform
from bot.ops import metrics
from bot.ops.instrumented import DigestWatch, InstrumentedSender
from bot.ports import DeliveryError
from bot.store import Store
from tests.conftest import make_config

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class Delta:
    """A metric's change across a block of code (the registry is global to the process)."""

    def __init__(self, name: str, **labels: str) -> None:
        self.name, self.labels = name, labels
        self.start = metrics.sample(name, labels)

    @property
    def value(self) -> float:
        return metrics.sample(self.name, self.labels) - self.start


@pytest.mark.parametrize(("error", "reason"), [
    ("HTTP 404", "http_404"), ("HTTP 503", "http_5xx"), ("HTTP 418", "http_4xx"), ("HTTP 429", "http_429"),
    ("timed out after 0:01:00", "timeout"), ("timeout (ReadTimeout)", "timeout"),
    ("ConnectError: [Errno 111] Connection refused", "connect"),
    ("body larger than 10000000 bytes", "too_large"), ("more than 5 redirects", "redirects"),
    ("cannot decode the body: bad gzip", "decode"), ("no such file: /x.xml", "file"),
    ("not a feed", "not_a_feed"), ("internal error: KeyError", "internal"),
    ("something nobody expected", "other"), (None, "other"), ("", "other"),
    ("timeout", "timeout"), ("http_410", "http_410"),  # a class given directly is kept
    ("https://secret.example/feed?token=abc went wrong", "other"),  # never the text itself
])
def test_failure_reasons_are_a_few_classes(error: str | None, reason: str) -> None:
    assert metrics.failure_reason(error) == reason


def test_feed_polls_by_status_and_reason() -> None:
    ok = Delta("sitrep_feeds_polled_total", status="ok")
    unchanged = Delta("sitrep_feeds_polled_total", status="not_modified")
    failed = Delta("sitrep_feeds_polled_total", status="failed")
    gone = Delta("sitrep_feed_failures_total", reason="http_410")
    metrics.feed_polled("ok")
    metrics.feed_polled("not-modified")
    metrics.feed_polled("failed", "HTTP 410")
    assert (ok.value, unchanged.value, failed.value, gone.value) == (1, 1, 1, 1)


@dataclass
class Outcome:
    status: str
    new: int = 0
    error: str | None = None


@dataclass
class Report:
    feeds: list[Outcome] = field(default_factory=list)


def test_record_poll_counts_outcomes_and_new_stories() -> None:
    stored = Delta("sitrep_stories_stored_total")
    timeouts = Delta("sitrep_feed_failures_total", reason="timeout")
    metrics.record_poll(Report([Outcome("ok", 3), Outcome("ok", 0), Outcome("failed", error="timed out")]), at=NOW)
    assert (stored.value, timeouts.value) == (3, 1)
    assert metrics.sample("sitrep_last_poll_timestamp_seconds") == NOW.timestamp()


async def test_command_latency_by_command_and_outcome() -> None:
    router = CommandRouter()

    async def whois(invocation: Invocation, caller: Caller) -> Card:
        return MessageCard(invocation.text)

    async def status(invocation: Invocation, caller: Caller) -> Card:
        return MessageCard("status")

    router.register("whois", whois)
    router.register("status", status)
    user = Caller(user="u", platform="console")
    series = {key: Delta("sitrep_command_latency_seconds_count", command=key[0], outcome=key[1])
              for key in [("whois", "ok"), ("help", "ok"), ("unknown", "error"), ("status", "denied"),
                          ("invalid", "error")]}
    await router.handle("/whois Jane Roe", user)
    await router.handle("/help", user)
    await router.handle("/drop-table students", user)  # what users type never becomes a label
    await router.handle("/sitrep status", user)  # admins only
    await router.handle("/whois " + "x" * 600, user)  # too long to parse
    assert {key: d.value for key, d in series.items()} == dict.fromkeys(series, 1)
    assert metrics.sample("sitrep_command_latency_seconds_count",
                          {"command": "drop-table", "outcome": "error"}) == 0


class FakeSender:
    def __init__(self, *, fail: DeliveryError | None = None) -> None:
        self.fail = fail
        self.posted: list[Any] = []
        self.closed = False

    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        if self.fail:
            raise self.fail
        self.posted.append(payload)
        return f"m-{idempotency_key}"

    async def aclose(self) -> None:
        self.closed = True


async def test_instrumented_sender_times_posts_and_counts_failures() -> None:
    channel = ChannelConfig(name="c", platform=Platform.console)
    inner = FakeSender()
    sender = InstrumentedSender("fake", inner)
    sent = Delta("sitrep_messages_sent_total", platform="fake")
    timed = Delta("sitrep_delivery_latency_seconds_count", platform="fake")
    assert await sender.send(channel, {"text": "hi"}, idempotency_key="k") == "m-k"
    assert (sent.value, timed.value, inner.posted) == (1, 1, [{"text": "hi"}])
    assert sender.posted is inner.posted  # anything else reaches the wrapped sender

    failed = Delta("sitrep_messages_failed_total", platform="fake")
    broken = InstrumentedSender("fake", FakeSender(fail=DeliveryError("rate limited")))
    with pytest.raises(DeliveryError):
        await broken.send(channel, {}, idempotency_key="k2")
    assert failed.value == 1
    await sender.aclose()
    assert inner.closed


def queue(store: Store, channel: str = "team", parts: int = 2) -> int:
    digest_id = store.outbox.create_digest(channel=channel, platform="slack", body={}, story_ids=[], since=None,
                                           until=NOW, payloads=[{"n": i} for i in range(parts)], now=NOW)
    assert digest_id is not None
    return digest_id


def test_digest_watch_counts_a_digest_once_all_parts_are_sent(store: Store) -> None:
    watch = DigestWatch()
    queued = Delta("sitrep_digests_queued_total", platform="slack")
    sent = Delta("sitrep_digests_sent_total", platform="slack")
    delays = Delta("sitrep_digest_delivery_delay_seconds_sum", platform="slack")
    digest_id = queue(store)
    watch.add(digest_id, "slack", NOW)
    first, second = store.outbox.deliveries_for(digest_id)
    for row in (first, second):  # the sender's claims: only a claim's holder records its outcome
        assert store.outbox.claim(row.id, owner="sender", now=NOW, lease=timedelta(minutes=2))
    assert store.outbox.mark_sent(first.id, owner="sender", message_id="1", now=NOW)
    watch.check(store, NOW + timedelta(seconds=30))
    assert (sent.value, len(watch)) == (0, 1)  # half sent is not sent
    assert store.outbox.mark_sent(second.id, owner="sender", message_id="2", now=NOW)
    watch.check(store, NOW + timedelta(seconds=90))
    assert (queued.value, sent.value, delays.value, len(watch)) == (1, 1, 90, 0)
    watch.check(store, NOW + timedelta(seconds=120))
    assert sent.value == 1  # counted once


def test_digest_watch_counts_failures(store: Store) -> None:
    watch = DigestWatch()
    failed = Delta("sitrep_digests_failed_total", platform="slack")
    digest_id = queue(store, parts=1)
    watch.add(digest_id, "slack", NOW)
    [row] = store.outbox.deliveries_for(digest_id)
    assert store.outbox.claim(row.id, owner="sender", now=NOW, lease=timedelta(minutes=2))
    assert store.outbox.fail(row.id, owner="sender", error="channel_not_found")
    watch.check(store, NOW)
    assert (failed.value, len(watch)) == (1, 0)


def test_store_gauges_are_read_at_scrape_time(store: Store) -> None:
    store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t", now=NOW)
    queue(store, parts=3)
    text = metrics.exposition(metrics.StoreCollector(store)).decode()
    assert "sitrep_outbox_depth 3.0" in text
    assert 'sitrep_feeds{status="new"} 1.0' in text
    assert "sitrep_stories 0.0" in text
    assert "sitrep_database_up 1.0" in text
    assert 'sitrep_build_info{version="' in text


def test_a_scrape_answers_when_the_database_does_not(tmp_path: Path) -> None:
    broken = Store.open(f"sqlite:///{tmp_path / 'x.db'}")
    broken.engine.dispose()
    (tmp_path / "x.db").unlink()
    (tmp_path / "x.db").mkdir()  # a directory where the file was: every connection fails
    text = metrics.exposition(metrics.StoreCollector(broken)).decode()
    assert "sitrep_database_up 0.0" in text
    assert "sitrep_outbox_depth" not in text


async def test_the_core_counts_queued_and_sent_digests(tmp_path: Path) -> None:
    # post_empty: the store has no stories, and an empty digest is otherwise recorded but not posted.
    config = make_config("channels:\n  - name: term\n    platform: console\n    post_empty: true\n", tmp_path)
    core = Sitrep(config=config, store=Store.open(f"sqlite:///{tmp_path / 'core.db'}"), clock=FakeClock(NOW))
    fake = FakeSender()
    core._senders["console"] = InstrumentedSender("console", fake)
    queued = Delta("sitrep_digests_queued_total", platform="console")
    sent = Delta("sitrep_digests_sent_total", platform="console")
    messages = Delta("sitrep_messages_sent_total", platform="console")
    try:
        channel = config.channels[0]
        assert await core.queue_digest(channel, since=None) is not None
        assert await core.deliver() == 1
    finally:
        await core.aclose()
    assert (queued.value, sent.value, messages.value, len(fake.posted)) == (1, 1, 1, 1)
    assert fake.closed


async def test_senders_the_core_hands_out_are_instrumented(tmp_path: Path) -> None:
    config = make_config("channels:\n  - name: term\n    platform: console\n", tmp_path)
    core = Sitrep(config=config, store=Store.open(f"sqlite:///{tmp_path / 'core.db'}"), clock=FakeClock(NOW))
    try:
        assert isinstance(core.sender("console"), InstrumentedSender)
    finally:
        await core.aclose()
