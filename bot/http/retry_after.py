"""When a server asks to be left alone: one reading of Retry-After for feeds, webhooks and chat APIs.

RFC 9110 allows delay-seconds or an HTTP-date; Discord also sends fractional seconds, in the
header, in `X-RateLimit-Reset-After` and in the JSON body's `retry_after`. Whatever the source, the
answer is capped, so a typo (or a hostile server) cannot park a feed or a channel for years, and a
value too large for a timedelta is the cap, not an OverflowError.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

MAX_SERVER_DELAY = timedelta(days=2)  # a Retry-After or max-age beyond this is treated as this
_MAX_TEXT = 64  # no honest delay or date is longer; longer values are not parsed at all


def parse_delay(value: Any, now: datetime, *, cap: timedelta = MAX_SERVER_DELAY) -> timedelta | None:
    """One Retry-After value as a delay from `now`: seconds (fractions allowed) or an HTTP-date.

    None when there is no value or it cannot be read; a date in the past is no delay (None too, so
    callers fall back to their own backoff rather than hammering at once).
    """
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or len(text) > _MAX_TEXT:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            return None
        delay = when - now
    else:
        if not math.isfinite(seconds) or seconds < 0:
            return None
        delay = cap if seconds >= cap.total_seconds() else timedelta(seconds=seconds)
    return min(delay, cap) if delay > timedelta(0) else None


def first_delay(values: Iterable[Any], now: datetime, *, cap: timedelta = MAX_SERVER_DELAY) -> timedelta | None:
    """The first readable delay among several places a platform may have put it."""
    for value in values:
        delay = parse_delay(value, now, cap=cap)
        if delay is not None:
            return delay
    return None


def rate_limit_delay(headers: Mapping[str, str] | None, body: Any, now: datetime, *,
                     cap: timedelta = MAX_SERVER_DELAY) -> timedelta | None:
    """A 429's wait: the JSON body's `retry_after` (Discord), else Retry-After, else X-RateLimit-Reset-After."""
    found = headers or {}
    return first_delay([body.get("retry_after") if isinstance(body, dict) else None,
                        found.get("retry-after") or found.get("Retry-After"),
                        found.get("x-ratelimit-reset-after") or found.get("X-RateLimit-Reset-After")], now, cap=cap)
