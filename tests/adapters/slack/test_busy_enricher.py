"""Slack commands are acknowledged in time while the NLP worker chews on a hostile story.

Enrichment runs on its own worker thread, and no rule in it holds the GIL for long (no regex that
backtracks over a whole story, no loop over every pair of quotations), so the event loop that
answers Slack keeps running. 50 commands sent through the real HTTP adapter to the fake Slack
while 200,000-character hostile stories are being enriched must all be acknowledged within Slack's
3 seconds.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.app import Sitrep
from bot.knowledge.enrich import StoryText
from tests.adapters.slack.conftest import SlackClient
from tests.fakes.hostile import WORST, grow

pytestmark = [pytest.mark.slow]
ACK_S = 3.0
COMMANDS = 50


async def test_commands_are_acknowledged_in_time_while_a_hostile_story_is_enriched(
        slack: SlackClient, demo_core: Sitrep) -> None:
    hostile = [StoryText("hostile", grow(WORST[name][1], 200_000, WORST[name][0], WORST[name][2]))
               for name in ("short quotations in one paragraph", "closed quotations", "one name repeated",
                            "terminators without spaces")]
    enriching = asyncio.ensure_future(demo_core.enricher.run(hostile))
    await asyncio.sleep(0)  # the batch is handed to the worker thread

    async def timed(n: int) -> tuple[int, float]:
        started = time.perf_counter()
        response = await (slack.command("/whois", "Kalinowski") if n % 2 else slack.command("/news", "drones"))
        return response.status_code, time.perf_counter() - started

    answers = await asyncio.gather(*(timed(n) for n in range(COMMANDS)))
    still_enriching = not enriching.done()
    results = await enriching
    assert still_enriching, "the hostile batch finished before the commands: the test proved nothing"
    assert len(results) == len(hostile)
    assert [status for status, _ in answers] == [200] * COMMANDS
    slowest = max(seconds for _, seconds in answers)
    assert slowest < ACK_S, f"slowest acknowledgement {slowest:.2f}s"
