"""The SSRF guard: addresses, URL spellings, DNS answers and redirect hops, against a real server."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml
from aiohttp import web

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.config.settings import HttpConfig
from bot.http.fetch import PAGE_ACCEPT, Fetcher
from bot.http.ssrf import AddressPolicy, BlockedAddress, GuardedBackend, address_problem, guarded_client
from bot.ingest.fulltext import article_text
from bot.store import Store
from tests.conftest import make_config

LOOPBACK = ipaddress.ip_network("127.0.0.1/32")

BLOCKED_ADDRESSES = [
    "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "169.254.1.1", "100.64.0.1", "100.100.100.200", "168.63.129.16", "0.0.0.0", "224.0.0.1",
    "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:8.8.8.8",
    "::127.0.0.1", "2002:7f00:1::", "2002:a9fe:a9fe::", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
    "2001:db8::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
]
PUBLIC_ADDRESSES = ["8.8.8.8", "93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2002:808:808::"]


@pytest.mark.parametrize("address", BLOCKED_ADDRESSES)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("url", [
    "http://2130706433/feed", "http://0x7f000001/", "http://0x7f.1/", "http://0177.0.0.1/", "http://127.1/",
    "http://017700000001/", "http://127.0.0.1./", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
    "http://[::1]:8080/", "http://localhost:8080/", "http://LOCALHOST/", "http://api.localhost/",
    "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://10.0.0.1:9200/",
    "file:///etc/passwd", "gopher://example.com/", "ftp://example.com/feed", "http://user:secret@example.com/",
    "http://@example.com/", "http:///feed", "http://[fe80::1%25eth0]/", "http://0/", "http://0.0.0.0/",
])
def test_urls_refused_before_any_lookup(url: str) -> None:
    with pytest.raises(BlockedAddress, match="refused"):
        AddressPolicy().check_url(url)


@pytest.mark.parametrize("url", ["https://example.com/feed.xml", "http://93.184.216.34/rss",
                                 "https://[2606:4700:4700::1111]/atom", "https://1e100.net/feed",
                                 "https://news.example:8443/rss"])
def test_public_urls_pass(url: str) -> None:
    AddressPolicy().check_url(url)


def test_allow_private_turns_the_guard_off() -> None:
    policy = AddressPolicy(allow_private=True)
    policy.check_url("http://127.0.0.1:8080/feed")
    policy.check_url("http://10.1.2.3/feed")
    assert policy.problem(ipaddress.ip_address("169.254.169.254")) is None
    with pytest.raises(BlockedAddress):  # the scheme rule stays: a feed is fetched over http(s)
        policy.check_url("file:///etc/passwd")


def test_an_allowlisted_network_passes_and_nothing_else() -> None:
    policy = AddressPolicy(allow=(ipaddress.ip_network("10.1.2.0/24"),))
    policy.check_url("http://10.1.2.3/feed")
    with pytest.raises(BlockedAddress, match="private"):
        policy.check_url("http://10.1.3.3/feed")


# --- DNS answers ---------------------------------------------------------------------------------


@dataclass
class FakeDns:
    answers: dict[str, list[list[str]]]
    asked: list[str] = field(default_factory=list)

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        queue = self.answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]


async def test_a_name_with_any_private_address_is_refused() -> None:
    dns = FakeDns({"mixed.example": [["93.184.216.34", "10.0.0.5"]],
                   "meta.example": [["169.254.169.254"]], "v6.example": [["::1"]]})
    backend = GuardedBackend(AddressPolicy(), resolver=dns)
    for host, reason in (("mixed.example", "10.0.0.5, which is a private"),
                         ("meta.example", "cloud metadata"), ("v6.example", "loopback")):
        with pytest.raises(BlockedAddress, match=reason):
            await backend.connect_tcp(host, 80)
    assert dns.asked == ["mixed.example", "meta.example", "v6.example"]


async def test_a_name_that_does_not_resolve_is_a_connect_error() -> None:
    async def nothing(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    client = guarded_client(HttpConfig(), resolver=nothing)
    async with client:
        with pytest.raises(httpx.ConnectError, match="cannot resolve"):
            await client.get("http://nowhere.example/feed")


# --- against a real server on loopback ----------------------------------------------------------


@dataclass
class Site:
    port: int
    seen: list[tuple[str, str]]  # (path, Host header)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    seen: list[tuple[str, str]] = []
    state: dict[str, int] = {}

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append((request.path, request.headers.get("Host", "")))
        if request.path == "/feed":
            return web.Response(body=b"<rss version='2.0'><channel><title>T</title></channel></rss>",
                                content_type="application/rss+xml")
        if request.path.startswith("/to/"):
            raise web.HTTPFound(request.query["url"])
        return web.Response(status=404)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    state["port"] = port
    yield Site(port, seen)
    await runner.cleanup()


async def test_the_default_guard_refuses_loopback_and_never_connects(site: Site) -> None:
    async with guarded_client(HttpConfig()) as client:
        with pytest.raises(BlockedAddress, match="loopback"):
            await client.get(site.url("/feed"))
    assert site.seen == []


async def test_a_checked_name_is_fetched_with_its_own_host_header(site: Site) -> None:
    dns = FakeDns({"feeds.example": [["127.0.0.1"]]})
    async with guarded_client(HttpConfig(), resolver=dns, allow=[LOOPBACK]) as client:
        response = await client.get(site.url("/feed", host="feeds.example"))
    assert response.status_code == 200 and b"<rss" in response.content
    assert site.seen == [("/feed", f"feeds.example:{site.port}")]


@pytest.mark.parametrize(("target", "reason"), [
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("http://internal.example/admin", "10.1.2.3, which is a private"),
    ("http://localhost:{port}/feed", "this machine"),
    ("http://[::1]:{port}/feed", "loopback"),
    ("http://2130706433:{port}/feed", "unusual spelling"),
    ("file:///etc/passwd", "http"),
])
async def test_every_redirect_hop_is_checked(site: Site, target: str, reason: str) -> None:
    dns = FakeDns({"feeds.example": [["127.0.0.1"]], "internal.example": [["10.1.2.3"]]})
    hop = httpx.URL(site.url("/to/", host="feeds.example"), params={"url": target.format(port=site.port)})
    async with guarded_client(HttpConfig(), resolver=dns, allow=[LOOPBACK]) as client:
        with pytest.raises(BlockedAddress, match=reason):
            await client.get(hop)
    assert [path for path, _ in site.seen] == ["/to/"]  # the first hop only; nothing after it


async def test_dns_rebinding_is_checked_on_every_connection(site: Site) -> None:
    """The answer checked is the address connected to; a later answer is checked again."""
    dns = FakeDns({"rebind.example": [["127.0.0.1"], ["169.254.169.254"]]})
    async with guarded_client(HttpConfig(), resolver=dns, allow=[LOOPBACK]) as first:
        assert (await first.get(site.url("/feed", host="rebind.example"))).status_code == 200
    async with guarded_client(HttpConfig(), resolver=dns, allow=[LOOPBACK]) as second:
        with pytest.raises(BlockedAddress, match="cloud metadata"):
            await second.get(site.url("/feed", host="rebind.example"))
    assert len(site.seen) == 1


async def test_the_fetcher_reports_a_refusal_as_a_failed_fetch(site: Site) -> None:
    """The wiring the fetcher needs: give it a guarded client; a refusal is a FetchResult, not a crash."""
    config = HttpConfig()
    fetcher = Fetcher(config, client=guarded_client(config))
    try:
        result = await fetcher.fetch(site.url("/feed"))
    finally:
        await fetcher.client.aclose()
    assert not result.ok and result.error is not None and "loopback" in result.error
    assert site.seen == []


async def test_allow_private_addresses_fetches_loopback(site: Site) -> None:
    config = HttpConfig(allow_private_addresses=True)
    async with guarded_client(config) as client:
        assert (await client.get(site.url("/feed"))).status_code == 200


# --- config feeds: the URL as written is trusted, where it redirects is not ----------------------


def config_feed_fetcher(config: HttpConfig, dns: FakeDns) -> Fetcher:
    """The wiring the app uses: a plain client for the written URL, the guard's for every later hop."""
    return Fetcher(config, redirect_client=guarded_client(config, resolver=dns))


