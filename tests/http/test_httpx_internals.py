"""The httpx and httpcore internals the SSRF guard relies on, pinned so an upgrade that moves them fails here.

httpx builds its httpcore pool without a way to pass a network backend, so `GuardedTransport`
replaces `AsyncHTTPTransport._pool` with a pool whose backend is the guard. That is safe only while
(1) the transport keeps its pool in `_pool` and sends every request through it, (2) httpcore's pool
takes a `network_backend` and opens every connection through it, redirects included (httpx follows
redirects above the transport, so each hop is a new `handle_async_request`). If any of these stops
being true, a request could connect without the address check: these tests fail first.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

import httpcore
import httpx
import pytest

from bot.config.settings import HttpConfig
from bot.http.ssrf import AddressPolicy, BlockedAddress, GuardedBackend, GuardedTransport, guarded_client


def test_httpx_transport_keeps_its_httpcore_pool_in_pool() -> None:
    transport = httpx.AsyncHTTPTransport()
    assert isinstance(transport._pool, httpcore.AsyncConnectionPool)


def test_httpcore_pool_takes_and_keeps_a_network_backend() -> None:
    assert "network_backend" in inspect.signature(httpcore.AsyncConnectionPool).parameters
    backend = httpcore.AnyIOBackend()
    assert httpcore.AsyncConnectionPool(network_backend=backend)._network_backend is backend


def test_the_guarded_transport_pool_connects_only_through_the_guard() -> None:
    transport = GuardedTransport(AddressPolicy())
    assert isinstance(transport._pool, httpcore.AsyncConnectionPool)
    assert isinstance(transport._pool._network_backend, GuardedBackend)
    assert transport._pool._network_backend is transport.backend


async def test_every_request_goes_through_the_pool_we_put_there() -> None:
    """A pool stand-in records what httpx hands it: the replaced `_pool` is the one httpx uses."""

    class RecordingPool(httpcore.AsyncConnectionPool):
        seen: ClassVar[list[str]] = []

        async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
            self.seen.append(request.url.host.decode())
            return httpcore.Response(200, headers=[(b"content-length", b"2")], content=b"ok")

    transport = GuardedTransport(AddressPolicy(), resolver=_public)
    transport._pool = RecordingPool()
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get("https://feeds.example.org/rss")
    assert response.text == "ok"
    assert RecordingPool.seen == ["feeds.example.org"]


async def test_a_name_resolving_to_loopback_is_refused_at_connect_time_through_the_real_pool() -> None:
    """End to end through httpx's real pool: the backend we installed is the one that connects."""
    resolved: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        resolved.append(host)
        return ["127.0.0.1"]

    client = guarded_client(HttpConfig(), resolver=rebinding)
    async with client:
        with pytest.raises(BlockedAddress):
            await client.get("http://feeds.example.org/rss")
    assert resolved == ["feeds.example.org"]  # the guard's resolver ran: the connection went through it


async def _public(host: str, port: int) -> list[str]:
    return ["93.184.215.14"]


def test_guarded_client_ignores_environment_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy would connect on our behalf and the guard would only ever see the proxy's address."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    client = guarded_client(HttpConfig())
    mounts: dict[Any, Any] = client._mounts
    assert not mounts, "environment proxies were mounted"
