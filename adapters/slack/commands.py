"""Slash commands and the share button: Slack requests translated into core calls, cards into Block Kit.

Slack wants an acknowledgement within 3 seconds. Each command starts the core's answer at once and
waits a little less than that (`ack_budget`, counted from the request's arrival at the server); an
answer ready by then goes back in the acknowledgement itself, one round trip. A slower one (a cold
database, a big search) is acknowledged empty and posted through the request's `response_url`
when it is ready. Either way the asker gets exactly one answer, visible only to them, with a
"Share in channel" button.

Under a burst (a whole workspace asking at once; the load test sends hundreds of commands together
while a poll cycle runs) acknowledging must not wait behind answering:

- only `INLINE_WAITERS` commands wait for their answer at a time; the others are acknowledged at
  once and answered through `response_url`, which costs the asker nothing (the answer arrives when
  it is ready either way);
- only `ANSWERS_AT_ONCE` answers are worked out at a time, rendering included, in worker threads:
  answering is CPU work under the interpreter lock, and a crowd of busy threads makes every
  socket call the event loop makes wait for that lock, acknowledgements included;
- listeners return as soon as they have acknowledged (bolt's `process_before_response`) and the
  follow-up runs in a task of its own, so bolt never polls for an acknowledgement and its own
  3-second cut-off never turns a slow answer into a 404;
- answers go to `response_url` over one kept-alive session (`ResponseUrls`), not a new session
  and connection each.

No business logic lives here: the core parses and answers every command (`Sitrep.handle`); this
module decides only Slack things: who is an admin, which configured channel a Slack channel is,
how Slack's escaped text reads, and where the answer goes.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackClientError
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import blocks
from adapters.slack.admins import AdminDirectory
from adapters.slack.interactive import SHARE_ACTION, share_command, shared, with_share_button
from bot.cards import Card, MessageCard
from bot.commands import Caller, admin_matters, parse
from bot.errors import CommandError

if TYPE_CHECKING:
    from bot.app import Sitrep

log = logging.getLogger(__name__)

COMMANDS = ("/whois", "/news", "/digest", "/feeds", "/follow", "/unfollow", "/following", "/trending", "/sitrep")
ACK_BUDGET = 2.0  # seconds: Slack allows 3 for the acknowledgement, and the network takes its share
INLINE_WAITERS = 16  # commands waiting for their answer to put it in the acknowledgement, at most
ANSWERS_AT_ONCE = 4  # answers being worked out at a time (database and rendering: CPU under one lock)
RECEIVED_AT = "sitrep_received_at"  # bolt context key: time.monotonic() when the server read the request
FAILED = "Something went wrong while answering that; the details are in sitrep's log."

# Slack's escaping in command text: <@U123|name>, <#C123|general>, <!here>, <https://x|label>.
_SLACK_TOKEN = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")


def from_slack_text(text: str) -> str:
    """What the user typed, with Slack's markup taken back out."""
    def token(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "!":
            return ""  # <!here>, <!channel>: never pass a broadcast on
        if sigil == "#":
            return "#" + (label or target)
        if sigil == "@":
            return label or target
        return target  # a link: the URL itself, not its label
    text = _SLACK_TOKEN.sub(token, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def reply(message: dict[str, Any]) -> dict[str, Any]:
    """The parts of a rendered message that ack() and respond() take."""
    return {"text": message.get("text", ""), "blocks": message.get("blocks"),
            "unfurl_links": message.get("unfurl_links", False), "unfurl_media": message.get("unfurl_media", False)}


class ResponseUrls:
    """Posts answers to `response_url`s over one kept-alive HTTP session.

    bolt's `respond()` opens a new session, and so a new (TLS) connection, for every answer: under
    a burst of commands that work lands on the event loop just when it must acknowledge the others.
    """

    def __init__(self, *, timeout: int = 30) -> None:
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str | None, **message: Any) -> WebhookResponse:
        if not url:
            raise ValueError("this request has no response_url")
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        client = AsyncWebhookClient(url=url, session=self._session, timeout=self.timeout)
        response: WebhookResponse = await client.send(**message)
        return response

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class SlackCommands:
    def __init__(self, core: Sitrep, admins: AdminDirectory, *, ack_budget: float = ACK_BUDGET) -> None:
        self.core = core
        self.admins = admins
        self.ack_budget = ack_budget
        self.responses = ResponseUrls()
        self._inflight: set[asyncio.Task[Any]] = set()
        self._waiting = 0  # listeners waiting for an answer to acknowledge with
        self._answering = asyncio.Semaphore(ANSWERS_AT_ONCE)

    def register(self, app: AsyncApp) -> None:
        for name in COMMANDS:
            app.command(name)(self.on_command)
        app.action(SHARE_ACTION)(self.on_share)

    async def drain(self, grace: float = 10) -> None:
        """Wait for answers still being worked on (a graceful stop answers what it accepted)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while True:  # an answer finishing may start its follow-up: wait for that too
            pending = {t for t in self._inflight if not t.done() and t is not asyncio.current_task()}
            left = deadline - loop.time()
            if not pending or left <= 0:
                break
            await asyncio.wait(pending, timeout=left)
        await self.responses.aclose()

    # --- the core, asked as the Slack user -------------------------------------------------------

    def channel_name(self, channel_id: str | None) -> str | None:
        """The configured channel this Slack channel is, so /digest there uses its topics."""
        for channel in self.core.config.channels:
            if (channel.platform.value == "slack" and channel.target is not None
                    and channel.target.get_secret_value() == channel_id):
                return channel.name
        return None

    async def caller(self, text: str, user: str, channel_id: str | None, *, public: bool = False) -> Caller:
        """Who asked. `public`: the answer is for the whole channel (a share), so it is asked as a
        member, whoever pressed: an admin's view of /feeds must not be posted for everyone."""
        try:
            wants_admin = not public and admin_matters(parse(text).name)
        except CommandError:
            wants_admin = False
        # Group lookups cost a Web API call: only made when the answer depends on it.
        admin = wants_admin and await self.admins.is_admin(user)
        return Caller(user=user, platform="slack", admin=admin, channel=self.channel_name(channel_id))

    async def card(self, text: str, user: str, channel_id: str | None, *, public: bool = False) -> Card:
        try:
            return await self.core.handle(text, await self.caller(text, user, channel_id, public=public))
        except Exception:  # whatever broke, the user gets an answer and the log the trace
            log.exception("answering %r for %s failed", text[:100], user)
            return MessageCard(FAILED, level="error")

    async def answer(self, text: str, user: str, channel_id: str | None) -> dict[str, Any]:
        """The rendered answer. A few at a time: the rest wait their turn here instead of crowding
        the worker threads (and the interpreter lock) that acknowledging the others needs."""
        async with self._answering:
            card = await self.card(text, user, channel_id)
            return await asyncio.to_thread(self.render, card, text)  # big cards take milliseconds

    @staticmethod
    def render(card: Card, text: str) -> dict[str, Any]:
        message = blocks.render_card(card)
        if not isinstance(card, MessageCard) and share_command(text) is not None:
            message = with_share_button(message, text)
        return message

    # --- listeners -------------------------------------------------------------------------------

    async def on_command(self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
        text = f"{command.get('command', '')} {from_slack_text(command.get('text') or '')}".strip()
        work = self._spawn(self.answer(text, command.get("user_id", ""), command.get("channel_id")))
        budget = self.budget(context.get(RECEIVED_AT))
        if budget > 0:
            self._waiting += 1
            try:
                done, _ = await asyncio.wait({work}, timeout=budget)
            finally:
                self._waiting -= 1
            if done:
                await ack(response_type="ephemeral", **reply(work.result()))
                return
        await ack()
        self._spawn(self._follow_up(work, command.get("response_url")))

    def budget(self, received_at: float | None) -> float:
        """How long this command may wait for its answer before it must be acknowledged."""
        if self._waiting >= INLINE_WAITERS:
            return 0.0  # a burst: the answers queue anyway, acknowledge now and answer when ready
        spent = time.monotonic() - received_at if received_at is not None else 0.0
        return max(0.0, self.ack_budget - spent)

    async def _follow_up(self, work: asyncio.Task[dict[str, Any]], url: str | None) -> None:
        message = await work
        await self._respond(url, response_type="ephemeral", **reply(message))

    async def on_share(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        self._spawn(self.share(body, action))

    async def share(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Post an answer for the channel: asked again as whoever pressed, then the private copy goes."""
        url = body.get("response_url")
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        command = share_command(str(action.get("value") or ""))
        if command is None:
            await self._respond(url, response_type="ephemeral", replace_original=False,
                                text="That answer cannot be shared.")
            return
        card = await self.card(command, user, channel, public=True)
        if isinstance(card, MessageCard):
            await self._respond(url, response_type="ephemeral", replace_original=False,
                                **reply(blocks.render_card(card)))
            return
        message = shared(blocks.render_card(card), user, command)
        if await self._respond(url, response_type="in_channel", replace_original=False, **reply(message)):
            await self._respond(url, delete_original=True)

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """A task that outlives the listener: kept (so it is not collected) and awaited by `drain`."""
        task = asyncio.create_task(work)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return task

    async def _respond(self, url: str | None, **kwargs: Any) -> bool:
        """Post to the response_url; a failure is logged (the user can ask again), never raised."""
        try:
            result = await self.responses.post(url, **kwargs)
        except (SlackClientError, aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.warning("could not answer through Slack's response_url: %s", error)
            return False
        if result.status_code != 200:
            log.warning("Slack's response_url refused the answer: HTTP %s %s", result.status_code, result.body[:200])
            return False
        return True
