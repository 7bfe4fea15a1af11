"""Logging: JSON lines when `logging.json: true`, readable lines otherwise."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config.settings import LoggingConfig
from bot.ops.logs import JsonFormatter, setup_logging


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
