"""The running Slack app: a slack-bolt AsyncApp in Socket Mode or HTTP mode, answering commands.

Socket Mode (`slack.mode: socket`) opens a WebSocket to Slack with the app-level token: no public
URL, nothing to expose, the right choice for most teams. HTTP mode (`slack.mode: http`) listens on
`slack.host:slack.port` for Slack's POSTs, for deployments that prefer plain HTTPS behind a proxy.
Both feed the same AsyncApp, so commands behave identically.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import AsyncSingleTeamAuthorization
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.admins import AdminDirectory
from adapters.slack.commands import ACK_BUDGET, SlackCommands
from adapters.slack.server import SlackHttpServer
from adapters.slack.signing import SignatureVerifier
from bot.clock import Clock
from bot.errors import SitrepError

if TYPE_CHECKING:
    from bot.app import Sitrep
    from bot.config.settings import SlackConfig

log = logging.getLogger(__name__)


def web_client(config: SlackConfig) -> AsyncWebClient:
    """The Web API client, pointed at `slack.api_url` (Slack's own, a proxy, or a test's fake)."""
    return AsyncWebClient(token=config.bot_token.get_secret_value(), base_url=config.api_url, timeout=30)


def build_app(core: Sitrep, config: SlackConfig, *, client: AsyncWebClient, clock: Clock,
              ack_budget: float = ACK_BUDGET) -> tuple[AsyncApp, SlackCommands]:
    """The bolt app with sitrep's commands registered.

    Bolt's own signature check is off because it cannot take our clock and parses before it
    checks; HTTP mode verifies every request on its raw bytes first (server.py), and Socket Mode
    needs no signatures (the WebSocket is opened with the app token). Listeners acknowledge and
    return, leaving slow work to tasks of their own (commands.py), so bolt answers Slack as soon as
    a listener returns (`process_before_response`) instead of polling for the acknowledgement.
    """
    app = AsyncApp(client=client, signing_secret="", request_verification_enabled=False,
                   process_before_response=True, name="sitrep", logger=logging.getLogger("adapters.slack.bolt"))
    commands = SlackCommands(core, AdminDirectory(config.admins, client=client, clock=clock), ack_budget=ack_budget)
    commands.register(app)
    return app, commands


class SlackAdapter:
    name = "slack"

    def __init__(self, core: Sitrep, *, config: SlackConfig | None = None, client: AsyncWebClient | None = None,
                 clock: Clock | None = None, ack_budget: float = ACK_BUDGET) -> None:
        config = config or core.config.slack
        if config is None:
            raise SitrepError("Slack is not configured: add a slack: section with bot_token (see docs/slack.md)")
        self.core = core
        self.config = config
        self.clock = clock or core.clock
        self.client = client or web_client(config)
        self.app, self.commands = build_app(core, config, client=self.client, clock=self.clock,
                                            ack_budget=ack_budget)
        self.server: SlackHttpServer | None = None
        self.socket: AsyncSocketModeHandler | None = None

    @property
    def port(self) -> int | None:
        """HTTP mode: the port actually listened on."""
        return self.server.port if self.server else None

    async def start(self) -> None:
        share_identity(self.app, await self._check_token())
        if self.config.mode == "http":
            assert self.config.signing_secret is not None, "the config model requires it in http mode"
            verifier = SignatureVerifier(self.config.signing_secret.get_secret_value(), clock=self.clock)
            self.server = SlackHttpServer(self.app, verifier, host=self.config.host, port=self.config.port)
            await self.server.start()
            return
        assert self.config.app_token is not None, "the config model requires it in socket mode"
        self.socket = AsyncSocketModeHandler(self.app, app_token=self.config.app_token.get_secret_value(),
                                             web_client=self.client)
        await self.socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack Socket Mode: connected")

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
            self.socket = None
        if self.server is not None:
            await self.server.stop()
            self.server = None
        await self.commands.drain()

    async def _check_token(self) -> AsyncSlackResponse:
        """Fail at start, with the reason, rather than on the first command."""
        try:
            identity = await self.client.auth_test()
        except SlackApiError as error:
            raise SitrepError(f"Slack refused the bot token: {error.response.get('error')}") from None
        except (SlackClientError, aiohttp.ClientError, OSError) as error:
            raise SitrepError(f"cannot reach the Slack Web API at {self.config.api_url}: {error}") from None
        log.info("Slack: signed in as %s in %s", identity.get("user"), identity.get("team"))
        return identity


def share_identity(app: AsyncApp, identity: AsyncSlackResponse) -> None:
    """Hand bolt the auth.test answer the start already got.

    bolt's single-workspace authorization calls auth.test on the first request it sees, and again
    for every request that arrives before that first answer: a burst of commands just after a start
    cost one auth.test each, and Slack rate-limits that method.
    """
    for middleware in getattr(app, "_async_middleware_list", []):
        if isinstance(middleware, AsyncSingleTeamAuthorization) and middleware.auth_test_result is None:
            middleware.auth_test_result = identity
