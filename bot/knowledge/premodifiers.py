"""Titles written before a name, each linked to the organisation it names or points at.

- a rank: "Col. Renata Voss", "Air Force Lt. Gen. Jane Doe" (the Air Force's), "Texas Sen. Jane Doe";
- an organisation and a title: "OpenAI CEO Sam Altman", "White House Press Secretary Jane Doe", "Google
  Cloud CEO Jane Doe", "Doe's chief strategist John Roe", "former Apple designer Jony Ive";
- a title and "of" an organisation: "Secretary of State Jane Doe", "Deputy Secretary of Defense John
  Roe", "Speaker of the House Jane Doe", "White House Chief of Staff John Roe";
- a department's title: "Defense Secretary Jane Doe" is the Department of Defense's secretary (the title
  is kept as written, so a reader finds the words the story used).
"""

from __future__ import annotations

import re

from bot.knowledge.coref import Story
from bot.knowledge.entities import Span, org_by_form
from bot.knowledge.gazetteer import (
    DEPARTMENT_AREAS,
    NAME_TITLES,
    RANKS,
    TITLE_HEAD,
    TITLE_HEADS,
    TITLE_WORDS,
    org_display,
    words,
)
from bot.knowledge.role_orgs import fuller_org, org_in, owner_before
from bot.knowledge.role_phrase import tidy
from bot.models import EntityKind, Role

_RANK_TOKENS = r"(?:Lt|Maj|Brig|Vice|Rear|Gen|Col|Adm|Capt|Sgt|Cmdr|Sen|Rep|Gov|Lieutenant|Major|Brigadier|Former)\b"
_RANK_ALTERNATIVES = "|".join(re.escape(r) for r in sorted(RANKS, key=len, reverse=True))
_LONGEST_RANK = max(map(len, RANKS))
_RANK_AT_END = re.compile(rf"(?<!\w)(?i:{_RANK_ALTERNATIVES})\Z")
# Each pattern below is anchored at the end of a window but searched from its start: the leading
# (?<!\w) lets only word starts begin a match, so a window of glued or hostile text costs a few
# attempts per word instead of the whole pattern at every character.
_RANK_BEFORE = re.compile(
    rf"(?<!\w)(?:\b(?P<org>(?!{_RANK_TOKENS})[A-Z][\w.&-]*(?:\s+(?!{_RANK_TOKENS})[A-Z][\w.&-]*){{0,2}})\s+)??\b(?P<rank>(?i:"
    + _RANK_ALTERNATIVES + r"))\s+$")
_MODIFIER = (r"(?:\b(?<![’'])(?!(?:the|a|an|and|or|of|in|on|at|by|with|after|before|for|to|from|as|was|is|has|had|said|"
             r"says|told|when|while|that|this|his|her|its|their|our|whose|which|who|also|then|now|later|under|"
             r"former)\b)[A-Za-z][\w-]*\s+)")
_PREMOD = re.compile(
    rf"(?<!\w)(?P<former>\b(?:former|ex-|then-)\s*)?(?P<title>{_MODIFIER}{{0,3}}?(?:{TITLE_HEADS}))\s*,?\s+$",
    re.IGNORECASE)
_OF_MODIFIER = (r"(?:(?:[A-Z][\w.-]*|deputy|vice|assistant|associate|acting|interim|under|executive|senior|chief|"
                r"press|national|principal)\s+)")
_TITLE_OF = re.compile(
    rf"(?<!\w)(?P<former>\b(?:[Ff]ormer|[Ee]x-|then-)\s*)?(?P<title>{_OF_MODIFIER}{{0,2}}?\b(?i:{TITLE_HEADS}|head))\s+(?i:of)\s+"
    rf"(?P<org>(?:the\s+)?(?:(?i:{DEPARTMENT_AREAS})\b|[A-Z][\w&.’'-]*(?:\s+(?:and\s+|of\s+|&\s+|the\s+)?"
    r"[A-Z][\w&.’'-]*){0,5}))\s*,?\s+$")
# "Chief of Staff", "Director of Communications": the "of" phrase is part of the post, not its body.
_COMPLEMENTS = re.compile(r"^(?:Staff|Communications|Operations|Policy|Research|Strategy|Engineering|Marketing|"
                          r"Sales|Finance|Technology|Innovation|Security|Intelligence|Digital|Product|Design)$",
                          re.IGNORECASE)
