"""A lean HTTP/1.1 transport for httpx: per-host keep-alive pools on plain asyncio protocols.

Polling thousands of feeds is thousands of small requests, and the CPU they cost is the poller's
limit, not the network. httpx's default transport (httpcore on anyio) spends several times our
CPU a request on a loaded pool (docs/decisions/http-transport.md has the measurement): it scans
every connection and waiting request on each request and each release, looks up the async
library, and asks the socket for its peer address again and again.
And one shared pool of bounded size churns: a full pool closes another host's idle connection to
open one for the next host, so a cycle over many hosts reconnects for nearly every request.

This transport keeps the httpx client above it (redirects, the redirect limit, headers, cookies,
timeouts from the client's `Timeout`) and does only the connection work below: an idle list per
(scheme, host, port), h11 for the wire protocol (the same parser httpcore uses), and asyncio
`Protocol` callbacks with no stream layers in between. Limits on how many requests run at once
belong to the caller (the Fetcher's per-host and global semaphores), so the transport has no pool
queue to wait in; it caps only how many idle connections it keeps, and for how long.

Bodies are handed up chunk by chunk as they arrive, undecoded (the Fetcher decodes them under its
size cap); reading pauses while more than `BUFFER_HIGH` bytes wait for the reader, so a fast
server cannot fill memory behind a slow consumer.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import OrderedDict
from collections.abc import AsyncIterator

import h11
import httpx

BUFFER_HIGH = 1 << 20  # bytes received but not yet read before the socket stops reading
MAX_HEADER_BYTES = 64 * 1024  # a response head larger than this is a broken or hostile server
DEFAULT_PORTS = {b"http": 80, b"https": 443}

Origin = tuple[bytes, bytes, int]


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection and its h11 state; data arrives through protocol callbacks."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEADER_BYTES)
        self.transport: asyncio.Transport | None = None
        self._chunks: list[bytes] = []  # received, not yet given to h11
        self._buffered = 0
        self._paused = False
        self._lost: Exception | None = None
        self._eof = False
        self._waiter: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None  # set while the transport's write buffer is full
        self.idle_since = 0.0
        self.reused = False
        self.received = False  # any byte of a response seen on this request

    # --- protocol callbacks ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered > BUFFER_HIGH and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        self._lost = exc
        self._wake()
        self.resume_writing()  # a request body writer waiting for room learns the connection is gone

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # --- used by the transport ---------------------------------------------------------------

    @property
    def usable(self) -> bool:
        """Idle and still open, with nothing unexpected sent by the server while idle."""
        return (self.transport is not None and not self.transport.is_closing() and not self._eof
                and not self._chunks and not self.h11.trailing_data[0] and self.h11.our_state is h11.IDLE)

    def finish_buffered(self) -> bool:
        """Read the rest of the response from what already arrived, without waiting: True when it
        ended there (a 304 or an error page the caller did not read keeps its connection)."""
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError:
                return False
            if isinstance(event, h11.EndOfMessage):
                return True
            if event is h11.NEED_DATA:
                if not self._chunks:
                    return False
                data = b"".join(self._chunks)
                self._chunks.clear()
                self._buffered = 0
                self.h11.receive_data(data)
            elif not isinstance(event, h11.Data):
                return False

    def send(self, event: h11.Event) -> None:
        data = self.h11.send(event)
        if data and self.transport is not None:
            if self.transport.is_closing():
                raise httpx.WriteError("connection closed by the server")
            self.transport.write(data)

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    async def drain(self, seconds: float | None) -> None:
        """Wait until the kernel took what was written (only matters for large request bodies)."""
        if self._writable is None:
            return
        try:
            async with asyncio.timeout(seconds):
                await self._writable
        except TimeoutError:
            raise httpx.WriteTimeout("request body not sent in time") from None

    async def next_event(self, seconds: float | None) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        """The next h11 event, reading from the socket as needed, each wait bounded by `seconds`."""
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as error:
                raise httpx.RemoteProtocolError(f"broken HTTP response: {error}") from None
            if event is not h11.NEED_DATA:
                if isinstance(event, h11.Response | h11.InformationalResponse | h11.Data):
                    self.received = True
                return event
            if self._chunks:
                data = b"".join(self._chunks) if len(self._chunks) > 1 else self._chunks[0]
                self._chunks.clear()
                self._buffered = 0
                if self._paused and self.transport is not None:
                    self._paused = False
                    self.transport.resume_reading()
                self.h11.receive_data(data)
                continue
            if self._eof:
                if self._lost is not None and not isinstance(self._lost, ConnectionResetError):
                    raise httpx.ReadError(f"connection lost: {self._lost}")
                self.h11.receive_data(b"")  # h11 decides: end of a read-until-close body, or an error
                continue
            loop = asyncio.get_running_loop()
            self._waiter = loop.create_future()
            try:
                async with asyncio.timeout(seconds):
                    await self._waiter
            except TimeoutError:
                raise httpx.ReadTimeout(f"server silent for {seconds}s") from None
            finally:
                self._waiter = None

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


class _Body(httpx.AsyncByteStream):
    """The response body as it arrives; the connection goes back to the pool once it was read to the end."""

    def __init__(self, pool: PooledTransport, conn: _Connection, read_timeout: float | None) -> None:
        self._pool = pool
        self._conn: _Connection | None = conn
        self._timeout = read_timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        try:
            while True:
                event = await conn.next_event(self._timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    break
                else:
                    raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__} in a response body")
        except BaseException:
            # Only while this body still owns the connection: an iteration abandoned after aclose()
            # released it must not close it under the next request's feet.
            if self._conn is conn:
                self._conn = None
                conn.close()
            raise
        if self._conn is conn:
            self._conn = None
            self._pool.release(conn)

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if conn.finish_buffered():  # an empty or short body, already here: the connection is reusable
            self._pool.release(conn)
        else:  # the body was not read to its end: the connection cannot be reused
            conn.close()


class PooledTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with keep-alive, one idle list per origin; see the module docstring."""

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None, max_idle: int = 512,
                 max_idle_per_host: int = 8, keepalive_expiry: float = 5.0) -> None:
        self._ssl = ssl_context
        self._max_idle = max_idle
        self._max_idle_per_host = max_idle_per_host
        self._expiry = keepalive_expiry
        self._idle: dict[Origin, list[_Connection]] = {}
        self._by_age: OrderedDict[_Connection, None] = OrderedDict()  # idle connections, oldest first
        self._closed = False

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        return self._ssl

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        url = request.url
        scheme = url.raw_scheme
        if scheme not in DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"cannot fetch a {scheme.decode(errors='replace')!r} URL")
        if not url.raw_host:
            raise httpx.UnsupportedProtocol("the URL has no host")
        origin = (scheme, url.raw_host, url.port or DEFAULT_PORTS[scheme])
        timeouts = request.extensions.get("timeout", {})
        body = await request.aread() if request.method not in ("GET", "HEAD") else b""
        conn = self._take_idle(origin)
        if conn is not None:
            try:
                return await self._exchange(conn, request, body, timeouts)
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                # The server closed a kept-alive connection just as we used it: nothing of an answer
                # came back, so asking again on a fresh connection is safe for an idempotent request.
                if conn.received or request.method not in ("GET", "HEAD", "OPTIONS"):
                    raise
        conn = await self._connect(origin, timeouts.get("connect"))
        return await self._exchange(conn, request, body, timeouts)

    async def _connect(self, origin: Origin, seconds: float | None) -> _Connection:
        scheme, host, port = origin
        name = host.decode("ascii")
        loop = asyncio.get_running_loop()
        tls = self._ssl_context() if scheme == b"https" else None
        try:
            async with asyncio.timeout(seconds):
                _, conn = await loop.create_connection(
                    lambda: _Connection(origin), name.strip("[]"), port, ssl=tls,
                    server_hostname=name.strip("[]") if tls else None,
                    happy_eyeballs_delay=0.25)  # a dead IPv6 route must not cost the whole connect timeout
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {name}:{port} within {seconds}s") from None
        except (OSError, ssl.SSLError) as error:
            raise httpx.ConnectError(f"cannot connect to {name}:{port}: {error}") from None
        except UnicodeError as error:  # a name the IDNA codec refuses ("a..b", a label over 63 characters)
            raise httpx.ConnectError(f"cannot connect to {name[:100]}:{port}: not a valid host name ({error})"
                                     ) from None
        return conn

    async def _exchange(self, conn: _Connection, request: httpx.Request, body: bytes,
                        timeouts: dict[str, float | None]) -> httpx.Response:
        conn.received = False
        read_timeout = timeouts.get("read")
        try:
            target = request.url.raw_path
            conn.send(h11.Request(method=request.method, target=target, headers=request.headers.raw))
            if body:
                conn.send(h11.Data(data=body))
            conn.send(h11.EndOfMessage())
            await conn.drain(timeouts.get("write"))
            while True:
                event = await conn.next_event(read_timeout)
                if isinstance(event, h11.InformationalResponse):
                    continue  # 100 Continue and friends: the real answer follows
                if isinstance(event, h11.Response):
                    break
                raise httpx.RemoteProtocolError("the server closed the connection without an answer")
        except h11.LocalProtocolError as error:
            conn.close()
            raise httpx.LocalProtocolError(str(error)) from None
        except BaseException:
            conn.close()
            raise
        return httpx.Response(
            event.status_code, headers=event.headers.raw_items(), stream=_Body(self, conn, read_timeout),
            extensions={"http_version": b"HTTP/" + event.http_version, "reason_phrase": event.reason},
        )

    # --- the idle pool -----------------------------------------------------------------------

    def _take_idle(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        found = None
        while idle:
            conn = idle.pop()
            self._by_age.pop(conn, None)
            if conn.usable and now - conn.idle_since < self._expiry:
                conn.reused = True
                found = conn
                break
            conn.close()
        if idle is not None and not idle:  # an empty list per origin ever seen would grow without end
            del self._idle[origin]
        return found

    def release(self, conn: _Connection) -> None:
        """A response read to its end: keep the connection if both sides agree to, else close it."""
        if self._closed or conn.h11.our_state is not h11.DONE or conn.h11.their_state is not h11.DONE:
            conn.close()
            return
        try:
            conn.h11.start_next_cycle()
        except h11.LocalProtocolError:
            conn.close()
            return
        if not conn.usable:
            conn.close()
            return
        now = time.monotonic()
        self._prune(now)
        idle = self._idle.get(conn.origin, [])
        if len(idle) >= self._max_idle_per_host:
            conn.close()
            return
        conn.idle_since = now
        idle.append(conn)
        self._idle[conn.origin] = idle
        self._by_age[conn] = None
        while len(self._by_age) > self._max_idle:
            self._drop(next(iter(self._by_age)))

    def _prune(self, now: float) -> None:
        """Close idle connections past their expiry (oldest first, so this stops at the first young one)."""
        while self._by_age:
            oldest = next(iter(self._by_age))
            if now - oldest.idle_since < self._expiry and oldest.usable:
                return
            self._drop(oldest)

    def _drop(self, conn: _Connection) -> None:
        self._by_age.pop(conn, None)
        idle = self._idle.get(conn.origin)
        if idle is not None and conn in idle:
            idle.remove(conn)
            if not idle:
                del self._idle[conn.origin]
        conn.close()

    async def aclose(self) -> None:
        self._closed = True
        for conn in list(self._by_age):
            conn.close()
        self._by_age.clear()
        self._idle.clear()
