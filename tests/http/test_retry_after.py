"""One Retry-After reading for feeds, webhooks and chat APIs: seconds, fractions, dates, caps and junk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.http.retry_after import MAX_SERVER_DELAY, first_delay, parse_delay, rate_limit_delay

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "expected"), [
    ("30", timedelta(seconds=30)),
    (" 2.5 ", timedelta(seconds=2.5)),  # Discord's fractional seconds
    (7, timedelta(seconds=7)),
    ("Tue, 10 Mar 2026 12:10:00 GMT", timedelta(minutes=10)),
    ("999999999", MAX_SERVER_DELAY),
    ("9" * 400, None),  # longer than any honest value: not parsed at all, no OverflowError
    ("1e400", None),  # infinity is not a delay
    ("nan", None),
    ("-5", None),
    ("0", None),
    ("Tue, 10 Mar 2026 11:00:00 GMT", None),  # in the past
    ("Tue, 10 Mar 2026 11:00:00", None),  # a date without a zone is not an HTTP-date
    ("soon", None),
    ("", None),
    (None, None),
    (True, None),
])
def test_parse_delay_reads_what_servers_send(value: object, expected: timedelta | None) -> None:
    assert parse_delay(value, NOW) == expected


def test_a_date_far_ahead_is_capped() -> None:
    assert parse_delay("Fri, 01 Jan 9999 00:00:00 GMT", NOW) == MAX_SERVER_DELAY


def test_first_readable_value_wins() -> None:
    assert first_delay([None, "junk", "4"], NOW) == timedelta(seconds=4)


def test_rate_limits_prefer_the_body_then_the_headers() -> None:
    headers = httpx.Headers({"Retry-After": "9", "X-RateLimit-Reset-After": "3.5"})
    assert rate_limit_delay(headers, {"retry_after": 1.25}, NOW) == timedelta(seconds=1.25)
    assert rate_limit_delay(headers, {"message": "slow down"}, NOW) == timedelta(seconds=9)
    assert rate_limit_delay(httpx.Headers({"X-RateLimit-Reset-After": "3.5"}), None, NOW) == timedelta(seconds=3.5)
    assert rate_limit_delay({"Retry-After": "12"}, None, NOW) == timedelta(seconds=12)  # a plain dict (slack_sdk)
    assert rate_limit_delay(None, [1, 2], NOW) is None


@given(st.text(max_size=500) | st.integers() | st.floats(allow_nan=True))
def test_parse_delay_never_raises_and_stays_in_bounds(value: object) -> None:
    delay = parse_delay(value, NOW)
    assert delay is None or timedelta(0) < delay <= MAX_SERVER_DELAY
