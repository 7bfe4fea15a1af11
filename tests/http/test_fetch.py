"""The fetcher against a misbehaving local feed server: every network fault becomes a FetchResult."""

from __future__ import annotations

import asyncio
import socket
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.config.settings import HttpConfig
from bot.http.fetch import Fetcher, max_age, retry_after, user_agent
from tests.fakes.feed_server import Feed, FeedServer, Hang, Raw, Redirect, Status, Trickle, gzip_bomb, rss

BODY = rss([{"title": "One", "link": "http://fake.example/1", "guid": "1"}])


def config(**overrides: object) -> HttpConfig:
    values: dict[str, object] = dict(connect_timeout=timedelta(seconds=0.5), read_timeout=timedelta(seconds=0.5),
                                     total_timeout=timedelta(seconds=2), contact="https://ops.example/sitrep")
    values.update(overrides)
    return HttpConfig.model_validate(values)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


@pytest.fixture
async def fetcher(clock: FakeClock) -> AsyncIterator[Fetcher]:
    async with Fetcher(config(), clock=clock) as f:
        yield f


async def test_conditional_get_sends_validators_and_reads_304(server: FeedServer, fetcher: Fetcher) -> None:
    url = server.route("/feed", Feed(BODY, etag='"abc"', last_modified="Tue, 10 Mar 2026 08:00:00 GMT",
                                     headers={"Cache-Control": "public, max-age=1800", "Age": "600"}))
    first = await fetcher.fetch(url)
    assert first.ok and first.body == BODY and first.etag == '"abc"'
    assert first.retry_after == timedelta(seconds=1200)  # max-age less the Age the response already has
    again = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert again.ok and again.not_modified and again.body == b""
    sent = server.seen("/feed")[1].headers
    assert sent["If-None-Match"] == '"abc"' and sent["If-Modified-Since"] == "Tue, 10 Mar 2026 08:00:00 GMT"


async def test_user_agent_names_sitrep_and_the_contact(server: FeedServer, fetcher: Fetcher) -> None:
    await fetcher.fetch(server.route("/feed", Feed(BODY)))
    agent = server.seen("/feed")[0].headers["User-Agent"]
    assert agent == user_agent("https://ops.example/sitrep") and agent.startswith("sitrep/")
    assert "https://ops.example/sitrep" in agent


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw", "br"])
async def test_compressed_bodies_are_decoded(server: FeedServer, fetcher: Fetcher, encoding: str) -> None:
    result = await fetcher.fetch(server.route("/feed", Feed(BODY, encoding=encoding)))
    assert result.ok and result.body == BODY
    assert "br" in server.seen("/feed")[0].headers["Accept-Encoding"]


async def test_server_that_never_answers_times_out(server: FeedServer, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(server.route("/hang", Hang()))
    assert not result.ok and "silent for 0.5s" in (result.error or "")


async def test_trickling_server_hits_the_total_timeout(server: FeedServer, clock: FakeClock) -> None:
    async with Fetcher(config(total_timeout=timedelta(seconds=0.6)), clock=clock) as fetcher:
        result = await fetcher.fetch(server.route("/slow", Trickle(interval=0.05)))
    assert not result.ok and "no complete answer within 0.6s" in (result.error or "")


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose accept queue is full: the kernel drops new SYNs, so connecting hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port))
    yield port
    filler.close()
    listener.close()


