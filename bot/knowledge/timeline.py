"""A person's or organisation's story in dated lines, for /whois: roles as first reported, what
they did, what they said; and how many stories a week named them.

Several outlets report one move in different words ("resigned over the Pentagon agreement",
"quit over Pentagon AI deal"): career moves of one kind within a few days are one line, worded as
the headline put it when one did; other events are one line per distinct wording. A story often
recalls older moves ("Kalinowski joined OpenAI in November 2024"): such an event is dated as the
sentence dates it (2024-11), and background the sentence gives no date for ("where she had led
work on…") is left out, like former roles: the news dates when it mentioned them, not when they
happened. So is an event that only points at another ("announced the decision").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from bot.cards import RoleLine, TimelineLine
from bot.knowledge.describe import role_phrase
from bot.store import Store
from bot.store.knowledge_repo import EventRow, QuoteRow

MAX_LINES = 15  # the latest ones, shown oldest first
MAX_QUOTES = 3
QUOTE_CHARS = 160
WEEKS = 12
SAME_NEWS = timedelta(days=3)
_ORDER = {"role": 0, "event": 1, "quote": 2}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_WHEN = re.compile(r"\b(?:in|since|from|until|by|on)\s+(?:(?:early|mid|late)[- ]?\s*)?"
                   r"(?:(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
                   r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+(?:\d{1,2},?\s+)?)?"
                   r"(?P<year>(?:19|20)\d\d)\b")
_BACKGROUND = re.compile(r"\b(?:had\s+(?:been|[a-z]+ed|led|run|held|built|worked)|previously|formerly|before "
                         r"joining|earlier in (?:his|her|their) career)\b", re.IGNORECASE)
_POINTER = re.compile(r"\b(?:the|this|that|his|her|its|their)\s+(?:decision|move|plan|change|news|announcement|"
                      r"step|choice)$|\b(?:it|this|that|so)$", re.IGNORECASE)


def _day(value: datetime | None) -> str | None:
    return value.astimezone(UTC).date().isoformat() if value else None


def _short(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def event_date(event: EventRow) -> str | None:
    """When the event happened: the date its sentence gives after the verb, if earlier than the
    story; the story's date if the sentence tells news; None for undated background."""
    story_day = _day(event.published_at)
    verb = event.text.split()[0] if event.text.split() else ""
    start = event.evidence.find(verb) if verb else -1
    after = event.evidence[start + len(verb):] if start >= 0 else ""
    found = _WHEN.search(after)
    if found and story_day:
        year = found.group("year")
        month = found.group("month")
        when = f"{year}-{_MONTHS.index(month[:3].lower()) + 1:02d}" if month else year
        if when < story_day[:len(when)]:
            return when
    if start >= 0 and _BACKGROUND.search(event.evidence[:start]):
        return None
    return story_day


def _events(rows: list[EventRow]) -> list[EventRow]:
    """One row per piece of news: a career move reported by several outlets is one move."""
    kept: list[EventRow] = []
    for row in sorted(rows, key=lambda e: (e.published_at or datetime.max.replace(tzinfo=UTC), not e.headline)):
        same = next((k for k in kept if _same_news(k, row)), None)
        if same is None:
            kept.append(row)
        elif row.headline and not same.headline:  # the headline's wording is the condensed one
            kept[kept.index(same)] = row
    return kept


def _same_news(a: EventRow, b: EventRow) -> bool:
    close = a.published_at is None or b.published_at is None or abs(a.published_at - b.published_at) <= SAME_NEWS
    if not close:
        return False
    if a.kind == b.kind and a.kind in ("departure", "arrival"):
        return True
    return re.sub(r"\W+", " ", a.text.lower()).strip() == re.sub(r"\W+", " ", b.text.lower()).strip()


def timeline(roles: list[RoleLine], events: list[EventRow], quotes: list[QuoteRow]) -> list[TimelineLine]:
    """The lines, oldest first; `roles` as the card lists them (describe.role_lines), each dated by
    the first story that gave it."""
    lines: list[tuple[str | None, TimelineLine]] = []  # (sortable date, line)
    for role in roles:
        if role.former:
            continue
        when = _day(role.since or role.reported)
        lines.append((when, TimelineLine(when, "role", role_phrase(role.title, role.org), role.story_url)))
    for event in _events(events):
        when = event_date(event)
        if when is None or (_POINTER.search(event.text) and not event.headline):
            continue
        lines.append((when, TimelineLine(when, "event", event.text, event.story_url)))
    for quote in quotes[:MAX_QUOTES]:
        lines.append((_day(quote.published_at), TimelineLine(_day(quote.published_at), "quote",
                                                             f"said “{_short(quote.text)}”", quote.story_url,
                                                             quote.story_title)))
    dated = sorted(((when, line) for when, line in lines if when is not None),
                   key=lambda pair: (pair[0] or "", _ORDER[pair[1].kind]))
    return [line for _, line in dated[-MAX_LINES:]]


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly(store: Store, entity_id: int, until: datetime, weeks: int = WEEKS) -> tuple[list[int], str]:
    """Stories a week naming the entity, for the `weeks` weeks ending with `until`'s; and the first Monday."""
    last = monday((until - timedelta(microseconds=1)).astimezone(UTC).date())
    first = last - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    counts = [0] * weeks
    for day, n in store.trends.by_day([entity_id], start, until).get(entity_id, {}).items():
        index = (monday(date.fromisoformat(day)) - first).days // 7
        if 0 <= index < weeks:
            counts[index] += n
    return counts, first.isoformat()
