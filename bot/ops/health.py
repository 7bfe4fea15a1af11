"""The health and metrics endpoint: /healthz, /readyz and /metrics over a small asyncio HTTP server.

Why not aiohttp: the core never imports it (a test enforces it), and three read-only GET routes
need no framework. The server speaks just enough HTTP/1.1 for probes and Prometheus: one request
per connection, GET and HEAD, bounded request size and time, `Connection: close`.

- /healthz: the process and its event loop are alive (answering at all proves it).
- /readyz: the database answers, its schema is at the newest migration, the scheduler runs, and
  the process is not shutting down. Load balancers and Kubernetes stop routing to it otherwise.
- /metrics: Prometheus text format (bot.ops.metrics), with the database gauges read at scrape time.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bot.ops import metrics
from bot.store import db

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)
MAX_REQUEST = 8 * 1024  # bytes of request line and headers
READ_TIMEOUT = 5.0  # seconds to send a request
CHECK_TIMEOUT = 5.0  # seconds for the readiness checks, so a hung database fails the probe instead of hanging it
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
           431: "Request Header Fields Too Large", 500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class Readiness:
    """What /readyz checks. Blocking (database round trips): call `check` in a worker thread."""

    store: Store
    scheduler_running: Callable[[], bool] = lambda: True
    stopping: bool = False
    _head: str | None = field(default=None, init=False)

    def head(self) -> str | None:
        if self._head is None:
            self._head = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
        return self._head

    def check(self) -> tuple[bool, dict[str, str]]:
        checks: dict[str, str] = {}
        try:
            with self.store.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                checks["database"] = "ok"
                current = MigrationContext.configure(connection).get_current_revision()
            head = self.head()
            checks["migrations"] = "ok" if current == head else f"at {current or 'nothing'}, newest is {head}"
        except Exception as error:  # noqa: BLE001 - any failure to reach the database is "not ready", with why
            checks["database"] = f"unreachable: {type(error).__name__}: {str(error).splitlines()[0][:200]}"
            checks["migrations"] = "unknown"
        checks["scheduler"] = "ok" if self.scheduler_running() else "not running"
        if self.stopping:
            checks["shutdown"] = "in progress"
        return all(v == "ok" for v in checks.values()), checks


class HealthServer:
    def __init__(self, *, host: str, port: int, readiness: Readiness) -> None:
        self.host = host
        self.requested_port = port
        self.readiness = readiness
        self._server: asyncio.Server | None = None
        self._collector = metrics.StoreCollector(readiness.store)

    @property
    def port(self) -> int:
        """The bound port (useful when asked for port 0)."""
        assert self._server is not None and self._server.sockets, "not started"
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.requested_port, limit=MAX_REQUEST)
        log.info("health and metrics on http://%s:%d (/healthz, /readyz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                method, path = await asyncio.wait_for(_read_request(reader), READ_TIMEOUT)
            except TimeoutError:
                await _respond(writer, 408, b"request timeout\n")
                return
            except _BadRequest as bad:
                await _respond(writer, bad.status, f"{bad}\n".encode())
                return
            if method not in ("GET", "HEAD"):
                await _respond(writer, 405, b"only GET and HEAD\n", extra={"Allow": "GET, HEAD"})
                return
            status, content_type, body = await self._route(path)
            await _respond(writer, status, body, content_type=content_type, head=method == "HEAD")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        except Exception:
            log.exception("health endpoint failed")
            with suppress(OSError):
                await _respond(writer, 500, b"internal error\n")
        finally:
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()

    async def _route(self, path: str) -> tuple[int, str, bytes]:
        if path == "/healthz":
            return 200, "application/json", b'{"status": "alive"}\n'
        if path == "/readyz":
            try:
                ready, checks = await asyncio.wait_for(asyncio.to_thread(self.readiness.check), CHECK_TIMEOUT)
            except TimeoutError:
                ready, checks = False, {"database": f"no answer within {CHECK_TIMEOUT:.0f}s"}
            answer = json.dumps({"status": "ready" if ready else "not ready", "checks": checks}) + "\n"
            return (200 if ready else 503), "application/json", answer.encode()
        if path == "/metrics":
            body = await asyncio.to_thread(metrics.exposition, self._collector)
            return 200, CONTENT_TYPE_LATEST, body
        return 404, "text/plain; charset=utf-8", b"not found: try /healthz, /readyz or /metrics\n"


class _BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    """The method and path of one request; headers are read (to bound them) and ignored."""
    try:
        line = await reader.readuntil(b"\r\n")
        parts = line.decode("latin-1").strip().split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequest("not an HTTP/1.x request line")
        total = len(line)
        while True:
            header = await reader.readuntil(b"\r\n")
            total += len(header)
            if total > MAX_REQUEST:
                raise _BadRequest("request headers too large", 431)
            if header == b"\r\n":
                break
    except asyncio.LimitOverrunError:
        raise _BadRequest("request headers too large", 431) from None
    method, target = parts[0].upper(), parts[1]
    return method, target.split("?", 1)[0]


async def _respond(writer: asyncio.StreamWriter, status: int, body: bytes, *, content_type: str = "text/plain",
                   head: bool = False, extra: dict[str, str] | None = None) -> None:
    headers = {"Content-Type": content_type, "Content-Length": str(len(body)), "Connection": "close",
               "Cache-Control": "no-store", **(extra or {})}
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}"] + [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else body))
    await writer.drain()