async def test_connect_timeout(full_backlog: int, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(f"http://127.0.0.1:{full_backlog}/feed")
    assert not result.ok and "no connection within 0.5s" in (result.error or "")


async def test_connection_refused_is_an_error_not_a_crash(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await fetcher.fetch(f"http://127.0.0.1:{port}/feed")
    assert not result.ok and result.error and "Connect" in result.error


@pytest.mark.parametrize(("code", "permanent", "gone"), [(500, False, False), (502, False, False),
                                                          (404, True, False), (410, True, True)])
async def test_error_statuses(server: FeedServer, fetcher: Fetcher, code: int, permanent: bool, gone: bool) -> None:
    result = await fetcher.fetch(server.route("/x", Status(code)))
    assert not result.ok and result.status_code == code and (result.error or "").startswith(f"HTTP {code}")
    assert result.permanent is permanent and result.gone is gone and not result.throttled


async def test_429_pauses_the_whole_host_for_retry_after(server: FeedServer, fetcher: Fetcher,
                                                        clock: FakeClock) -> None:
    limited = server.route("/limited", Status(429, headers={"Retry-After": "120"}))
    other = server.route("/other", Feed(BODY))
    result = await fetcher.fetch(limited)
    assert result.throttled and result.retry_after == timedelta(seconds=120)
    skipped = await fetcher.fetch(other)  # same host: not asked at all while it asked us to wait
    assert not skipped.ok and skipped.throttled and "asked us to wait" in (skipped.error or "")
    assert server.seen("/other") == []
    clock.advance(timedelta(seconds=121))
    assert (await fetcher.fetch(other)).ok


async def test_503_with_an_http_date(server: FeedServer, fetcher: Fetcher, clock: FakeClock) -> None:
    when = (clock.now() + timedelta(minutes=10)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    result = await fetcher.fetch(server.route("/busy", Status(503, headers={"Retry-After": when})))
    assert result.throttled and result.retry_after == timedelta(minutes=10)


async def test_redirects_are_followed_and_loops_stopped(server: FeedServer, fetcher: Fetcher) -> None:
    server.route("/new", Feed(BODY))
    moved = await fetcher.fetch(server.route("/old", Redirect(server.url("/new"), 301)))
    assert moved.ok and moved.final_url == server.url("/new")
    server.route("/a", Redirect(server.url("/b")))
    server.route("/b", Redirect(server.url("/a")))
    loop = await fetcher.fetch(server.url("/a"))
    assert not loop.ok and "more than 5 redirects" in (loop.error or "")
    assert len(server.seen("/a")) + len(server.seen("/b")) == 6


async def test_oversized_body_stops_at_the_cap(server: FeedServer, clock: FakeClock) -> None:
    async with Fetcher(config(max_body=50_000), clock=clock) as fetcher:
        plain = await fetcher.fetch(server.route("/big", Raw(b"<rss>" + b"x" * 200_000)))
        assert not plain.ok and "larger than 50,000 bytes" in (plain.error or "")
        ok = await fetcher.fetch(server.route("/fits", Raw(b"y" * 50_000)))
        assert ok.ok and len(ok.body) == 50_000


async def test_gzip_bomb_stops_at_the_cap_on_decoded_bytes(server: FeedServer, clock: FakeClock) -> None:
    bomb = gzip_bomb(256 << 20)  # 256 MiB of zeros in about 250 kB
    assert len(bomb) < 300_000
    server.route("/bomb", Raw(bomb, {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}))
    async with Fetcher(config(max_body=1_000_000), clock=clock) as fetcher:
        tracemalloc.start()
        try:
            result = await fetcher.fetch(server.url("/bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert not result.ok and "larger than 1,000,000 bytes" in (result.error or "")
    assert peak < 10_000_000  # never more than the cap and a few buffers in memory


async def test_corrupt_compressed_body(server: FeedServer, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(server.route("/bad", Raw(b"not gzip at all", {"Content-Encoding": "gzip"})))
    assert not result.ok and "gzip body is corrupt" in (result.error or "")


async def test_a_thousand_stacked_encodings_are_a_failed_fetch(server: FeedServer, fetcher: Fetcher) -> None:
    """Once a RecursionError that escaped the fetcher and failed the whole poll with a traceback."""
    stacked = Raw(b"", {"Content-Encoding": ",".join(["br"] * 1000), "Content-Type": "application/rss+xml"})
    result = await fetcher.fetch(server.route("/stacked", stacked))
    assert not result.ok and result.status_code == 200
    assert "1000 Content-Encoding layers" in (result.error or "")


@pytest.mark.parametrize("target", ["http://a..b/feed", "http://" + "a" * 70 + ".example/feed"])
async def test_a_redirect_to_a_host_name_idna_refuses_is_a_failed_fetch(server: FeedServer, fetcher: Fetcher,
                                                                        target: str) -> None:
    """The IDNA codec's UnicodeError once escaped the transport, and the fetcher, as a crash."""
    result = await fetcher.fetch(server.route("/odd", Redirect(target)))
    assert not result.ok and "not a valid host name" in (result.error or "")


@pytest.mark.parametrize("url", ["http://example.com:abc/", "http://exa\x00mple.com/", "http://example.com/\x7f",
                                 "http://" + "a" * 70_000 + ".example/"])
async def test_a_url_httpx_refuses_is_a_failed_fetch(fetcher: Fetcher, url: str) -> None:
    """httpx.InvalidURL is not an httpx.HTTPError: an article link like these once escaped the fetcher."""
    result = await fetcher.fetch(url)
    assert not result.ok and result.permanent and (result.error or "").startswith("not a valid URL")


async def test_per_host_and_global_limits(clock: FakeClock) -> None:
    active: dict[str, int] = {}
    peak: dict[str, int] = {}

    class Slow:
        async def __call__(self, request):
            active[request.host] = active.get(request.host, 0) + 1
            peak[request.host] = max(peak.get(request.host, 0), active[request.host])
            await asyncio.sleep(0.05)
            active[request.host] -= 1
            return await Feed(BODY)(request)

    hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    async with FeedServer(hosts=hosts) as server, Fetcher(config(per_host=2, concurrency=4), clock=clock) as f:
        server.route("/f", Slow())
        urls = [server.url("/f", host) for host in hosts for _ in range(6)]
        results = await asyncio.gather(*(f.fetch(u) for u in urls))
    assert all(r.ok for r in results)
    assert max(peak.values()) <= 2
    assert sum(peak.values()) >= 4  # hosts were served side by side


async def test_per_host_state_goes_with_the_last_request_to_the_host(clock: FakeClock) -> None:
    """Host slots and pauses were kept for every host ever fetched: thousands of article hosts
    meant thousands of semaphores that nothing would use again."""
    hosts = [f"127.0.0.{i}" for i in range(2, 22)]
    async with FeedServer(hosts=[*hosts, "127.0.0.22"]) as server, Fetcher(config(per_host=1), clock=clock) as f:
        server.route("/f", Feed(BODY))
        server.route("/busy", Status(429, headers={"Retry-After": "30"}))
        results = await asyncio.gather(*(f.fetch(server.url("/f", host)) for host in hosts for _ in range(3)))
        assert all(r.ok for r in results)
        assert f._hosts == {}
        for host in hosts:
            assert (await f.fetch(server.url("/busy", host))).throttled
        assert len(f._paused) == len(hosts) and f._hosts == {}
        clock.advance(timedelta(seconds=31))
        assert (await f.fetch(server.url("/busy", "127.0.0.22"))).throttled
        assert list(f._paused) == ["127.0.0.22"]  # the pauses that were over went with the next one


async def test_cookies_last_one_redirect_chain_and_are_not_kept(server: FeedServer, fetcher: Fetcher) -> None:
    """httpx kept every cookie every host set in the shared client, for as long as the bot ran."""
    from aiohttp import web

    async def wall(request: web.Request) -> web.StreamResponse:
        response = web.Response(status=302, headers={"Location": server.url("/walled")})
        response.set_cookie("consent", "yes")
        for i in range(50):
            response.set_cookie(f"tracker{i}", "x" * 20)
        return response

    async def walled(request: web.Request) -> web.StreamResponse:
        if request.cookies.get("consent") != "yes":
            return web.Response(status=403)
        return web.Response(body=BODY, content_type="application/rss+xml", headers={"Set-Cookie": "late=1"})

    server.route("/wall", wall)
    server.route("/walled", walled)
    first = await fetcher.fetch(server.url("/wall"))
    assert first.ok and first.body == BODY  # the cookie the wall set came along on its own redirect
    assert len(fetcher.client.cookies.jar) == 0
    again = await fetcher.fetch(server.url("/walled"))
    assert again.status_code == 403  # nothing from the last fetch was sent with this one


def test_header_helpers() -> None:
    import httpx

    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert retry_after(httpx.Headers({"Retry-After": "30"}), now) == timedelta(seconds=30)
    assert retry_after(httpx.Headers({"Retry-After": "999999999"}), now) == timedelta(days=2)
    assert retry_after(httpx.Headers({"Retry-After": "soon"}), now) is None
    assert retry_after(httpx.Headers({"Retry-After": "Tue, 10 Mar 2026 11:00:00 GMT"}), now) is None  # past
    assert max_age(httpx.Headers({"Cache-Control": "no-cache, max-age=60"})) is None
    assert max_age(httpx.Headers({"Cache-Control": 'max-age="60"'})) == timedelta(seconds=60)


async def test_local_files(tmp_path, fetcher: Fetcher) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(BODY)
    assert (await fetcher.fetch(str(path))).body == BODY
    assert (await fetcher.fetch(path.as_uri())).body == BODY
    missing = await fetcher.fetch(str(tmp_path / "nope.xml"))
    assert not missing.ok and missing.permanent
