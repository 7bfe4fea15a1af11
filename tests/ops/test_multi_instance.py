"""Three `sitrep run` processes on one PostgreSQL database; one is killed with SIGKILL mid-run.

Everything is real but the outside world: the three processes run the unmodified CLI (`python -m bot
--config … run`, one config file, only their listening ports differ through ${VAR}s), the database is
a throwaway PostgreSQL database, the feeds come from a loopback feed server and the digests go to
a fake Slack Web API (tests/fakes/slack_api.py) that keeps every message with the idempotency key
sitrep attaches as message metadata. Leases are short (`leases.feed: 3s`), feeds are due every 4 s
and each of three channels has a digest slot every 5 s, so a minute holds many rounds of the races
that matter: three instances wanting the same feed, the same digest slot and the same message.

What must hold, and is printed as figures for the issue note:

- every feed is polled again after the kill, by the survivors, including the feeds the killed
  instance held at that moment (taken over when their leases ran out);
- no feed is polled twice in one interval: the closest two polls of one feed are ≥ 2.5 s apart
  (interval 4 s minus jitter; three instances polling one feed "at once" would show ~0 s);
- every digest built is posted exactly once: each message's idempotency key arrives exactly once
  at the fake Slack (duplicates 0), and every message the outbox holds arrived (lost 0);
- any instance answers a slash command from the shared database.

Skipped, with the reason, when no PostgreSQL server answers on 127.0.0.1:5432.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.store import Store
from bot.store.schema import deliveries, digests, feeds
from tests.conftest import REPO
from tests.fakes.feed_server import Feed, FeedServer, rss
from tests.fakes.postgres import temporary_database
from tests.fakes.slack_api import FakeSlack, signed_headers, slash_body

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

INSTANCES = 3
FEEDS = 12
CHANNELS = ("C0ALPHA", "C0BRAVO", "C0CHARLIE")
INTERVAL = 4.0
FEED_LEASE = 3.0
SECRET = "multi-instance-signing-secret"
STARTUP = 90.0  # seconds for three processes importing spaCy and friends at once on two cores
BEFORE_KILL = 8.0
AFTER_KILL = 16.0
T = TypeVar("T")


class Background:
    """An event loop in a thread, for the aiohttp fakes while the test drives processes."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@dataclass
class Counted:
    """A feed that remembers when it was asked for (every GET is one poll, 304s included)."""

    feed: Feed
    times: list[float] = field(default_factory=list)

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        self.times.append(time.time())
        return await self.feed(request)


def items(feed: int, count: int) -> bytes:
    subjects = ("drone swarm", "autonomous targeting", "AI procurement", "military AI ethics board")
    return rss([{"title": f"Pentagon tests {subjects[(feed + n) % len(subjects)]} in trial {feed}-{n}",
                 "link": f"https://wire{feed}.example/{n}", "guid": f"w{feed}-{n}",
                 "pubDate": "Tue, 10 Mar 2026 08:00:00 GMT",
                 "description": f"The Defense Department said trial {feed}-{n} of the artificial intelligence "
                                "programme went ahead, officials told reporters on Tuesday."}
                for n in range(count)], title=f"Wire {feed}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(path: Path, database: str, feed_urls: list[str], slack_api: str) -> None:
    feed_lines = "".join(f"  - name: wire{i}\n    url: {url}\n    full_text: never\n"
                         for i, url in enumerate(feed_urls))
    channel_lines = "".join(f"  - name: {name.lower()}\n    platform: slack\n    target: {name}\n"
                            f"    schedule: '*/5 * * * * *'\n    post_empty: true\n" for name in CHANNELS)
    path.write_text(f"""
storage:
  url: "{database}"
http:
  connect_timeout: 1s
  read_timeout: 1s
  total_timeout: 2s
poll:
  interval: {INTERVAL:g}s
  jitter: 0.05
leases:
  feed: {FEED_LEASE:g}s
  delivery: 10s
  job: 5s
  enrich: 20s
nlp:
  summarizer: lead
  full_for: relevant
server:
  enabled: true
  host: 127.0.0.1
  port: ${{SITREP_TEST_METRICS_PORT}}
slack:
  mode: http
  bot_token: ${{SITREP_TEST_SLACK_TOKEN}}
  signing_secret: ${{SITREP_TEST_SLACK_SECRET}}
  host: 127.0.0.1
  port: ${{SITREP_TEST_SLACK_PORT}}
  api_url: {slack_api}
logging:
  level: INFO
feeds:
{feed_lines}channels:
{channel_lines}""", encoding="utf-8")


@dataclass
class Instance:
    process: subprocess.Popen[bytes]
    metrics_port: int
    slack_port: int
    log: Path

    def ready(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.metrics_port}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def polls(self) -> int:
        """This process's feed polls, from its own Prometheus counter."""
        text = httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text
        return int(sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                       if line.startswith("sitrep_feeds_polled_total{")))


