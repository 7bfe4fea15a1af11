"""HTTP mode: an aiohttp server that Slack POSTs commands, events and interactivity to.

One path, `/slack/events`, for all three (set it as the Request URL of the slash commands, Event
Subscriptions and Interactivity). The signature is checked on the raw bytes before anything parses
them; a request that fails gets 401 and never reaches the app. The server keeps no state between
requests (answers go to each request's own `response_url`), so any number of instances can stand
behind a load balancer or reverse proxy. `GET /healthz` answers 200 for the balancer's checks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.commands import RECEIVED_AT
from adapters.slack.signing import SignatureVerifier
from bot.ops.web import request_log, without_banner

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # Slack's largest requests (interactivity with a whole message) are far smaller
# Connections waiting to be accepted. aiohttp's default (128) is too short for a burst of commands
# (a workspace-wide announcement, Slack's retries): the kernel then drops the extra connection
# attempts and each sender retries a whole second later, which alone can break the 3-second ack.
BACKLOG = 1024


class SlackHttpServer:
    def __init__(self, app: AsyncApp, verifier: SignatureVerifier, *, host: str, port: int) -> None:
        self.app = app
        self.verifier = verifier
        self.host = host
        self.port = port
        self.web = web.Application(client_max_size=MAX_BODY)
        self.web.router.add_post(EVENTS_PATH, self.events)
        self.web.router.add_get(HEALTH_PATH, self.health)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        self._runner = web.AppRunner(without_banner(self.web), access_log=None, logger=request_log(__name__))
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=BACKLOG)
        await site.start()
        self.port = int(self._runner.addresses[0][1])  # the real one when the config asked for 0
        log.info("Slack HTTP mode: listening on %s:%d%s", self.host, self.port, EVENTS_PATH)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def events(self, request: web.Request) -> web.Response:
        received_at = time.monotonic()  # the acknowledgement budget counts from here
        body = await request.read()
        problem = self.verifier.check_headers(body, request.headers)
        if problem is not None:
            log.warning("refused a request to %s from %s: %s", EVENTS_PATH, request.remote, problem)
            return web.json_response({"error": "invalid request"}, status=401)
        headers: dict[str, str | Sequence[str]] = {key: request.headers.getall(key) for key in request.headers}
        try:
            bolt_request = AsyncBoltRequest(body=body.decode("utf-8", "replace"), query=request.query_string,
                                            headers=headers, context={RECEIVED_AT: received_at})
        # A `payload=` that is not JSON, or JSON that is not an object: Bolt parses it eagerly and raises.
        except (ValueError, AttributeError, TypeError, KeyError) as error:
            log.warning("refused a signed request to %s that Slack would not send: %s", EVENTS_PATH,
                        type(error).__name__)
            return web.json_response({"error": "invalid request"}, status=400)
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    async def health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")
