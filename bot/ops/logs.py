"""Logging: readable lines on stderr by default, JSON lines when an operator asks for them."""

from __future__ import annotations

import json
import logging
import re
import sys
import textwrap
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.settings import Config, LoggingConfig

REDACTED = "[redacted]"
MIN_SECRET = 8  # shorter values are not credentials, and replacing them would garble every line


# What a terminal or a log viewer acts on instead of showing: C0 controls but tab (escape sequences,
# carriage returns that overwrite a line, NUL), DEL, C1 controls (0x9b starts a sequence on its own
# in some terminals, 0x85 is a line break to some viewers), the Unicode line and paragraph separators
# and the bidi overrides. Servers' reason phrases, header values and feed titles reach log lines.
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_IN_LINE = re.compile(f"[{_UNSAFE}\n]")
_UNSAFE_KEEPING_NEWLINES = re.compile(f"[{_UNSAFE}]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """Control characters spelled out (`\\x1b`, `\\r`, `\\u202e`), so they show instead of acting."""
    return (_UNSAFE_KEEPING_NEWLINES if keep_newlines else _UNSAFE_IN_LINE).sub(_escape, text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        # json escapes C0 controls itself; with ensure_ascii off it leaves DEL, C1 and the separators raw.
        return _UNSAFE_KEEPING_NEWLINES.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, ensure_ascii=False))


_MULTILINE = frozenset({"exc_text", "stack_info"})


class TextFormatter(logging.Formatter):
    """Readable lines that are one line each and cannot drive the terminal.

    The message (arguments included) and every text field (logger name, extra fields) are escaped
    whole, newlines too, so a server's text cannot start what looks like another log line. Then
    the finished line is escaped again, keeping the newlines a traceback or stack needs, which
    covers the exception text and fields that are not strings."""

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)  # a copy: other handlers see the record unchanged
        for key, value in vars(record).items():  # logger name, thread name, extra fields: one line each
            if isinstance(value, str) and key not in _MULTILINE:
                setattr(safe, key, escape_controls(value))
        safe.msg, safe.args = escape_controls(record.getMessage()), None
        if record.exc_info:
            safe.exc_text = self.formatException(record.exc_info)
        # Continuation lines are indented: an exception's text may hold newlines of its own, and
        # only a record's first line may start at the margin, where a reader expects a timestamp.
        for key in _MULTILINE:
            value = getattr(safe, key, None)
            if value:
                setattr(safe, key, textwrap.indent(value, "    "))
        return escape_controls(super().format(safe), keep_newlines=True)


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
        formatter = TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    handler.setFormatter(RedactingFormatter(formatter, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Third-party chatter stays at warnings unless debugging.
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic", "trafilatura", "htmldate", "discord", "slack_bolt"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose >= 3 else max(level, logging.WARNING))
