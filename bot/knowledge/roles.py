"""Titles and roles: who does what, where, as the story says it.

Read from the patterns news writing uses for them, each linked to the organisation it names:
- before a name: "OpenAI CEO Sam Altman", "Helix chief technology officer Marisol Okafor",
  "former Apple designer Jony Ive", "Col. Renata Voss", "OpenAI's chief executive, Sam Altman";
- in an apposition: "Caitlin Kalinowski, who has worked as OpenAI's head of robotics…",
  "Tomas Lindqvist, a researcher at the Stockholm Arms Observatory", "X, the executive who led
  robotics at OpenAI" (a head of robotics), "Col. Renata Voss, who directed the trial";
- after a name or a pronoun standing for it: "worked at Meta as a hardware executive" and "after
  two years at Meta" (former roles), "is the director of …", "was named CEO of …".
"""

from __future__ import annotations

import re

from bot.knowledge.coref import Story
from bot.knowledge.entities import Span, org_by_form
from bot.knowledge.gazetteer import ORG_ANAPHORS, RANKS, TITLE_HEAD, TITLE_HEADS, org_display, title_key, words
from bot.models import EntityKind, ExtractedEntity, Role

_RANK_BEFORE = re.compile(
    r"(?:\b(?P<org>[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){0,2})\s+)??\b(?P<rank>(?i:"
    + "|".join(re.escape(r) for r in sorted(RANKS, key=len, reverse=True)) + r"))\s+$")
_MODIFIER = (r"(?:\b(?<![’'])(?!(?:the|a|an|and|or|of|in|on|at|by|with|after|before|for|to|from|as|was|is|has|had|said|"
             r"says|told|when|while|that|this|his|her|its|their|our|whose|which|who|also|then|now|later|under|"
             r"former)\b)[A-Za-z][\w-]*\s+)")
_PREMOD = re.compile(
    rf"(?P<former>\b(?:former|ex-|then-)\s*)?(?P<title>{_MODIFIER}{{0,3}}?(?:{TITLE_HEADS}))\s*,?\s+$",
    re.IGNORECASE)
_WHO_AS = re.compile(
    r"^,\s+(?:who\s+(?P<tense>(?:(?:previously|also|once|briefly|later)\s+)?(?:has\s+|had\s+)?"
    r"(?:worked|works|serves|served|been|is|was|became))\s+as\s+)?(?P<role>[^,;:“”\"()]{3,160}?)"
    r"(?=,|\.\s|\.$|;|\s+(?:said|says|told|warned|wrote|added|has|had|is|was)\b|$)")
_LEADS = r"led|leads|heads|headed|ran|runs|oversees|oversaw|directs|manages|managed|chairs|chaired|commands|commanded"
_WHO_DOES = re.compile(
    rf"^,\s+(?:the\s+\w+\s+)?who\s+(?P<verb>[a-z]+ed|{_LEADS}|built|founded|co-founded)\s+"
    r"(?P<object>[^,;:“”\"()]{3,120}?)(?=,|\.\s|\.$|;|$)")
# Verbs of a who-clause that tell an event or a former job, not a role ("who joined Palantir in 2006").
_NOT_ROLE_VERBS = words("has had was is joined left resigned quit said told served worked retired returned moved")
_DEPARTMENT_TITLE = re.compile(
    r"^(?P<area>Defen[cs]e|State|Treasury|Justice|Homeland Security|Energy|Commerce|Interior|Labor|Education|"
    r"Transportation|Veterans Affairs|Agriculture|Health|Foreign|Home|Army|Navy|Air Force)\s+"
    r"(?P<title>Secretary|Minister|Undersecretary|Under Secretary)$")
_LED = re.compile(rf"^(?:the\s+)?(?:\w+\s+)?who\s+(?:(?:later|previously|once|also|briefly)\s+)?(?P<verb>{_LEADS})\s+"
                  r"(?P<area>.+?)(?:\s+(?:at|for)\s+(?P<org>(?:the\s+)?(?:[a-z][\w-]*\s+){0,3}[A-Z].+))?$")
_PAST_LEADS = words("led headed ran oversaw managed chaired commanded")
# "has named Marcus Feld, a former Google engineer, as the head of its AI office"
_APPOINTED_BEFORE = re.compile(r"\b(?:named|appointed|picked|tapped|chose|chosen|selected|hired|nominated|promoted)"
                               r"\s+$")
_APPOINTED_AS = re.compile(r"^(?:,[^,;“”\"]{0,160},)?\s+(?:as|to\s+be|to\s+become)\s+(?P<role>[^,;“”\"]{3,160}?)"
                           r"(?=,|;|\.\s|\.$|$)")
