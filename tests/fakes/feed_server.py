"""A feed server on loopback that can misbehave in every way real feed servers do.

Tests register what each path answers (a feed with conditional GET, a status, a redirect, a
server that never answers, a trickle, raw pre-encoded bytes such as a gzip bomb) and read back
the requests it received. It listens on 127.0.0.1 only, or on several 127.x addresses so the
per-host limits of the fetcher see several hosts (the benchmark does that).
"""

from __future__ import annotations

import asyncio
import gzip
import random
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import brotli
from aiohttp import web


@dataclass(frozen=True, slots=True)
class Seen:
    method: str
    host: str
    path: str
    headers: dict[str, str]


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def encode(body: bytes, encoding: str | None) -> bytes:
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "deflate-raw":
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return compressor.compress(body) + compressor.flush()
    if encoding == "br":
        packed: bytes = brotli.compress(body)
        return packed
    return body


def gzip_bomb(decoded_size: int) -> bytes:
    """A small gzip body that inflates to `decoded_size` zero bytes (about 1,000 to 1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(decoded_size >> 20)]
    parts.append(compressor.compress(b"\0" * (decoded_size & ((1 << 20) - 1))))
    parts.append(compressor.flush())
    return b"".join(parts)


@dataclass(slots=True)
class Feed:
    """A document served with ETag and Last-Modified, answering 304 to a matching conditional GET."""

    body: bytes
    etag: str | None = '"v1"'
    last_modified: str | None = "Tue, 10 Mar 2026 08:00:00 GMT"
    content_type: str = "application/rss+xml; charset=utf-8"
    encoding: str | None = None  # gzip | deflate | deflate-raw | br
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = True

    def update(self, body: bytes, etag: str, last_modified: str | None = None) -> None:
        self.body, self.etag = body, etag
        if last_modified:
            self.last_modified = last_modified

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        headers = dict(self.headers)
        if self.etag:
            headers["ETag"] = self.etag
        if self.last_modified:
            headers["Last-Modified"] = self.last_modified
        if self.conditional:
            tag = request.headers.get("If-None-Match")
            since = request.headers.get("If-Modified-Since")
            if (tag and tag == self.etag) or (not tag and since and since == self.last_modified):
                return web.Response(status=304, headers=headers)
        wire = self.encoding if self.encoding != "deflate-raw" else "deflate"
        if wire:
            headers["Content-Encoding"] = wire
        headers["Content-Type"] = self.content_type
        return web.Response(body=encode(self.body, self.encoding), headers=headers)


@dataclass(slots=True)
class Status:
    code: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=self.code, headers=self.headers, body=self.body)


@dataclass(slots=True)
class Redirect:
    to: str
    code: int = 302

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=self.code, headers={"Location": self.to})


@dataclass(slots=True)
class Raw:
    """Bytes sent as they are, with the headers given (a pre-compressed bomb, a wrong charset)."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=self.body, headers=self.headers)


class Hang:
    """Accepts the request and never answers."""

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


@dataclass(slots=True)
class Trickle:
    """Sends the status and a byte now and then, forever: only a total timeout ends it."""

    interval: float = 0.05

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        await response.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
        while True:
            await asyncio.sleep(self.interval)
            await response.write(b" ")


class FeedServer:
    """`async with FeedServer() as server: server.route("/f", Feed(b"..."))`; `server.url("/f")`."""

    def __init__(self, *, hosts: list[str] | None = None, latency: Callable[[], float] | float = 0.0,
                 fallback: Handler | None = None) -> None:
        self.hosts = hosts or ["127.0.0.1"]
        self.routes: dict[str, Handler] = {}
        self.fallback = fallback  # answers every path without a route (the benchmark's feed farm)
        self.requests: list[Seen] = []
        self.latency = latency
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.record = True

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.hosts[0]}:{self.port}{path}"

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.record:
            self.requests.append(Seen(request.method, request.host, request.path_qs, dict(request.headers)))
        delay = self.latency() if callable(self.latency) else self.latency
        if delay:
            await asyncio.sleep(delay)
        handler = self.routes.get(request.path_qs) or self.routes.get(request.path) or self.fallback
        if handler is None:
            return web.Response(status=404, text="no such feed")
        return await handler(request)

    async def start(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        for host in self.hosts:
            site = web.TCPSite(self._runner, host, self.port, backlog=1024)
            await site.start()
            if not self.port:
                server: Any = site._server  # the port the OS chose, shared by every address
                self.port = server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FeedServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def jittered(base: float, spread: float, rng: random.Random | None = None) -> Callable[[], float]:
    """A latency that varies around `base` seconds, as real servers' do."""
    generator = rng or random.Random(7)
    return lambda: max(0.0, generator.gauss(base, spread))


def rss(items: list[dict[str, str]], *, title: str = "Fake feed", extra: str = "") -> bytes:
    """An RSS 2.0 document from item dicts (title, link, guid, pubDate, description)."""
    out = [f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'{extra}><channel><title>{title}</title>"
           "<link>http://fake.example/</link><description>test</description>"]
    for item in items:
        out.append("<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in item.items()) + "</item>")
    out.append("</channel></rss>")
    return "".join(out).encode()
