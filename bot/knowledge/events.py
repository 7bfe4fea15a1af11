"""What people did, in a few words: "resigned over Pentagon AI deal", "joined Anthropic as CTO".

A colleague asked "who is Kalinowski?" answers with the person's role and the latest thing they
did. Career moves (left, joined, was named) matter most and are read from the headline first,
which states the news most briefly, then from sentences whose subject is the person (named, or a
pronoun standing for them); any other past-tense action of theirs is a fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.knowledge.coref import Story
from bot.knowledge.gazetteer import fold, words
from bot.models import EntityKind, Event, ExtractedEntity

_DEPART = (r"resign(?:s|ed)?|quit(?:s)?|left|leaves|step(?:s|ped)\s+down|exit(?:s|ed)|depart(?:s|ed)|retire(?:s|d)|"
           r"(?:was|is|has\s+been|were)\s+(?:fired|ousted|dismissed|removed|forced\s+out|sacked)|fired|ousted|"
           r"(?:is|was)\s+(?:leaving|stepping\s+down)|walk(?:s|ed)\s+away")
_ARRIVE = (r"join(?:s|ed)|(?:was|is|has\s+been|were)\s+(?:named|appointed|hired|promoted|elected|nominated|"
           r"confirmed|tapped|picked|chosen)|named|appointed|hired|tapped|take(?:s)?\s+over|took\s+over|"
           r"return(?:s|ed)\s+to")
_CAREER = re.compile(rf"\b(?P<verb>{_DEPART}|{_ARRIVE})\b", re.IGNORECASE)
_DEPART_RE = re.compile(rf"^(?:{_DEPART})$", re.IGNORECASE)
_LINK = r"(?:,\s[^,]{1,160},)?\s+(?:(?:\w+ly|also|later|then|now|since|has|had|have|will|would)\s+)*"
_PAST_IRREGULAR = ("led|ran|took|made|gave|won|lost|built|began|sent|struck|spent|sought|met|brought|held|became|"
                   "found|fought|drove|rose|fell|kept|chose|set|put|cut|beat|broke|bought|sold|paid|oversaw|"
                   "withdrew|drew|went|came|saw|stood|sat|threw|flew|grew|knew|shut|split|won|led")
_ACTION = re.compile(rf"^{_LINK}(?P<verb>[a-z]+ed|{_PAST_IRREGULAR})\b(?P<rest>[^.;:!?]*)")
_CAREER_AFTER = re.compile(rf"^{_LINK}(?P<verb>{_DEPART}|{_ARRIVE})\b(?P<rest>[^.;:!?]*)", re.IGNORECASE)
_DULL = words("""said told wrote added noted stated asked replied answered explained continued tweeted posted
was were had has used based called named aged scheduled expected reported""")
_PRESENT_TO_PAST = {"resigns": "resigned", "quits": "quit", "leaves": "left", "steps down": "stepped down",
                    "exits": "exited", "departs": "departed", "retires": "retired", "joins": "joined",
                    "takes over": "took over", "returns to": "returned to", "walks away": "walked away",
                    "is named": "was named", "is appointed": "was appointed", "is fired": "was fired",
                    "is ousted": "was ousted", "is hired": "was hired", "is tapped": "was tapped",
                    "is leaving": "is leaving", "is stepping down": "is stepping down"}
_KEEP_AFTER = re.compile(r"^(?:over|from|as|to|because|citing|amid|in\s+protest|after|for|at|with)\b", re.IGNORECASE)
_DROP_START = re.compile(r"^(?:in|on|during|earlier|last|this|next|late|early|yesterday|today|effective)\b",
                         re.IGNORECASE)
_CUT = re.compile(r"\s*(?:[,;—–(]|\s-\s|\b(?:in|on)\s+(?:January|February|March|April|May|June|July|August|"
                  r"September|October|November|December|\d{4}|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                  r"Sunday|a\s+(?:social|blog|LinkedIn|post|statement|memo|letter|note|video))\b|\bwhere\b|\bwhich\b)")
_TRAILING = words("a an the of to and or in on at for with by from its his her their as that who so-called")
MAX_WORDS = 9
_STOP = words("a an the of to and or in on at for with by from its his her their as s")


def find_events(story: Story, title: str, entities: list[ExtractedEntity]) -> None:
    """Add each person's events in this story to `entities` (in place), headline first."""
    people = {e.name: e for e in entities if e.kind is EntityKind.person}
    for name, event in [*_headline(story, title, people.values()), *_body(story)]:
        entity = people.get(name)
        if entity is not None and not any(e.text == event.text for e in entity.events) and len(entity.events) < 4:
            entity.events.append(event)


