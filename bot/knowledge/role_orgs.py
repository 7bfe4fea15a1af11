"""Which organisation a stretch of a role phrase names, the way a reader picks it out.

"the Pentagon's Chief Digital and Artificial Intelligence Office" is the office (whole, even where the
model cut the name up), "Alphabet Inc's Google" is Google, "the investment bank Westwood Capital" is
Westwood Capital (even where the model took it for a person), "Tidewater" is "Tidewater Robotics" when
the story names that one body in full. Where a role belongs to a person rather than a body ("an adviser
to Mr. Doe", "Doe's chief strategist"), callers may ask for the person's name instead.
"""

from __future__ import annotations

import re

from bot.knowledge.coref import Story
from bot.knowledge.entities import org_by_form
from bot.knowledge.gazetteer import org_display
from bot.models import EntityKind

_OWNED = re.compile(r"['’]s?\s+(?P<name>[A-Z][\w&.-]*(?:\s+(?:and|of|for|on|[A-Z][\w&.-]*)){0,7})\s*$")
_DESCRIBED = re.compile(r"^(?:(?:the|its|their|his|her|an?)\s+)?(?P<kind>(?:[a-z][\w-]*\s+){1,3})(?=[A-Z])")
_NAME_PHRASE = re.compile(r"(?:\d+(?:st|nd|rd|th)\s+)?[A-Z][\w&.’'-]*(?:\s+(?:and|of|for|on|the|[A-Z][\w&.’'-]*))*")
_ORG_NOUNS = re.compile(r"\b(?:startup|start-up|company|firm|maker|contractor|agency|lab|laboratory|group|"
                        r"think\s+tank|institute|office|unit|supplier|manufacturer|bank|fund|newspaper|magazine|"
                        r"website|site|network|outlet|union|nonprofit|non-profit|organi[sz]ation|pac|party|"
                        r"committee|consultancy|publisher|broadcaster|channel|university|college|school|"
                        r"center|centre|foundation|coalition|caucus|campaign|body|regulator|watchdog)\s+$",
                        re.IGNORECASE)
# Where an organisation's name stops inside a longer phrase: "Acme in Washington", "Acme, which …".
_NAME_END = re.compile(r"\s+(?:in|at|who|which|that|where|since|until|during|from|when|while)\s+.*$", re.DOTALL)
# A person's or a body's team: "Jane Doe's 2008 presidential campaign", "the Doe administration".
_TEAM = re.compile(r"^(?:the\s+)?(?P<owner>[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3}?)(?:['’]s)?\s+"
                   r"(?:(?:[a-z\d][\w-]*)\s+){0,2}?(?P<team>campaign|administration|transition\s+team|team)$")
_HONORIFIC = re.compile(r"^(?:(?:the\s+)?(?:then-)?(?:Mr|Mrs|Ms|Dr|President|Vice\s+President|Sen|Senator|Rep|"
                        r"Gov|Governor|Gen|Prime\s+Minister|Chancellor)\.?\s+)+")


def org_in(story: Story, start: int, length: int, *, people: bool = False) -> str | None:
    """The organisation named in text[start:start+length]; with `people`, a person's name when the
    phrase names a person and no organisation ("an adviser to Mr. Doe": Jane Doe's)."""
    region = story.text[start:start + length]
    cut = _NAME_END.search(region)
    if cut and cut.start() > 0:
        region = region[:cut.start()]
    region = region.rstrip(" ,.;:")
    lead = len(region) - len(region.lstrip(" ,.;:"))
    start, region = start + lead, region.strip(" ,.;:")
    length = len(region)
    team = _TEAM.match(region)
    if team:  # "Jane Doe's presidential campaign", "the Doe administration"
        owner_start = start + team.start("owner")
        named = story.within(owner_start, start + team.end("owner"))
        owner = story.name(named[-1]) if named else team.group("owner")
        return f"{owner} {team.group('team').lower()}"
    owned = _OWNED.search(region)
    if owned and (len(owned.group("name").split()) >= 2 or story.within(
            start + owned.start("name"), start + length, EntityKind.org)):
        return fuller_org(story, org_display(owned.group("name")))
    described = _DESCRIBED.match(region)
    if described and _ORG_NOUNS.search(described.group("kind")):
        name = region[described.end():]
        if len(name.split()) <= 6:
            mentioned = story.within(start + region.find(name), start + length, EntityKind.org)
            return story.name(mentioned[0]) if mentioned else fuller_org(story, org_display(name))
    orgs = story.within(start, start + length, EntityKind.org)
    persons = story.within(start, start + length, EntityKind.person)
    words = re.sub(r"^(?:the|its|their|his|her)\s+", "", region)
    words = re.sub(r"^(?:[a-z][\w-]*\s+){1,3}(?=[A-Z\d])", "", words)  # "the pro-Doe Great America PAC"
    if people and persons and not orgs:  # "an adviser to Mr. Doe", "a spokesman for Jane Doe"
        return story.name(persons[-1])
    if people and not orgs and _HONORIFIC.match(words):  # "Mr. Doe", "President Doe": a person the model missed
        return _HONORIFIC.sub("", words).split(",")[0].strip() or None
    if _NAME_PHRASE.fullmatch(words) and len(words.split()) >= 2 and (" and " not in words or org_by_form(words)):
        exact = [o for o in orgs if o.text == words]  # the whole name, though the model cut it up
        return story.name(exact[0]) if exact else fuller_org(story, org_display(words))
    if orgs:
        return story.name(orgs[0])
    if words and words[0].isupper() and len(words.split()) <= 6:
        return fuller_org(story, org_display(words))
    return None


def fuller_org(story: Story, name: str) -> str:
    """"Tidewater" (a word the model did not tag) is "Tidewater Robotics" when the story names that one
    organisation in full, so the role joins the others of the same body."""
    fuller = {story.name(o) for o in story.orgs if story.name(o).startswith(name + " ")}
    return fuller.pop() if len(fuller) == 1 else name


def owner_before(story: Story, start: int, end: int) -> str | None:
    """Whose title a possessive right before `end` gives ("Doe's chief strategist", "Twitter's chief
    executive"): an organisation, else a person, else a capitalised word the model did not tag."""
    orgs = [o for o in story.within(start, end, EntityKind.org) if _possessed(story, o.end, end)]
    if orgs:
        return story.name(orgs[-1])
    people = [p for p in story.within(start, end, EntityKind.person) if _possessed(story, p.end, end)]
    if people:
        return story.name(people[-1])
    team = re.search(r"(?:^|\s)(?P<team>(?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3}\s+"
                     r"(?:campaign|administration))['’]s?\s*$", story.text[start:end])
    if team:  # "the Doe campaign's chairman"
        return org_in(story, start + team.start("team"), len(team.group("team")))
    word = re.search(r"(?:^|[\s(])(?P<name>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,2})['’]s?\s*$", story.text[start:end])
    if word and not re.fullmatch(r"(?:The|A|An|His|Her|Its|Their|Our|My)", word.group("name")):
        return fuller_org(story, org_display(word.group("name")))
    return None


def _possessed(story: Story, name_end: int, end: int) -> bool:
    return re.fullmatch(r"['’]s?\s*", story.text[name_end:end]) is not None
