"""Load: hundreds of /whois and /news at once over Slack HTTP mode, while a poll cycle runs.

The scenario shared by tests/adapters/slack/test_load.py (which asserts that every command is
acknowledged with 200 within Slack's 3 seconds and answered correctly, exactly once) and
tests/bench/bench_load.py (which reports the figures).

Three processes, as in production, so that no side's CPU is counted against another's:

- Slack's side (`python -m tests.bench.slackload --ready FILE`, run here as a subprocess): the fake
  Slack Web API (tests/fakes/slack_api.py), which also receives the answers posted to each
  command's `response_url`, and the sender, which signs each slash command as Slack does and
  POSTs them all at once, timing each from send to the HTTP acknowledgement, and each follow-up
  from send to its arrival at the fake.
- the feed farm (tests/bench/feedfarm.py): loopback feeds, some new, some failing, some slow.
- sitrep: the real Slack adapter in HTTP mode and the core, one event loop, one SQLite database
  holding a few thousand stories and names (tests/fakes/bulk.py) plus the farm's, polling the
  farm (fetch, parse, store, then spaCy enrichment of what is new) while the commands arrive.

What counts as the right answer for each command is computed by the same adapter code before the
burst and again after it, when the store is quiet; the queries are about names and subjects the
farm's stories never mention, so the poll cannot change them (the scenario checks that too).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy import update

from tests.bench import feedfarm
from tests.fakes import bulk
from tests.fakes.slack_api import FakeSlack, signed_headers, slash_body

SECRET = "load-test-signing-secret"
REQUESTS = 500
ACK_LIMIT_MS = 3000  # Slack's: an acknowledgement later than this is an error shown to the user
REPO = Path(__file__).resolve().parents[2]


# --- Slack's side (runs in its own process) ---------------------------------------------------------


async def _post(url: str, body: bytes, headers: dict[str, str], result: dict[str, Any]) -> None:
    """One POST on its own connection, as each of Slack's requests comes; times in `result`.

    Plain asyncio streams, not an HTTP client library: 500 requests at once from one process must
    cost the sender as little as possible, or its own queue would be counted as sitrep's latency.
    """
    parts = urlsplit(url)
    sent = time.monotonic()
    result["sent"] = sent
    writer = None
    try:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        head = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {len(body)}",
                "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        result["written_ms"] = (time.monotonic() - sent) * 1000
        raw = await reader.read()  # the server closes the connection after its answer
        result["ack_ms"] = (time.monotonic() - sent) * 1000
        status_line, _, rest = raw.partition(b"\r\n")
        result["status"] = int(status_line.split()[1])
        payload = rest.partition(b"\r\n\r\n")[2]
        result["ack"] = json.loads(payload) if payload.strip() else None
    except (OSError, ValueError, IndexError) as error:
        result["ack_ms"] = (time.monotonic() - sent) * 1000
        result["error"] = f"{type(error).__name__}: {error}"
    finally:
        if writer is not None:
            writer.close()


async def _slack_side(ready: Path) -> None:
    fake = await FakeSlack().start()
    ready.write_text(str(fake.port))
    loop = asyncio.get_running_loop()
    job = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
    results: dict[str, dict[str, Any]] = {r["key"]: {} for r in job["requests"]}
    bodies = [slash_body(r["command"], r["text"], user=r["user"], channel="C0CHAT",
                         response_url=fake.response_url(r["key"])).encode() for r in job["requests"]]
    now = int(time.time())
    signed = [signed_headers(SECRET, body, now) for body in bodies]  # signed before the clock starts
    started = time.time()
    await asyncio.wait_for(asyncio.gather(*(
        _post(job["url"], body, headers, results[r["key"]])
        for r, body, headers in zip(job["requests"], bodies, signed, strict=True))), job["timeout"])
    acked = time.time()
    # Follow-ups: one per command acknowledged without its answer; wait for them, then a little
    # longer for any second (duplicate) answer.
    waiting = {k for k, r in results.items() if r.get("status") == 200 and not r.get("ack")}
    deadline = time.monotonic() + job["followup_timeout"]
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            posted = await fake.next_response(timeout=left if waiting else min(left, 1.0))
        except TimeoutError:
            break
        result = results.get(posted.key)
        if result is None:
            continue
        result.setdefault("followups", []).append({"ms": (posted.at - result["sent"]) * 1000, "body": posted.body})
        waiting.discard(posted.key)
    print(json.dumps({"started": started, "acked": acked, "results": results,
                      "auth_tests": len(fake.called("auth.test"))}), flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)  # stay up (auth.test, late posts) until told
    await fake.stop()


# --- sitrep's side ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One command, as Slack saw it."""

    key: str
    text: str
    status: int | None
    ack_ms: float
    inline: bool  # the answer came in the acknowledgement itself
    followup_ms: float | None
    answers: int  # answers delivered (in the ack or through response_url): exactly one is right
    right: bool
    error: str | None