_DEPARTMENT_TITLE = re.compile(
    rf"^(?:(?:Deputy|Under|Assistant|Acting|Principal\s+Deputy)\s+)?(?P<area>{DEPARTMENT_AREAS})\s+"
    r"(?P<title>Secretary|Minister|Undersecretary|Under Secretary)$")
_DEPARTMENT_HEADS = re.compile(r"\b(?:Secretary|Minister|Undersecretary|Under\s+Secretary)$", re.IGNORECASE)
_ARMED = ("Army", "Navy", "Air Force")
_WINDOW = 120
# A title that kept capitalised words no one tagged as a body ("Republican pollster", "Texas media
# consultant"): it names a side or a place, and the sentence's organisation is not its body either.
_FOLDED = re.compile(r"^(?:[A-Z][\w-]*\s+)+(?=[a-z])")
_OF_NAME = re.compile(r"\s(?i:of)\s+(?:the\s+)?[A-Z]")
# Party names before a title say whose side, not whose staff: "GOP strategist", "Democratic pollster".
_PARTIES = frozenset({"GOP", "Republican", "Republicans", "Democratic", "Democrat", "Democrats", "Labour", "Tory",
                      "Conservative", "Liberal", "Libertarian"})
_GENERAL_TITLES = frozenset({"Secretary", "Attorney", "Inspector", "Surgeon", "Director", "Solicitor", "Adjutant"})


def titles_before(story: Story, span: Span, sentence_start: int, sentence: str) -> list[Role]:
    """Every title the words right before a person's name give them."""
    before = story.text[sentence_start:span.start]
    window = before[-_WINDOW:]
    window_start = span.start - len(window)
    roles: list[Role] = []
    if not window[-1:].isspace():
        return roles  # every title below ends in a space before the name
    words_end = window.rstrip()
    has_rank = _RANK_AT_END.search(words_end, max(0, len(words_end) - _LONGEST_RANK)) is not None
    if not has_rank and TITLE_HEAD.search(window) is None:
        return roles  # and holds a rank or a title word: a cheap test before the costly patterns
    rank = _RANK_BEFORE.search(window) if has_rank else None
    name_start = span
    if rank:
        # "Army Chief of Staff Gen. Jane Doe": "Staff" is the end of a title, not the rank's body; the
        # titles before a rank are read as if the rank were part of the name.
        of_title = rank.group("org") is not None and window[:rank.start("org")].endswith(" of ")
        roles.append(_rank_role(story, rank, window_start, sentence, bare=of_title))
        cut = rank.start("org") if rank.group("org") and not of_title else rank.start("rank")
        window = window[:cut]
        name_start = Span(span.text, span.kind, window_start + cut, span.end)
    premod = _PREMOD.search(window)
    if premod and _OF_NAME.search(premod.group("title")):
        premod = None  # "the head of Mercury, Jane Doe": a title of a body, read below
    if premod:
        roles.extend(_premodifier(story, premod, name_start, window_start, sentence_start, sentence))
    titled = _TITLE_OF.search(window)
    if titled and not premod:
        roles.extend(_title_of(story, titled, window_start, sentence_start, sentence))
    return roles


def _former_before(story: Story, at: int) -> bool:
    return re.search(r"\b(?:former|ex-)\s*$", story.text[max(0, at - 12):at], re.IGNORECASE) is not None


def _rank_role(story: Story, rank: re.Match[str], window_start: int, sentence: str, *, bare: bool) -> Role:
    title = RANKS[re.sub(r"\s+", " ", rank.group("rank").lower())]
    former = _former_before(story, window_start + rank.start())
    if rank.group("org") is None or bare:
        return Role(title, None, former=former, evidence=sentence)
    org_start, org_end = window_start + rank.start("org"), window_start + rank.end("org")
    words = rank.group("org").split()
    while words and (words[0].lower() in _NOT_NAME_WORDS or words[0] in _PARTIES):
        org_start += len(words.pop(0)) + 1  # "But Sen. Jane Doe", "GOP Rep. Jane Doe": no body
    while words and words[-1] in _PARTIES:  # "Indiana GOP Rep. Jane Doe": Indiana's
        org_end -= len(words.pop()) + 1
    if not words:
        return Role(title, None, former=former, evidence=sentence)
    if title == "General" and words[-1] in _GENERAL_TITLES:  # "NATO Secretary General", "Attorney General"
        title = f"{words[-1]} General"
        if len(words) == 1:
            return Role(title, None, former=former, evidence=sentence)
        org_end -= len(words[-1]) + 1
    orgs = story.within(org_start, org_end, EntityKind.org)
    if orgs:  # "Air Force Lt. Gen. Jane Doe"
        return Role(title, story.name(orgs[-1]), former=former, evidence=sentence)
    # "Texas Sen. Jane Doe" (a senator from Texas), "Ohio Attorney General Jane Doe"
    return Role(f"{story.text[org_start:org_end]} {title}", None, former=former, evidence=sentence)


