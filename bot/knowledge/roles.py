"""Titles and roles: who does what, where, as the story says it.

Read from the patterns news writing uses for them, each linked to the organisation it names:
- before a name (premodifiers.py): "OpenAI CEO Sam Altman", "Secretary of State Jane Doe", "Col.
  Renata Voss", "OpenAI's chief executive, Sam Altman", "Doe's chief strategist John Roe";
- in an apposition (role_phrase.py): "Caitlin Kalinowski, who has worked as OpenAI's head of robotics…",
  "Tomas Lindqvist, a researcher at the Stockholm Arms Observatory", "X, the executive who led robotics
  at OpenAI" (a head of robotics), "Jane Doe, head of policy at the Business Council", "X, a former
  adviser to Mr. Roe and now chairman of Acme" (two posts);
- a name and a body with no title: "Chris Low at FTN Financial", "Jane Doe of the Acme Institute";
- after a name or a pronoun standing for it: "worked at Meta as a hardware executive" and "after
  two years at Meta" (former roles), "is the director of …", "was named CEO of …".
"""

from __future__ import annotations

import re

from bot.knowledge.coref import Story
from bot.knowledge.entities import Span, org_by_form
from bot.knowledge.gazetteer import TITLE_HEAD, TITLE_HEADS, title_key, words
from bot.knowledge.premodifiers import titles_before
from bot.knowledge.role_orgs import org_in
from bot.knowledge.role_phrase import LED, PAST_LEADS, led_role, parse_role, posts, tidy
from bot.models import EntityKind, ExtractedEntity, Role

# A full stop that ends the sentence, not "Mr.", "Sen." or the "W." of "George W. Bush".
_ABBREVIATED = ("Mr", "Mrs", "Ms", "Dr", "Jr", "Sr", "St", "Inc", "Co", "Corp", "Ltd", "Sen", "Rep", "Gov", "Gen", "Lt",
                "Col", "Adm", "Capt", "Sgt", "Maj", "Brig", "Cmdr", "Rev", "Prof", "Ft", "Mt", "No", "Sens", "Reps")
_STOP = r"(?<!\b[A-Z])" + "".join(rf"(?<!\b{a})" for a in _ABBREVIATED) + r"\.(?:\s|$)"
_ROLE_END = rf"(?=,|{_STOP}|;|''|(?<!\bwho)\s+(?:said|says|told|warned|wrote|added|has|had|is|was)\b|$)"
_WHO_AS = re.compile(
    r"^,\s+(?:who\s+(?P<tense>(?:(?:previously|also|once|briefly|later|now)\s+)?(?:has\s+|had\s+)?"
    r"(?:(?:worked|works|serves|served|been|is|was|became)\s+as|is|was|has\s+been|had\s+been|became)"
    r"(?:\s+(?:now|also|currently|then|previously))?)\s+)?"
    rf"(?P<role>(?:(?!'')[^,;:“”\"()]){{3,200}}?){_ROLE_END}")
_WHO_DOES = re.compile(
    r"^,\s+(?:the\s+\w+\s+)?who\s+(?P<verb>[a-z]+ed|led|leads|heads|headed|ran|runs|oversees|oversaw|directs|"
    r"manages|managed|chairs|chaired|commands|commanded|built|founded|co-founded)\s+"
    rf"(?P<object>[^,;:“”\"()]{{3,120}}?)(?=,|{_STOP}|;|$)")
# Verbs of a who-clause that tell an event or a former job, not a role ("who joined Palantir in 2006").
_NOT_ROLE_VERBS = words("has had was is joined left resigned quit said told served worked retired returned moved")
# "has named Marcus Feld, a former Google engineer, as the head of its AI office"
_APPOINTED_BEFORE = re.compile(r"\b(?:named|appointed|picked|tapped|chose|chosen|selected|hired|nominated|promoted)"
                               r"\s+$")
_APPOINTED_AS = re.compile(r"^(?:,[^,;“”\"]{0,160},)?\s+(?:as|to\s+be|to\s+become)\s+(?P<role>[^,;“”\"]{3,160}?)"
                           rf"(?=,|;|{_STOP}|$)")
# "Marcus Feld, a former Google engineer, will lead the Pentagon's AI office"; "picked X to run Y"
_TO_LEAD = re.compile(r"^(?:,[^,;“”\"]{0,160},)?\s+(?:will\s+|would\s+|is\s+to\s+|to\s+)"
                      r"(?P<verb>lead|run|head|command|chair|oversee)\s+(?P<object>[^,;“”\"]{3,120}?)"
                      rf"(?=,|;|{_STOP}|\s+(?:from|after|when|in|on|starting)\b|$)")
# "Chris Low at FTN Financial said": a body and no title.
_PLACED = re.compile(r"^\s+(?P<prep>at|of|with)\s+(?P<org>(?:the\s+|The\s+)?(?:[a-z][\w-]*\s+){0,2}[A-Z][\w.&’'-]*"
                     r"(?:\s+(?:of\s+|for\s+|and\s+|&\s+|the\s+|on\s+)?[A-Z][\w.&’'-]*){0,6})"
                     r"(?=\s*(?:,|;|\.(?:\s|$)|$)|\s+[a-z])")