# "Marcus Feld, a former Google engineer, will lead the Pentagon's AI office"; "picked X to run Y"
_TO_LEAD = re.compile(r"^(?:,[^,;“”\"]{0,160},)?\s+(?:will\s+|would\s+|is\s+to\s+|to\s+)"
                      r"(?P<verb>lead|run|head|command|chair|oversee)\s+(?P<object>[^,;“”\"]{3,120}?)"
                      r"(?=,|;|\.\s|\.$|\s+(?:from|after|when|in|on|starting)\b|$)")
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
_POSSESSIVE_ROLE = re.compile(r"^(?P<org>.+?)['’]s?\s+(?P<title>.+)$")
_ROLE_AT = re.compile(r"^(?P<title>.+?)\s+(?:at|of|for|with)\s+(?P<org>.+)$")
_PRONOUN = re.compile(r"\b(?P<pronoun>[Ss]he|[Hh]e)\b")
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
        window = before[-120:]
        window_start = span.start - len(window)
        rank = _RANK_BEFORE.search(window)
        premod = _PREMOD.search(window)
        if rank:
            org = _org_named(story, rank, window_start, "org")
            if rank.group("org") and org is None:  # "Attorney General Jane Doe": a title, not a rank
                roles.append(Role(_tidy(rank.group()), None, evidence=sentence))
            else:
                roles.append(Role(RANKS[re.sub(r"\s+", " ", rank.group("rank").lower())], org, evidence=sentence))
        if premod and not (rank and premod.start("title") >= rank.start("rank")):
            roles.extend(_premodifier(story, premod, span, before, sentence_start, sentence))
        roles.extend(_apposition(story, after, span, sentence))
        roles.extend(_appointed(story, before, after, span, sentence))
    roles.extend(_verbal(story, after, span, sentence))
    return roles


def _appointed(story: Story, before: str, after: str, span: Span, sentence: str) -> list[Role]:
    """A new job: "named X as the head of its AI office", "X will lead the Pentagon's AI office"."""
    roles = []
    as_role = _APPOINTED_AS.match(after) if _APPOINTED_BEFORE.search(before) else None
    if as_role:
        parsed = _parse_role(story, as_role.group("role"), span.end + as_role.start("role"))
        if parsed:
            roles.append(Role(parsed[0], parsed[1], evidence=sentence))
    to_lead = _TO_LEAD.match(after)
    if to_lead:
        start, end = span.end + to_lead.start("object"), span.end + to_lead.end("object")
        org = _org_in(story, start, end - start)
        verb = to_lead.group("verb")
        head = {"chair": "chair", "command": "commander"}.get(verb, "head")
        if org:
            roles.append(Role(head, org, evidence=sentence))
    return roles


def _org_named(story: Story, match: re.Match[str], base: int, group: str) -> str | None:
    if match.group(group) is None:
        return None
    orgs = story.within(base + match.start(group), base + match.end(group), EntityKind.org)
    return story.name(orgs[-1]) if orgs else None


def _premodifier(story: Story, match: re.Match[str], span: Span, before: str, sentence_start: int,
                 sentence: str) -> list[Role]:
    window_start = span.start - len(before[-120:])
    title_start = window_start + match.start("title")
    title = _tidy(match.group("title"))
    org: str | None = None
    match_former = False
    ahead = story.text[max(sentence_start, title_start - 60):title_start]
    owner = [o for o in story.within(max(sentence_start, title_start - 60), title_start, EntityKind.org)
             if not story.text[o.end:title_start].strip(" ’'s")]
    if owner:
        org = story.name(owner[-1])
        if re.search(r"\b(?:former|ex-)\s*$", story.text[max(sentence_start, owner[-1].start - 12):owner[-1].start]):
            match_former = True
    elif re.search(r"(?:\b(?:the\s+)?(?:company|firm|agency|department|service|startup)['’]s|\bits|\btheir|"
                   r",\s*whose)\s+$", ahead):
        found = story.org_antecedent(title_start, ahead, sentence_start)  # "Anthropic, whose chief executive"
        org = story.name(found) if found else None
    else:
        # An org named inside the title ("Army Secretary"), else the organisation the sentence is about.
        inside = story.within(title_start, span.start, EntityKind.org)
        leading = re.match(r"^((?:[A-Z][\w&.-]*\s+){1,3})(?=[a-z])", title)
        if inside:
            org = story.name(inside[-1])
            title = _tidy(story.text[inside[-1].end:span.start].strip(" ’'s,"))
        elif leading:  # "Anthropic chief executive": a capitalised name before a lower-case title
            org = _fuller_org(story, org_display(leading.group(1)))
            title = _tidy(title[leading.end():])
        else:
            org = _sentence_org(story, sentence_start, span.start)
    former = match_former or (bool(match.group("former")) and "then-" not in match.group("former"))
    department = _DEPARTMENT_TITLE.match(_tidy(story.text[title_start:span.start]))
    if department:  # "Defense Secretary Pete Hegseth": the Secretary of the Department of Defense
        area, head = department.group("area"), department.group("title")
        if area in ("Army", "Navy", "Air Force"):
            inside = story.within(title_start, span.start, EntityKind.org)
            body = story.name(inside[0]) if inside else area
        else:
            body = org_display(f"Ministry of {area}" if head == "Minister" else f"Department of {area}")
        return [Role(head, body, former=former, evidence=sentence)]
    if not title or not TITLE_HEAD.search(title):
        return []
    return [Role(title, org, former=former, evidence=sentence)]