@dataclass
class LoadReport:
    outcomes: list[Outcome]
    poll_feeds: int = 0
    poll_new: int = 0
    poll_enriched: int = 0
    poll_failed: int = 0
    poll_before_burst_s: float = 0.0  # the poll cycle started this long before the first command
    poll_after_acks_s: float = 0.0  # and was still running this long after the last acknowledgement
    store_stories: int = 0
    store_entities: int = 0
    answers_changed_by_poll: int = 0
    auth_tests: int = 0  # auth.test calls Slack saw, the adapter's start included
    loop_lag_ms: list[float] = field(default_factory=list)  # sitrep's event loop, during the burst
    figures: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def requests(found: bulk.Bulk, count: int, rng: random.Random) -> list[dict[str, str]]:
    """Half /whois (full names, surnames, prefixes, names nobody has), half /news (subjects)."""
    made = []
    for i in range(count):
        if i % 2 == 0:
            person = rng.choice(found.people[:300]) if rng.random() < 0.6 else rng.choice(found.people)
            pick = rng.random()
            if pick < 0.4:
                text = person
            elif pick < 0.7:
                text = person.split()[-1]
            elif pick < 0.8:
                text = rng.choice(found.orgs)
            elif pick < 0.9:
                text = person.split()[-1][:5]
            else:
                text = f"Qx{rng.randrange(10_000)} Vz{rng.randrange(10_000)}"
            made.append({"command": "/whois", "text": text})
        else:
            subject = rng.choice(found.subjects)
            words = subject.split() if rng.random() < 0.7 else subject.split()[:1]
            made.append({"command": "/news", "text": " ".join(words)})
    return [{**r, "user": f"U{i:05d}", "key": f"r{i}"} for i, r in enumerate(made)]


def config_for(folder: Path, port: int, slack_port: int, feeds: int, hosts_count: int) -> Any:
    from bot.config import parse_config

    document = {
        "storage": {"url": f"sqlite:///{folder / 'load.db'}"},
        "http": {"concurrency": 64, "per_host": 2, "connect_timeout": "3s", "read_timeout": "5s",
                 "total_timeout": "10s"},
        "feeds": [{"name": f"f{i}", "url": feedfarm.feed_url(i, port, hosts_count), "full_text": "never"}
                  for i in range(feeds)],
        "slack": {"mode": "http", "bot_token": "${LOAD_BOT_TOKEN}", "signing_secret": "${LOAD_SIGNING_SECRET}",
                  "host": "127.0.0.1", "port": 0, "api_url": f"http://127.0.0.1:{slack_port}/api/"},
    }
    path = folder / "load.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    env = {"LOAD_BOT_TOKEN": "xoxb-test-token", "LOAD_SIGNING_SECRET": SECRET}
    return parse_config(path.read_text(encoding="utf-8"), path=path, env=env).located(path)


def _answer_of(body: dict[str, Any] | None) -> tuple[Any, Any] | None:
    return None if not body else (body.get("text"), body.get("blocks"))


