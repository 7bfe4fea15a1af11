"""Value types the config accepts as text: durations, byte sizes, cron expressions, timezones."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DURATION_PATTERN = r"^\s*(\d+(\.\d+)?(ms|s|m|h|d|w)?)+\s*$"
MAX_DURATION = timedelta(days=36500)  # a century: longer is a typo, and timedelta overflows not far beyond


def parse_duration(value: Any) -> timedelta:
    """'90s', '15m', '1h30m', '2d', '1w' or a number of seconds."""
    duration = _duration(value)
    if duration > MAX_DURATION:
        raise ValueError(f"{value!r} is longer than a century; write e.g. 30s, 15m, 2h, 7d or 1h30m")
    return duration


def _seconds(value: float) -> timedelta:
    # Infinity, NaN and huge numbers would escape as OverflowError, which pydantic does not turn into
    # a config error; they are refused here as the nonsense they are.
    if not math.isfinite(value) or value > MAX_DURATION.total_seconds():
        raise ValueError(f"{value!r} is not a usable duration; write e.g. 30s, 15m, 2h, 7d or 1h30m")
    return timedelta(seconds=value)


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("a duration such as 30s, 15m, 2h or 7d, not a boolean")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return _seconds(value)
    if not isinstance(value, str):
        raise ValueError("a duration such as 30s, 15m, 2h or 7d")
    text = value.strip().lower().replace(" ", "")
    match = _DURATION.match(text)
    if match:
        return _seconds(float(match[1]) * _UNITS[match[2] or "s"])
    parts = _DURATION_PART.findall(text)
    if parts and "".join(n + u for n, u in parts) == text:
        return _seconds(sum(float(n) * _UNITS[u] for n, u in parts))
    raise ValueError(f"{value!r} is not a duration; write e.g. 30s, 15m, 2h, 7d or 1h30m")


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": ["string", "number"], "pattern": DURATION_PATTERN,
                    "description": "A duration: 30s, 15m, 2h, 7d, 1h30m, or seconds"}),
]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


MAX_SIZE = 1 << 40  # a terabyte: beyond any body or page sitrep should hold in memory


def parse_size(value: Any) -> int:
    """'10MB', '512KiB' or a number of bytes."""
    if isinstance(value, bool):
        raise ValueError("a size such as 10MB, not a boolean")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("a size must be positive")
        if value > MAX_SIZE:
            raise ValueError(f"{value!r} is larger than any size sitrep can use")
        return value
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match:
            size = float(match[1]) * _SIZE_UNITS[(match[2] or "b").lower()]
            if not math.isfinite(size) or size > MAX_SIZE:
                raise ValueError(f"{value!r} is larger than any size sitrep can use")
            if size < 1:
                raise ValueError("a size must be positive")
            return int(size)
    raise ValueError(f"{value!r} is not a size; write e.g. 10MB, 512KiB or a number of bytes")


ByteSize = Annotated[
    int,
    BeforeValidator(parse_size),
    WithJsonSchema({"type": ["string", "integer"], "description": "A size: 10MB, 512KiB, or bytes"}),
]


def cron_trigger(expression: str, timezone: Any = None) -> Any:
    """The APScheduler trigger for a crontab line: five fields (minute hour day month weekday), or six
    with a leading seconds field for schedules finer than a minute (e.g. `*/20 * * * * *`)."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) == 6:
        second, minute, hour, day, month, weekday = fields
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=weekday,
                           timezone=timezone)
    return CronTrigger.from_crontab(expression, timezone=timezone)


def check_cron(value: Any) -> str:
    """A crontab line (five fields, or six with seconds first), checked by the scheduler that will run it."""
    if not isinstance(value, str):
        raise ValueError("a cron expression such as '0 8 * * 1-5'")
    try:
        cron_trigger(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a valid cron expression ({error})") from None
    return value


Cron = Annotated[
    str,
    BeforeValidator(check_cron),
    WithJsonSchema({"type": "string", "description": "Five-field cron: minute hour day month weekday "
                    "(or six, with seconds first)",
                    "examples": ["0 8 * * *", "0 8,17 * * 1-5"]}),
]


def check_timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("an IANA timezone such as Europe/Berlin")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a known timezone; use an IANA name like America/New_York") from None
    return value


TimeZoneName = Annotated[
    str,
    BeforeValidator(check_timezone),
    WithJsonSchema({"type": "string", "description": "IANA timezone name", "examples": ["UTC", "Europe/Berlin"]}),
]


# --- topic terms -------------------------------------------------------------------------------------

REGEX_MAX_MEM = 8 << 20  # RE2's memory budget per pattern: a pattern needing more is refused, not run
MAX_TERM = 1000  # characters in one topic term or regex


def is_regex_term(term: str) -> bool:
    return len(term) > 2 and term.startswith("/") and term.endswith("/")


def compile_regex(term: str) -> Any:
    """A `/…/` topic term compiled by RE2 (linear time, bounded memory); ValueError if RE2 refuses it."""
    import re2

    options = re2.Options()
    options.max_mem = REGEX_MAX_MEM
    options.log_errors = False  # RE2 would print the pattern on stderr, past sitrep's logging and its redaction
    try:
        return re2.compile(term[1:-1], options)
    except re2.error as error:
        reason = error.args[0] if error.args else "invalid"
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise ValueError(f"{term!r} is not a regular expression RE2 accepts ({reason})") from None


def check_term(value: Any) -> Any:
    """A topic term: text of a sensible length; a `/…/` term must compile, so a typo stops the config
    check instead of the bot at its first poll."""
    if isinstance(value, str):
        if len(value) > MAX_TERM:
            raise ValueError(f"a topic term is at most {MAX_TERM} characters")
        if is_regex_term(value.strip()):
            compile_regex(value.strip())
    return value