def start(config: Path, tmp_path: Path, n: int) -> Instance:
    metrics_port, slack_port = free_port(), free_port()
    log = tmp_path / f"instance{n}.log"
    env = {**os.environ, "SITREP_TEST_METRICS_PORT": str(metrics_port),
           "SITREP_TEST_SLACK_PORT": str(slack_port), "SITREP_TEST_SLACK_TOKEN": "xoxb-test-token",
           "SITREP_TEST_SLACK_SECRET": SECRET}
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "run"], cwd=REPO, env=env,
                                   stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT)
    return Instance(process, metrics_port, slack_port, log)


@pytest.fixture
def background() -> Iterator[Background]:
    running = Background()
    try:
        yield running
    finally:
        running.stop()


def ask(instance: Instance, text: str, fake: FakeSlack, background: Background) -> str:
    """A signed slash command to one instance; its answer, inline (the ack) or through the response_url."""
    key = f"ask-{instance.slack_port}"
    body = slash_body("/news", text, channel=CHANNELS[0], response_url=fake.response_url(key))
    answer = httpx.post(f"http://127.0.0.1:{instance.slack_port}/slack/events", content=body,
                        headers=signed_headers(SECRET, body, int(time.time())), timeout=30)
    assert answer.status_code == 200, answer.text
    if answer.content and "blocks" in answer.text:
        return answer.text
    response = background.run(fake.next_response(20), timeout=30)
    assert response.key == key
    return json.dumps(response.body)


def leased_by(database: str, pid: int) -> dict[str, float]:
    """The feeds whose unexpired lease this process holds, with the seconds each lease has left."""
    store = Store.open(database, migrate=False)
    now = datetime.now(UTC)
    try:
        with store.engine.connect() as c:
            return {r.name: (r.lease_expires_at - now).total_seconds() for r in c.execute(
                select(feeds.c.name, feeds.c.lease_expires_at).where(
                    feeds.c.lease_owner.like(f"%:{pid}:%"), feeds.c.lease_expires_at > now))}
    finally:
        store.close()


