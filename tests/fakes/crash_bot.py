"""The bot's scheduling loop as a process the crash test can kill: `python -m tests.fakes.crash_bot CONFIG`.

It runs what `sitrep run` runs for digests (bot.delivery.schedule.start_job, due_digests, the delivery
tick) on the real store, the real renderers and the real discord-webhook sender, with one change:
a clock that runs `SITREP_CRASH_SPEED` times faster than the wall clock, anchored by
`SITREP_CRASH_T0`/`SITREP_CRASH_WALL0` so that every restart agrees on the time. With a
`* * * * *` schedule and a speed of 60 a digest is due every real second.

`SITREP_CRASH_CHECKING=1` swaps in a sender that can look up what was posted (the fake server's
`GET …/messages?key=`), standing in for platforms that allow the check (Slack history with message
metadata, Discord channel messages): it exercises the deliverer's check-before-resend path.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from adapters.webhooks.discord import DiscordWebhookSender
from bot.app import Sitrep
from bot.config import load_config
from bot.config.settings import ChannelConfig
from bot.delivery.schedule import due_digests, start_job
from bot.ports import DeliveryError, Sender


class ScaledClock:
    def __init__(self, t0: datetime, wall0: float, speed: float) -> None:
        self.t0, self.wall0, self.speed = t0, wall0, speed

    def now(self) -> datetime:
        return self.t0 + timedelta(seconds=(time.time() - self.wall0) * self.speed)


def clock_from_env() -> ScaledClock:
    return ScaledClock(datetime.fromisoformat(os.environ["SITREP_CRASH_T0"]), float(os.environ["SITREP_CRASH_WALL0"]),
                       float(os.environ.get("SITREP_CRASH_SPEED", "60")))


class CheckingWebhookSender(DiscordWebhookSender):
    async def find_sent(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str,
                        since: datetime) -> str | None:
        assert channel.target is not None
        try:
            response = await self.client.get(channel.target.get_secret_value() + "/messages",
                                             params={"key": idempotency_key})
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise DeliveryError(f"cannot check the channel: {error!r}") from None
        found = response.json()
        return str(found[0]["id"]) if found else None


async def main(config_path: Path) -> None:
    config = load_config(config_path)
    senders: dict[str, Sender] = {}
    if os.environ.get("SITREP_CRASH_CHECKING") == "1":
        senders["discord-webhook"] = CheckingWebhookSender(client=httpx.AsyncClient(timeout=10))
    core = Sitrep.open(config, clock=clock_from_env(), senders=senders)
    print(f"ready {os.getpid()}", flush=True)
    await start_job(core)
    while True:
        await due_digests(core)
        await core.deliver()
        await asyncio.sleep(0.02)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("SITREP_CRASH_LOG", "WARNING"), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(main(Path(sys.argv[1])))
