"""Fetching feeds and pages: local files are read, remote ones fetched politely with httpx.

The fetcher owns the HTTP: connect, read and total timeouts, a body cap counted on decoded bytes
(the fetcher decodes gzip, deflate and brotli itself, see bot.http.decode), conditional GET,
redirects (followed here, at most `max_redirects`, each hop after the first through
`redirect_client`), per-host and global concurrency limits, and a per-host pause when a server
answers 429 or 503 with Retry-After, so neither the next feed nor an article page on that host is asked for
before the server said it is ready. It never raises for what the network does: every outcome is
a FetchResult.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from bot import __version__
from bot.clock import Clock, SystemClock
from bot.config.settings import HttpConfig
from bot.http.decode import ACCEPT_ENCODING, BodyTooLarge, BoundedDecoder, DecodeError
from bot.http.retry_after import MAX_SERVER_DELAY, parse_delay
from bot.http.transport import PooledTransport

log = logging.getLogger(__name__)

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
               "text/xml;q=0.8, */*;q=0.5")
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
PERMANENT = frozenset({404, 410})  # the address is wrong or gone: retrying soon will not help
THROTTLED = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    ok: bool
    body: bytes = b""
    status_code: int | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    final_url: str | None = None
    error: str | None = None
    permanent: bool = False  # 404/410 and the like: retrying soon will not help
    gone: bool = False  # 410: the server says the resource will not come back
    throttled: bool = False  # 429/503, or not asked at all because the host asked us to wait
    retry_after: timedelta | None = None  # what the server asked for (Retry-After, Cache-Control max-age)


@dataclass(slots=True)
class _HostSlot:
    semaphore: asyncio.Semaphore
    users: int = 0  # holding or waiting for the semaphore


def no_cookie_jar() -> CookieJar:
    """A jar that keeps nothing, for a client shared by every fetch.

    httpx keeps each response's cookies in the client for good: every feed and article host would
    leave its tracking cookies there for as long as the bot runs (and a hostile one a thousand per
    answer). Cookies live for one fetch's redirect chain instead (see Fetcher._get)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def is_local(url: str) -> bool:
    return url.startswith("file://") or "://" not in url


def local_path(url: str) -> Path:
    if url.startswith("file://"):
        return Path(unquote(urlsplit(url).path))
    return Path(url)


