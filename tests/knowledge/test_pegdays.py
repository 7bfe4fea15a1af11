"""The day a report's news happened, from how its lead dates it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.knowledge.pegdays import mentions, peg_days

# A Thursday.
PUBLISHED = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


def test_weekdays_point_at_the_latest_such_day_on_or_before_publication() -> None:
    codes = mentions("Harbourline wins Navy work", "The Navy awarded it on Tuesday, a spokesman said Thursday.")
    assert codes == ["w1", "w3"]
    assert peg_days(codes, PUBLISHED) == {date(2026, 3, 10), date(2026, 3, 12)}
    # A Friday mentioned in Thursday's paper is last week's.
    assert peg_days(mentions("", "It closed Friday night."), PUBLISHED) == {date(2026, 3, 6)}


def test_yesterday_and_dates_with_and_without_a_year() -> None:
    assert peg_days(mentions("", "Lines formed yesterday in Norvale."), PUBLISHED) == {date(2026, 3, 11)}
    assert peg_days(mentions("", "NORVALE, March 11 (Wire) — The vote passed."), PUBLISHED) == {date(2026, 3, 11)}
    assert peg_days(mentions("", "The memo, dated Feb. 27, was read aloud."), PUBLISHED) == {date(2026, 2, 27)}
    assert peg_days(mentions("", "Signed on 4 July 2019, the pact lapsed."), PUBLISHED) == {date(2019, 7, 4)}
    # A day later in the year than publication is last year's, except the day after (a dateline ahead).
    assert peg_days(mentions("", "Since Dec. 20 the line is shut."), PUBLISHED) == {date(2025, 12, 20)}
    assert peg_days(mentions("", "Norvale, March 13: The vote passed."), PUBLISHED) == {date(2026, 3, 13)}
    assert peg_days(mentions("", "Norvale, Jan. 1: Fireworks."), datetime(2025, 12, 31, tzinfo=UTC)) == \
        {date(2026, 1, 1)}


def test_only_the_lead_dates_the_news_unless_it_gives_no_date() -> None:
    filler = " ".join(["The council met again."] * 30)  # 120 words
    assert mentions("Council votes", f"The council voted on Monday. {filler} A hearing is set for Friday.") == ["w0"]
    # A lead without a date (a print subheading) lends the first date the story gives further on.
    assert mentions("Council votes", f"{' '.join(['Budget fight ends.'] * 30)} It voted Monday and again Friday.") \
        == ["w0"]
    assert mentions("Council votes", f"{filler} {filler} It voted Monday.") == []


def test_months_and_weekdays_that_are_other_words_date_nothing() -> None:
    assert mentions("", "Members may 5 times a year march in protest; the Mayor 3 spoke.") == []
    assert peg_days(["w1", "zz", "d0230", "a20261399"], PUBLISHED) == {date(2026, 3, 10)}
    assert peg_days(["w1"], None) == frozenset()
