"""Splitting rendered text to limits: cut at spaces, measured after escaping, nothing dropped."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.safety import slack_escape
from bot.render.split import pack, pack_groups, shorten, split_raw, units


def test_units_counts_utf16() -> None:
    assert units("abc") == 3
    assert units("😀") == 2


def test_split_prefers_spaces() -> None:
    assert split_raw("aaa bbb ccc ddd eee", 16) == ["aaa bbb ccc ddd", "eee"]


def test_split_measures_after_escaping() -> None:
    pieces = split_raw("& & & &", 17, slack_escape)
    assert pieces == ["&amp; &amp; &amp;", "&amp;"]
    assert " ".join(pieces) == slack_escape("& & & &")


def test_a_word_longer_than_the_limit_is_cut_not_dropped() -> None:
    pieces = split_raw("x" * 40, 16)
    assert pieces == ["x" * 16, "x" * 16, "x" * 8]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.integers(16, 60))
def test_split_loses_nothing_and_respects_the_limit(raw: str, limit: int) -> None:
    raw = " ".join(raw.split())
    pieces = split_raw(raw, limit, slack_escape)
    assert all(units(p) <= limit for p in pieces)
    assert "".join(pieces).replace(" ", "") == slack_escape(raw).replace(" ", "")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=20), max_size=30), st.integers(40, 80))
def test_pack_keeps_order_and_limit(lines: list[str], limit: int) -> None:
    chunks = pack(lines, limit)
    assert all(units(c) <= limit for c in chunks)
    assert "\n".join(chunks) == "\n".join(lines)


def test_shorten_cuts_at_a_word_with_an_ellipsis() -> None:
    assert shorten("alpha beta gamma delta", 14) == "alpha beta…"
    assert units(shorten("😀" * 300, 256)) <= 256
    assert shorten("short", 10) == "short"


def test_pack_groups_keeps_a_group_together_when_it_fits_a_fresh_message() -> None:
    groups = [["aa", "bb"], ["ccc", "dd"], ["e"]]
    assert pack_groups(groups, size=len, max_items=3, max_size=8) == [["aa", "bb"], ["ccc", "dd", "e"]]


def test_pack_groups_splits_only_a_group_bigger_than_a_message() -> None:
    groups = [["x"], ["a", "b", "c", "d", "e"]]
    packed = pack_groups(groups, size=len, max_items=2, max_size=100, first=["H"])
    assert packed == [["H", "x"], ["a", "b"], ["c", "d"], ["e"]]
    assert [p for m in packed for p in m] == ["H", "x", "a", "b", "c", "d", "e"]  # order kept, nothing lost
