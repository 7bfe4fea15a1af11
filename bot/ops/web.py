"""What every aiohttp.web server of sitrep shares: the health endpoint and Slack's HTTP mode.

A malformed request is the client's fault: aiohttp answers it 400 by itself but logs a traceback
at ERROR, which lets anyone who can reach the port fill the operator's log with alarms. Here such
requests are logged on one DEBUG line; real failures keep their traceback. Responses carry no
`Server` banner naming the library and Python versions.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any, cast

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError


class _RequestLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    def exception(self, msg: object, *args: object, exc_info: Any = True, **kwargs: Any) -> None:
        if isinstance(exc_info, HttpProcessingError):
            self.debug("refused a malformed request (%s): %s", exc_info.code, str(exc_info.message)[:200])
            return
        super().exception(msg, *args, exc_info=exc_info, **kwargs)

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        return msg, kwargs


def request_log(name: str) -> logging.Logger:
    """The `logger` to give an aiohttp AppRunner (it only ever calls `exception` and `debug` on it)."""
    return cast(logging.Logger, _RequestLog(logging.getLogger(name), {}))


async def _without_banner(_: web.Request, response: web.StreamResponse) -> None:
    response.headers.popall("Server", None)


def without_banner(app: web.Application) -> web.Application:
    app.on_response_prepare.append(_without_banner)
    return app