def _headline(story: Story, title: str, people: Iterable[ExtractedEntity]) -> list[tuple[str, Event]]:
    match = _CAREER.search(title)
    if not match:
        return []
    subject = title[:match.start()]
    who = [p for p in people if _names(subject, p)] or [p for p in people if _described(subject, p)]
    if len(who) != 1:
        return []
    verb = match.group("verb")
    phrase = _phrase(_PRESENT_TO_PAST.get(re.sub(r"\s+", " ", verb.lower()), verb), title[match.end():])
    kind = "departure" if _DEPART_RE.match(verb) or (verb.lower() in _PRESENT_TO_PAST and \
        _DEPART_RE.match(_PRESENT_TO_PAST[verb.lower()])) else "arrival"
    return [(who[0].name, Event(phrase, kind, _org_in(story, title[match.end():]), headline=True, evidence=title))]


def _names(subject: str, person: ExtractedEntity) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", subject) for alias in {person.name, *person.aliases}
               if len(alias) > 2)


def _described(subject: str, person: ExtractedEntity) -> bool:
    """"OpenAI's head of robotics" names the person whose role is OpenAI's head of robotics."""
    words = _content(subject)
    if len(words) < 2:
        return False
    for role in person.roles:
        if role.former:
            continue
        known = _content(f"{role.title} {role.org or ''}")
        if len(words & known) >= 2 and len(words - known) <= 1:
            return True
    return False


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in _STOP}


def _body(story: Story) -> list[tuple[str, Event]]:
    found: list[tuple[int, str, Event]] = []
    for subject_end, name in _subjects(story):
        sentence_end = story.sentence_end(subject_end)
        after = story.text[subject_end:sentence_end]
        evidence = story.text[story.sentence_start(subject_end):sentence_end].strip()
        career = _CAREER_AFTER.match(after)
        if career:
            verb = career.group("verb")
            kind = "departure" if _DEPART_RE.match(verb) else "arrival"
            found.append((0, name, Event(_phrase(verb, career.group("rest")), kind,
                                         _org_in(story, career.group("rest")), evidence=evidence)))
            continue
        action = _ACTION.match(after)
        if action and action.group("verb").lower() not in _DULL:
            phrase = _phrase(action.group("verb"), action.group("rest"), keep_all=True)
            if len(phrase.split()) >= 2:
                found.append((1, name, Event(phrase, "action", evidence=evidence)))
    return [(name, event) for _, name, event in sorted(found, key=lambda t: t[0])]


def _subjects(story: Story) -> list[tuple[int, str]]:
    """(end offset, canonical name) of each person mention and each resolved "she"/"he" outside quotes."""
    found = [(p.end, story.name(p)) for p in story.people if not story.quoted(p.start)]
    for match in re.finditer(r"\b(?:she|he|She|He)\b", story.text):
        if story.quoted(match.start()):
            continue
        person = story.person_before(match.start())
        if person is not None:
            found.append((match.end(), story.name(person)))
    return sorted(found)


def _phrase(verb: str, rest: str, *, keep_all: bool = False) -> str:
    verb = re.sub(r"^(?:has|had|have)\s+", "", re.sub(r"\s+", " ", verb.strip()))
    rest = re.sub(r"\s+", " ", rest).strip()
    rest = re.sub(r"^from\s+(?:the|its|his|her|their)\s+(?:company|firm|job|post|role|position|startup)\b", "",
                  rest, flags=re.IGNORECASE).strip()
    if not keep_all and rest and _DROP_START.match(rest):
        rest = ""
    rest = re.split(r"[“\"]", rest, maxsplit=1)[0]  # what follows is a quotation, not an action
    cut = _CUT.search(rest)
    if cut and cut.start() > 0:
        rest = rest[:cut.start()]
    elif cut:
        rest = ""
    words = rest.split()
    if len(words) > MAX_WORDS:  # cut long phrases where a list or a second clause starts
        words = words[:MAX_WORDS]
        joints = [i for i, w in enumerate(words) if w.lower() in ("and", "or", "but") and i >= 3]
        if joints:
            words = words[:joints[-1]]
    while words and words[-1].lower().strip("’'") in _TRAILING:
        words.pop()
    text = " ".join([verb, *words]).strip()
    return _balance(text)


def _balance(text: str) -> str:
    """Drop a dangling half of a quotation mark pair left by the cut."""
    for opening, closing in (("‘", "’"), ("“", "”")):
        if text.count(opening) > text.count(closing):
            text = text[:text.rfind(opening)].rstrip()
    return text


def _org_in(story: Story, rest: str) -> str | None:
    """The organisation left or joined: the verb's object ("left OpenAI", "resigned from Meta")."""
    head = re.sub(r"^\s*(?:from|at|to)?\s*(?:the\s+)?", "", rest)
    for org in story.orgs:
        if re.match(rf"{re.escape(org.text)}(?!\w)", head):
            return story.name(org)
    return None
