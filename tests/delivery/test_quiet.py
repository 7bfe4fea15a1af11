"""Quiet hours in the channel's timezone, across midnight and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config.settings import ChannelConfig
from bot.delivery.quiet import is_quiet, quiet_until
from bot.errors import ConfigError
from tests.conftest import make_config


def channel(tmp_path: Path, quiet: str, tz: str = "America/New_York") -> ChannelConfig:
    config = make_config(f"channels:\n  - {{name: t, platform: console, timezone: {tz}, quiet_hours: '{quiet}'}}\n",
                         tmp_path)
    found = config.channel("t")
    assert found is not None
    return found


def test_a_window_across_midnight_in_the_channels_zone(tmp_path: Path) -> None:
    night = channel(tmp_path, "22:00-07:00")
    # New York is UTC-5 in January: 22:00 there is 03:00 UTC.
    assert not is_quiet(night, datetime(2026, 1, 15, 2, 59, tzinfo=UTC))
    assert is_quiet(night, datetime(2026, 1, 15, 3, 0, tzinfo=UTC))
    assert is_quiet(night, datetime(2026, 1, 15, 11, 59, tzinfo=UTC))
    assert not is_quiet(night, datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    assert quiet_until(night, datetime(2026, 1, 15, 4, 0, tzinfo=UTC)) == datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert quiet_until(night, datetime(2026, 1, 15, 13, 0, tzinfo=UTC)) is None


def test_daylight_saving_moves_the_window_in_utc(tmp_path: Path) -> None:
    night = channel(tmp_path, "22:00-07:00")
    # In July New York is UTC-4: quiet ends at 11:00 UTC.
    assert is_quiet(night, datetime(2026, 7, 15, 10, 59, tzinfo=UTC))
    assert not is_quiet(night, datetime(2026, 7, 15, 11, 0, tzinfo=UTC))


def test_a_daytime_window(tmp_path: Path) -> None:
    lunch = channel(tmp_path, "12:00-13:30", tz="UTC")
    assert is_quiet(lunch, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    assert is_quiet(lunch, datetime(2026, 3, 10, 13, 29, tzinfo=UTC))
    assert not is_quiet(lunch, datetime(2026, 3, 10, 13, 30, tzinfo=UTC))
    assert not is_quiet(lunch, datetime(2026, 3, 10, 11, 59, tzinfo=UTC))


@pytest.mark.parametrize("bad", ["25:00-07:00", "22:60-07:00", "07:00-07:00", "7-8"])
def test_bad_windows_are_config_errors(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError, match="quiet_hours"):
        channel(tmp_path, bad)