async def run_load(folder: Path, *, count: int = REQUESTS, poll: bool = True, feeds: int = 200,
                   hosts_count: int = 40, advances: int = 4, stories: int = 3000, seed: int = 5) -> LoadReport:
    """The whole scenario; `poll=False` sends the same burst to an idle bot (the baseline)."""
    from adapters.slack.adapter import SlackAdapter
    from bot.app import Sitrep
    from bot.knowledge.enrich import StoryText
    from bot.store import Store
    from bot.store.schema import stories as stories_table

    rng = random.Random(seed)
    with feedfarm.running(feeds, hosts_count=hosts_count, latency=0.05, slow=1.0, items=10) as farm_port:
        ready = folder / "slack-port"
        slack = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bench.slackload", "--ready", str(ready), cwd=REPO,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 28)  # one JSON line
        try:
            deadline = time.monotonic() + 60
            while not (ready.exists() and ready.read_text()):
                if time.monotonic() > deadline or slack.returncode is not None:
                    raise RuntimeError("the Slack side did not start")
                await asyncio.sleep(0.05)
            config = config_for(folder, farm_port, int(ready.read_text()), feeds, hosts_count)
            store = Store.open(f"sqlite:///{folder / 'load.db'}")
            found = bulk.build(store, stories_count=stories, people=max(stories // 3, 50), orgs=max(stories // 10, 10))
            store.close()
            core = Sitrep.open(config)
            try:
                return await _burst(core, SlackAdapter, StoryText, stories_table, found, slack, farm_port, rng,
                                    count=count, poll=poll, advances=advances)
            finally:
                await core.aclose()
        finally:
            if slack.returncode is None:
                slack.kill()
                await slack.wait()


async def _burst(core: Any, adapter_type: Any, story_text: Any, stories_table: Any, found: bulk.Bulk,
                 slack: asyncio.subprocess.Process, farm_port: int, rng: random.Random, *, count: int, poll: bool,
                 advances: int) -> LoadReport:
    # The farm's first cycle stands for what was read before today: stored, marked enriched, so the
    # cycle under load enriches only what it brings (as every cycle after the first does).
    await core.poller.poll_due(everything=True, enrich=False)
    now = datetime.now(UTC)
    await asyncio.to_thread(_mark_enriched, core, stories_table, now)
    await core.enricher.run([story_text("Warm-up", "The model is loaded once, at the first enrichment.")])
    for _ in range(advances):
        await asyncio.to_thread(feedfarm.advance, farm_port)

    asked = requests(found, count, rng)
    adapter = adapter_type(core)
    texts = {f"{r['command']} {r['text']}" for r in asked}
    before = {t: await adapter.commands.answer(t, "U0EXPECT", "C0CHAT") for t in sorted(texts)}
    await adapter.start()
    assert slack.stdin is not None and slack.stdout is not None
    try:
        polling: asyncio.Task[Any] | None = None
        poll_started = poll_ended = 0.0
        if poll:
            first = asyncio.Event()
            poll_started = time.time()
            polling = asyncio.create_task(core.poll(everything=True, progress=lambda _: first.set()))
            await asyncio.wait_for(first.wait(), 30)  # the cycle is under way: feeds are being fetched
        job = {"url": f"http://127.0.0.1:{adapter.port}/slack/events", "requests": asked, "timeout": 60,
               "followup_timeout": 60}
        lags: list[float] = []
        watch = asyncio.create_task(_watch_loop(lags))
        slack.stdin.write((json.dumps(job) + "\n").encode())
        await slack.stdin.drain()
        seen = json.loads(await slack.stdout.readline())
        watch.cancel()
        report_poll = None
        if polling is not None:
            report_poll = await polling
            poll_ended = time.time()
        after = {t: await adapter.commands.answer(t, "U0EXPECT", "C0CHAT") for t in sorted(texts)}
    finally:
        slack.stdin.write(b"stop\n")
        await slack.stdin.drain()
        try:
            await asyncio.wait_for(slack.wait(), 30)
        finally:
            await adapter.stop()

    outcomes = []
    for request in asked:
        text = f"{request['command']} {request['text']}"
        got = seen["results"][request["key"]]
        followups = got.get("followups", [])
        delivered = ([got["ack"]] if got.get("ack") else []) + [f["body"] for f in followups]
        right = len(delivered) == 1 and _answer_of(delivered[0]) in (_answer_of(before[text]), _answer_of(after[text]))
        error = got.get("error")
        if error is None and got.get("status") != 200:
            error = f"HTTP {got.get('status')}"
        elif error is None and got["ack_ms"] > ACK_LIMIT_MS:
            error = f"acknowledged after {got['ack_ms']:.0f} ms"
        elif error is None and not delivered:
            error = "no answer arrived"
        elif error is None and len(delivered) > 1:
            error = f"{len(delivered)} answers"
        elif error is None and not right:
            error = "wrong answer"
        outcomes.append(Outcome(request["key"], text, got.get("status"), got["ack_ms"], bool(got.get("ack")),
                                followups[0]["ms"] if followups else None, len(delivered), right, error))
    report = LoadReport(outcomes)
    report.answers_changed_by_poll = sum(_answer_of(before[t]) != _answer_of(after[t]) for t in texts)
    if report_poll is not None:
        report.poll_feeds = len(report_poll.feeds)
        report.poll_new = report_poll.new_stories
        report.poll_enriched = report_poll.enriched
        report.poll_failed = report_poll.failed
        report.poll_before_burst_s = seen["started"] - poll_started
        report.poll_after_acks_s = poll_ended - seen["acked"]
    report.loop_lag_ms = lags
    report.auth_tests = seen["auth_tests"]
    report.store_stories, report.store_entities = await asyncio.to_thread(_counts, core)
    report.figures = figures(report)
    return report


async def _watch_loop(lags: list[float], every: float = 0.01) -> None:
    """How late the event loop wakes a task that asked to sleep `every` seconds: its lag, in ms."""
    loop = asyncio.get_running_loop()
    while True:
        asked = loop.time()
        await asyncio.sleep(every)
        lags.append((loop.time() - asked - every) * 1000)


def _mark_enriched(core: Any, stories_table: Any, now: datetime) -> None:
    with core.store.engine.begin() as c:
        c.execute(update(stories_table).where(stories_table.c.enriched_at.is_(None)).values(
            enriched_at=now, summary=stories_table.c.title))


def _counts(core: Any) -> tuple[int, int]:
    from sqlalchemy import func, select

    from bot.store.schema import entities, stories

    with core.store.engine.connect() as c:
        return (int(c.execute(select(func.count()).select_from(stories)).scalar_one()),
                int(c.execute(select(func.count()).select_from(entities)).scalar_one()))


def figures(report: LoadReport) -> dict[str, float | int | str]:
    acks = [o.ack_ms for o in report.outcomes if o.status == 200]
    followups = [o.followup_ms for o in report.outcomes if o.followup_ms is not None]
    return {
        "requests": len(report.outcomes),
        "ack_p50_ms": round(statistics.median(acks), 1) if acks else float("nan"),
        "ack_p99_ms": round(percentile(acks, 0.99), 1),
        "ack_max_ms": round(max(acks), 1) if acks else float("nan"),
        "errors": len(report.errors),
        "answered_in_ack": sum(o.inline for o in report.outcomes),
        "answered_by_followup": len(followups),
        "followup_p50_ms": round(statistics.median(followups), 1) if followups else 0.0,
        "followup_p99_ms": round(percentile(followups, 0.99), 1) if followups else 0.0,
        "right_answers": sum(o.right for o in report.outcomes),
        "loop_lag_p99_ms": round(percentile(report.loop_lag_ms, 0.99), 1),
        "loop_lag_max_ms": round(max(report.loop_lag_ms, default=0.0), 1),
        "answers_changed_by_poll": report.answers_changed_by_poll,
        "auth_test_calls": report.auth_tests,
        "poll_feeds": report.poll_feeds,
        "poll_new_stories": report.poll_new,
        "poll_enriched": report.poll_enriched,
        "poll_failed_feeds": report.poll_failed,
        "poll_started_before_burst_s": round(report.poll_before_burst_s, 2),
        "poll_ran_after_last_ack_s": round(report.poll_after_acks_s, 2),
        "store": f"{report.store_stories} stories, {report.store_entities} people and organisations",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Slack's side of the load test (run by run_load)")
    parser.add_argument("--ready", required=True)
    args = parser.parse_args()
    asyncio.run(_slack_side(Path(args.ready)))


if __name__ == "__main__":
    main()
