"""Titles and roles: "OpenAI CEO Sam Altman", "Caitlin Kalinowski, who has worked as OpenAI's head
of robotics", "Col. Renata Voss", "worked at Meta as a hardware executive" (a former role).

Each role is linked to an organisation when the text names one next to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.entities import Span, clean_name
from bot.models import EntityKind, ExtractedEntity, Role

RANKS = {
    "gen": "General", "gen.": "General", "lt. gen.": "Lieutenant General", "maj. gen.": "Major General",
    "brig. gen.": "Brigadier General", "col.": "Colonel", "lt. col.": "Lieutenant Colonel", "maj.": "Major",
    "capt.": "Captain", "lt.": "Lieutenant", "sgt.": "Sergeant", "adm.": "Admiral", "vice adm.": "Vice Admiral",
    "rear adm.": "Rear Admiral", "sen.": "Senator", "rep.": "Representative", "gov.": "Governor",
    "dr.": "Dr.", "prof.": "Professor", "secretary": "Secretary", "president": "President",
}
_TITLE_HEAD = (r"(?:CEO|CTO|COO|CFO|CISO|chief(?:\s+[a-z]+){1,3}|executive|director|founder|co-founder|"
               r"cofounder|head\s+of\s+[a-z]+(?:\s+(?:and|&)\s+[a-z]+(?:\s+[a-z]+)?)?|president|vice\s+president|"
               r"chairman|chairwoman|chair|secretary|minister|spokesperson|spokesman|spokeswoman|researcher|"
               r"analyst|engineer|officer|general|admiral|colonel|commander|scientist|professor|designer|"
               r"manager|lead|leader|partner|adviser|advisor|official|lawmaker|senator|ambassador)")
_PREMOD = re.compile(
    rf"(?:(?P<org>(?:[A-Z][\w&.-]*\s+){{0,3}}[A-Z][\w&.-]*?)(?:['’]s)?\s+)?"
    rf"(?P<title>(?:former\s+)?(?:[a-z][\w-]*\s+){{0,3}}?{_TITLE_HEAD})\s+$")
_APPOSITION = re.compile(
    r"^,\s+(?:who\s+(?:has\s+worked|had\s+worked|worked|works|serves|served|is|was|has\s+been|had\s+been)\s+as\s+)?"
    r"(?P<role>(?:an?\s+|the\s+)?[^,;:“”\"()]{3,140}?)(?=,|\.\s|\.$|;|\s+(?:said|says|told|warned|wrote|added)\b)")
_FORMER_AT = re.compile(
    r"^\s+(?:previously\s+|also\s+|had\s+|has\s+)?worked\s+(?:at|for)\s+(?P<org>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})"
    r"(?:\s+as\s+(?:an?\s+|the\s+)?(?P<title>[^,.;]{3,80}))?")
_ORG_POSSESSIVE = re.compile(r"^(?P<org>(?:[A-Z][\w&.-]*\s+){0,3}[A-Z][\w&.-]*)['’]s\s+(?P<title>.+)$")
_AT_ORG = re.compile(r"^(?P<title>.+?)\s+(?:at|of|for|with)\s+(?:the\s+)?"
                     r"(?P<org>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,4})(?P<rest>.*)$")
_LEADING_ARTICLE = re.compile(r"^(?:an?|the)\s+", re.IGNORECASE)


def find_roles(text: str, found: Sequence[Span], entities: Sequence[ExtractedEntity],
               alias_of: dict[str, str]) -> None:
    by_name = {e.name: e for e in entities if e.kind is EntityKind.person}
    org_names = [s.text for s in found if s.kind is EntityKind.org]
    for span in found:
        if span.kind is not EntityKind.person:
            continue
        entity = by_name.get(alias_of.get(span.text, span.text))
        if entity is None:
            continue
        sentence = _sentence(text, span.start)
        roles = []
        rank = _rank_before(text, span.start)
        if rank:
            roles.append(Role(rank, None, evidence=sentence))
        match = _PREMOD.search(text[max(0, span.start - 120):span.start])
        if match and not rank:
            org = _org(match.group("org"), org_names) or _sentence_org(sentence, org_names)
            title = match.group("title")
            roles.append(Role(_tidy(title.removeprefix("former ")), org, former=title.startswith("former"),
                              evidence=sentence))
        match = _APPOSITION.match(text[span.end:span.end + 200])
        if match:
            parsed = _split(match.group("role"), org_names)
            if parsed:
                roles.append(Role(parsed[0], parsed[1], evidence=sentence))
        match = _FORMER_AT.match(text[span.end:span.end + 160])
        if match:
            roles.append(Role(_tidy(match.group("title") or "worked at " + match.group("org")),
                              clean_name(match.group("org")), former=True, evidence=sentence))
        for role in roles:
            if role.title and not any(r.title == role.title and r.org == role.org for r in entity.roles):
                entity.roles.append(role)


def _sentence(text: str, at: int) -> str:
    start = max(text.rfind(". ", 0, at) + 2, text.rfind("\n", 0, at) + 1, 0)
    end_candidates = [i for i in (text.find(". ", at), text.find("\n", at)) if i >= 0]
    end = min(end_candidates) + 1 if end_candidates else len(text)
    return text[start:end].strip()[:600]


def _rank_before(text: str, start: int) -> str | None:
    before = text[max(0, start - 20):start].lower()
    for abbreviation in sorted(RANKS, key=len, reverse=True):
        if before.endswith(abbreviation + " "):
            if abbreviation in ("secretary", "president", "dr.", "prof."):
                return None  # handled as titles with organisations elsewhere
            return RANKS[abbreviation]
    return None


def _org(candidate: str | None, org_names: Sequence[str]) -> str | None:
    if not candidate:
        return None
    candidate = clean_name(candidate)
    for name in org_names:
        if candidate == name or candidate.endswith(" " + name) or name.endswith(candidate):
            return name
    return candidate if candidate and candidate[0].isupper() else None


def _sentence_org(sentence: str, org_names: Sequence[str]) -> str | None:
    """For a bare title ("CEO Dario Amodei"), the organisation the sentence is about: a possessive first."""
    for name in org_names:
        if re.search(re.escape(name) + r"['’]s\b", sentence):
            return name
    return None


def _split(role: str, org_names: Sequence[str]) -> tuple[str, str | None] | None:
    role = _LEADING_ARTICLE.sub("", role.strip())
    if not role or role.split()[0].lower() in ("and", "but", "which", "that", "who", "whose"):
        return None
    match = _ORG_POSSESSIVE.match(role)
    if match:
        return _tidy(match.group("title")), _org(match.group("org"), org_names)
    match = _AT_ORG.match(role)
    if match:
        return _tidy(match.group("title")), _org(match.group("org"), org_names)
    if len(role.split()) > 8:
        return None
    return _tidy(role), None


def _tidy(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip(" ,.;")
