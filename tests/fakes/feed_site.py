"""A tiny loopback site serving one RSS feed and one HTML page, for tests that subscribe to a feed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbor Defense Notes</title>
<item><title>Drone trials at the harbor</title><link>https://harbor.example/1</link></item>
<item><title>Radar upgrade</title><link>https://harbor.example/2</link></item></channel></rss>"""


@asynccontextmanager
async def feed_site() -> AsyncIterator[str]:
    """Serve /feed.xml (a feed) and /page.html (not a feed); yields the base URL."""

    async def feed(request: web.Request) -> web.Response:
        return web.Response(body=RSS, content_type="application/rss+xml")

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html><body><p>Not a feed</p></body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/page.html", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
