"""Logging: readable lines on stderr by default, JSON lines when an operator asks for them."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.models import LoggingConfig


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def setup_logging(config: LoggingConfig | None, *, verbose: int = 0) -> None:
    level = logging.WARNING
    if config is not None:
        level = getattr(logging, config.level)
    if verbose == 1:
        level = min(level, logging.INFO)
    elif verbose >= 2:
        level = logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    if config is not None and config.json_format:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Third-party chatter stays at warnings unless debugging.
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic", "trafilatura", "htmldate", "discord", "slack_bolt"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose >= 3 else max(level, logging.WARNING))
