"""The SSRF guard against the usual tricks, each spelled the way attackers write them.

Every URL below is refused before any lookup or connection (`check_url`), and again by the guarded
client that fetches feeds added by command (so a spelling the first check missed still cannot
connect). Names are resolved by an injected resolver: those that answer with a private address are
refused whatever the answer's form. Article pages of a feed added by command go through the guard
too. (Redirect hops and DNS rebinding are in tests/http/test_ssrf.py.)
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import yaml
from aiohttp import web

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.config.settings import HttpConfig
from bot.http.fetch import Fetcher
from bot.http.ssrf import AddressPolicy, BlockedAddress, guarded_client
from bot.store import Store
from tests.conftest import make_config

TRICKS = {
    # private, loopback, link-local, unspecified
    "private-10": "http://10.0.0.1/feed", "private-172": "http://172.16.0.1/", "private-192": "http://192.168.1.1/",
    "loopback": "http://127.0.0.1/", "loopback-high": "http://127.255.255.254:8080/", "loopback-v6": "http://[::1]/",
    "link-local": "http://169.254.10.10/", "link-local-v6": "http://[fe80::1]/", "zero": "http://0.0.0.0/",
    "zero-short": "http://0/", "one-label": "http://intranet/feed", "mdns": "http://printer.local/",
    "internal-tld": "http://db.corp.internal/", "home-arpa": "http://router.home.arpa/",
    "unspecified-v6": "http://[::]/", "unique-local-v6": "http://[fd12:3456::1]/",
    # cloud metadata
    "aws-metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "aws-metadata-v6": "http://[fd00:ec2::254]/latest/meta-data/", "alibaba-metadata": "http://100.100.100.200/",
    "azure-wireserver": "http://168.63.129.16/machine", "gcp-metadata-name": "http://metadata.google.internal./",
    # IPv6 forms wrapping IPv4
    "mapped": "http://[::ffff:127.0.0.1]/", "mapped-hex": "http://[::ffff:7f00:1]/",
    "mapped-long": "http://[0:0:0:0:0:ffff:127.0.0.1]/", "mapped-metadata": "http://[::ffff:169.254.169.254]/",
    "compatible": "http://[::127.0.0.1]/", "compatible-hex": "http://[::7f00:1]/",
    "nat64": "http://[64:ff9b::127.0.0.1]/", "nat64-metadata": "http://[64:ff9b::a9fe:a9fe]/",
    "nat64-local": "http://[64:ff9b:1::a00:1]/", "6to4": "http://[2002:7f00:1::1]/",
    "zone-index": "http://[fe80::1%25eth0]/",
    # numeric spellings resolvers accept
    "decimal": "http://2130706433/", "decimal-dot": "http://2130706433./", "octal": "http://0177.0.0.1/",
    "octal-padded": "http://00000177.0.0.1/", "octal-short": "http://0177.1/", "hex": "http://0x7f.1/",
    "hex-whole": "http://0x7f000001/", "hex-dotted": "http://0x7f.0x0.0x0.0x1/", "short": "http://127.1/",
    "short-3": "http://127.0.1/", "leading-zeros": "http://127.000.000.001/", "trailing-dot": "http://127.0.0.1./",
    "ideographic-dots": "http://127。0。0。1/", "fullwidth-digits": "http://１２７.０.０.１/",
    "circled-digits": "http://①②⑦.0.0.1/", "percent-host": "http://%31%32%37.0.0.1/",
    "nul-host": "http://127.0.0.1%00.example.com/",
    # this machine by name
    "localhost": "http://localhost/", "localhost-dot": "http://localhost./", "localhost-caps": "http://LocalHost:8080/",
    "sub-localhost": "http://admin.localhost/", "fullwidth-localhost": "http://ｌｏｃａｌｈｏｓｔ/",
    # userinfo tricks: the host is what follows the last @
    "userinfo": "http://example.com@127.0.0.1/", "userinfo-port": "http://example.com:80@127.0.0.1/",
    "userinfo-backslash": "http://127.0.0.1\\@example.com/", "userinfo-empty": "http://@127.0.0.1/",
    "userinfo-encoded": "http://example.com%40@127.0.0.1/", "credentials": "http://user:pass@example.com/",
    # schemes that are not http(s)
    "file": "file:///etc/passwd", "file-host": "file://localhost/etc/passwd", "gopher": "gopher://127.0.0.1:6379/_INFO",
    "ftp": "ftp://example.com/feed.xml", "dict": "dict://127.0.0.1:11211/stats", "ldap": "ldap://example.com/",
    "jar": "jar:http://example.com!/", "data": "data:text/xml,<rss/>", "javascript": "javascript:alert(1)",
    "scheme-relative": "//127.0.0.1/feed", "no-host": "http:///feed", "one-slash": "http:/127.0.0.1/",
    "port-zero": "http://example.com:0/",
}


@pytest.mark.parametrize("url", list(TRICKS.values()), ids=list(TRICKS))
def test_refused_before_any_lookup(url: str) -> None:
    with pytest.raises(BlockedAddress, match="refused"):
        AddressPolicy().check_url(url)


class Resolver:
    """An injected resolver: answers from a table, records every name it was asked."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"{host}: no such name")
        return self.answers[host]


