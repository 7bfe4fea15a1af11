"""Fuzzing the topic rules: random rule sets against random and hostile texts.

A rule set either fails validation (a config error) or compiles, and matching any text with it
returns a result without raising. Time stays bounded on hostile text: regex terms run on RE2 (no
backtracking), and phrase terms are built so that their separators cannot backtrack either.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.config.presets import BUILTIN_TOPICS
from bot.config.settings import TopicConfig
from bot.ingest.topics import MAX_TEXT, TermSet, TopicFilter
from tests.fakes.digests import HOSTILE

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_TERMS = st.one_of(
    st.sampled_from(["AI", "DoD", "drone", "drones", "drone swarm", "A.I.", "U.S. - China", "People's Army",
                     "-", "- -", "--", "/", "//", "///", "/(a+)+$/", "/(x|x)*y/", "/[/", "/\\b\\w+\\b/", "/a*/",
                     "/(?i)drone/", "/\\p{Han}+/", "/.{1000}/", "NATO", "F-35", "e-mail", "C++", "\\", "(", "[",
                     "*", "?", "+", "", " ", "\u200b", "é", "ß", "İ", "ﬁ", "😀"]),
    st.text(max_size=20),
)
_TEXTS = st.one_of(
    st.text(max_size=300),
    st.sampled_from(HOSTILE),
    st.builds(lambda a, k: a * k, st.sampled_from(["a", " -", "- ", "x" * 7, "AI ", "İ", "ﬁ", "\u0301"]),
              st.integers(0, 3000)),
)


@st.composite
def topics(draw: st.DrawFn) -> dict[str, object]:
    entry = st.one_of(_TERMS, st.lists(_TERMS, max_size=4))
    return {"any": draw(st.lists(_TERMS, max_size=5)), "all": draw(st.lists(entry, max_size=3)),
            "none": draw(st.lists(_TERMS, max_size=3)), "ignore": draw(st.lists(_TERMS, max_size=3)),
            "fields": draw(st.lists(st.sampled_from(["title", "summary", "text"]), min_size=1, max_size=3,
                                    unique=True))}


@SETTINGS
@given(topics(), _TEXTS, _TEXTS, _TEXTS)
@example({"any": ["/(/"]}, "", "", "")
@example({"any": ["U.S. - China"]}, "U.S." + " -" * 3000, "", "x")
@example({"any": ["-"], "ignore": ["- -"]}, "a - b", "", "")
@example({"any": ["İ"], "ignore": ["i̇"]}, "İİİ", "", "")  # case folding that changes length
@example({"any": ["ﬁ"], "all": [["/a*/"]]}, "ﬁnal", "", "")
def test_random_rules_on_random_text(rules: dict[str, object], title: str, summary: str, text: str) -> None:
    try:
        config = TopicConfig.model_validate(rules)
    except ValidationError:
        return
    result = TopicFilter({"t": config}).match(title=title, summary=summary, text=text)
    assert [m.topic for m in result] == ["t"]
    assert all(isinstance(reason, str) for m in result for reason in m.reasons)


@SETTINGS
@given(_TEXTS)
def test_the_built_in_topics_on_random_text(text: str) -> None:
    result = TopicFilter(BUILTIN_TOPICS).match(title=text[:200], summary=text, text=text)
    assert len(result) == len(BUILTIN_TOPICS)


@pytest.mark.timeout(30)  # a hang guard, not a speed target: backtracking here took minutes
@pytest.mark.parametrize(("term", "text"), [
    ("U.S. - China", "U.S." + " -" * (MAX_TEXT // 2)),
    ("A.I. - driven - systems", "A.I." + " - " * (MAX_TEXT // 3)),
    ("/(a+)+$/", "a" * MAX_TEXT + "!"),
    ("/(x|x)*y/", "x" * MAX_TEXT),
    ("/(.*a){20}/", "a" * MAX_TEXT),
])
def test_pathological_terms_finish_on_the_longest_text(term: str, text: str) -> None:
    TermSet([term]).found(text)
    TopicFilter({"t": TopicConfig(any=[term])}).match(title="", summary="", text=text * 3)


def test_phrases_still_match_across_spaces_and_hyphens() -> None:
    assert TermSet(["U.S. - China"]).found("the U.S.-China talks") == ["U.S. - China"]
    assert TermSet(["A.I. systems"]).found("A.I.  -  systems") == ["A.I. systems"]
    assert TermSet(["-"]).found("a - b") == ["-"] and TermSet(["-"]).found("a b") == []
