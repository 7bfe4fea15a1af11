"""The day a report's news happened, from the way its lead dates it: "on Tuesday", "Saturday night's debate".

Reports of one happening from several outlets come out on different days and tell it from
different angles (a straight report, a fact-check, a column, a reaction), so their words overlap
little; but they date it the same way. A lead that says "on Tuesday" in a story published on
Wednesday points at the day before, and a column two days later that says "Tuesday's debate"
points at the same day. Two reports whose leads point at a common day are more likely to tell one
happening than two reports of the same week whose words overlap as much.

The mentions are kept in the signature without a date (the signature is computed before the story's
time is known everywhere) and resolved against the story's time when two stories are compared:

- a weekday is the latest such day on or before the publication day (leads report what happened;
  "before Tuesday's primary" in a Sunday story resolves to the Tuesday before, a miss we accept);
- "yesterday" and "last night" are the day before;
- a month and a day ("July 5", "Dec. 8", "5 July") is the latest such date not after the day after
  publication (datelines are often a day ahead of the feed's time); with a year it is that date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

# The title and the start of the text date the news itself; later paragraphs date its background, so a
# lead without a date (a print subheading, a column's first line) lends only the story's first date.
PEG_WORDS = 80
FALLBACK_WORDS = 160

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY_MENTION = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\b(yesterday|last night)\b",
                          re.IGNORECASE)
_DATE_MENTION = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?"
                           rf"|\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\b(?:,?\s+(\d{{4}})\b)?")


def mentions(title: str, text: str) -> list[str]:
    """How the title and lead date the news, as date-free codes: w2 (a Wednesday), r-1 (the day before),
    d0705 (5 July), a20160705 (5 July 2016). Every date the lead gives; a lead that gives none (a
    subheading, a column's opening line) is dated by the first date the story gives further on.
    Sorted, so the stored signature is stable."""
    words = f"{title}\n{text}".split()
    found = _codes(" ".join(words[:PEG_WORDS]))
    if not found:
        found = _codes(" ".join(words[:FALLBACK_WORDS]))[:1]
    return sorted(set(found))


def _codes(text: str) -> list[str]:
    """Date codes in the order the text gives them."""
    found: list[tuple[int, str]] = []
    for m in _DAY_MENTION.finditer(text):
        found.append((m.start(), f"w{_WEEKDAYS.index(m.group(1).lower())}" if m.group(1) else "r-1"))
    for m in _DATE_MENTION.finditer(text):
        month = _MONTHS.index((m.group(1) or m.group(5)).lower()[:3]) + 1
        day, year = int(m.group(2) or m.group(4)), m.group(3) or m.group(6)
        if 1 <= day <= 31:
            found.append((m.start(), f"a{year}{month:02d}{day:02d}" if year else f"d{month:02d}{day:02d}"))
    return [code for _, code in sorted(found)]


def peg_days(codes: Iterable[str], when: datetime | date | None) -> frozenset[date]:
    """The days a story's date mentions point at, given when the story was published."""
    if when is None:
        return frozenset()
    published = when.date() if isinstance(when, datetime) else when
    days: set[date] = set()
    for code in codes:
        kind, value = code[0], code[1:]
        try:
            if kind == "w":
                days.add(published - timedelta(days=(published.weekday() - int(value)) % 7))
            elif kind == "r":
                days.add(published + timedelta(days=int(value)))
            elif kind == "a":
                days.add(date(int(value[:4]), int(value[4:6]), int(value[6:8])))
            elif kind == "d":
                day = _latest(int(value[:2]), int(value[2:4]), published)
                if day is not None:
                    days.add(day)
        except ValueError:
            continue  # a code from a newer or damaged signature: it dates nothing
    return frozenset(days)


def _latest(month: int, day: int, published: date) -> date | None:
    """The latest `month`/`day` no later than the day after publication (this year's or last year's)."""
    for year in (published.year + 1, published.year, published.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29 February outside a leap year
        if candidate <= published + timedelta(days=1):
            return candidate
    return None
