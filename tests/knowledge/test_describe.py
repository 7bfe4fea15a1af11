"""How a role reads in the one-line description of a person."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.knowledge.describe import _role_phrase, group_roles
from bot.store.knowledge_repo import RoleRow


@pytest.mark.parametrize(("title", "org", "phrase"), [
    ("head of robotics", "OpenAI", "OpenAI's head of robotics"),
    ("chief executive", "Tidewater Robotics", "Tidewater Robotics' chief executive"),
    ("member", "European Parliament", "member of the European Parliament"),
    ("board member", "Anduril", "board member of Anduril"),
    ("Rear Admiral", None, "Rear Admiral"),
    ("Secretary", "Department of Defense", "Secretary of Defense"),
    ("Minister", "Ministry of Defence", "Minister of Defence"),
    # a title that already names its body is said as written
    ("Defense Secretary", "Department of Defense", "Defense Secretary"),
    ("Secretary of State", "Department of State", "Secretary of State"),
    ("Director of National Intelligence", "National Intelligence", "Director of National Intelligence"),
    ("Chief of Staff", "White House", "White House's Chief of Staff"),
    # a body and no post: where they work
    ("employee", "Kestrel Financial", "at Kestrel Financial"),
])
def test_role_phrases_read_the_way_a_reporter_writes_them(title: str, org: str | None, phrase: str) -> None:
    assert _role_phrase(title, org) == phrase


def test_a_title_written_with_its_body_and_without_is_one_role() -> None:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [RoleRow("Defense Secretary", "Department of Defense", False, day, "s1", "", None),
            RoleRow("Secretary of Defense", "Department of Defense", False, day, "s2", "", None),
            RoleRow("Secretary", "Department of Defense", False, day, "s3", "", None),
            RoleRow("Secretary", "Department of War", False, day, "s4", "", None)]
    groups = group_roles(rows)
    assert sorted((g.org, g.stories) for g in groups) == [("Department of Defense", 3), ("Department of War", 1)]
