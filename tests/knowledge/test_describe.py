"""How a role reads in the one-line description of a person."""

from __future__ import annotations

import pytest

from bot.knowledge.describe import _role_phrase


@pytest.mark.parametrize(("title", "org", "phrase"), [
    ("head of robotics", "OpenAI", "OpenAI's head of robotics"),
    ("chief executive", "Tidewater Robotics", "Tidewater Robotics' chief executive"),
    ("member", "European Parliament", "member of the European Parliament"),
    ("board member", "Anduril", "board member of Anduril"),
    ("Rear Admiral", None, "Rear Admiral"),
    ("Secretary", "Department of Defense", "Secretary of Defense"),
    ("Minister", "Ministry of Defence", "Minister of Defence"),
])
def test_role_phrases_read_the_way_a_reporter_writes_them(title: str, org: str | None, phrase: str) -> None:
    assert _role_phrase(title, org) == phrase