def _sentence_org(story: Story, sentence_start: int, at: int) -> str | None:
    """For a bare title ("CEO Dario Amodei"): the organisation whose possession the sentence is about
    ("Anthropic's contract … after CEO Dario Amodei"), else the one the sentence opens with."""
    sentence_end = story.sentence_end(at)
    orgs = story.within(sentence_start, sentence_end, EntityKind.org)
    owners = [o for o in orgs if re.match(r"['’]s?\b", story.text[o.end:o.end + 2])]
    if owners:
        return story.name(owners[0])
    opening = re.match(r"^(?:[A-Z][\w-]*,\s+)?(?:the\s+)?", story.text[sentence_start:at], re.IGNORECASE)
    first = [o for o in orgs if o.start < at and opening and o.start == sentence_start + opening.end()]
    return story.name(first[0]) if first else None


def _apposition(story: Story, after: str, span: Span, sentence: str) -> list[Role]:
    base = span.end
    does = _WHO_DOES.match(after)
    if does and does.group("verb") not in _NOT_ROLE_VERBS:
        clause = _tidy(after[does.start("verb"):does.end("object")])
        led = _LED.match(_tidy(after[2:does.end("object")]))
        if led:
            return [_led_role(story, led, base + 2, after[2:], sentence)]
        org = _org_in(story, base + does.start("object"), len(does.group("object")))
        return [Role(clause, org, evidence=sentence)]
    match = _WHO_AS.match(after)
    if not match:
        return []
    role = match.group("role")
    role_start = base + match.start("role")
    tense = re.sub(r"\s+", " ", match.group("tense") or "")
    former = bool(re.search(r"\b(?:previously|once|had|worked|served|was)\b", tense)) and "has" not in tense
    roles: list[Role] = []
    who = re.search(r"\s+who\s+", role)
    if who:  # "a former Google engineer who later ran machine learning at the defense startup Vantor"
        led = _LED.match(role[who.start():].strip())
        if led:
            found = _led_role(story, led, role_start + who.start() + 1, role[who.start() + 1:], sentence)
            roles.append(Role(found.title, found.org, former=led.group("verb") in _PAST_LEADS, evidence=sentence))
        role = role[:who.start()]
    parsed = _parse_role(story, role, role_start)
    if parsed is None:
        return roles
    title, org = parsed
    if title.lower().startswith(("former ", "ex-")):  # "a former minister for strategic industries"
        title, former = re.sub(r"^(?:former\s+|ex-)", "", title, flags=re.IGNORECASE), True
    return [Role(title, org, former=former, evidence=sentence), *roles]


def _parse_role(story: Story, role: str, role_start: int) -> tuple[str, str | None] | None:
    """"OpenAI's head of robotics", "a researcher at the Observatory", "the executive who led X at Y"."""
    stripped = re.sub(r"^(?:an?|the)\s+", "", role.strip())
    offset = role_start + role.find(stripped) if stripped else role_start
    if not stripped or not TITLE_HEAD.search(stripped) or len(stripped.split()) > 14:
        return None
    led = _LED.match(stripped)
    if led:
        found = _led_role(story, led, offset, stripped, "")
        return found.title, found.org
    possessive = _POSSESSIVE_ROLE.match(stripped)
    if (possessive and not re.search(r"\s", possessive.group("org").strip())) or (
            possessive and story.within(offset, offset + len(possessive.group("org")), EntityKind.org)):
        owner = possessive.group("org")
        org = _org_in(story, offset, len(owner))
        if org is None and ORG_ANAPHORS.search("the " + owner):
            meant = story.org_before(offset, owner)
            org = story.name(meant) if meant else None
        return _tidy(possessive.group("title")), org
    at = _ROLE_AT.match(stripped)
    # "analyst at the Teal Group", "chief executive of drone maker Shieldline"; not "minister for x"
    if at and re.sub(r"^(?:(?:the|its|their)\s+)?(?:[a-z][\w-]*\s+){0,3}", "", at.group("org"))[:1].isupper():
        org_text = at.group("org")
        org = _org_in(story, offset + at.start("org"), len(org_text))
        return _tidy(at.group("title")), org
    return _tidy(stripped), None