_AFTER = re.compile(
    r"^\s+(?:\w+ly\s+|also\s+|previously\s+|once\s+)*(?P<verb>worked|works|has\s+worked|had\s+worked|spent|"
    r"served|serves|is|was|has\s+been|had\s+been|became|joined|was\s+named|was\s+appointed|was\s+hired)\s+"
    r"(?P<rest>[^.;]{3,200})")
_AT_ORG = re.compile(r"^(?:at|for|with)\s+(?P<org>(?:the\s+)?[A-Z][\w.&’'-]*(?:\s+(?:of\s+)?[A-Z][\w.&’'-]*){0,5})"
                     r"(?:\s+as\s+(?:an?\s+|the\s+)?(?P<title>[^,.;]{3,80}?))?(?=\s+(?:for|from|in|until|since|"
                     r"before|after|where|and|but|helping)\b|[,.;]|$)")
_AS_TITLE_AT = re.compile(r"^(?:as\s+)?(?:an?\s+|the\s+)?(?P<title>[a-z][\w\s-]{2,60}?)\s+(?:at|of|for)\s+"
                          r"(?P<org>(?:the\s+)?[A-Z][\w.&’'-]*(?:\s+(?:of\s+)?[A-Z][\w.&’'-]*){0,5})")
_YEARS_AT = re.compile(r"\b(?:after|following|spent)\s+(?:about\s+|nearly\s+|more\s+than\s+|almost\s+|roughly\s+|"
                       r"around\s+|some\s+|over\s+|just\s+over\s+)?"
                       r"(?:\w+(?:\s+and\s+a\s+half)?|\d+)\s+(?:years?|months?)\s+at\s+"
                       r"(?P<org>[A-Z][\w.&’'-]*(?:\s+[A-Z][\w.&’'-]*){0,3})")
# What follows a bare "who is"/"who was" when it names a post: "who is now chairman of", "who was the".
_POST_START = re.compile(rf"^(?:(?:a|an|the|his|her|its|their|former)\s|[A-Z]|(?:{TITLE_HEADS})\b)")
_WHO_IS = re.compile(r"^(?P<verb>is|was|has\s+been|had\s+been|serves\s+as|served\s+as|works\s+as|worked\s+as|"
                     r"became)\s+(?:(?:now|also|currently|then)\s+)?(?P<post>.+)$")
_PRONOUN = re.compile(r"\b(?P<pronoun>[Ss]he|[Hh]e)\b")
GENERIC = "employee"  # a body and no post: "after two years at Meta", "Chris Low at FTN Financial"


def find_roles(story: Story, entities: list[ExtractedEntity]) -> None:
    """Add every role the story gives its people to `entities` (in place)."""
    people = {e.name: e for e in entities if e.kind is EntityKind.person}
    for subject, entity_name in _subjects(story):
        entity = people.get(entity_name)
        if entity is None:
            continue
        for role in _roles_at(story, subject):
            if role.title and not any(title_key(r.title) == title_key(role.title) and r.org == role.org
                                      and r.former == role.former for r in entity.roles):
                entity.roles.append(role)


def _subjects(story: Story) -> list[tuple[Span, str]]:
    """Every person mention outside quotations, and every "she"/"he" resolved to the person it stands for."""
    found = [(p, story.name(p)) for p in story.people if not story.quoted(p.start)]
    for match in _PRONOUN.finditer(story.text):
        if story.quoted(match.start()):
            continue
        person = story.person_before(match.start())
        if person is not None:
            found.append((Span(match.group(), EntityKind.person, match.start(), match.end()), story.name(person)))
    return found


def _roles_at(story: Story, span: Span) -> list[Role]:
    text = story.text
    sentence_start = story.sentence_start(span.start)
    sentence = text[sentence_start:story.sentence_end(span.start)].strip()
    before = text[sentence_start:span.start]
    after = text[span.end:story.sentence_end(span.end)]
    roles: list[Role] = []
    if span.text.lower() not in ("she", "he"):
        roles.extend(titles_before(story, span, sentence_start, sentence))
        roles.extend(_apposition(story, after, span, sentence))
        roles.extend(_placed(story, after, span, sentence))
        roles.extend(_appointed(story, before, after, span, sentence))
    roles.extend(_verbal(story, after, span, sentence))
    return roles


def _appointed(story: Story, before: str, after: str, span: Span, sentence: str) -> list[Role]:
    """A new job: "named X as the head of its AI office", "X will lead the Pentagon's AI office"."""
    roles = []
    as_role = _APPOINTED_AS.match(after) if _APPOINTED_BEFORE.search(before) else None
    if as_role:
        parsed = parse_role(story, as_role.group("role"), span.end + as_role.start("role"))
        if parsed:
            roles.append(Role(parsed.title, parsed.org, evidence=sentence))
    to_lead = _TO_LEAD.match(after)
    if to_lead:
        start, end = span.end + to_lead.start("object"), span.end + to_lead.end("object")
        org = org_in(story, start, end - start)
        verb = to_lead.group("verb")
        head = {"chair": "chair", "command": "commander"}.get(verb, "head")
        if org:
            roles.append(Role(head, org, evidence=sentence))
    return roles