def kill_holding_a_feed(victim: Instance, instances: list[Instance],
                        database: str) -> tuple[dict[int, int], dict[str, float]]:
    """SIGKILL the victim while it holds a feed's lease (mid-poll), if that happens within 15 s; returns
    every instance's poll count just before, and the feeds it held."""
    deadline = time.monotonic() + 15
    while not leased_by(database, victim.process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    polls = {n: i.polls() for n, i in enumerate(instances)}
    victim.process.send_signal(signal.SIGKILL)
    victim.process.wait(10)
    return polls, leased_by(database, victim.process.pid)


def test_three_instances_share_the_work_and_survive_a_kill(tmp_path: Path, background: Background) -> None:
    with temporary_database() as database:
        run(tmp_path, background, database)


def run(tmp_path: Path, background: Background, database: str) -> None:
    server = FeedServer(latency=0.4)  # a poll holds its lease for a while: the kill can catch one
    counted = [Counted(Feed(items(i, 2), etag=f'"{i}-2"')) for i in range(FEEDS)]
    background.run(server.start())
    fake = FakeSlack(channels=CHANNELS)
    background.run(fake.start())
    urls = [server.route(f"/wire/{i}", counted[i]) for i in range(FEEDS)]
    config = tmp_path / "instances.yaml"
    write_config(config, database, urls, fake.api_url)
    instances = [start(config, tmp_path, n) for n in range(INSTANCES)]
    try:
        deadline = time.monotonic() + STARTUP
        while not all(i.ready() for i in instances):
            dead = [i for i in instances if i.process.poll() is not None]
            assert not dead, dead[0].log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the instances did not become ready"
            time.sleep(0.25)  # another process: nothing to await
        time.sleep(BEFORE_KILL)

        victim = instances[1]
        polls_before_kill, held = kill_holding_a_feed(victim, instances, database)
        killed_at = time.time()
        for i, feed in enumerate(counted):  # news after the kill: the survivors must store and post it
            feed.feed.update(items(i, 3), etag=f'"{i}-3"')
        time.sleep(AFTER_KILL)

        survivors = [i for i in instances if i is not victim]
        answers = [ask(i, "drone swarm", fake, background) for i in survivors]
        polls = {n: (polls_before_kill[n] if i is victim else i.polls()) for n, i in enumerate(instances)}
        for instance in survivors:
            instance.process.send_signal(signal.SIGTERM)
        for instance in survivors:
            assert instance.process.wait(60) == 0, instance.log.read_text()[-3000:]
    finally:
        for instance in instances:
            if instance.process.poll() is None:
                instance.process.kill()
                instance.process.wait()
        background.run(server.close())

    store = Store.open(database, migrate=False)
    try:
        with store.engine.connect() as c:
            built = c.execute(select(digests.c.id, digests.c.channel, digests.c.slot)
                              .where(digests.c.kind == "digest")).all()
            messages = c.execute(select(deliveries.c.idempotency_key, deliveries.c.status)).all()
            stored_feeds = c.execute(select(feeds.c.name, feeds.c.last_success_at)).all()
    finally:
        store.close()
    background.run(fake.stop())

    posted = Counter((m.get("metadata") or {}).get("event_payload", {}).get("key")
                     for channel in CHANNELS for m in fake.messages.get(channel, []))
    duplicates = sum(n - 1 for n in posted.values() if n > 1)
    lost = [m.idempotency_key for m in messages if posted[m.idempotency_key] == 0]
    unsent = [m.idempotency_key for m in messages if m.status != "sent"]
    per_feed_after = {i: [t for t in f.times if t > killed_at] for i, f in enumerate(counted)}
    gaps = [b - a for f in counted for a, b in zip(f.times, f.times[1:], strict=False)]
    # The victim's own last request may reach the server's handler a moment after the kill (it was on
    # the wire): a takeover is a poll of a held feed from half a second after the kill on.
    taken_over = {name: next((t for t in counted[int(name.removeprefix("wire"))].times if t > killed_at + 0.5),
                             None) for name in held}
    slots: dict[str, list[str]] = defaultdict(list)
    for row in built:
        slots[row.channel].append(row.slot)
    figures = {
        "instances": INSTANCES, "feeds": FEEDS, "killed": f"instance 1 (pid {victim.process.pid})",
        "feeds_held_by_killed": len(held),
        "polls_per_instance": polls, "polls_seen_by_feed_server": sum(len(f.times) for f in counted),
        "feeds_polled_after_kill": sum(bool(t) for t in per_feed_after.values()),
        "held_leases_left_at_kill_s": [round(left, 2) for left in held.values()],
        "held_feeds_taken_over_after_s": [round(t - killed_at, 2) for t in taken_over.values() if t is not None],
        "closest_polls_of_one_feed_s": round(min(gaps), 2),
        "digests": len(built), "digests_per_channel": {k: len(v) for k, v in sorted(slots.items())},
        "messages": len(messages), "posted": sum(posted.values()), "duplicates": duplicates, "lost": len(lost),
        "unsent_at_end": len(unsent),
    }
    print("\nmulti-instance figures: " + json.dumps(figures))

    assert all(per_feed_after.values()), f"feeds never polled after the kill: {per_feed_after}"
    assert held, "the kill never caught the victim holding a feed (the takeover went untested)"
    for name, left in held.items():  # taken over, and not before the dead instance's lease ran out
        when = taken_over[name]
        assert when is not None, f"{name}, held by the killed instance, was never polled again"
        assert when - killed_at >= left - 0.5, (name, left, when - killed_at)
    assert all(when is not None and when.timestamp() > killed_at for _, when in stored_feeds), stored_feeds
    assert min(gaps) >= INTERVAL - 1.5, f"a feed was polled twice in one interval: {min(gaps):.2f}s apart"
    assert all(polls[n] > 0 for n in polls), f"an instance did no polling: {polls}"
    assert len(built) >= 3 * len(CHANNELS), "too few digest slots to say anything"
    assert all(len(v) == len(set(v)) for v in slots.values())
    assert duplicates == 0, posted.most_common(3)
    assert not lost and not unsent, (lost, unsent)
    # Either survivor answers from the shared database, whichever instance stored the stories.
    assert all("Pentagon tests drone swarm" in answer for answer in answers), answers