@pytest.mark.parametrize("url", [u for u in TRICKS.values() if u.startswith("http")], ids=[
    k for k, u in TRICKS.items() if u.startswith("http")])
async def test_the_guarded_client_never_connects(url: str) -> None:
    dns = Resolver({"example.com": ["93.184.216.34"]})
    async with guarded_client(HttpConfig(), resolver=dns) as client:
        with pytest.raises((BlockedAddress, httpx.InvalidURL, httpx.UnsupportedProtocol)):
            await client.get(url)
    # Nothing was connected to: a public answer would have reached the network tripwire instead.
    assert dns.asked == []


PRIVATE_ANSWERS = ["10.1.2.3", "172.31.0.5", "192.168.0.10", "127.0.0.1", "127.0.1.1", "169.254.169.254",
                   "fd00:ec2::254", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe",
                   "0.0.0.0", "fe80::1%eth0", "100.64.0.1", "224.0.0.251", "192.0.0.170"]


@pytest.mark.parametrize("answer", PRIVATE_ANSWERS)
async def test_names_that_resolve_to_private_addresses_are_refused(answer: str) -> None:
    dns = Resolver({"innocent.example": ["93.184.216.34", answer]})  # one bad address is enough
    async with guarded_client(HttpConfig(), resolver=dns) as client:
        with pytest.raises(BlockedAddress, match="resolves to"):
            await client.get("https://innocent.example/feed.xml")
    assert dns.asked == ["innocent.example"]


# --- article pages of a feed added by command --------------------------------------------------

LOOPBACK = ipaddress.ip_network("127.0.0.1/32")


@pytest.fixture
async def site() -> AsyncIterator[tuple[int, list[str]]]:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path)
        if request.path == "/feed.xml":
            host = request.headers["Host"]
            items = "".join(f"<item><title>Story {i}</title><link>{link}</link><guid>g{i}</guid>"
                            f"<description>A teaser about AI drones…</description></item>"
                            for i, link in enumerate([f"http://{host}/article", "http://169.254.169.254/latest/",
                                                      "http://internal.example/admin", "http://2130706433/"]))
            return web.Response(body=f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>",
                                content_type="application/rss+xml")
        return web.Response(text="<html><body><article><p>" + "The full article text. " * 60 +
                                 "</p></article></body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    yield runner.addresses[0][1], seen
    await runner.cleanup()


async def test_article_pages_of_a_command_feed_go_through_the_guard(tmp_path: Path,
                                                                    site: tuple[int, list[str]]) -> None:
    port, seen = site
    dns = Resolver({"feeds.example": ["127.0.0.1"], "internal.example": ["10.1.2.3"]})
    config = make_config(yaml.safe_dump({"feeds": []}), tmp_path)
    store = Store.open(f"sqlite:///{tmp_path / 'ssrf.db'}")
    core = Sitrep(config=config, store=store, clock=FakeClock())
    await core.guarded_fetcher.client.aclose()
    # The test's site stands for a public host: loopback is let through for it, and nothing else.
    guarded = Fetcher(config.http, client=guarded_client(config.http, resolver=dns, allow=[LOOPBACK]))
    core.guarded_fetcher = core.poller.ingester.guarded_fetcher = guarded
    try:
        row = store.feeds.add(name="cmd", url=f"http://feeds.example:{port}/feed.xml", topics=None,
                              added_by="slack:U0ADMIN", now=core.clock.now())
        outcome = await core.poller.poll_feed(row)
        assert outcome.status == "ok" and outcome.new == 4
    finally:
        await core.aclose()
    assert sorted(seen) == ["/article", "/feed.xml"]  # the public article was fetched; nothing else was
    assert "internal.example" in dns.asked  # looked up, answered privately, refused


async def test_article_pages_of_a_config_feed_go_through_the_guard(tmp_path: Path,
                                                                   site: tuple[int, list[str]]) -> None:
    """The operator trusts the feed's address, not each link an item carries."""
    port, seen = site
    dns = Resolver({"internal.example": ["10.1.2.3"]})
    config = make_config(yaml.safe_dump({"feeds": [{"name": "cfg", "url": f"http://127.0.0.1:{port}/feed.xml"}]}),
                         tmp_path)
    store = Store.open(f"sqlite:///{tmp_path / 'ssrf.db'}")
    core = Sitrep(config=config, store=store, clock=FakeClock())
    core.sync_feeds()
    await core.guarded_fetcher.client.aclose()
    guarded = Fetcher(config.http, client=guarded_client(config.http, resolver=dns))
    core.guarded_fetcher = core.poller.ingester.guarded_fetcher = guarded
    try:
        row = store.feeds.get("cfg")
        assert row is not None and row.origin == "config"
        outcome = await core.poller.poll_feed(row)  # the feed itself: fetched as configured
        assert outcome.status == "ok" and outcome.new == 4
    finally:
        await core.aclose()
    assert seen == ["/feed.xml"]  # no article page: the loopback one is refused like the metadata one
    assert "internal.example" in dns.asked