@pytest.mark.parametrize(("target", "reason"), [
    ("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "169.254.169.254 is a cloud metadata"),
    ("http://10.0.0.5/admin", "10.0.0.5 is a private address"),
    ("http://lan.example/router", "lan.example resolves to 192.168.1.1, which is a private address"),
    ("http://127.0.0.1:{port}/feed", "127.0.0.1 is a loopback address"),  # the feed's own host, another path
    ("http://localhost:{port}/feed", "localhost is this machine"),
])
async def test_a_config_feed_may_be_private_but_not_where_it_redirects(site: Site, target: str, reason: str) -> None:
    """A config feed on an intranet host is fetched as written; its server once sent the poller on
    to the metadata service or a LAN host, and the poller followed."""
    dns = FakeDns({"lan.example": [["192.168.1.1"]]})
    fetcher = config_feed_fetcher(HttpConfig(), dns)
    hop = httpx.URL(site.url("/to/"), params={"url": target.format(port=site.port)})
    try:
        result = await fetcher.fetch(str(hop))
    finally:
        await fetcher.redirect_client.aclose()
        await fetcher.aclose()
    assert not result.ok and result.error is not None
    assert "after a redirect to" in result.error and reason in result.error and "refused" in result.error
    assert [path for path, _ in site.seen] == ["/to/"]  # the written URL was fetched; nothing after it


async def test_a_config_feed_redirect_to_a_public_host_is_followed(site: Site) -> None:
    dns = FakeDns({"feeds.example": [["127.0.0.1"]]})  # stands for a public host: loopback let through for it
    config = HttpConfig()
    fetcher = Fetcher(config, redirect_client=guarded_client(config, resolver=dns, allow=[LOOPBACK]))
    try:
        result = await fetcher.fetch(str(httpx.URL(site.url("/to/"),
                                                   params={"url": site.url("/feed", host="feeds.example")})))
    finally:
        await fetcher.redirect_client.aclose()
        await fetcher.aclose()
    assert result.ok and b"<rss" in result.body and result.final_url == site.url("/feed", host="feeds.example")


async def test_allow_private_addresses_follows_a_config_feed_anywhere(site: Site) -> None:
    config = HttpConfig(allow_private_addresses=True)
    fetcher = Fetcher(config, redirect_client=guarded_client(config))
    try:
        result = await fetcher.fetch(str(httpx.URL(site.url("/to/"), params={"url": site.url("/feed")})))
    finally:
        await fetcher.redirect_client.aclose()
        await fetcher.aclose()
    assert result.ok and [path for path, _ in site.seen] == ["/to/", "/feed"]


async def test_the_app_polls_a_config_feed_without_following_it_to_the_metadata_service(
        site: Site, tmp_path: Path) -> None:
    """End to end: the app's own wiring, a config feed on loopback that redirects to 169.254.169.254."""
    url = str(httpx.URL(site.url("/to/"), params={"url": "http://169.254.169.254/latest/meta-data/"}))
    config = make_config(yaml.safe_dump({"feeds": [{"name": "intranet", "url": url}]}), tmp_path)
    store = Store.open(f"sqlite:///{tmp_path / 'redirect.db'}")
    core = Sitrep(config=config, store=store, clock=FakeClock())
    core.sync_feeds()
    try:
        row = store.feeds.get("intranet")
        assert row is not None and row.origin == "config"
        outcome = await core.poller.poll_feed(row)
    finally:
        await core.aclose()
    assert outcome.status == "failed" and outcome.error is not None
    assert "after a redirect to 169.254.169.254" in outcome.error and "cloud metadata address" in outcome.error
    assert [path for path, _ in site.seen] == ["/to/"]


async def test_an_article_page_that_redirects_to_the_metadata_service_is_not_fetched(site: Site) -> None:
    """Article pages follow the same rule, with no trusted first hop: the link came from a feed."""
    dns = FakeDns({"news.example": [["127.0.0.1"]]})  # a public news site, as far as the guard knows
    config = HttpConfig()
    fetcher = Fetcher(config, client=guarded_client(config, resolver=dns, allow=[LOOPBACK]))
    page = httpx.URL(site.url("/to/", host="news.example"), params={"url": "http://169.254.169.254/latest/"})
    try:
        result = await fetcher.fetch(str(page), accept=PAGE_ACCEPT)
        text = await article_text(fetcher, str(page))
    finally:
        await fetcher.client.aclose()
    assert text is None and not result.ok
    assert "after a redirect to 169.254.169.254" in (result.error or "") and "cloud metadata" in (result.error or "")
    assert [path for path, _ in site.seen] == ["/to/", "/to/"]
