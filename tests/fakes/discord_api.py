"""A fake Discord on loopback: the REST routes sitrep and discord.py use, and a gateway websocket.

It answers the way Discord does where the code under test depends on it: `Bot` token auth, JSON
with a content type of exactly `application/json` (discord.py treats anything else as text),
Create Message with `nonce` + `enforce_nonce` deduplication, 403/404 for channels the bot cannot
use, 429 with `retry_after`, and the `{"interaction": {...}}` callback answer discord.py 2.7 reads.
Every message-bearing payload is checked against Discord's limits and mention rules
(tests/fakes/limits.py, independent of the renderers) and refused with 400 50035 if it breaks one,
so a test sees what Discord would have refused in `rejected`.

The gateway speaks just enough of the protocol (HELLO, IDENTIFY -> READY and GUILD_CREATE,
heartbeats, then whatever a test dispatches) for a real `discord.Client.connect()`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.limits import discord_problems

TOKEN = "fake-bot-token"
APPLICATION_ID = 775799577604522054
BOT_USER_ID = 809850198683418695
EPHEMERAL = 64


def normalised(payload: dict[str, Any]) -> dict[str, Any]:
    """Discord takes "content": null (discord.py sends it with embed-only messages) as no content."""
    return {**payload, "content": payload.get("content") or ""}


@dataclass
class Recorded:
    method: str
    path: str  # after /api/v10
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class Scripted:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def snowflakes() -> Callable[[], str]:
    counter = itertools.count(1)
    # Discord IDs are snowflakes: a millisecond timestamp shifted left by 22 bits, plus a counter.
    base = int((datetime(2026, 3, 10, tzinfo=UTC).timestamp() * 1000) - 1420070400000) << 22
    return lambda: str(base + next(counter))


def role(role_id: int, name: str, *, permissions: int = 0, position: int = 1) -> dict[str, Any]:
    return {"id": str(role_id), "name": name, "permissions": str(permissions), "position": position, "color": 0,
            "hoist": False, "managed": False, "mentionable": False, "flags": 0}


def guild(guild_id: int, *, name: str = "Test server", roles: list[dict[str, Any]] | None = None,
          channels: tuple[int, ...] = ()) -> dict[str, Any]:
    everyone = role(guild_id, "@everyone", permissions=1024 | 2048, position=0)
    return {
        "id": str(guild_id), "name": name, "owner_id": "1", "unavailable": False, "member_count": 2,
        "roles": [everyone, *(roles or [])], "emojis": [], "stickers": [], "features": [], "members": [],
        "voice_states": [], "presences": [], "threads": [], "stage_instances": [], "guild_scheduled_events": [],
        "channels": [{"id": str(c), "type": 0, "name": f"channel-{c}", "position": i, "permission_overwrites": []}
                     for i, c in enumerate(channels)],
        "large": False, "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
        "mfa_level": 0, "premium_tier": 0, "nsfw_level": 0, "preferred_locale": "en-US", "system_channel_flags": 0,
    }


class FakeDiscord:
    def __init__(self, *, token: str = TOKEN, application_id: int = APPLICATION_ID,
                 guilds: list[dict[str, Any]] | None = None) -> None:
        self.token = token
        self.application_id = application_id
        self.guilds = guilds or []
        self.channels: dict[str, str] = {}  # channel ID -> "ok" | "forbidden" | "no-dm"; others unknown
        self.requests: list[Recorded] = []
        self.messages: list[dict[str, Any]] = []  # created by Create Message
        self.rejected: list[tuple[str, list[str]]] = []  # (path, problems) Discord would refuse
        self.scripted: list[tuple[str, str, Scripted]] = []  # (method, path regex, answer), used once each
        self.headers: dict[str, str] = {}  # added to every Create Message answer (rate-limit headers)
        self.dm_channels: dict[str, str] = {}  # user ID -> the DM channel Create DM opened
        self.no_dm: set[str] = set()  # users whose privacy settings refuse DMs from the bot
        self.ready = asyncio.Event()
        self._nonces: dict[tuple[str, str], dict[str, Any]] = {}
        self._id = snowflakes()
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- running ---------------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def script(self, method: str, path: str, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """The next request matching METHOD and the PATH regex gets this answer instead."""
        self.scripted.append((method, path, Scripted(status, body, headers or {})))

    async def wait_for(self, predicate: Callable[[Recorded], bool], *, count: int = 1,
                       timeout: float = 10.0) -> list[Recorded]:
        """Requests matching the predicate, once there are `count` of them."""

        def found() -> list[Recorded]:
            return [r for r in self.requests if predicate(r)]

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(found()) >= count), timeout)
        return found()

    def outgoing(self) -> list[dict[str, Any]]:
        """Every message payload the bot sent: channel posts, interaction answers and followups."""
        payloads = []
        for r in self.requests:
            if r.method in ("POST", "PATCH") and isinstance(r.body, dict):
                if r.path.endswith("/callback"):
                    if r.body.get("type") in (4, 7):
                        payloads.append(r.body["data"])
                elif "/messages" in r.path or r.path.startswith("/webhooks/"):
                    payloads.append(r.body)
        return payloads

    # --- REST --------------------------------------------------------------------------------------

    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        return web.Response(body=json.dumps(data).encode(), status=status,
                            headers={"Content-Type": "application/json", **(headers or {})})

    def _error(self, status: int, code: int, message: str, **extra: Any) -> web.Response:
        return self._json({"message": message, "code": code, **extra}, status)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        raw = await request.read()
        body = json.loads(raw) if raw and request.content_type == "application/json" else None
        recorded = Recorded(request.method, path, dict(request.query), body, dict(request.headers))
        try:
            return await self._answer(request, recorded)
        finally:
            async with self._changed:
                self.requests.append(recorded)
                self._changed.notify_all()

    async def _answer(self, request: web.Request, r: Recorded) -> web.StreamResponse:
        for i, (method, pattern, answer) in enumerate(self.scripted):
            if method == r.method and re.fullmatch(pattern, r.path):
                del self.scripted[i]
                return self._json(answer.body, answer.status, answer.headers)
        webhook = re.fullmatch(r"/(interactions|webhooks)/(\d+)/([^/]+)(/.*)?", r.path)
        if webhook is None and request.headers.get("Authorization") != f"Bot {self.token}":
            return self._error(401, 0, "401: Unauthorized")
        if r.method == "GET" and r.path == "/users/@me":
            return self._json(self.user())
        if r.method == "GET" and r.path in ("/oauth2/applications/@me", "/applications/@me"):
            return self._json(self.application())
        if r.method == "GET" and r.path == "/gateway/bot":
            return self._json({"url": self.gateway_url, "shards": 2,
                               "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                                       "max_concurrency": 1}})
        commands = re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", r.path)
        if commands and r.method == "PUT":
            return self._json([{**c, "id": self._id(), "application_id": commands[1], "version": self._id(),
                                **({"guild_id": commands[2]} if commands[2] else {})} for c in r.body])
        if r.method == "POST" and r.path == "/users/@me/channels":
            return self._open_dm(r)
        channel = re.fullmatch(r"/channels/(\d+)/messages", r.path)
        if channel and r.method == "POST":
            return self._create_message(channel[1], r)
        if webhook:
            return self._webhook(webhook[1], webhook[2], webhook[4] or "", r)
        return self._error(404, 0, f"404: Not Found ({r.method} {r.path})")

    def _open_dm(self, r: Recorded) -> web.Response:
        """Create DM: the DM channel with a user (the same one again for the same user)."""
        user = str((r.body or {}).get("recipient_id", ""))
        if not user.isdigit():
            return self._error(400, 50035, "Invalid Form Body")
        if user not in self.dm_channels:
            self.dm_channels[user] = self._id()
            # A user who takes no DMs: the channel opens, the message is refused (as Discord does).
            self.channels[self.dm_channels[user]] = "no-dm" if user in self.no_dm else "ok"
        return self._json({"id": self.dm_channels[user], "type": 1, "last_message_id": None, "flags": 0,
                           "recipients": [{"id": user, "username": "reader", "discriminator": "0", "avatar": None}]})

    def _check(self, path: str, payload: Any) -> web.Response | None:
        problems = discord_problems(normalised(payload)) if isinstance(payload, dict) else ["not a JSON object"]
        if problems:
            self.rejected.append((path, problems))
            return self._error(400, 50035, "Invalid Form Body", errors=problems)
        return None

    def _create_message(self, channel_id: str, r: Recorded) -> web.Response:
        state = self.channels.get(channel_id)
        if state is None:
            return self._error(404, 10003, "Unknown Channel")
        if state == "forbidden":
            return self._error(403, 50001, "Missing Access")
        if state == "no-dm":
            return self._error(403, 50007, "Cannot send messages to this user")
        refused = self._check(r.path, r.body)
        if refused:
            return refused
        nonce = r.body.get("nonce")
        if r.body.get("enforce_nonce") and nonce is not None and (channel_id, str(nonce)) in self._nonces:
            return self._json(self._nonces[(channel_id, str(nonce))], headers=self.headers)
        message = self.message(channel_id, r.body)
        if nonce is not None:
            self._nonces[(channel_id, str(nonce))] = message
        self.messages.append(message)
        return self._json(message, headers=self.headers)

    def _webhook(self, kind: str, first: str, rest: str, r: Recorded) -> web.Response:
        if kind == "interactions" and rest == "/callback" and r.method == "POST":
            data = r.body.get("data") or {}
            if r.body.get("type") in (4, 7):
                refused = self._check(r.path, data)
                if refused:
                    return refused
            return self._json({
                "interaction": {"id": first, "type": 2, "response_message_loading": r.body.get("type") == 5,
                                "response_message_ephemeral": bool(data.get("flags", 0) & EPHEMERAL)},
                "resource": {"type": r.body.get("type")},
            })
        if kind == "webhooks" and r.method in ("POST", "PATCH"):
            refused = self._check(r.path, r.body)
            return refused or self._json(self.message("0", r.body, webhook_id=first))
        return self._error(404, 10015, "Unknown Webhook")

    # --- payloads Discord would send -------------------------------------------------------------

    def user(self) -> dict[str, Any]:
        return {"id": str(BOT_USER_ID), "username": "sitrep", "discriminator": "0", "global_name": "sitrep",
                "avatar": None, "bot": True, "flags": 0, "mfa_enabled": False, "verified": True}

    def application(self) -> dict[str, Any]:
        return {"id": str(self.application_id), "name": "sitrep", "icon": None, "description": "",
                "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
                "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": None}, "team": None,
                "summary": "", "interactions_endpoint_url": None, "bot": self.user()}

    def message(self, channel_id: str, body: dict[str, Any], *, webhook_id: str | None = None) -> dict[str, Any]:
        data = {
            "id": self._id(), "channel_id": channel_id, "type": 0, "content": body.get("content") or "",
            "author": self.user(), "embeds": body.get("embeds") or [], "attachments": [], "mentions": [],
            "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": False,
            "timestamp": datetime(2026, 3, 10, tzinfo=UTC).isoformat(), "edited_timestamp": None,
            "flags": body.get("flags", 0), "components": [],
        }
        if webhook_id:
            data["webhook_id"] = webhook_id
        return data

    # --- gateway -----------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH event to every connected client."""
        for socket in list(self._sockets):
            await socket.send_str(json.dumps({"op": 0, "t": event, "s": next(self._sequence), "d": data}))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        try:
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    break
                message = json.loads(frame.data)
                if message["op"] == 1:  # heartbeat
                    await socket.send_str(json.dumps({"op": 11}))
                elif message["op"] == 2:  # identify
                    await self._identify(socket, message["d"])
        finally:
            self._sockets.remove(socket)
        return socket

    async def _identify(self, socket: web.WebSocketResponse, identify: dict[str, Any]) -> None:
        if identify.get("token") != self.token:
            await socket.close(code=4004, message=b"Authentication failed.")
            return
        ready = {"v": 10, "user": self.user(), "session_id": "fake-session", "resume_gateway_url": self.gateway_url,
                 "guilds": [{"id": g["id"], "unavailable": True} for g in self.guilds],
                 "application": {"id": str(self.application_id), "flags": 0}}
        if "shard" in identify:
            ready["shard"] = identify["shard"]
        await socket.send_str(json.dumps({"op": 0, "t": "READY", "s": next(self._sequence), "d": ready}))
        for data in self.guilds:
            await socket.send_str(json.dumps({"op": 0, "t": "GUILD_CREATE", "s": next(self._sequence), "d": data}))
        self.ready.set()