def _apposition(story: Story, after: str, span: Span, sentence: str) -> list[Role]:
    base = span.end
    does = _WHO_DOES.match(after)
    if does and does.group("verb") not in _NOT_ROLE_VERBS:
        clause = tidy(after[does.start("verb"):does.end("object")])
        led = LED.match(tidy(after[2:does.end("object")]))
        if led:
            found = led_role(story, led, base + 2, after[2:])
            return [Role(found.title, found.org, evidence=sentence)]
        org = org_in(story, base + does.start("object"), len(does.group("object")))
        return [Role(clause, org, evidence=sentence)]
    match = _WHO_AS.match(after)
    if not match:
        return []
    role = match.group("role")
    role_start = base + match.start("role")
    tense = re.sub(r"\s+", " ", match.group("tense") or "")
    if tense and not tense.endswith(" as") and not _POST_START.match(role):
        return []  # "who is vying to be the next president": a clause, not a post
    former = bool(re.search(r"\b(?:previously|once|had|worked|served|was)\b", tense)) and "has" not in tense
    roles: list[Role] = []
    who = re.search(r"\s+who\s+", role)
    if who:  # "a former Google engineer who later ran machine learning at the defense startup Vantor"
        led = LED.match(role[who.start():].strip())
        now = _WHO_IS.match(role[who.end():])
        if led:
            found = led_role(story, led, role_start + who.start() + 1, role[who.start() + 1:])
            roles.append(Role(found.title, found.org, former=led.group("verb") in PAST_LEADS, evidence=sentence))
        elif now:  # "a former Treasury official who is now a senior fellow at the Center for Global Development"
            past = now.group("verb").split()[0] in ("was", "served", "worked", "had")
            roles.extend(Role(p.title, p.org, former=past or p.former, evidence=sentence)
                         for p in posts(story, now.group("post"), role_start + who.end() + now.start("post")))
        role = role[:who.start()]
    if re.match(r"(?:who|whose|whom|which|that|after|before|including|according|with|without|in|on|at|for|from|"
                r"since|during|as|like|unlike|despite)\b", role.strip()):
        return roles  # "who will lead the opposition", "after eight years in the chief role": not a post
    found_posts = posts(story, role, role_start)
    return [Role(p.title, p.org, former=former or p.former, evidence=sentence) for p in found_posts] + roles


def _placed(story: Story, after: str, span: Span, sentence: str) -> list[Role]:
    """"Chris Low at FTN Financial", "Jane Doe of the Acme Institute": where someone works, no title given.
    "of" and "with" only before a body the model or the name's form says is one (not "Jane Doe of Ohio")."""
    match = _PLACED.match(after)
    if not match:
        return []
    start, end = span.end + match.start("org"), span.end + match.end("org")
    tagged = story.within(start, end, EntityKind.org)
    name = re.sub(r"^(?:the|The)\s+", "", match.group("org"))
    titled = match.group("org").startswith("The ")  # "The Intercept": a publication's name
    if match.group("prep") != "at" and not tagged and not org_by_form(name) and not titled:
        return []
    if story.within(start, end, EntityKind.person):
        return []
    org = org_in(story, start, end - start)
    return [Role(GENERIC, org, evidence=sentence)] if org else []


def _verbal(story: Story, after: str, span: Span, sentence: str) -> list[Role]:
    roles: list[Role] = []
    match = _AFTER.match(after)
    if match:
        verb = re.sub(r"\s+", " ", match.group("verb"))
        rest = match.group("rest")
        rest_start = span.end + match.start("rest")
        past = verb in ("worked", "had worked", "spent", "served", "was", "had been")
        at = _AT_ORG.match(rest)
        if verb in ("worked", "works", "has worked", "had worked", "served", "serves") and at:
            org = org_in(story, rest_start + at.start("org"), len(at.group("org")))
            title = tidy(at.group("title") or "") or GENERIC
            if org:
                roles.append(Role(title, org, former=past, evidence=sentence))
        elif verb not in ("joined", "spent"):
            titled = _AS_TITLE_AT.match(rest)
            if titled and TITLE_HEAD.search(titled.group("title")):
                org = org_in(story, rest_start + titled.start("org"), len(titled.group("org")))
                roles.append(Role(tidy(titled.group("title")), org, former=verb in ("was", "had been"),
                                  evidence=sentence))
    for years in _YEARS_AT.finditer(after):
        org = org_in(story, span.end + years.start("org"), len(years.group("org")))
        if org:
            roles.append(Role(GENERIC, org, former=True, evidence=sentence))
    return roles
