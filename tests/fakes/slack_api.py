"""A fake Slack on loopback: the Web API methods sitrep calls, response_url webhooks, and a Socket
Mode WebSocket, with real HTTP so slack_sdk and slack_bolt run unchanged against it.

It behaves like Slack where sitrep depends on it: bearer-token auth, `{"ok": false, "error": …}`
answers with HTTP 200, 429 with `Retry-After`, message timestamps that grow, `metadata` kept and
returned by `conversations.history` only with `include_all_metadata`, 50 blocks at most.
Tests script failures with `fail_next`, and read what arrived from `calls`, `messages` and
`responses` (an asyncio.Queue, so a test awaits an answer instead of sleeping).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
APP_ID = "A0SITREP"
TEAM = "T0TEAM"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None


@dataclass
class Scripted:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Response:
    """One POST to a response_url, with when it arrived (time.monotonic(), for latency figures)."""

    key: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    def __init__(self, *, bot_token: str = "xoxb-test-token", app_token: str = "xapp-test-token",
                 channels: tuple[str, ...] = ("C0DIGEST",), groups: dict[str, list[str]] | None = None) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.channels = set(channels)
        self.archived: set[str] = set()
        self.groups = dict(groups or {})
        self.direct: dict[str, str] = {}  # direct conversations opened: channel ID -> user ID
        self.no_dm: set[str] = set()  # users conversations.open refuses (deactivated, unknown)
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.responses: asyncio.Queue[Response] = asyncio.Queue()
        self.scripted: dict[str, list[Scripted]] = {}
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Socket Mode: the open connection and the acks awaited by envelope id.
        self.socket: web.WebSocketResponse | None = None
        self.socket_ready = asyncio.Event()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str | None = None) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{key or uuid.uuid4().hex}"

    # --- scripting and reading ---------------------------------------------------------------

    def fail_next(self, method: str, error: str = "", *, status: int = 200, retry_after: int | None = None,
                  body: dict[str, Any] | str | None = None) -> None:
        """The next call of `method` gets this answer instead of the real one."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        answer = body if body is not None else {"ok": False, "error": error}
        self.scripted.setdefault(method, []).append(Scripted(status, answer, headers))

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def next_response(self, timeout: float = 10) -> Response:
        return await asyncio.wait_for(self.responses.get(), timeout)

    # --- the Web API -------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(await request.post())
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        self.calls.append(Call(method, params, token))
        queue = self.scripted.get(method)
        if queue:
            answer = queue.pop(0)
            if isinstance(answer.body, str):
                return web.Response(status=answer.status, text=answer.body, headers=answer.headers,
                                    content_type="text/html")
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != wanted:
            return web.json_response({"ok": False, "error": "not_authed" if not token else "invalid_auth"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        return web.json_response(handler(params))

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake team", "user": "sitrep",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.archived:
            return {"ok": False, "error": "is_archived"}
        blocks = params.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not params.get("text") and not blocks:
            return {"ok": False, "error": "no_text"}
        if blocks and len(blocks) > 50:
            return {"ok": False, "error": "invalid_blocks"}
        n = next(self._ts)
        message: dict[str, Any] = {"type": "message", "ts": f"{1773000000 + n}.{n:06d}", "text": params.get("text"),
                                   "blocks": blocks or [], "user": BOT_USER, "bot_id": BOT_ID, "app_id": APP_ID}
        metadata = params.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata:
            message["metadata"] = metadata
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(params.get("oldest") or 0)
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [m for m in reversed(self.messages.get(channel, [])) if float(m["ts"]) > oldest][:limit]
        if not with_metadata:
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        return {"ok": True, "messages": found, "has_more": False}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """A direct conversation with one user (D + the user ID here); users in `no_dm` cannot get one."""
        users = str(params.get("users") or "")
        if not users or "," in users:
            return {"ok": False, "error": "users_not_found" if not users else "invalid_arguments"}
        if users in self.no_dm:
            return {"ok": False, "error": "user_not_found"}
        channel = "D" + users.lstrip("UW")
        self.channels.add(channel)
        self.direct[channel] = users
        return {"ok": True, "channel": {"id": channel}}

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        group = params.get("usergroup")
        if group not in self.groups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(self.groups[group])}

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    # --- response_url ------------------------------------------------------------------------

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self.responses.put(Response(request.match_info["key"], body))
        return web.Response(text="ok")

    # --- Socket Mode -------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.socket = ws
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"},
                            "connection_info": {"app_id": APP_ID}})
        self.socket_ready.set()
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            future = self._acks.pop(data.get("envelope_id", ""), None)
            if future is not None and not future.done():
                future.set_result(data)
        return ws

    async def socket_request(self, kind: str, payload: dict[str, Any], *, timeout: float = 10) -> dict[str, Any]:
        """Send an envelope over Socket Mode and wait for the app's acknowledgement."""
        await asyncio.wait_for(self.socket_ready.wait(), timeout)
        assert self.socket is not None
        envelope_id = uuid.uuid4().hex
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        await self.socket.send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                     "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
                                     "retry_reason": ""})
        return await asyncio.wait_for(future, timeout)


# --- requests as Slack sends them ------------------------------------------------------------------


def slash_body(command: str, text: str, *, user: str = "U0ASKER", channel: str = "C0CHAT",
               response_url: str = "https://hooks.slack.invalid/commands/1") -> str:
    """A slash-command request body, form-encoded with the fields Slack sends."""
    return urlencode({"token": "deprecated-verification-token", "team_id": TEAM, "team_domain": "fake",
                      "channel_id": channel, "channel_name": "chat", "user_id": user, "user_name": "asker",
                      "command": command, "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
                      "response_url": response_url, "trigger_id": "1.2.3"})


def action_body(value: str, *, user: str = "U0ASKER", channel: str = "C0CHAT",
                response_url: str = "https://hooks.slack.invalid/actions/1", action_id: str = "sitrep_share") -> str:
    """A block_actions interactivity request for a button press in an ephemeral message."""
    payload = {
        "type": "block_actions", "team": {"id": TEAM, "domain": "fake"}, "user": {"id": user, "name": "asker"},
        "api_app_id": APP_ID, "token": "deprecated-verification-token", "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": "1773000000.000001", "channel_id": channel,
                      "is_ephemeral": True},
        "channel": {"id": channel, "name": "chat"}, "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "sitrep_share", "value": value,
                     "text": {"type": "plain_text", "text": "Share in channel"}, "action_ts": "1773000001.1"}],
    }
    return urlencode({"payload": json.dumps(payload)})


def signed_headers(secret: str, body: str | bytes, timestamp: int) -> dict[str, str]:
    """Headers as Slack sends them: HMAC-SHA256 of "v0:{timestamp}:{body}" under the signing secret."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}",
            "Content-Type": "application/x-www-form-urlencoded"}