# --- interactions, in the shape Discord documents (application-commands.mdx) --------------------

GUILD_ID = 290926798626357999
CHANNEL_ID = 645027906669510667
USER_ID = 53908232506183680
MEMBER = 1024 | 2048 | (1 << 31)  # view channel, send messages, use application commands: no Manage Server
MANAGE_SERVER = MEMBER | (1 << 5)
_interaction_ids = snowflakes()


def option(name: str, value: Any, *, kind: int = 3, focused: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "name": name, "value": value}
    if focused:
        data["focused"] = True
    return data


def subcommand(name: str, options: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": 1, "name": name, "options": options or []}


def slash(name: str, options: list[dict[str, Any]] | None = None, *, autocomplete: bool = False,
          permissions: int = MEMBER, roles: tuple[int, ...] = (), user_id: int = USER_ID,
          guild_id: int | None = GUILD_ID, channel_id: int = CHANNEL_ID,
          base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A CHAT_INPUT interaction (or its autocomplete), as the gateway's INTERACTION_CREATE carries it.

    `base` is a documented example to adapt (../shared/corpus/platform/discord_interaction_*.json);
    the fields Discord sends today and discord.py 2.7 reads (application_id, version, channel,
    attachment_size_limit, context) are filled in where the example predates them.
    """
    payload: dict[str, Any] = json.loads(json.dumps(base)) if base else {
        "type": 2, "token": "", "id": "", "locale": "en-GB", "guild_locale": "en-US", "app_permissions": "19456",
        "member": {"user": {"id": "", "username": "analyst", "avatar": None, "discriminator": "0",
                            "public_flags": 0},
                   "roles": [], "premium_since": None, "permissions": "0", "pending": False, "nick": None,
                   "mute": False, "joined_at": "2025-11-02T09:00:00.000000+00:00", "deaf": False},
        "data": {"options": [], "type": 1, "name": "", "id": ""},
    }
    interaction_id = _interaction_ids()
    payload.update({
        "id": interaction_id, "token": f"token-{interaction_id}", "type": 4 if autocomplete else 2,
        "application_id": str(APPLICATION_ID), "version": 1, "attachment_size_limit": 10 * 1024 * 1024,
        "channel_id": str(channel_id), "channel": text_channel(channel_id, guild_id),
        "authorizing_integration_owners": {"0": str(guild_id or user_id)}, "context": 0 if guild_id else 1,
        "entitlements": [],
    })
    payload["data"].update({"name": name, "options": options or [], "type": 1, "id": _interaction_ids()})
    if guild_id is None:
        user = payload.pop("member")["user"]
        payload.pop("guild_id", None)
        payload["user"] = {**user, "id": str(user_id)}
    else:
        payload["guild_id"] = str(guild_id)
        payload["member"].update({"permissions": str(permissions), "roles": [str(r) for r in roles]})
        payload["member"].setdefault("flags", 0)  # sent since 2023, after the documented example was written
        payload["member"]["user"]["id"] = str(user_id)
    return payload


def text_channel(channel_id: int, guild_id: int | None) -> dict[str, Any]:
    """The partial channel object an interaction carries (a guild text channel, or a DM)."""
    if guild_id is None:
        return {"id": str(channel_id), "type": 1, "flags": 0, "last_message_id": None,
                "recipients": [{"id": str(USER_ID), "username": "analyst", "discriminator": "0", "avatar": None}]}
    return {"id": str(channel_id), "type": 0, "guild_id": str(guild_id), "name": "news", "position": 3,
            "parent_id": None, "topic": None, "nsfw": False, "last_message_id": None, "rate_limit_per_user": 0,
            "permission_overwrites": [], "flags": 0, "permissions": str(MEMBER)}


def callback_path(payload: dict[str, Any]) -> str:
    return f"/interactions/{payload['id']}/{payload['token']}/callback"


def followup_path(payload: dict[str, Any]) -> str:
    return f"/webhooks/{payload['application_id']}/{payload['token']}"
