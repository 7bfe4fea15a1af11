"""The network tripwire itself: loopback is allowed, the internet is not."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.conftest import NetworkBlocked


def test_outbound_connection_fails_the_test() -> None:
    with socket.socket() as s, pytest.raises(NetworkBlocked):
        s.connect(("192.0.2.1", 80))  # TEST-NET-1: would never be reached anyway


def blocked(error: BaseException | None) -> bool:
    """Whether NetworkBlocked is somewhere in an exception's causes or groups (httpx and anyio wrap it)."""
    while error is not None:
        if isinstance(error, NetworkBlocked):
            return True
        if isinstance(error, BaseExceptionGroup):
            return any(blocked(e) for e in error.exceptions)
        error = error.__cause__ or error.__context__
    return False


async def test_httpx_to_the_internet_is_blocked() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(BaseException) as caught:
            await client.get("http://192.0.2.1/feed.xml")
    assert blocked(caught.value)


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
