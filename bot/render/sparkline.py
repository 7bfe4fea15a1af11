"""Sparklines: a row of counts as block characters, the shape of a trend in one line of text."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int]) -> str:
    """One character per value, scaled to the largest; zero is the lowest bar and anything above
    zero is at least one step higher, so a single mention never looks like none."""
    top = max(values, default=0)
    if top <= 0:
        return BARS[0] * len(values)
    steps = len(BARS) - 2
    return "".join(BARS[0] if v <= 0 else BARS[1 + round(min(v, top) / top * steps)] for v in values)
