"""Slash commands and the share button: Slack requests translated into core calls, cards into Block Kit.

Slack wants an acknowledgement within 3 seconds. Each command starts the core's answer at once and
waits a little less than that (`ack_budget`); an answer ready by then goes back in the
acknowledgement itself, one round trip. A slower one (a cold database, a big search) is
acknowledged empty and posted through the request's `response_url` when it is ready. Either way
the asker gets exactly one answer, visible only to them, with a "Share in channel" button.

No business logic lives here: the core parses and answers every command (`Sitrep.handle`); this
module decides only Slack things: who is an admin, which configured channel a Slack channel is,
how Slack's escaped text reads, and where the answer goes.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackClientError

from adapters.slack import blocks
from adapters.slack.admins import AdminDirectory
from adapters.slack.interactive import SHARE_ACTION, share_command, shared, with_share_button
from bot.cards import Card, MessageCard
from bot.commands import ADMIN, Caller, parse
from bot.errors import CommandError

if TYPE_CHECKING:
    from bot.app import Sitrep

log = logging.getLogger(__name__)

COMMANDS = ("/whois", "/news", "/digest", "/feeds", "/sitrep")
ACK_BUDGET = 2.0  # seconds: Slack allows 3 for the acknowledgement, and the network takes its share
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


class SlackCommands:
    def __init__(self, core: Sitrep, admins: AdminDirectory, *, ack_budget: float = ACK_BUDGET) -> None:
        self.core = core
        self.admins = admins
        self.ack_budget = ack_budget
        self._inflight: set[asyncio.Task[Any]] = set()

    def register(self, app: AsyncApp) -> None:
        for name in COMMANDS:
            app.command(name)(self.on_command)
        app.action(SHARE_ACTION)(self.on_share)

    async def drain(self, grace: float = 10) -> None:
        """Wait for answers still being worked on (a graceful stop answers what it accepted)."""
        pending = {t for t in self._inflight if not t.done() and t is not asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=grace)

    # --- the core, asked as the Slack user -------------------------------------------------------

    def channel_name(self, channel_id: str | None) -> str | None:
        """The configured channel this Slack channel is, so /digest there uses its topics."""
        for channel in self.core.config.channels:
            if (channel.platform.value == "slack" and channel.target is not None
                    and channel.target.get_secret_value() == channel_id):
                return channel.name
        return None

    async def caller(self, text: str, user: str, channel_id: str | None) -> Caller:
        try:
            wants_admin = parse(text).name in ADMIN
        except CommandError:
            wants_admin = False
        # Group lookups cost a Web API call: only made when the command needs the answer.
        admin = wants_admin and await self.admins.is_admin(user)
        return Caller(user=user, platform="slack", admin=admin, channel=self.channel_name(channel_id))

    async def card(self, text: str, user: str, channel_id: str | None) -> Card:
        try:
            return await self.core.handle(text, await self.caller(text, user, channel_id))
        except Exception:  # whatever broke, the user gets an answer and the log the trace
            log.exception("answering %r for %s failed", text[:100], user)
            return MessageCard(FAILED, level="error")

    async def answer(self, text: str, user: str, channel_id: str | None) -> dict[str, Any]:
        card = await self.card(text, user, channel_id)
        message = blocks.render_card(card)
        if not isinstance(card, MessageCard) and share_command(text) is not None:
            message = with_share_button(message, text)
        return message

    # --- listeners -------------------------------------------------------------------------------

    async def on_command(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        self._track()
        text = f"{command.get('command', '')} {from_slack_text(command.get('text') or '')}".strip()
        work = asyncio.create_task(self.answer(text, command.get("user_id", ""), command.get("channel_id")))
        done, _ = await asyncio.wait({work}, timeout=self.ack_budget)
        if done:
            await ack(response_type="ephemeral", **reply(work.result()))
            return
        await ack()
        message = await work
        await self._respond(respond, response_type="ephemeral", **reply(message))

    async def on_share(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                       respond: AsyncRespond) -> None:
        """Post an answer for the channel: asked again as whoever pressed, then the private copy goes."""
        await ack()
        self._track()
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        command = share_command(str(action.get("value") or ""))
        if command is None:
            await self._respond(respond, response_type="ephemeral", replace_original=False,
                                text="That answer cannot be shared.")
            return
        card = await self.card(command, user, channel)
        if isinstance(card, MessageCard):
            await self._respond(respond, response_type="ephemeral", replace_original=False,
                                **reply(blocks.render_card(card)))
            return
        message = shared(blocks.render_card(card), user, command)
        if await self._respond(respond, response_type="in_channel", replace_original=False, **reply(message)):
            await self._respond(respond, delete_original=True)

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    @staticmethod
    async def _respond(respond: AsyncRespond, **kwargs: Any) -> bool:
        """Post to the response_url; a failure is logged (the user can ask again), never raised."""
        try:
            result = await respond(**kwargs)
        except (SlackClientError, aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.warning("could not answer through Slack's response_url: %s", error)
            return False
        if result.status_code != 200:
            log.warning("Slack's response_url refused the answer: HTTP %s %s", result.status_code, result.body[:200])
            return False
        return True

