"""Logging: readable lines on stderr by default, JSON lines when an operator asks for them."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.settings import Config, LoggingConfig

REDACTED = "[redacted]"
MIN_SECRET = 8  # shorter values are not credentials, and replacing them would garble every line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class RedactingFormatter(logging.Formatter):
    """Any formatter, with the config's secrets cut out of every finished line.

    sitrep's own messages never name a token, but libraries do what they do at debug level (httpx
    logs every request URL, and a webhook URL is its own credential; an exception's text may quote
    a connection string). Redacting the formatted line covers the message, its arguments, the
    traceback and the JSON around them alike.
    """

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(self.inner.format(record))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


def secret_values(config: Config) -> list[str]:
    """Every credential in a loaded config: tokens, the signing secret, webhook URLs (and the part
    after the host, which is what makes them secret), and a database password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    found: list[str] = []
    if config.slack is not None:
        found += [s.get_secret_value() for s in (config.slack.bot_token, config.slack.app_token,
                                                  config.slack.signing_secret) if s is not None]
    if config.discord is not None:
        found.append(config.discord.token.get_secret_value())
    for channel in config.channels:
        if channel.target is not None and channel.platform.value.endswith("-webhook"):
            url = channel.target.get_secret_value()
            found += [url, url.split("://", 1)[-1].partition("/")[2]]
    if config.storage.url:
        try:
            password = make_url(config.storage.url).password
        except (ArgumentError, ValueError):
            password = None
        if password:
            found.append(str(password))
    return [value for value in found if value]


def setup_logging(config: LoggingConfig | None, *, verbose: int = 0, secrets: Iterable[str] = ()) -> None:
    level = logging.WARNING
    if config is not None:
        level = getattr(logging, config.level)
    if verbose == 1:
        level = min(level, logging.INFO)
    elif verbose >= 2:
        level = logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    if config is not None and config.json_format:
        formatter: logging.Formatter = JsonFormatter()
    else:
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    handler.setFormatter(RedactingFormatter(formatter, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Third-party chatter stays at warnings unless debugging.
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic", "trafilatura", "htmldate", "discord", "slack_bolt"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose >= 3 else max(level, logging.WARNING))
