"""The health endpoint over real HTTP on loopback: /healthz, /readyz (with each failing check), /metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy import create_engine

from bot.ops.health import HealthServer, Readiness
from bot.store import Store, db


@pytest.fixture
async def server(store: Store) -> AsyncIterator[HealthServer]:
    health = HealthServer(host="127.0.0.1", port=0, readiness=Readiness(store, scheduler_running=lambda: True))
    await health.start()
    yield health
    await health.stop()


def url(server: HealthServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


async def get(server: HealthServer, path: str, method: str = "GET") -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.request(method, url(server, path))


async def raw(server: HealthServer, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(data)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)  # the server closes after refusing
    writer.close()
    await writer.wait_closed()
    return answer


async def test_healthz_says_alive(server: HealthServer) -> None:
    response = await get(server, "/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response.headers["cache-control"] == "no-store"
    assert "server" not in response.headers  # no version banner for whoever can reach the port


async def test_readyz_checks_database_migrations_and_scheduler(server: HealthServer) -> None:
    response = await get(server, "/readyz?verbose=1")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready",
                               "checks": {"database": "ok", "migrations": "ok", "scheduler": "ok"}}


async def test_not_ready_while_the_scheduler_is_stopped(server: HealthServer) -> None:
    server.readiness.scheduler_running = lambda: False
    response = await get(server, "/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"] == "not running"


async def test_not_ready_once_shutting_down(server: HealthServer) -> None:
    server.readiness.stopping = True
    response = await get(server, "/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["shutdown"] == "in progress"
    assert (await get(server, "/healthz")).status_code == 200  # still alive while it drains


async def test_not_ready_on_an_old_schema(server: HealthServer) -> None:
    config = db.alembic_config()
    with server.readiness.store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    response = await get(server, "/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"].startswith("at 0001, newest is ")


async def test_not_ready_without_a_database(tmp_path: Path) -> None:
    engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    health = HealthServer(host="127.0.0.1", port=0, readiness=Readiness(Store(engine)))
    await health.start()
    try:
        response = await get(health, "/readyz")
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"].startswith("unreachable: OperationalError")
        assert checks["migrations"] == "unknown"
        # Liveness does not depend on the database: restarting the process would not bring it back.
        assert (await get(health, "/healthz")).status_code == 200
        metrics_text = (await get(health, "/metrics")).text
        assert "sitrep_database_up 0.0" in metrics_text
    finally:
        await health.stop()
        engine.dispose()


async def test_metrics_in_prometheus_text_format(server: HealthServer) -> None:
    response = await get(server, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    for name in ("sitrep_feeds_polled_total", "sitrep_feed_failures_total", "sitrep_stories_stored_total",
                 "sitrep_digests_sent_total", "sitrep_delivery_latency_seconds", "sitrep_outbox_depth",
                 "sitrep_command_latency_seconds", "process_resident_memory_bytes"):
        assert f"# TYPE {name}" in response.text or f"# HELP {name}" in response.text, name


async def test_head_has_headers_and_no_body(server: HealthServer) -> None:
    response = await get(server, "/healthz", method="HEAD")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


async def test_unknown_paths_and_methods(server: HealthServer) -> None:
    assert (await get(server, "/admin")).status_code == 404
    response = await get(server, "/healthz", method="POST")
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


async def test_malformed_and_oversized_requests(server: HealthServer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        assert (await raw(server, b"hello\r\n\r\n")).split(b" ")[1] == b"400"
        assert (await raw(server, b"GET /healthz SPDY/3\r\n\r\n")).split(b" ")[1] == b"400"
        huge = b"GET /healthz HTTP/1.1\r\n" + b"X-Filler: " + b"a" * 20_000 + b"\r\n\r\n"
        assert (await raw(server, huge)).split(b" ")[1] in (b"400", b"431")
        many = b"GET /healthz HTTP/1.1\r\n" + b"X-A: b\r\n" * 2000 + b"\r\n"
        assert (await raw(server, many)).split(b" ")[1] in (b"400", b"431")
        _, writer = await asyncio.open_connection("127.0.0.1", server.port)  # connects and leaves
        writer.close()
        await writer.wait_closed()
        assert (await get(server, "/healthz")).status_code == 200
    # The client's mistakes are not the operator's alarms: DEBUG lines, not ERRORs with tracebacks.
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert sum("refused a malformed request" in r.getMessage() for r in caplog.records) >= 3


async def test_a_silent_client_is_cut_off(server: HealthServer, monkeypatch: pytest.MonkeyPatch) -> None:
    await server.stop()
    monkeypatch.setattr("bot.ops.health.IDLE_TIMEOUT", 0.3)
    await server.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /healthz HTTP/1.1\r\n")  # and never the blank line
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 5)  # the server closes the connection
    writer.close()
    assert not answer.startswith(b"HTTP/1.1 200")