def _premodifier(story: Story, match: re.Match[str], span: Span, window_start: int, sentence_start: int,
                 sentence: str) -> list[Role]:
    title_start = window_start + match.start("title")
    title = tidy(match.group("title"))
    former = bool(match.group("former")) and "then-" not in match.group("former").lower()
    written = tidy(story.text[title_start:span.start])
    department = _DEPARTMENT_TITLE.match(written)
    if department:  # "Defense Secretary Pete Hegseth": the Secretary of the Department of Defense
        return [Role(written, _department(story, department.group("area"), department.group("title"),
                                          title_start, span.start), former=former, evidence=sentence)]
    org: str | None = None
    owned_former = False
    ahead = story.text[max(sentence_start, title_start - 60):title_start]
    owner = owner_before(story, max(sentence_start, title_start - 60), title_start) \
        if re.search(r"['’]s?\s*$", ahead) else None
    if owner:  # "OpenAI's chief executive, Sam Altman", "Doe's chief strategist John Roe"
        org = owner
        owned_former = _former_before(story, title_start - len(ahead) + ahead.rstrip().rfind(" ") + 1)
    elif re.search(r"(?:\b(?:the\s+)?(?:company|firm|agency|department|service|startup)['’]s|\bits|\btheir|"
                   r",\s*whose)\s+$", ahead):
        found = story.org_antecedent(title_start, ahead, sentence_start)  # "Anthropic, whose chief executive"
        org = story.name(found) if found else None
    else:
        # The organisation named inside the title ("White House Press Secretary", "Google Cloud CEO"),
        # else the organisation the sentence is about.
        org, title = _split_named_title(story, _named_start(story, title_start, sentence_start), span.start,
                                        sentence_start)
        folded = _FOLDED.match(title)  # "Republican pollster": a side is said, no body, not the sentence's either
        if org is None and not (folded and not _title_word(folded.group().split()[0])):
            org = _sentence_org(story, sentence_start, span.start)
    former = former or owned_former
    honorific = re.match(r"^(?P<title>(?:.+?\s)?[a-z]\S*)\s+(?P<word>\S+)$", title or "")  # not "Chief Justice"
    if honorific and honorific.group("word").lower() in NAME_TITLES and honorific.group("word")[:1].isupper() \
            and TITLE_HEAD.search(honorific.group("title")):
        title = honorific.group("title")  # "Fox News judicial analyst Judge Jane Doe": the analyst is the post
    if not title or not TITLE_HEAD.search(title):
        return []
    return [Role(title, org, former=former, evidence=sentence)]


def _split_named_title(story: Story, start: int, end: int, sentence_start: int) -> tuple[str | None, str]:
    """"White House Press Secretary" -> ("White House", "Press Secretary"): the capitalised words before
    the title's own words name the organisation (a person's name stands for their team: "Doe
    spokesman"); a lone capital that only opens the sentence ("Campaign spokesman") names nothing."""
    text = story.text[start:end]
    lower = re.match(r"^(?:[a-z][\w-]*\s+)+(?=[A-Z])", text)  # "current ABC News anchor": ABC News's
    if lower and not _is_title(text):
        start, text = start + lower.end(), text[lower.end():]
    words = list(re.finditer(r"\S+", text))
    split = next((i for i in range(len(words)) if _is_title(text[words[i].start():])), len(words))
    title = tidy(text[words[split].start():]) if split < len(words) else tidy(text)
    if split == 0:
        return None, title
    org_end = start + words[split - 1].end()
    region = story.text[start:org_end].strip(" ,")
    run = re.sub(r"['’]s?$", "", region)
    run = re.sub(r"^(?:[Ee]x-|[Ff]ormer\s+)", "", run)  # "ex-CIA chief": the CIA's former chief
    if run in _PARTIES:
        return None, tidy(text)
    if not run[:1].isupper() or any(w[:1].islower() and w not in ("of", "and", "for", "&") for w in run.split()):
        return None, title
    orgs = story.within(start, org_end, EntityKind.org)
    people = story.within(start, org_end, EntityKind.person)
    if orgs and (story.name(orgs[-1]) == org_display(run) or orgs[-1].text == run):
        return story.name(orgs[-1]), title
    if people and not orgs and people[-1].end >= org_end - 2:
        return story.name(people[-1]), title
    fuller = fuller_org(story, org_display(run))
    if orgs or org_by_form(run) or fuller != run or re.fullmatch(r"[A-Z][A-Z&.-]+", run):
        return fuller, title
    # Words no one tagged and nothing says are a body ("Republican pollster", "Texas media consultant",
    # "Campaign spokesman" opening a sentence) stay part of the title.
    return None, tidy(text) if start != sentence_start or not re.search(rf"\b{re.escape(run.lower())}\b",
                                                                        story.text) else title


