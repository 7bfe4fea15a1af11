"""Text fields given values YAML reads as numbers, booleans or dates: taken as written, not refused.

`name: 500` is an integer to YAML and `name: no` a boolean; an operator who wrote them meant a feed
called "500" and a topic called "no". Where the schema wants text, the value is taken exactly as it
was written (`007` stays "007", `1.10` stays "1.10"); where it wants a number, nothing changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, parse_config
from bot.errors import ConfigError


def load(text: str) -> Config:
    return parse_config(text, path=Path("test.yaml"), env={})


def test_a_feed_named_with_a_number_is_that_text() -> None:
    config = load("feeds:\n  - name: 500\n    url: five-hundred.xml\n  - name: 007\n    url: b.xml\n"
                  "  - name: 1.10\n    url: c.xml\n  - name: 2026-03-10\n    url: d.xml\n")
    assert [f.name for f in config.feeds] == ["500", "007", "1.10", "2026-03-10"]


def test_other_text_fields_take_numbers_booleans_and_dates_as_written() -> None:
    config = load("""
topics:
  2026:
    description: 1
    any: [2026, NDAA]
    all: [[2025, 2026], 1.10]
    none: [no]
  yes:
    any: [on]
feeds:
  - {name: wire, url: 12345, topics: [2026, yes]}
channels:
  - {name: 42, platform: discord, target: 645027906669510667, topics: [2026]}
nlp: {model: 3}
discord: {token: 1234567890}
""")
    assert set(config.topics) == {"2026", "yes"}
    assert config.topics["2026"].any == ["2026", "NDAA"]
    assert config.topics["2026"].none == ["no"]
    assert config.topics["2026"].all == [["2025", "2026"], "1.10"]
    assert config.topics["2026"].description == "1"
    assert config.topics["yes"].any == ["on"]
    assert (config.feeds[0].url, config.feeds[0].topics) == ("12345", ["2026", "yes"])
    channel = config.channels[0]
    assert channel.name == "42" and channel.target is not None
    assert channel.target.get_secret_value() == "645027906669510667"  # a Discord channel ID, digit for digit
    assert config.nlp.model == "3"
    assert config.discord is not None and config.discord.token.get_secret_value() == "1234567890"


def test_numbers_stay_numbers_and_real_mistakes_are_still_errors() -> None:
    config = load("feeds:\n  - {name: a, url: a.xml, weight: 2}\nchannels:\n"
                  "  - {name: c, platform: console, max_items: 5}\n")
    assert config.feeds[0].weight == 2 and config.channels[0].max_items == 5
    with pytest.raises(ConfigError) as error:  # a list is not a name, however it is written
        load("feeds:\n  - name: [a, b]\n    url: a.xml\n")
    assert (error.value.line, error.value.key) == (2, "feeds[0].name")
    with pytest.raises(ConfigError) as empty:  # nothing written is not the text "null"
        load("feeds:\n  - name: null\n    url: a.xml\n")
    assert empty.value.key == "feeds[0].name"
