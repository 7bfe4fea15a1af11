"""A role phrase read into a title and the organisation it belongs to.

The phrases come from appositions and "as …" clauses: "OpenAI's head of robotics", "a researcher at
the Stockholm Arms Observatory", "head of policy at the Business Council", "a former adviser to Mr.
Doe", "the executive who led robotics at OpenAI" (a head of robotics). Where a phrase holds two posts
("managing director of the AI Now Institute and a former analyst at the Federal Trade Commission"),
each is read on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.coref import Story
from bot.knowledge.gazetteer import ORG_ANAPHORS, TITLE_HEAD, TITLE_HEADS
from bot.knowledge.role_orgs import org_in, owner_before
from bot.models import EntityKind

_LEADS = r"led|leads|heads|headed|ran|runs|oversees|oversaw|directs|manages|managed|chairs|chaired|commands|commanded"
LED = re.compile(rf"^(?:the\s+)?(?:\w+\s+)?who\s+(?:(?:later|previously|once|also|briefly)\s+)?(?P<verb>{_LEADS})\s+"
                 r"(?P<area>.+?)(?:\s+(?:at|for)\s+(?P<org>(?:the\s+)?(?:[a-z][\w-]*\s+){0,3}[A-Z].+))?$")
PAST_LEADS = frozenset(["led", "headed", "ran", "oversaw", "managed", "chaired", "commanded"])
_POSSESSIVE_ROLE = re.compile(r"^(?P<org>[^,]+?)['’]s?\s+(?P<title>.+)$")
_PREPOSITION = re.compile(r"\s+(?P<prep>at|of|for|with|to|in)\s+")
# The object of a preposition that names a body: after "the" and up to three describing words
# ("the investment bank Westwood Capital"), a capitalised word.
_NAMED_OBJECT = re.compile(r"^(?:(?:the|its|their|his|her)\s+)?(?:(?!(?:a|an|at|of|for|with|to|in|on|from|and|or|"
                           r"who|which|that|during|under)\b)[a-z\d][\w’'-]*\s+){0,3}(?=[A-Z])")
# A capitalised word used as an adjective: "director for Asian affairs" names no body.
_ADJECTIVE = re.compile(r"^(?:[A-Z][\w.-]*\s+)+(?!(?:of|for|and|at|in|on|to|with|who|which|that|the|from)\b)[a-z]")
_ENDS_IN_TITLE = re.compile(rf"\b(?:{TITLE_HEADS})$|\b(?:{TITLE_HEADS}|head|chief)\s+(?:of|for)\s+(?:the\s+)?"
                            r"(?-i:[A-Z][\w-]*\s+)?(?-i:[a-z][\w-]*\s*){1,4}$", re.IGNORECASE)
# A preposition and a name inside what should be a title: the phrase has gone past its title.
_NAMED_IN = re.compile(r"\b(?:to|at|with|in|from|by|on|for|of)\s+(?:the\s+)?[A-Z][\w.’'-]*\b(?:\s+[A-Z][\w.’'-]*\b)*"
                       r"(?!\s+(?!of\b|and\b|for\b)[a-z])")  # not "director for Asian affairs"
# A title that is the whole phrase but for its describing words ("member of the European Parliament
# who leads the group" is cut before "who" already).
_LEADING_TITLE = re.compile(rf"^(?:[\w-]+\s+){{0,4}}(?:{TITLE_HEADS})$", re.IGNORECASE)
_BARE_HEAD = re.compile(r"(?:^|\s)(?:head|chief)$", re.IGNORECASE)  # "the head of Acme"
# "and" between two posts, each with its own article or "former": "X of A and a former Y at B".
_CONJUNCT = re.compile(r"\s+(?:and|as\s+well\s+as)\s+(?=(?:(?:a|an|the|former|now|then|also|later)\s+|"
                       r"(?:[a-z][\w-]*\s+){0,3}(?:" + TITLE_HEADS + r")\b))", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Post:
    title: str
    org: str | None
    former: bool = False


def posts(story: Story, role: str, role_start: int) -> list[Post]:
    """Every post the phrase states, in order; a part after "and" only when the part before it is a
    complete post with its organisation ("president and chief executive of Acme" is one post)."""
    found: list[Post] = []
    start = 0
    for match in _CONJUNCT.finditer(role):
        if match.start() < start:
            continue
        head = role[start:match.start()]
        parsed = parse_role(story, head, role_start + start)
        if parsed is None and not re.match(r"\s*(?:an?|the)\s", head, re.IGNORECASE):
            continue  # "Acme's policy and outreach director": one title
        separate = re.match(r"\s*(?:an?|the|former)\s", role[match.end():], re.IGNORECASE) is not None
        if parsed is not None and parsed.org is None and not separate:
            continue  # "president and chief executive of Acme": one post, the body comes last
        if parsed is not None:
            found.append(parsed)
        start = match.end()  # a part with no title at all ("a Democrat of California") is left out
    last = parse_role(story, role[start:], role_start + start)
    return [*found, last] if last is not None else found


def parse_role(story: Story, role: str, role_start: int) -> Post | None:
    """"OpenAI's head of robotics", "a researcher at the Observatory", "the executive who led X at Y"."""
    stripped = re.sub(r"^(?:an?|the|another|one)\s+", "", role.strip())
    former = bool(re.match(r"(?:former|ex-)\s*", stripped, re.IGNORECASE))
    stripped = re.sub(r"^(?:former\s+|ex-|then-|now\s+|also\s+)", "", stripped, flags=re.IGNORECASE)
    offset = role_start + role.find(stripped) if stripped else role_start
    if not stripped or not TITLE_HEAD.search(stripped) or len(stripped.split()) > 30:
        return None
    led = LED.match(stripped)
    if led:
        found = led_role(story, led, offset, stripped)
        return Post(found.title, found.org, former)
    placed = title_at(story, stripped, offset)
    if placed is not None:
        return Post(placed.title, placed.org, former)
    possessive = _POSSESSIVE_ROLE.match(stripped)
    if possessive and TITLE_HEAD.search(possessive.group("title")) and not _PREPOSITION.search(possessive.group("org")):
        owner = possessive.group("org")
        org = owner_before(story, offset, offset + possessive.start("title"))
        if org is None and ORG_ANAPHORS.search("the " + owner):
            meant = story.org_before(offset, owner)
            org = story.name(meant) if meant else None
        return Post(tidy(possessive.group("title")), org, former)
    named = _NAMED_TITLE.match(stripped)
    if named:  # "a Tinder spokeswoman", "a former Google engineer": the body the model knows, then the title
        start = offset + named.start("org")
        orgs = story.within(start, offset + named.end("org"), EntityKind.org)
        people = story.within(start, offset + named.end("org"), EntityKind.person)
        people = [p for p in people if p.text == named.group("org")]  # "a Doe spokesman", not "Doe County"
        if orgs or people:
            return Post(tidy(named.group("title")), story.name((orgs or people)[-1]), former)
    if len(stripped.split()) > 12:
        return None  # a clause, not a title
    if _ENDS_IN_TITLE.search(stripped) or _LEADING_TITLE.search(stripped):
        return Post(tidy(stripped), None, former)
    for match in _PREPOSITION.finditer(stripped):  # "a partner at the firm": the title, no body named
        if _ENDS_IN_TITLE.search(stripped[:match.start()]) and not _NAMED_IN.search(stripped[:match.start()]):
            return Post(tidy(stripped[:match.start()]), None, former)
    return None


_NAMED_TITLE = re.compile(r"^(?P<org>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})\s+(?P<title>[a-z][\w\s-]*)$")


def title_at(story: Story, phrase: str, offset: int) -> Post | None:
    """"professor of economics at Some University": the first preposition whose left side ends in a
    title and whose object is a name; "head of policy" keeps its lower-case "of" phrase. "to" and
    "for" may point at a person ("an adviser to Mr. Doe"); "in" only at an organisation's name (not
    "a lawyer in Orlando")."""
    for match in _PREPOSITION.finditer(phrase):
        left, rest = phrase[:match.start()], phrase[match.end():]
        named = _NAMED_OBJECT.match(rest)
        if _NAMED_IN.search(left):
            break  # "a speechwriter to Secretary of State Jane Doe": the title is someone else's
        if not named or not (_ENDS_IN_TITLE.search(left) or (match.group("prep") == "of" and _BARE_HEAD.search(left))):
            continue
        if _ADJECTIVE.match(rest[named.end():]):
            continue
        start = offset + match.end()
        prep = match.group("prep").lower()
        org = org_in(story, start, len(rest), people=prep in ("to", "for", "with"))
        if prep == "in" and not story.within(start, start + len(rest), EntityKind.org) and not (
                org and org.endswith((" administration", " campaign"))):
            return Post(tidy(left), None)  # "a lawyer in Orlando"; but "an official in Doe's administration"
        return Post(tidy(left), org)
    return None


@dataclass(frozen=True, slots=True)
class LedRole:
    title: str
    org: str | None


def led_role(story: Story, led: re.Match[str], base: int, text: str) -> LedRole:
    """"who led robotics at OpenAI" is OpenAI's head of robotics; "who chairs the X" its chair."""
    head = "chair" if led.group("verb").startswith("chair") else "commander" if led.group("verb").startswith(
        "command") else "head"
    area = re.sub(r"\s+", " ", led.group("area")).strip(" ,.;:’'")
    org_text = led.group("org")
    org = org_in(story, base + text.find(org_text), len(org_text)) if org_text else None
    owner = re.match(r"^(?:the\s+)?(?P<org>[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){0,3})['’]s\s+(?P<area>.+)$", area)
    if owner and org is None:  # "who leads the Navy's mine warfare programs"
        found = org_in(story, base + text.find(owner.group("org")), len(owner.group("org")))
        if found:
            org, area = found, owner.group("area")
    return LedRole(f"{head} of {area}", org)


def tidy(title: str) -> str:
    title = re.sub(r"\s+", " ", title).strip(" ,.;:’'")
    title = re.sub(r"^(?:an?|the|another)\s+", "", title, flags=re.IGNORECASE)
    return re.sub(r"^[A-Z][a-z]+-born\s+", "", title)  # "Norwegian-born member": where she was born is no role
