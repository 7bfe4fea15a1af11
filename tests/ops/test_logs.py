"""Logging: JSON lines when `logging.json: true`, readable lines otherwise."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config.settings import LoggingConfig
from bot.ops.logs import JsonFormatter, RedactingFormatter, TextFormatter, setup_logging


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def capture(config: LoggingConfig | None, verbose: int = 0) -> io.StringIO:
    setup_logging(config, verbose=verbose)
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    return stream


def test_json_lines_carry_time_level_logger_and_message() -> None:
    stream = capture(LoggingConfig.model_validate({"json": True, "level": "INFO"}))
    logging.getLogger("bot.ingest.poll").info("feed %s failed (%s)", "défense", "HTTP 503")
    logging.getLogger("bot.ingest.poll").debug("not shown at INFO")
    [line] = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["message"] == "feed défense failed (HTTP 503)"
    assert (record["level"], record["logger"]) == ("INFO", "bot.ingest.poll")
    assert record["time"].endswith("+00:00")
    assert "défense" in line  # UTF-8 kept readable, not \\u-escaped


def test_json_lines_include_the_exception() -> None:
    stream = capture(LoggingConfig.model_validate({"json": True}))
    try:
        raise ValueError("bad value\nsecond line")
    except ValueError:
        logging.getLogger("x").exception("it broke")
    [line] = stream.getvalue().splitlines()  # one line, however many lines the traceback has
    record = json.loads(line)
    assert record["level"] == "ERROR"
    assert "ValueError: bad value" in record["exception"] and "Traceback" in record["exception"]


def test_plain_lines_by_default() -> None:
    stream = capture(LoggingConfig())
    logging.getLogger("bot.app").warning("careful")
    line = stream.getvalue().strip()
    assert line.endswith("WARNING bot.app: careful")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_verbose_lowers_the_level_and_quiets_libraries() -> None:
    capture(LoggingConfig(level="WARNING"), verbose=1)
    assert logging.getLogger().level == logging.INFO
    assert logging.getLogger("httpx").level == logging.WARNING
    capture(LoggingConfig(level="WARNING"), verbose=2)
    assert logging.getLogger().level == logging.DEBUG


def test_formatter_alone() -> None:
    record = logging.LogRecord("n", logging.INFO, __file__, 1, "a %s", ("b",), None)
    assert json.loads(JsonFormatter().format(record))["message"] == "a b"


HOSTILE = "Gone\x1b[31m\x1b]0;owned\x07\r\n12:00:00 ERROR bot.app: forged\x00\x9b2J\u202eevil"


def _unsafe(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]


def test_text_lines_cannot_drive_the_terminal_or_forge_lines() -> None:
    """A server's reason phrase or a header value, in the message, in its arguments, in an extra
    field and in an exception, once reached the terminal raw."""
    capture(LoggingConfig(level="INFO"))
    wired = logging.getLogger().handlers[0].formatter
    assert isinstance(wired, RedactingFormatter) and isinstance(wired.inner, TextFormatter)
    # The same formatter with a format that shows an extra field as well.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter("%(levelname)s %(name)s: %(message)s [%(feed)s]"))
    logging.getLogger().handlers[:] = [handler]
    log = logging.getLogger("bot.http\x1b[2J")
    log.warning("HTTP 410 " + HOSTILE + " for %s (%r)", HOSTILE, HOSTILE, extra={"feed": HOSTILE})
    try:
        raise ValueError(HOSTILE)
    except ValueError:
        log.error("failed: %s", HOSTILE, exc_info=True, extra={"feed": "f"})
    text = stream.getvalue()
    assert _unsafe(text) == []
    lines = text.splitlines()
    assert lines[0].startswith("WARNING bot.http\\x1b[2J: HTTP 410 Gone\\x1b[31m\\x1b]0;owned\\x07\\r\\n12:00:00")
    assert lines[0].count("\\x9b2J\\u202eevil") == 4  # message, argument, repr'd argument, extra field
    # Only a record starts at the margin: nothing a message, a field or an exception carried does.
    assert [line for line in lines if not line.startswith(" ")] == [lines[0], lines[1]]
    assert lines[1].startswith("ERROR bot.http\\x1b[2J: failed: Gone\\x1b[31m") and lines[1].endswith("evil [f]")
    assert "    Traceback (most recent call last):" in lines  # the traceback keeps its own lines, indented
    assert any("ValueError: Gone\\x1b[31m" in line for line in lines)


def test_json_lines_escape_every_control_character() -> None:
    stream = capture(LoggingConfig.model_validate({"json": True}))
    logging.getLogger("x").warning("reason %s", HOSTILE)
    [line] = stream.getvalue().splitlines()
    assert _unsafe(line) == []
    assert json.loads(line)["message"] == "reason " + HOSTILE  # escaped on the wire, intact when read