def _led_role(story: Story, led: re.Match[str], base: int, text: str, sentence: str) -> Role:
    """"who led robotics at OpenAI" is OpenAI's head of robotics; "who chairs the X" its chair."""
    head = "chair" if led.group("verb").startswith("chair") else "commander" if led.group("verb").startswith(
        "command") else "head"
    area = re.sub(r"\s+", " ", led.group("area")).strip(" ,.;:’'")
    org_text = led.group("org")
    org = _org_in(story, base + text.find(org_text), len(org_text)) if org_text else None
    owner = re.match(r"^(?:the\s+)?(?P<org>[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){0,3})['’]s\s+(?P<area>.+)$", area)
    if owner and org is None:  # "who leads the Navy's mine warfare programs"
        found = _org_in(story, base + text.find(owner.group("org")), len(owner.group("org")))
        if found:
            org, area = found, owner.group("area")
    return Role(f"{head} of {area}", org, evidence=sentence)


_OWNED = re.compile(r"['’]s?\s+(?P<name>[A-Z][\w&.-]*(?:\s+(?:and|of|for|on|[A-Z][\w&.-]*)){0,7})\s*$")
_DESCRIBED = re.compile(r"^(?:(?:the|its|their|his|her|an?)\s+)?(?P<kind>(?:[a-z][\w-]*\s+){1,3})(?=[A-Z])")
_NAME_PHRASE = re.compile(r"[A-Z][\w&.-]*(?:\s+(?:and|of|for|on|the|[A-Z][\w&.-]*))*")
_ORG_NOUNS = re.compile(r"\b(?:startup|start-up|company|firm|maker|contractor|agency|lab|laboratory|group|"
                        r"think\s+tank|institute|office|unit|supplier|manufacturer)\s+$")


def _org_in(story: Story, start: int, length: int) -> str | None:
    """The organisation named in text[start:start+length]: "the Pentagon's Chief Digital and Artificial
    Intelligence Office" is the office (whole, even where the model cut it up), "the defense startup
    Vantor" is Vantor (even where the model took it for a person), else the first known mention."""
    region = story.text[start:start + length].strip(" ,.;:")
    owned = _OWNED.search(region)
    if owned and len(owned.group("name").split()) >= 2:
        return _fuller_org(story, org_display(owned.group("name")))
    described = _DESCRIBED.match(region)
    if described and _ORG_NOUNS.search(described.group("kind")):
        name = region[described.end():]
        if len(name.split()) <= 6:
            mentioned = story.within(start + region.find(name), start + length, EntityKind.org)
            return story.name(mentioned[0]) if mentioned else _fuller_org(story, org_display(name))
    orgs = story.within(start, start + length, EntityKind.org)
    words = re.sub(r"^(?:the|its|their|his|her)\s+", "", region)
    if _NAME_PHRASE.fullmatch(words) and len(words.split()) >= 2 and (" and " not in words or org_by_form(words)):
        exact = [o for o in orgs if o.text == words]  # the whole name, though the model cut it up
        return story.name(exact[0]) if exact else _fuller_org(story, org_display(words))
    if orgs:
        return story.name(orgs[0])
    if words and words[0].isupper() and len(words.split()) <= 6 and not story.within(start, start + length,
                                                                                      EntityKind.person):
        return _fuller_org(story, org_display(words))
    return None


def _fuller_org(story: Story, name: str) -> str:
    """"Tidewater" (a word the model did not tag) is "Tidewater Robotics" when the story names that one
    organisation in full, so the role joins the others of the same body."""
    fuller = {story.name(o) for o in story.orgs if story.name(o).startswith(name + " ")}
    return fuller.pop() if len(fuller) == 1 else name


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
            org = _org_in(story, rest_start + at.start("org"), len(at.group("org")))
            title = _tidy(at.group("title") or "") or "employee"
            if org:
                roles.append(Role(title, org, former=past, evidence=sentence))
        elif verb not in ("joined", "spent"):
            titled = _AS_TITLE_AT.match(rest)
            if titled and TITLE_HEAD.search(titled.group("title")):
                org = _org_in(story, rest_start + titled.start("org"), len(titled.group("org")))
                roles.append(Role(_tidy(titled.group("title")), org, former=verb in ("was", "had been"),
                                  evidence=sentence))
    for years in _YEARS_AT.finditer(after):
        org = _org_in(story, span.end + years.start("org"), len(years.group("org")))
        if org:
            roles.append(Role("employee", org, former=True, evidence=sentence))
    return roles


def _tidy(title: str) -> str:
    title = re.sub(r"\s+", " ", title).strip(" ,.;:’'")
    title = re.sub(r"^(?:an?|the)\s+", "", title)
    return re.sub(r"^[A-Z][a-z]+-born\s+", "", title)  # "Norwegian-born member": where she was born is no role
