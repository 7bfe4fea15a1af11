"""A fake Slack and Discord webhook server on loopback, for delivery and crash tests.

It answers like the real endpoints: Slack `POST /slack/<token>` answers `ok` (or Slack's plain
text errors), Discord `POST /discord/<id>/<token>[?wait=true]` answers the created message as
JSON (or Discord's JSON errors). Payloads that break a platform limit get the platform's 400, so a
renderer bug shows up as a refused post. Every accepted post is recorded with its
`Idempotency-Key` header, so tests can count duplicates and losses.

Faults are scripted per request: `fail_next(Fault(...))` queues answers (429 with Retry-After,
5xx, 404 webhook deleted, a dropped connection after the post was recorded, ...).

It also offers what incoming webhooks lack, for the crash test's "platform lets us check" case:
`GET /discord/<id>/<token>/messages?key=K` returns the message posted with that key (the way a
bot can search a Slack channel's history for message metadata).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.limits import discord_problems, slack_problems


@dataclass(frozen=True)
class Fault:
    status: int = 500
    body: Any = "internal_error"
    headers: dict[str, str] = field(default_factory=dict)
    record: bool = False  # record the post as delivered before answering (the platform did post it)
    drop: bool = False  # close the connection without answering


@dataclass(frozen=True)
class Posted:
    platform: str
    path: str
    key: str | None
    payload: dict[str, Any]
    message_id: str
    at: float


class WebhookServer:
    def __init__(self) -> None:
        self.posts: list[Posted] = []
        self.requests = 0
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self._next_id = 1_100_000_000_000_000_000
        self.rate_limit_remaining: int | None = None  # when set, Discord answers carry bucket headers
        self.respond_delay = 0.0  # seconds between recording a post and answering: widens the crash window
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                server._handle_post(self)

            def do_GET(self) -> None:
                server._handle_get(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                return None  # a client killed mid-request (the crash test does it on purpose) is not news

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def slack_url(self, token: str = "T000/B000/XXXX") -> str:
        return f"{self.base}/slack/{token}"

    def discord_url(self, webhook: str = "1234/abcd") -> str:
        return f"{self.base}/discord/{webhook}"

    def start(self) -> WebhookServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail_next(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def keys(self) -> list[str | None]:
        with self.lock:
            return [p.key for p in self.posts]

    # --- handling ---------------------------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler, status: int, body: Any,
                headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else (
            json.dumps(body).encode() if not isinstance(body, str) else body.encode())
        handler.send_response(status)
        content_type = "text/plain" if isinstance(body, str) else "application/json"
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _handle_post(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        url = urlsplit(handler.path)
        platform = "slack" if url.path.startswith("/slack/") else "discord" if url.path.startswith("/discord/") else ""
        with self.lock:
            self.requests += 1
            fault = self.faults.pop(0) if self.faults else None
        if not platform:
            self._answer(handler, 404, "no_service")
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            self._answer(handler, 400, "invalid_payload" if platform == "slack" else
                         {"code": 50109, "message": "The request body contains invalid JSON."})
            return
        if fault is not None and not fault.record:
            self._fault(handler, fault)
            return
        problems = slack_problems(payload) if platform == "slack" else discord_problems(payload)
        if problems:
            self._answer(handler, 400, "invalid_blocks" if platform == "slack" else
                         {"code": 50035, "message": "Invalid Form Body", "errors": problems})
            return
        with self.lock:
            self._next_id += 1
            posted = Posted(platform, url.path, handler.headers.get("Idempotency-Key"), payload, str(self._next_id),
                            time.time())
            self.posts.append(posted)
        if fault is not None:
            self._fault(handler, fault)
            return
        if self.respond_delay:
            time.sleep(self.respond_delay)
        if platform == "slack":
            self._answer(handler, 200, "ok")
            return
        headers = {}
        if self.rate_limit_remaining is not None:
            headers = {"X-RateLimit-Remaining": str(self.rate_limit_remaining), "X-RateLimit-Reset-After": "0.5"}
        if parse_qs(url.query).get("wait") == ["true"]:
            self._answer(handler, 200, {"id": posted.message_id, "type": 0, "content": payload.get("content", ""),
                                        "embeds": payload.get("embeds", [])}, headers)
        else:
            handler.send_response(204)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

    def _fault(self, handler: BaseHTTPRequestHandler, fault: Fault) -> None:
        if fault.drop:
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        self._answer(handler, fault.status, fault.body, fault.headers)

    def _handle_get(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        if not (url.path.startswith("/discord/") and url.path.endswith("/messages")):
            self._answer(handler, 404, {"code": 0, "message": "404: Not Found"})
            return
        hook = url.path.removesuffix("/messages")
        key = (parse_qs(url.query).get("key") or [""])[0]
        with self.lock:
            found = [p for p in self.posts if p.path == hook and p.key == key]
        self._answer(handler, 200, [{"id": p.message_id} for p in found])


@contextmanager
def webhook_server() -> Iterator[WebhookServer]:
    server = WebhookServer().start()
    try:
        yield server
    finally:
        server.stop()
