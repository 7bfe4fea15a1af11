"""The pooled HTTP/1.1 transport under httpx, against a scripted server that counts its connections."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bot.http.transport import PooledTransport

Reply = Callable[[bytes], bytes | None]  # request head -> raw answer (None: close without answering)


def ok(body: bytes = b"hello", *, headers: str = "") -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{headers}\r\n".encode() + body


@dataclass
class Scripted:
    """Answers each request with the next reply; keeps the connection unless the reply says close."""

    replies: list[Reply]
    connections: int = 0
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                answer = self.replies.pop(0)(head) if self.replies else ok()
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if b"connection: close" in answer.lower():
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
async def scripted() -> AsyncIterator[Scripted]:
    script = Scripted([])
    server = await asyncio.start_server(script.handle, "127.0.0.1", 0)
    script.port = server.sockets[0].getsockname()[1]
    async with server:
        yield script
        for writer in script.writers:
            writer.close()


def client(**transport: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=PooledTransport(**transport), timeout=httpx.Timeout(1.0))  # type: ignore[arg-type]


async def test_requests_to_one_host_share_a_kept_alive_connection(scripted: Scripted) -> None:
    async with client() as http:
        bodies = [(await http.get(scripted.url(f"/{i}"))).content for i in range(5)]
    assert bodies == [b"hello"] * 5
    assert scripted.connections == 1


async def test_an_unread_304_or_error_page_keeps_its_connection(scripted: Scripted) -> None:
    scripted.replies = [lambda _: b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n",
                        lambda _: b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy", ]
    async with client() as http:
        for expected in (304, 503):
            async with http.stream("GET", scripted.url()) as response:  # the body is never read
                assert response.status_code == expected
        assert (await http.get(scripted.url())).content == b"hello"
    assert scripted.connections == 1


async def test_chunked_and_read_until_close_bodies(scripted: Scripted) -> None:
    scripted.replies = [
        lambda _: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        lambda _: b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end",
    ]
    async with client() as http:
        assert (await http.get(scripted.url())).content == b"hello world"
        assert (await http.get(scripted.url())).content == b"to the end"
        assert (await http.get(scripted.url())).content == b"hello"
    assert scripted.connections == 2  # the server closed the second; the third needed a new one


async def test_a_connection_the_server_dropped_while_idle_is_replaced(scripted: Scripted) -> None:
    async with client() as http:
        assert (await http.get(scripted.url())).status_code == 200
        for writer in scripted.writers:
            writer.close()  # the server's keep-alive timeout ran out
        await asyncio.sleep(0.05)
        assert (await http.get(scripted.url())).content == b"hello"
    assert scripted.connections == 2


async def test_a_body_left_unread_closes_its_connection(scripted: Scripted) -> None:
    big = b"x" * 3_000_000
    scripted.replies = [lambda _: ok(big)]
    async with client() as http:
        async with http.stream("GET", scripted.url()) as response:
            async for _ in response.aiter_raw():
                break  # the caller stopped early (its size cap, say)
        assert (await http.get(scripted.url())).content == b"hello"
    assert scripted.connections == 2


async def test_idle_connections_expire(scripted: Scripted) -> None:
    async with client(keepalive_expiry=0.05) as http:
        await http.get(scripted.url())
        await asyncio.sleep(0.1)
        await http.get(scripted.url())
    assert scripted.connections == 2


async def test_broken_answers_and_silence_are_httpx_errors(scripted: Scripted) -> None:
    async def never(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    scripted.replies = [lambda _: b"SPAM SPAM SPAM\r\n\r\n", lambda _: None]
    async with client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(scripted.url())
        with pytest.raises(httpx.RemoteProtocolError):  # closed on a fresh connection without a word
            await http.get(scripted.url())
    silent = await asyncio.start_server(never, "127.0.0.1", 0)
    async with silent, httpx.AsyncClient(transport=PooledTransport(), timeout=httpx.Timeout(0.2)) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"http://127.0.0.1:{silent.sockets[0].getsockname()[1]}/")


async def test_refused_connections_and_other_schemes(scripted: Scripted) -> None:
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    async with client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/")
        with pytest.raises(httpx.UnsupportedProtocol):
            await http.get("ftp://127.0.0.1/feed")


async def test_request_headers_and_body_reach_the_server(scripted: Scripted) -> None:
    heads: list[bytes] = []

    def record(head: bytes) -> bytes:
        heads.append(head)
        return ok()

    scripted.replies = [record]
    async with client() as http:
        await http.get(scripted.url("/feed?x=1"), headers={"If-None-Match": '"v1"', "User-Agent": "sitrep/test"})
    head = heads[0].decode()
    assert head.startswith("GET /feed?x=1 HTTP/1.1\r\n")
    assert 'If-None-Match: "v1"' in head and "User-Agent: sitrep/test" in head
    assert f"Host: 127.0.0.1:{scripted.port}" in head


async def test_https_verifies_the_certificate_and_keeps_alive(tmp_path: Path) -> None:
    """TLS through asyncio's own SSL layer: a certificate for the host name is accepted and reused."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    script = Scripted([])
    server = await asyncio.start_server(script.handle, "127.0.0.1", 0, ssl=server_side)
    port = server.sockets[0].getsockname()[1]
    trusting = ssl.create_default_context(cafile=str(cert))
    async with server:
        async with httpx.AsyncClient(transport=PooledTransport(ssl_context=trusting)) as http:
            assert [(await http.get(f"https://localhost:{port}/")).content for _ in range(3)] == [b"hello"] * 3
        assert script.connections == 1
        async with httpx.AsyncClient(transport=PooledTransport()) as http:  # the system's trust store
            with pytest.raises(httpx.ConnectError):
                await http.get(f"https://localhost:{port}/")
        for writer in script.writers:
            writer.close()


async def test_the_pool_keeps_nothing_for_origins_it_has_no_idle_connection_to() -> None:
    """Each origin's idle list once stayed behind, empty, after its last connection was taken:
    an entry for every host the bot ever read."""
    servers, scripts = [], []
    for _ in range(20):
        # Kept alive after the first answer, so the second request takes it from the idle list;
        # the second answer closes it, so nothing goes back.
        script = Scripted([lambda _: ok(), lambda _: ok(headers="Connection: close\r\n")])
        server = await asyncio.start_server(script.handle, "127.0.0.1", 0)
        script.port = server.sockets[0].getsockname()[1]
        servers.append(server)
        scripts.append(script)
    transport = PooledTransport()
    try:
        async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(1.0)) as http:
            for script in scripts:
                assert (await http.get(script.url())).status_code == 200
            assert len(transport._idle) == 20  # one kept-alive connection per origin
            for script in scripts:
                assert (await http.get(script.url())).status_code == 200
            assert transport._idle == {} and not transport._by_age
    finally:
        for server in servers:
            server.close()
            await server.wait_closed()