_NOT_NAME_WORDS = words("""the a an former ex then but and or when while as in on at by for from with after before
meanwhile also last this that its his her their our""")


def _named_start(story: Story, title_start: int, sentence_start: int) -> int:
    """Where the name in front of a title starts when it is longer than the title pattern reached:
    "Montclair State University political scientist" is Montclair State University's."""
    ahead = story.text[sentence_start:title_start]
    run = re.search(r"(?:(?<=\s)|^)((?:[A-Z][\w&.’'-]*\s+(?:(?:of|and|&)\s+)?)+)$", ahead)
    if not run:
        return title_start
    words = run.group(1).split()
    while words and words[0].lower().strip(".") in _NOT_NAME_WORDS:
        words = words[1:]
    if not words:
        return title_start
    return title_start - len(run.group(1)) + run.group(1).find(words[0])


def _is_title(text: str) -> bool:
    """"Press Secretary", "Chief Digital and AI Officer", "campaign manager": a title noun at the end
    and only title words or lower-case words before it (not "White House Press Secretary")."""
    text = tidy(text)
    head = _HEAD_AT_END.search(text)
    return head is not None and all(_title_word(w) for w in text[:head.start()].split())


_HEAD_AT_END = re.compile(rf"(?:^|(?<=\s))(?:{TITLE_HEADS})$", re.IGNORECASE)


def _title_word(word: str) -> bool:
    """A word of the title itself: lower case, or one of the capitalised title words ("Press", "CEO")."""
    bare = word.strip(",.;:").lower()
    if re.match(r"[a-z]+-[A-Z]", word):  # "ex-CIA chief": a body after a prefix
        return False
    return word[:1].islower() or bare in TITLE_WORDS or bool(re.fullmatch(TITLE_HEADS, bare, re.IGNORECASE))


def _title_of(story: Story, match: re.Match[str], window_start: int, sentence_start: int,
              sentence: str) -> list[Role]:
    """"Secretary of State Jane Doe", "Speaker of the House Jane Doe", "White House Chief of Staff Jane Doe"."""
    title_start = window_start + match.start("title")
    org_text = match.group("org")
    written = tidy(story.text[title_start:window_start + match.end("org")])
    former = bool(match.group("former")) and "then-" not in match.group("former").lower()
    bare = re.sub(r"^the\s+", "", org_text, flags=re.IGNORECASE)
    if _COMPLEMENTS.match(bare):  # the post is "Chief of Staff": whose, the words before it say
        org, title = _split_named_title(story, title_start, window_start + match.end("title"), sentence_start)
        title_words = story.text[window_start + match.end("title"):window_start + match.end("org")]
        head = tidy(title + " " + title_words)
        return [Role(head, org or _sentence_org(story, sentence_start, title_start), former=former,
                     evidence=sentence)]
    if re.fullmatch(DEPARTMENT_AREAS, bare, re.IGNORECASE) and _DEPARTMENT_HEADS.search(match.group("title")):
        department_head = _DEPARTMENT_HEADS.search(match.group("title"))
        area = bare[0].upper() + bare[1:]
        body = _department(story, area, department_head.group() if department_head else "Secretary", title_start,
                           title_start)
        return [Role(written, body, former=former, evidence=sentence)]
    start = window_start + match.start("org")
    org = org_in(story, start, len(org_text))
    return [Role(written, org, former=former, evidence=sentence)] if org else []


def _department(story: Story, area: str, head: str, start: int, end: int) -> str:
    """The body a department's title names: "Ministry of Defence" for a minister, the Army for its secretary."""
    area = re.sub(r"\s+", " ", area)
    if area in _ARMED:
        inside = story.within(start, end, EntityKind.org)
        return story.name(inside[0]) if inside else area
    return org_display(f"Ministry of {area}" if head.lower() == "minister" else f"Department of {area}")


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
