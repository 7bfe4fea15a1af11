"""Value types the config accepts as text: durations, byte sizes, cron expressions, timezones."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DURATION_PATTERN = r"^\s*(\d+(\.\d+)?(ms|s|m|h|d|w)?)+\s*$"


def parse_duration(value: Any) -> timedelta:
    """'90s', '15m', '1h30m', '2d', '1w' or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("a duration such as 30s, 15m, 2h or 7d, not a boolean")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return timedelta(seconds=value)
    if not isinstance(value, str):
        raise ValueError("a duration such as 30s, 15m, 2h or 7d")
    text = value.strip().lower().replace(" ", "")
    match = _DURATION.match(text)
    if match:
        return timedelta(seconds=float(match[1]) * _UNITS[match[2] or "s"])
    parts = _DURATION_PART.findall(text)
    if parts and "".join(n + u for n, u in parts) == text:
        return timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in parts))
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


def parse_size(value: Any) -> int:
    """'10MB', '512KiB' or a number of bytes."""
    if isinstance(value, bool):
        raise ValueError("a size such as 10MB, not a boolean")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("a size must be positive")
        return value
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match:
            return int(float(match[1]) * _SIZE_UNITS[(match[2] or "b").lower()])
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
