"""The one line a well-read colleague would say about a name, built from stored roles and events:

"Caitlin Kalinowski — OpenAI's head of robotics and consumer hardware until March 2026; quit over
Pentagon AI deal; previously Meta (hardware executive), Apple".

Roles reported by several stories are merged ("CEO" and "chief executive" are one title); the
current role is the best-supported one, ended ("until …") by a later departure; the event is the
latest thing the person did, a headline's wording preferred; former employers close the line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.cards import RoleLine
from bot.knowledge.gazetteer import TITLE_HEAD, org_key, title_key
from bot.models import EntityKind
from bot.store.knowledge_repo import EntityRow, EventRow, RoleRow

MAX_DESCRIPTION = 300
GENERIC_TITLES = frozenset({"employee"})
_THE_BODY = re.compile(r"\b(?:Parliament|Congress|Senate|House|Assembly|Council|Committee|Commission|Board)$")
_CLAUSE = re.compile(r"^[a-z]+ed\b|^(?:led|ran|oversaw|built|founded|co-founded)\b")
_SAME_NEWS = timedelta(days=3)


@dataclass(slots=True)
class _Group:
    title: str
    org: str | None
    former: bool
    rows: list[RoleRow]

    @property
    def stories(self) -> int:
        return len({r.story_id for r in self.rows})

    @property
    def latest(self) -> datetime | None:
        return max((r.published_at for r in self.rows if r.published_at), default=None)

    @property
    def first(self) -> datetime | None:
        return min((r.published_at for r in self.rows if r.published_at), default=None)


def group_roles(rows: list[RoleRow]) -> list[_Group]:
    """One group per distinct role (title written any way, organisation spelled any way: "Defense
    Secretary" and "Secretary of Defense" at the Department of Defense are one)."""
    groups: dict[tuple[str, str, bool], _Group] = {}
    for row in rows:
        key = (title_key(_bare_title(row.title, row.org)), org_key(row.org) if row.org else "", row.former)
        group = groups.setdefault(key, _Group(row.title, row.org, row.former, []))
        group.rows.append(row)
    for group in groups.values():
        titles = Counter(r.title for r in group.rows)
        group.title = titles.most_common(1)[0][0]
    result = list(groups.values())
    titled_former = {org_key(g.org) for g in result if g.former and g.org and g.title not in GENERIC_TITLES}
    return [g for g in result if not (g.former and g.title in GENERIC_TITLES and g.org and org_key(g.org)
                                      in titled_former)]


def role_lines(rows: list[RoleRow], events: list[EventRow]) -> list[RoleLine]:
    """The card's roles: current ones first (best supported first), then former ones, newest first."""
    groups = group_roles(rows)
    current = _current(groups)
    lines = []
    for group in sorted(groups, key=lambda g: (g.former, g is not current, -g.stories,
                                               -(g.latest.timestamp() if g.latest else 0))):
        latest_row = max(group.rows, key=lambda r: r.published_at.timestamp() if r.published_at else 0)
        until = _until(group, events) if not group.former else None
        lines.append(RoleLine(group.title, group.org, group.former, group.latest, latest_row.story_url,
                              until=until, since=group.first))
    return lines


def _current(groups: list[_Group]) -> _Group | None:
    candidates = [g for g in groups if not g.former and not _CLAUSE.match(g.title)]

    def score(g: _Group) -> tuple[int, int, int, float]:
        return (g.stories, int(g.org is not None), int(bool(TITLE_HEAD.search(g.title))),
                g.latest.timestamp() if g.latest else 0.0)

    return max(candidates, key=score, default=None)


def _until(group: _Group, events: list[EventRow]) -> datetime | None:
    """When a departure reported after the role began ended it (same organisation, or none named)."""
    start = group.first
    for event in events:
        if event.kind != "departure" or event.published_at is None or (start and event.published_at < start):
            continue
        if event.org is None or (group.org and org_key(event.org) == org_key(group.org)):
            return event.published_at
    return None


def latest_event(events: list[EventRow]) -> EventRow | None:
    """The latest thing the person did; among reports of the same news, a headline's or a career move's."""
    dated = [e for e in events if e.published_at]
    if not dated:
        return events[0] if events else None
    newest = max(e.published_at for e in dated if e.published_at)
    recent = [e for e in dated if e.published_at and newest - e.published_at <= _SAME_NEWS]
    rank = {"departure": 0, "arrival": 0, "action": 1}
    return min(recent, key=lambda e: (not e.headline, rank.get(e.kind, 2),
                                      -(e.published_at.timestamp() if e.published_at else 0)))


def describe(entity: EntityRow, roles: list[RoleRow], events: list[EventRow], latest_title: str | None,
             people: list[tuple[str, str]] | None = None) -> str:
    if entity.kind is EntityKind.org:
        return _org_line(entity, people or [], latest_title)
    groups = group_roles(roles)
    current = _current(groups)
    parts: list[str] = []
    if current is not None:
        phrase = _role_phrase(current.title, current.org)
        until = _until(current, events)
        parts.append(phrase + (f" until {until:%B %Y}" if until else ""))
    event = latest_event(events)
    clause = next((g for g in groups if not g.former and _CLAUSE.match(g.title)), None)
    if event is not None:
        parts.append(event.text)
    elif clause is not None:
        parts.append(_role_phrase(clause.title, clause.org))
    elif latest_title:
        parts.append(f"in the news: {latest_title}")
    former = _former(groups)
    if former:
        parts.append("previously " + former)
    return _fit(entity.name, parts)


def _org_words(org: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", org.lower()) if w not in _PLAIN_ORG_WORDS}


_PLAIN_ORG_WORDS = frozenset({"the", "of", "and", "for", "department", "ministry", "us", "u", "s"})


def _bare_title(title: str, org: str | None) -> str:
    """The title without the words that name its organisation: "Defense Secretary" at the Department of
    Defense is its secretary, "Secretary of War" at the Department of War too."""
    if not org:
        return title
    named = _org_words(org)
    kept = [w for w in re.sub(r"\b(?:of|for)\s+(?:the\s+)?(?=[A-Z])", "", title).split()
            if w.lower().strip(".,") not in named]
    return " ".join(kept) or title


def _role_phrase(title: str, org: str | None) -> str:
    if not org or org.lower() in title.lower():
        return title
    named = _org_words(org)
    if named and named <= _org_words(title):  # "Defense Secretary", "Director of National Intelligence"
        return title
    if title in GENERIC_TITLES:  # "Chris Low at FTN Financial": a body and no post
        return f"at {org}"
    if _CLAUSE.match(title):
        return f"{title} ({org})" if org.lower() not in title.lower() else title
    office = re.match(r"^(?:Department|Ministry) of (?P<area>.+)$", org)
    if office and title in ("Secretary", "Minister", "Undersecretary", "Under Secretary", "Deputy Secretary"):
        return f"{title} of {office.group('area')}"  # "Secretary of Defense", not "Department of Defense's Secretary"
    if re.search(r"\bmember$", title):  # "member of the European Parliament", not "the Parliament's member"
        return f"{title} of {'the ' if _THE_BODY.search(org) else ''}{org}"
    return f"{org}' {title}" if org.endswith("s") else f"{org}'s {title}"


def role_phrase(title: str, org: str | None) -> str:
    """A role as one would say it: "OpenAI's head of robotics", "Secretary of Defense"."""
    return _role_phrase(title, org)


def _former(groups: list[_Group]) -> str:
    items: list[str] = []
    seen: set[str] = set()
    for group in sorted((g for g in groups if g.former), key=lambda g: -(g.latest.timestamp() if g.latest else 0)):
        if group.org:
            key = org_key(group.org)
            if key in seen:
                continue
            seen.add(key)
            items.append(group.org if group.title in GENERIC_TITLES else f"{group.org} ({group.title})")
        elif group.title not in GENERIC_TITLES:
            items.append(group.title)
    return ", ".join(items)


def _org_line(entity: EntityRow, people: list[tuple[str, str]], latest_title: str | None) -> str:
    stories = f"in {entity.story_count} {'story' if entity.story_count == 1 else 'stories'}"
    parts = [f"organisation {stories}"]
    if people:
        parts.append("people: " + ", ".join(f"{name} ({title})" for name, title in people))
    if latest_title:
        parts.append(f"latest: {latest_title}")
    return _fit(entity.name, parts)


def _fit(name: str, parts: list[str]) -> str:
    """Name — part; part; part, dropping trailing parts (then cutting words) to stay within 300 characters."""
    parts = [p for p in parts if p]
    while parts:
        text = f"{name} — " + "; ".join(parts)
        if len(text) <= MAX_DESCRIPTION:
            return text
        if len(parts) == 1:
            return text[:MAX_DESCRIPTION - 1].rsplit(" ", 1)[0].rstrip(" ;,") + "…"
        parts = parts[:-1]
    return name[:MAX_DESCRIPTION]
