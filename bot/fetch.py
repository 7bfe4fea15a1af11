"""Fetching feeds and pages: local files are read, remote ones fetched politely with httpx.

The fetcher owns the HTTP: timeouts, a streamed body cap, conditional GET, a redirect limit and
per-host concurrency. It never raises for what the network does: every outcome is a FetchResult.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from bot import __version__
from bot.clock import Clock, SystemClock
from bot.config.models import HttpConfig

log = logging.getLogger(__name__)


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
    retry_after: timedelta | None = None  # what the server asked for (Retry-After, Cache-Control max-age)


def is_local(url: str) -> bool:
    return url.startswith("file://") or "://" not in url


def local_path(url: str) -> Path:
    if url.startswith("file://"):
        return Path(unquote(urlsplit(url).path))
    return Path(url)


def user_agent(contact: str) -> str:
    return f"sitrep/{__version__} (+{contact}; news-digest bot)"


class Fetcher:
    def __init__(self, config: HttpConfig, *, client: httpx.AsyncClient | None = None,
                 clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        self._own_client = client is None
        self.client = client or httpx.AsyncClient(
            headers={"User-Agent": user_agent(config.contact), "Accept-Encoding": "gzip, deflate, br"},
            timeout=httpx.Timeout(
                connect=config.connect_timeout.total_seconds(), read=config.read_timeout.total_seconds(),
                write=config.read_timeout.total_seconds(), pool=config.total_timeout.total_seconds()),
            follow_redirects=True,
            max_redirects=config.max_redirects,
            limits=httpx.Limits(max_connections=config.concurrency, max_keepalive_connections=config.concurrency),
        )
        self._global = asyncio.Semaphore(config.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(config.per_host))

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    accept: str = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
                    ) -> FetchResult:
        if is_local(url):
            return await asyncio.to_thread(self._read_local, url)
        host = urlsplit(url).hostname or ""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._global, self._hosts[host]:
            try:
                return await asyncio.wait_for(self._get(url, headers), self.config.total_timeout.total_seconds())
            except TimeoutError:
                return FetchResult(url, ok=False, error=f"timed out after {self.config.total_timeout}")

    async def _get(self, url: str, headers: dict[str, str]) -> FetchResult:
        try:
            async with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return FetchResult(url, ok=True, not_modified=True, status_code=304,
                                       etag=response.headers.get("etag"),
                                       last_modified=response.headers.get("last-modified"),
                                       retry_after=_max_age(response.headers))
                if response.status_code >= 400:
                    return FetchResult(
                        url, ok=False, status_code=response.status_code, error=f"HTTP {response.status_code}",
                        permanent=response.status_code in (401, 403, 404, 410),
                        retry_after=_retry_after(response.headers, self.clock))
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > self.config.max_body:
                        return FetchResult(url, ok=False, status_code=response.status_code,
                                           error=f"body larger than {self.config.max_body} bytes")
                return FetchResult(url, ok=True, body=bytes(body), status_code=response.status_code,
                                   etag=response.headers.get("etag"),
                                   last_modified=response.headers.get("last-modified"),
                                   content_type=response.headers.get("content-type"),
                                   final_url=str(response.url), retry_after=_max_age(response.headers))
        except httpx.TooManyRedirects:
            return FetchResult(url, ok=False, error=f"more than {self.config.max_redirects} redirects")
        except httpx.TimeoutException as error:
            return FetchResult(url, ok=False, error=f"timeout ({type(error).__name__})")
        except httpx.DecodingError as error:
            return FetchResult(url, ok=False, error=f"cannot decode the body: {error}")
        except httpx.HTTPError as error:
            return FetchResult(url, ok=False, error=f"{type(error).__name__}: {error}"[:300])

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
            return FetchResult(url, ok=False, error=f"file larger than {self.config.max_body} bytes")
        return FetchResult(url, ok=True, body=body, final_url=path.resolve().as_uri())


def _max_age(headers: httpx.Headers) -> timedelta | None:
    for part in headers.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.isdigit():
            return timedelta(seconds=int(value))
    return None


def _retry_after(headers: httpx.Headers, clock: Clock) -> timedelta | None:
    value = headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value.strip()))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when - clock.now(), timedelta(0)) if when.tzinfo else None
