"""The health and metrics endpoint: /healthz, /readyz and /metrics on aiohttp.web.

aiohttp is already a dependency (Slack's HTTP mode serves on it) and is not a chat platform, so the
core may use it: request parsing, HEAD, 405s and header limits are the library's, not ours.

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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bot.ops import metrics
from bot.ops.web import request_log, without_banner
from bot.store import db

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)
MAX_FIELD = 8 * 1024  # bytes of the request line and of any one header
IDLE_TIMEOUT = 5.0  # seconds a connection may sit idle
NO_STORE = {"Cache-Control": "no-store"}
CHECK_TIMEOUT = 5.0  # seconds for the readiness checks, so a hung database fails the probe instead of hanging it


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
        self._collector = metrics.StoreCollector(readiness.store)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when asked for port 0)."""
        assert self._runner is not None and self._runner.addresses, "not started"
        return int(self._runner.addresses[0][1])

    def app(self) -> web.Application:
        app = web.Application(handler_args={"max_field_size": MAX_FIELD, "max_line_size": MAX_FIELD})
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        return without_banner(app)

    async def start(self) -> None:
        # A probe or a scrape is one short request: idle connections are not kept for long, and a
        # client that never finishes its headers is cut off by the same timeout.
        self._runner = web.AppRunner(self.app(), access_log=None, keepalive_timeout=IDLE_TIMEOUT,
                                     shutdown_timeout=1.0, logger=request_log(__name__))
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.requested_port)
        await self._site.start()
        log.info("health and metrics on http://%s:%d (/healthz, /readyz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = self._site = None

    async def _healthz(self, _: web.Request) -> web.Response:
        return _json({"status": "alive"})

    async def _readyz(self, _: web.Request) -> web.Response:
        try:
            ready, checks = await asyncio.wait_for(asyncio.to_thread(self.readiness.check), CHECK_TIMEOUT)
        except TimeoutError:
            ready, checks = False, {"database": f"no answer within {CHECK_TIMEOUT:.0f}s"}
        return _json({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)

    async def _metrics(self, _: web.Request) -> web.Response:
        body = await asyncio.to_thread(metrics.exposition, self._collector)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST, **NO_STORE})

    async def _not_found(self, request: web.Request) -> web.Response:
        if request.method not in ("GET", "HEAD"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
        return web.Response(status=404, text="not found: try /healthz, /readyz or /metrics\n", headers=NO_STORE)


def _json(data: dict[str, object], *, status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(data) + "\n", content_type="application/json",
                        headers=NO_STORE)