def user_agent(contact: str) -> str:
    """Names sitrep and how to reach whoever runs it, as feed owners ask of polite bots."""
    return f"sitrep/{__version__} (+{contact}; news-digest bot)"


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class Fetcher:
    def __init__(self, config: HttpConfig, *, client: httpx.AsyncClient | None = None,
                 clock: Clock | None = None, redirect_client: httpx.AsyncClient | None = None) -> None:
        """`redirect_client` makes every request after the first: the app gives the fetcher of
        config feeds the SSRF guard's client here, because the operator trusts the URL written
        in the config, not wherever that server redirects (the metadata service, a LAN host).
        Without it `client` follows redirects too. The fetcher closes only a client it made."""
        self.config = config
        self.clock = clock or SystemClock()
        self._own_client = client is None
        self.client = client if client is not None else self._client(config)
        self.redirect_client = redirect_client if redirect_client is not None else self.client
        self._global = asyncio.Semaphore(config.concurrency)
        # Only hosts with a request running or waiting have a slot, and only hosts still paused a
        # pause: a bot that reads thousands of article hosts must not keep an entry for each forever.
        self._hosts: dict[str, _HostSlot] = {}
        self._paused: dict[str, datetime] = {}  # host -> not before, from a 429/503 Retry-After

    @staticmethod
    def _client(config: HttpConfig) -> httpx.AsyncClient:
        # The pooled transport keeps an idle connection list per host and leaves the limits on
        # requests in flight to this fetcher's semaphores (see bot.http.transport for why not httpcore).
        return httpx.AsyncClient(
            headers={"User-Agent": user_agent(config.contact)},
            timeout=httpx.Timeout(
                connect=config.connect_timeout.total_seconds(), read=config.read_timeout.total_seconds(),
                write=config.read_timeout.total_seconds(), pool=config.total_timeout.total_seconds()),
            follow_redirects=False,  # the fetcher follows them itself, choosing the client for each hop
            cookies=no_cookie_jar(),
            transport=PooledTransport(max_idle=max(config.concurrency, 64), max_idle_per_host=max(config.per_host, 2)),
        )

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @asynccontextmanager
    async def _host_slot(self, host: str) -> AsyncIterator[None]:
        """One of the host's `per_host` slots; the host's entry goes when nobody holds or waits for one."""
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = _HostSlot(asyncio.Semaphore(self.config.per_host))
        slot.users += 1
        try:
            async with slot.semaphore:
                yield
        finally:
            slot.users -= 1
            if not slot.users and self._hosts.get(host) is slot:
                del self._hosts[host]

    def _pause(self, host: str, until: datetime) -> None:
        now = self.clock.now()
        for other in [h for h, t in self._paused.items() if t <= now]:  # pauses already over
            del self._paused[other]
        self._paused[host] = until

    def paused_until(self, host: str) -> datetime | None:
        until = self._paused.get(host)
        if until is not None and until <= self.clock.now():
            del self._paused[host]
            return None
        return until

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    accept: str = FEED_ACCEPT) -> FetchResult:
        if is_local(url):
            return await asyncio.to_thread(self._read_local, url)
        host = host_of(url)
        if not host:
            return FetchResult(url, ok=False, error="not a fetchable URL", permanent=True)
        until = self.paused_until(host)
        if until is not None:
            return FetchResult(url, ok=False, throttled=True, retry_after=until - self.clock.now(),
                               error=f"{host} asked us to wait until {until:%Y-%m-%d %H:%M} UTC")
        headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        # The host slot first: waiting for a busy host must not hold one of the global slots.
        async with self._host_slot(host), self._global:
            try:
                async with asyncio.timeout(self.config.total_timeout.total_seconds()):
                    result = await self._get(url, headers)
            except TimeoutError:
                limit = _seconds(self.config.total_timeout)
                result = FetchResult(url, ok=False, error=f"no complete answer within {limit}")
        if result.throttled and result.retry_after:
            self._pause(host, self.clock.now() + result.retry_after)
        return result

    async def _get(self, url: str, headers: dict[str, str]) -> FetchResult:
        """Follows redirects itself: the first request goes through `client`, every later hop through
        `redirect_client`, so a URL trusted as written does not lend its trust to where it points."""
        try:
            request = self.client.build_request("GET", url, headers=headers)
        except httpx.InvalidURL as error:  # not an HTTPError: an item's link with a NUL in it must not crash a poll
            return FetchResult(url, ok=False, error=f"not a valid URL: {error}"[:300], permanent=True)
        client, where = self.client, ""
        chain = httpx.Cookies()  # what the servers of this chain set (a cookie wall's redirect back)
        try:
            for _ in range(self.config.max_redirects + 1):
                response = await client.send(request, stream=True, follow_redirects=False)
                try:
                    following = response.next_request
                    if following is None:
                        return await self._read(url, response)
                finally:
                    await response.aclose()
                chain.extract_cookies(response)
                if "cookie" not in following.headers:
                    chain.set_cookie_header(following)
                client, request = self.redirect_client, following
                where = f"after a redirect to {following.url.host or following.url}: "[:150]
            return FetchResult(url, ok=False, error=f"more than {self.config.max_redirects} redirects")
        except httpx.ConnectTimeout:
            error_text = f"no connection within {_seconds(self.config.connect_timeout)}"
        except httpx.ReadTimeout:
            error_text = f"server silent for {_seconds(self.config.read_timeout)}"
        except httpx.TimeoutException as error:
            error_text = f"timeout ({type(error).__name__})"
        except httpx.HTTPError as error:
            error_text = f"{type(error).__name__}: {error}"
        return FetchResult(url, ok=False, error=(where + error_text)[:300])

    async def _read(self, url: str, response: httpx.Response) -> FetchResult:
        status = response.status_code
        h = response.headers
        if status == 304:
            return FetchResult(url, ok=True, not_modified=True, status_code=304, etag=h.get("etag"),
                               last_modified=h.get("last-modified"), retry_after=max_age(h))
        if status >= 400 or status < 200:
            throttled = status in THROTTLED
            return FetchResult(
                url, ok=False, status_code=status, error=f"HTTP {status} {response.reason_phrase}".strip(),
                permanent=status in PERMANENT, gone=status == 410, throttled=throttled,
                retry_after=retry_after(h, self.clock.now()) if throttled else None)
        cap = self.config.max_body
        declared = h.get("content-length", "")
        if declared.isdigit() and not h.get("content-encoding") and int(declared) > cap:
            return FetchResult(url, ok=False, status_code=status, error=f"body larger than {cap:,} bytes")
        try:
            decoder = BoundedDecoder(h.get("content-encoding"), cap)
            async for chunk in response.aiter_raw():
                decoder.feed(chunk)
            body = decoder.finish()
        except BodyTooLarge:
            return FetchResult(url, ok=False, status_code=status, error=f"body larger than {cap:,} bytes")
        except DecodeError as error:
            return FetchResult(url, ok=False, status_code=status, error=str(error))
        return FetchResult(url, ok=True, body=body, status_code=status, etag=h.get("etag"),
                           last_modified=h.get("last-modified"), content_type=h.get("content-type"),
                           final_url=str(response.url), retry_after=max_age(h))

    def _read_local(self, url: str) -> FetchResult:
        path = local_path(url)
        try:
            with path.open("rb") as handle:
                body = handle.read(self.config.max_body + 1)
        except FileNotFoundError:
            return FetchResult(url, ok=False, error=f"no such file: {path}", permanent=True)
        except OSError as error:
            return FetchResult(url, ok=False, error=f"cannot read {path}: {error.strerror}")
        if len(body) > self.config.max_body:
            return FetchResult(url, ok=False, error=f"file larger than {self.config.max_body:,} bytes")
        return FetchResult(url, ok=True, body=body, final_url=path.resolve().as_uri())


def _seconds(value: timedelta) -> str:
    return f"{value.total_seconds():g}s"


def max_age(headers: httpx.Headers) -> timedelta | None:
    """How long the server says the response stays fresh (Cache-Control max-age, less Age)."""
    directives = {}
    for part in headers.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        directives[name.strip().lower()] = value.strip().strip('"')
    if "no-cache" in directives or "no-store" in directives:
        return None
    value = directives.get("max-age", "")
    age = headers.get("age", "0").strip()
    if not value.isdigit() or len(value) > 12 or len(age) > 12:  # a dozen digits is already centuries
        return None
    seconds = int(value) - (int(age) if age.isdigit() else 0)
    return min(timedelta(seconds=seconds), MAX_SERVER_DELAY) if seconds > 0 else None


def retry_after(headers: httpx.Headers, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date, capped so a typo on the server cannot park a feed for years."""
    return parse_delay(headers.get("retry-after"), now)
