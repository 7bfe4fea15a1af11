"""Quiet hours: a daily window, in the channel's own timezone, when it gets no alerts and its
digests wait. "22:00-07:00" wraps past midnight; daylight-saving changes are the zone's business."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config.settings import ChannelConfig


def window(channel: ChannelConfig) -> tuple[time, time] | None:
    if not channel.quiet_hours:
        return None
    start, end = (_clock_time(part) for part in channel.quiet_hours.split("-"))
    return start, end


def _clock_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def is_quiet(channel: ChannelConfig, when: datetime) -> bool:
    """Whether `when` (any timezone) falls in the channel's quiet hours."""
    span = window(channel)
    if span is None:
        return False
    start, end = span
    local = when.astimezone(ZoneInfo(channel.timezone)).time()
    return start <= local < end if start < end else (local >= start or local < end)


def quiet_until(channel: ChannelConfig, when: datetime) -> datetime | None:
    """When the quiet hours around `when` end (None if `when` is not quiet), as an aware datetime."""
    span = window(channel)
    if span is None or not is_quiet(channel, when):
        return None
    zone = ZoneInfo(channel.timezone)
    local = when.astimezone(zone)
    end = datetime.combine(local.date(), span[1], tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), span[1], tzinfo=zone)
    return end
