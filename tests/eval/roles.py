"""Do /whois roles survive real prose? Measured on PolNeAR's annotated sources through the real CLI.

PolNeAR's annotators marked who said what in real news; many of those Source spans name a person
together with what they do: "Kevin Brady, chairman of the House Ways and Means Committee", "Senate
Majority Leader Mitch McConnell", "Chris Low at FTN Financial". This script reads a split at run
time, derives from each such span the title and the organisation it states (rules below and in
README-roles.md), polls the articles with `sitrep poll`, asks `sitrep whois NAME --format json`
for every person, and counts the spans whose role came back with its organisation.

    .venv/bin/python -m tests.eval.roles ../shared/corpus/polnear/train
    .venv/bin/python -m tests.eval.roles ../shared/corpus/polnear/dev --show 50 --json out.json

No text of the corpus is kept in the project: everything is read from the split when it runs.
Exit status: 0 when the figure meets --min, 1 when it falls short, 2 when sitrep could not be run.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import io
import json
import re
import shlex
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# --- the words the derivation knows ---------------------------------------------------------------

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Nouns that make a phrase a job title; a span qualifies only when its title ends in one of these.
# Race words (candidate, nominee, hopeful, front-runner) and opinion words (critic, supporter, ally)
# are left out: they say what someone is doing, not a post held in an organisation.
TITLE_NOUNS = _words("""
president chairman chairwoman chair chairperson director secretary spokesman spokeswoman spokesperson
strategist adviser advisor analyst professor economist editor manager founder cofounder executive officer
ceo cfo coo cto cio leader attorney lawyer governor senator mayor ambassador commissioner aide consultant
chief counsel fellow researcher pollster anchor correspondent reporter columnist member official judge
justice treasurer coordinator partner speaker whip representative congressman congresswoman lawmaker
sheriff general admiral colonel recorder clerk minister administrator scientist dean publisher historian
scholar staffer superintendent commander deputy inspector prosecutor auditor comptroller chancellor
provost principal trustee organizer operative lobbyist pastor bishop archbishop
""")
# Abbreviated titles written before a name, and what they stand for.
ABBREVIATIONS = {
    "sen": "senator", "sens": "senator", "rep": "representative", "reps": "representative", "gov": "governor",
    "lt": "lieutenant", "gen": "general", "adm": "admiral", "col": "colonel", "maj": "major", "capt": "captain",
    "atty": "attorney", "supt": "superintendent", "cmdr": "commander", "sgt": "sergeant",
}
# Ways of writing one title noun.
SYNONYMS = {"chairwoman": "chairman", "chair": "chairman", "chairperson": "chairman",
            "spokeswoman": "spokesman", "spokesperson": "spokesman", "advisor": "adviser",
            "congresswoman": "representative", "congressman": "representative", "cofounder": "founder",
            "ceo": "chief executive", "cfo": "chief financial officer", "coo": "chief operating officer",
            "cto": "chief technology officer", "cio": "chief information officer", "senators": "senator"}
# Words before the head noun that change the post, so an answer must have them too: a deputy
# secretary is not the secretary, a press secretary is not a cabinet one.
KEPT_MODIFIERS = _words("""deputy vice assistant associate under lieutenant co acting interim press majority
minority prime executive managing""")
# "attorney general", "inspector general": "general" with the word before it is one post.
GENERAL_COMPOUNDS = _words("attorney surgeon inspector secretary director adjutant solicitor")
# Capitalised words that belong to a title, not to the organisation in front of it ("White House
# Press Secretary": the White House's press secretary).
TITLE_WORDS = _words("""press secretary majority minority leader whip chief executive deputy vice president senior
general attorney director chairman chairwoman chair speaker lieutenant assistant associate national
security adviser advisor of staff former acting interim prime minister foreign defense state treasury
commander managing principal special counsel inspector""") | TITLE_NOUNS
# "X of Y" titles whose Y is part of the post, not the organisation ("chief of staff").
TITLE_COMPLEMENTS = _words("staff communications operations research policy strategy digital")
# Party labels are an affiliation, not the organisation a title belongs to ("Republican strategist").
PARTY_WORDS = _words("u.s u.s. us american federal republican republicans democratic democrat democrats gop "
                     "conservative liberal progressive libertarian independent")
# An "of"/"from" phrase after a name is an organisation only when its form says so (else it is
# usually a home town: "Joy Doe, 50, of Houston").
ORG_FORM = re.compile(
    r"\b(?:Inc|Corp|Co|LLC|Ltd|Company|Group|Partners|Capital|Financial|Bank|Securities|Research|Institute|"
    r"University|College|School|Center|Centre|Council|Committee|Commission|Foundation|Association|Society|"
    r"Party|Campaign|PAC|Project|Fund|Agency|Department|Ministry|Office|Bureau|Administration|Service|"
    r"Network|News|Times|Post|Journal|Review|Report|Magazine|Press|Tribune|Herald|Insider|Intercept|Watch|"
    r"Union|Federation|Coalition|Alliance|Court|Board|Trust|Consulting|Strategies|Associates|Analytics|"
    r"Club|Church|Times|Magazine|Company|Media|Holdings|Industries|Technologies|Systems|Forum|League)\b")
# Organisation words too common to tell two bodies apart by themselves.
GENERIC_ORG_WORDS = _words("""university college school institute center centre council committee commission
department ministry office party campaign group company national american united states us u.s state house
new the of for and foundation association news international city county federal""")
ALIASES = {"pentagon": "defense department", "dod": "defense department", "white house": "white house",
           "gop": "republican party", "dnc": "democratic national committee",
           "rnc": "republican national committee", "fbi": "federal bureau of investigation",
           "cia": "central intelligence agency", "nsa": "national security agency"}

_NAME_WORD = r"(?:[A-Z][a-z]*[’']?[A-Z]?[a-z]+(?:-[A-Z][a-z]+)?|[A-Z]\.)"
_PARTICLE = r"(?:de|da|di|van|von|der|den|del|la|le|du|bin|al)"
_SUFFIX = r"(?:,?\s+(?:Jr|Sr)\b\.?|\s+(?:III|II|IV)\b)"
NAME = rf"(?P<name>{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{1,3}}{_SUFFIX}?)"
_PARTY_TAIL = r"(?:,?\s*\(?[RDI]-[A-Z][a-z]*\.?(?:\s?[A-Z][a-z]*\.?)?\)?,?)"
_CAP = r"(?:[A-Z][\w.&’'-]*|&)"
_ORG = rf"(?P<org>(?:[Tt]he\s+)?(?:[a-z][\w-]*\s+){{0,2}}?{_CAP}(?:\s+(?:of|for|and|on|&|the|de|{_CAP}))*(?:[’']s?)?)"
_FORMER = r"(?P<former>(?:[Ff]ormer|[Ee]x-|[Tt]hen-)\s*)?"

# A title before the name: "Senate Majority Leader Mitch McConnell", "former CIA Director Jane Doe".
PREMODIFIED = re.compile(rf"^(?:[Tt]he\s+)?{_FORMER}(?P<pre>[^,;()“”\"]+?)\s+{NAME}(?:{_PARTY_TAIL})?$")
# A title after the name: "Jane Doe, a professor at Some University", "Jane Doe, Acme's chief of staff".
APPOSED = re.compile(
    rf"^(?P<lead>[^,;()“”\"]*?){NAME}(?:{_PARTY_TAIL})?\s*,\s+(?:who\s+(?:is|was|has\s+been|had\s+been)\s+)?"
    rf"(?:(?:now|also|currently|then)\s+)?(?:(?:a|an|the|its|his|her|their)\s+)?{_FORMER}(?P<appos>[^,;()“”\"]+?)"
    r"\s*(?:,.*)?$")
# A name with an organisation and no title: "Chris Low at FTN Financial", "Jane Doe of the Acme Institute".
PLACED = re.compile(rf"^{NAME}\s+(?P<prep>at|of|from|with)\s+{_ORG}\s*,?$")


@dataclass(slots=True)
class Expected:
    """One role a span states: who, the title noun (with the modifiers that change the post), the organisation."""

    article: str
    span: str
    name: str
    title: str | None  # None: "Chris Low at FTN Financial" names a body and no post
    org: str | None  # None: a title alone ("Jane Doe, the chief of staff")
    former: bool = False
    shape: str = ""


@dataclass(slots=True)
class Article:
    key: str
    title: str
    paragraphs: list[str]
    text: str
    sources: list[str] = field(default_factory=list)


# --- reading a split ---------------------------------------------------------------------------------

def read_split(folder: Path, limit: int | None = None) -> list[Article]:
    """PolNeAR's layout: text/NAME.txt (title on the first line) and attributions/NAME_ANNOTATOR.ann.
    An article annotated twice is read from its first annotator's file, as attribution.py does."""
    articles: list[Article] = []
    seen: set[str] = set()
    for ann in sorted((folder / "attributions").glob("*.ann")):
        base = ann.stem.rsplit("_", 1)[0]
        text_path = folder / "text" / f"{base}.txt"
        if base in seen or not text_path.exists():
            continue
        seen.add(base)
        text = text_path.read_text(encoding="utf-8")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        article = Article(base, lines[0] if lines else base, lines[1:] or lines, text)
        article.sources = list(source_spans(text, ann.read_text(encoding="utf-8")))
        articles.append(article)
        if limit and len(articles) >= limit:
            break
    return articles


def source_spans(text: str, ann: str) -> Iterator[str]:
    """Each Source span's text, its pieces joined, with the apposition or title right next to it when
    the annotator left it out ("Jane Doe" + ", the chief of staff,")."""
    for line in ann.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].startswith("T") or not parts[1].startswith("Source "):
            continue
        try:
            ranges = [tuple(map(int, r.split())) for r in parts[1][len("Source "):].split(";")]
        except ValueError:
            continue
        start, end = ranges[0][0], ranges[-1][1]
        span = " ".join(text[a:b] for a, b in ranges)
        after = re.match(r"^,\s+(?:(?:a|an|the)\s+)?[^,;.()“”\"\n]{3,90},", text[end:end + 100])
        before = re.search(r"(?:^|[.;:“”\"]\s+|,\s+|\n)(?P<pre>[^,;.“”\"\n]{2,60}\s)$", text[max(0, start - 70):start])
        if after and _is_bare_name(span) and _title_in(after.group()):
            span += after.group().rstrip(",")
        elif before and _is_bare_name(span) and _title_in(before.group("pre")) and before.group("pre")[:1].isupper():
            span = before.group("pre") + span
        yield clean(span)


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip(" ,;:—–-\"“”")


def _is_bare_name(span: str) -> bool:
    return re.fullmatch(NAME, clean(span)) is not None


def _title_in(phrase: str) -> bool:
    return any(_word(w) in TITLE_NOUNS for w in phrase.split())


def _word(token: str) -> str:
    """A token as the lexicon holds it: lower case, no possessive, no punctuation, abbreviations spelled out."""
    bare = re.sub(r"[’']s$", "", token.lower()).strip(".,;:()“”\"’'")
    return ABBREVIATIONS.get(bare, bare)


# --- deriving the expected role from a span ------------------------------------------------------

# Words the article writes in lower case somewhere: capitalised at a span's start ("Campaign
# spokesman Jane Doe"), they open a sentence and name nothing. Set per article by expected_roles.
_COMMON_WORDS: set[str] = set()


def expected_roles(article: Article) -> list[Expected]:
    _COMMON_WORDS.clear()
    _COMMON_WORDS.update(re.findall(r"(?<![\w.])[a-z][a-z-]+", article.text))
    found = []
    for span in article.sources:
        role = derive(span)
        if role is None:
            continue
        words = role.name.split()
        while words and (_word(words[0]) in HONORIFICS | TITLE_WORDS | COMMON_OPENERS | _CONJUNCTIONS
                         | set(ABBREVIATIONS.values())):
            words = words[1:]  # "Rabbi Jane Doe", "Officer Jane Doe": the name is Jane Doe
        if len(words) >= 2 and not ORG_FORM.search(" ".join(words)):  # "the head of the Acme Union": no person
            role.name, role.article = " ".join(words), article.key
            found.append(role)
    return found


def derive(span: str) -> Expected | None:
    """The title and organisation a Source span states, or None when it states no role we can read
    unambiguously (no person's name, several people, a title noun we do not know, a mere description)."""
    span = clean(span)
    if re.search(r"\b(?:and|or|as well as|along with|including)\s+(?:[A-Z]|former\b|the\b)", _outside_title(span)):
        return None  # several people in one span
    appos = APPOSED.match(span)
    if appos:
        lead = appos.group("lead").strip()
        role = _appositive(span, appos)
        if role is not None and not lead:
            return role
        pre = _premodified(span[:appos.end("name")].strip())
        if pre is not None and pre.org is not None:
            return pre
        return role if not lead else pre
    pre = _premodified(span)
    if pre is not None:
        return pre
    placed = PLACED.match(span)
    if placed:
        org = placed.group("org")
        if placed.group("prep") in ("at", "with") or ORG_FORM.search(org) or org.startswith("The "):
            return Expected("", span, placed.group("name"), None, _org(org), shape="name-prep-org")
    return None


def _outside_title(span: str) -> str:
    """The span without "president and chief executive of": "and" inside a title is one person."""
    return re.sub(r"\b[a-z]+\s+and\s+(?=[a-z])", " ", span)


def _premodified(span: str) -> Expected | None:
    match = PREMODIFIED.match(span)
    if not match:
        return None
    pre, name = match.group("pre").split(), match.group("name").split()
    while len(name) > 2 and (name[0].lower() == "of" or _word(name[0]) in TITLE_WORDS | HONORIFICS):
        pre.append(name.pop(0))  # "Chief Of Staff Jane Doe": the name starts after the title
    if re.search(r"\b(?:to|from|on|in|at|with|by|for|that|who|which|said|says)\b|\bof$", " ".join(pre), re.I):
        return None  # "a letter to Acme from the chairman of the Committee on Jane Doe": not a titled name
    title, org = split_title(" ".join(pre))
    if title is None:
        return None
    return Expected("", span, " ".join(name), title, org, bool(match.group("former")), "title-name")


def _appositive(span: str, match: re.Match[str], part: str | None = None) -> Expected | None:
    appos = (part if part is not None else match.group("appos")).strip()
    appos = re.sub(r"(?i)^(?:an?|the)\s+", "", appos)
    if re.match(r"(?i)^(?:who|whose|whom|which|that|when|where|while|after|before|because|if)\b", appos):
        return None  # "who is vying to be the next president": a clause, not a title
    former = bool(match.group("former"))
    if re.match(r"(?i)^former\s+", appos):
        appos, former = re.sub(r"(?i)^former\s+", "", appos), True
    conjuncts = re.split(r"\s+and\s+(?=(?:former|a|an|the|then|now)\s)", appos)
    if len(conjuncts) > 1:  # "a Doe strategist and former adviser to Jane Roe": each is a role of its own
        roles = [_appositive(span, match, c) for c in conjuncts]
        for n, role in enumerate(roles):
            if role is not None and n > 0:
                role.former = bool(re.match(r"(?i)^(?:an?\s+|the\s+)?former\b", conjuncts[n]))
        found = [r for r in roles if r is not None]
        return next((r for r in found if r.org), found[0] if found else None)
    # "Acme's executive director"
    owned = re.match(rf"^(?P<org>{_CAP}(?:\s+(?:of|for|and|the|{_CAP}))*)[’']s?\s+(?P<title>[^’']+)$", appos)
    if owned and _head(owned.group("title")):
        title, inner = split_title(owned.group("title"))
        if title is not None:
            org = _org(owned.group("org")) if inner is None else f"{_org(owned.group('org'))} {inner}"
            return Expected("", span, match.group("name"), title, org, former, "name-possessive-title")
    # "a professor at Some University (in Some Town)", "head of policy at Acme", "an adviser to Mr. Doe"
    placed = title_prep_org(appos)
    if placed is not None:
        title, org = placed
        return Expected("", span, match.group("name"), title, org, former, "name-title-prep-org")
    title, org = split_title(appos)
    if title is None:
        return None
    return Expected("", span, match.group("name"), title, org, former, "name-title")


def title_prep_org(phrase: str) -> tuple[str, str | None] | None:
    """"professor of economics at Some University" -> ("professor", "Some University"): the first
    preposition whose object is a name (after "the" and at most two describing words: "the investment
    bank Westwood Capital") and whose left side ends in a title ("head of policy", "chief of staff"
    stay whole: their "of" has a lower-case object). "in" only before an organisation's name."""
    words = phrase.split()
    for k in range(1, len(words) - 1):
        prep = words[k].lower()
        if prep not in ("at", "of", "for", "with", "to", "in"):
            continue
        obj = words[k + 1:]
        if obj[0].lower() in ("a", "an"):
            continue  # "chief executive of a Silicon Valley firm": a description, not a name
        n = 1 if obj[0].lower() == "the" else 0
        describing = 0
        while n < len(obj) and _lower(obj[n]) and obj[n].lower() not in _PREPOSITIONS | {"of", "and", "who"} \
                and describing < 3:
            n, describing = n + 1, describing + 1
        if n >= len(obj) or _lower(obj[n]) or obj[n].lower() in ("of", "and"):
            continue
        run_end = n
        while run_end < len(obj) and not _lower(obj[run_end]):
            run_end += 1
        if run_end < len(obj) and not re.search(r"[’']s?$", obj[run_end - 1]) and \
                obj[run_end].lower() not in _PREPOSITIONS | _CONJUNCTIONS | {"of", "who", "which", "that", "the"}:
            continue  # "director for Asian affairs": the capitalised word describes, it names no body
        org_text = " ".join(obj)
        if prep == "in" and not ORG_FORM.search(org_text):
            return None  # "a lawyer in Orlando": where, not whose
        title, inner = _split_run(words[:k]) if _word(words[k - 1]) in TITLE_NOUNS else _complemented(words[:k])
        if title is None:
            return None
        org = _org(org_text)
        return title, (f"{inner} {org}" if inner and org else inner or org)
    return None


def _complemented(words: list[str]) -> tuple[str | None, str | None]:
    """"head of policy", "director of surrogates", "director for Asian affairs": a title noun, "of" or
    "for", a few words that say what the post is about."""
    text = " ".join(words)
    match = re.match(r"^(?P<lead>.*?)\s*(?P<head>\S+)\s+(?:of|for)\s+(?:[\w-]+\s*){1,3}$", text)
    if not match or _word(match.group("head")) not in TITLE_NOUNS | {"head"}:
        return None, None
    lead, head = match.group("lead").split(), match.group("head")
    if _word(head) in ("chief", "head"):
        return _head(text), _split_run([*lead, "director"])[1]  # the org words before "head of policy"
    return _split_run([*lead, head])


def split_title(phrase: str) -> tuple[str | None, str | None]:
    """Split "White House Press Secretary" into ("press secretary", "White House"), "Deputy Secretary of
    State" into ("deputy secretary", "State"); the title is None when the phrase has no title noun at its end."""
    words = clean(phrase).split()
    of = [i for i, w in enumerate(words) if w.lower() == "of" and i > 0]
    if of:  # "Secretary of State", "chief of staff", "director of communications for the campaign"
        i = of[0]
        rest = [w for w in words[i + 1:] if w.lower() != "the"]
        lead_title, lead_org = _split_run(words[:i])
        if not rest or _lower(rest[0]) or _word(rest[0]) in TITLE_COMPLEMENTS:
            # "chief of staff", "secretary of labor during ...": the "of" phrase is part of the post
            title = _head(" ".join(words[:i + 2])) if _word(words[i - 1]) in ("chief", "head") else lead_title
            return (title, lead_org) if title else (None, None)
        org = " ".join(rest)
        if lead_org:  # "Massachusetts Secretary of State"
            org = f"{lead_org} {org}"
        return (lead_title, _org(org)) if lead_title else (None, None)
    return _split_run(words)


def _split_run(words: list[str]) -> tuple[str | None, str | None]:
    """A run of words ending in a title: the trailing title words are the title, the capitalised words
    right before them the organisation ("a combat veteran and former CIA officer": the CIA's). An
    abbreviated title takes only capitalised words ("Texas Sen.", not "Doe's primary rival Sen.")."""
    words = [w.lower() if n == 0 and (w.lower() in COMMON_OPENERS | _COMMON_WORDS) else w for n, w in enumerate(words)]
    based = max((n for n, w in enumerate(words) if w.endswith("-based")), default=None)
    if based is not None:  # "Los Angeles-based attorney": where, not whose
        words = words[based + 1:]
    if not words or _word(words[-1]) not in TITLE_NOUNS:
        return None, None
    abbreviated = words[-1].endswith(".")
    i = len(words)
    while i > 0 and ((_lower(words[i - 1]) and not abbreviated)
                     or _word(words[i - 1]) in TITLE_WORDS | set(ABBREVIATIONS.values())):
        i -= 1
    if any(w in _PREPOSITIONS for w in words[i:]):
        return None, None  # "a speechwriter to Secretary": the title is someone else's
    title = _head(" ".join(words[i:]))
    j = i
    while j > 0 and ((not _lower(words[j - 1])) or (words[j - 1] in ("of", "and", "&", "for") and j < i)):
        j -= 1
    org_words = words[j:i]
    if not ORG_FORM.search(" ".join(org_words)):  # "Iowa Republican strategist": the party is no body
        org_words = [w for w in org_words if _word(w) not in PARTY_WORDS]
    return title, _org(" ".join(org_words)) if org_words else None


def _lower(word: str) -> bool:
    """A lower-case word, one whose last part is ("Los Angeles-based"), or a number ("2008 campaign manager")."""
    return word[:1].islower() or word[:1].isdigit() or bool(re.search(r"-[a-z]+$", word))


_PREPOSITIONS = _words("to at for with from by in on under about during since until")
_CONJUNCTIONS = _words("but and or so yet also meanwhile still")


HONORIFICS = _words("mr mrs ms dr rev rabbi father sister imam prof")
# Capitalised only because they open the span: "His campaign chairman", "Campaign spokesman".
COMMON_OPENERS = _words("""his her their its our my your a an the campaign family former top senior state federal
longtime veteran then another one some local""")


def _head(title: str) -> str | None:
    """The title as compared: its last title noun and the modifiers that change the post."""
    tokens = [_word(t) for t in re.split(r"[\s-]+", title) if t]
    if not tokens:
        return None
    last = max((i for i, t in enumerate(tokens) if t in TITLE_NOUNS or (  # "head" only in "head of …"
        t == "head" and tokens[i + 1:i + 2] == ["of"])), default=None)
    if last is None:
        return None
    head = tokens[last]
    if head in ("chief", "head") and tokens[last + 1:last + 2] == ["of"]:
        rest = [t for t in tokens[last + 2:last + 4] if t not in ("the", "a", "an")]
        head = f"{head} of {rest[0]}" if rest and rest[0] in TITLE_COMPLEMENTS else head  # "head of policy"
    if head == "general" and last > 0 and tokens[last - 1] in GENERAL_COMPOUNDS:
        head = f"{tokens[last - 1]} general"
    kept = [t for t in tokens[:last] if t in KEPT_MODIFIERS]
    return " ".join([*kept, SYNONYMS.get(head, head)])


def _org(text: str | None) -> str | None:
    """The organisation's name in a phrase: from its first capitalised word to the last word of the name
    ("the state American Civil Liberties Union" is the ACLU; "the X Office under President Y" the office);
    "Jane Doe's presidential campaign" is "Jane Doe campaign"."""
    if not text:
        return None
    words = clean(text).split()
    while words and not words[0][:1].isupper() and not words[0][:1].isdigit():
        words = words[1:]
    name: list[str] = []
    for n, word in enumerate(words):
        if word[:1].isupper() or word[:1].isdigit() or word in ("&",):
            name.append(word)
            if re.search(r"[’']s?$", word):
                team = next((w for w in words[n + 1:n + 4] if w.lower() in _TEAMS), None)
                later = next((i for i in range(n + 1, min(n + 4, len(words))) if words[i][:1].isupper()), None)
                if team:  # "Doe's 2004 Democratic presidential campaign": Doe's campaign
                    name[-1] = re.sub(r"[’']s?$", "", word)
                    name.append(team)
                    break
                if later is not None and all(_lower(w) for w in words[n + 1:later]) and later > n + 1:
                    return _org(" ".join(words[later:]))  # "France's far-right Front National party"
                if n + 1 >= len(words) or not words[n + 1][:1].isupper():
                    name[-1] = re.sub(r"[’']s?$", "", word)
                    break
        elif word in ("of", "for", "and", "on", "the", "de") and n + 1 < len(words) and (
                words[n + 1][:1].isupper() or (words[n + 1] == "the" and n + 2 < len(words)
                                               and words[n + 2][:1].isupper())):
            name.append(word)
        else:
            break
    joined = re.sub(r"^(?:The)\s+", "", " ".join(name)).strip(" ,.;:")
    parts = joined.split()
    while len(parts) > 1 and (_word(parts[0]) in HONORIFICS or (
            _word(parts[0]) in TITLE_NOUNS | set(ABBREVIATIONS.values()) and not ORG_FORM.search(joined))):
        parts = parts[1:]  # "President Jane Doe's budget director", "an aide to Mr. Doe": Doe's
    return " ".join(parts) or None


_TEAMS = _words("campaign administration team staff government office committee")


# --- matching an answer ---------------------------------------------------------------------------

def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    return [ABBREVIATIONS.get(t, t) for t in re.findall(r"[a-z0-9]+", text)]


def _expand(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        out.extend(SYNONYMS.get(w, w).split())
    return out


def title_matches(expected: str, got: str) -> bool:
    """Every word of the expected head (title noun, kept modifiers) is among the answer's title words."""
    want = _expand(expected.split())
    have = set(_expand(tokens(got)))
    return all(w in have for w in want if w != "of")


def org_matches(expected: str, got: str) -> bool:
    """The answer names the same body: all of the expected name's distinctive words are in it, or it
    is a shorter form of the name (its words are the name's and one of them is distinctive), or one is
    a known alias or the initials of the other."""
    want, have = _org_words(expected), _org_words(got)
    if not want or not have:
        return False
    if want <= have or (have <= want and have - GENERIC_ORG_WORDS):
        return True
    for a, b in ((expected, got), (got, expected)):
        key = " ".join(tokens(a))
        if ALIASES.get(key) and set(tokens(ALIASES[key])) <= set(tokens(b)):
            return True
        initials = "".join(t[0] for t in tokens(b) if t not in ("of", "the", "and", "for"))
        if len(key) >= 2 and " " not in key and key == initials:
            return True
    return False


def _org_words(text: str) -> set[str]:
    return {_stem(t) for t in tokens(text) if t not in ("the", "of", "and", "for", "inc", "corp", "co", "llc", "u", "s",
                                                          "us")}


def _stem(word: str) -> str:
    """"Israeli" and "Israel", "Democrats" and "Democrat" as one word."""
    return re.sub(r"(?:i|s|an|ian|n)$", "", word) if len(word) > 5 else word


def role_found(expected: Expected, match: dict[str, Any] | None) -> bool:
    """One role of the answer has the title and, where the span names one, the organisation (the org's
    words may sit in the title: "Senate Majority Leader" with no separate organisation is the Senate's)."""
    if not match:
        return False
    for role in match.get("roles") or []:
        title, org = role.get("title") or "", role.get("org") or ""
        if expected.title and not title_matches(expected.title, title):
            continue
        if expected.org and not org_matches(expected.org, f"{org} {title}" if org else title) and not (
                org and org_matches(expected.org, org)):
            continue
        return True
    return False


def same_person(name: str, match: dict[str, Any] | None) -> bool:
    """The answer is about the person asked for: same surname (the last word of the name)."""
    if not match:
        return False
    want = tokens(re.sub(_SUFFIX, "", name))
    got = {t for alias in [match.get("name") or "", *(match.get("aliases") or [])] for t in tokens(alias)}
    return bool(want) and want[-1] in got


# --- running sitrep -------------------------------------------------------------------------------

def write_feeds(articles: list[Article], folder: Path, per_feed: int) -> list[dict[str, str]]:
    """RSS files of `per_feed` articles each, as the scorers write them (title, link, paragraphs)."""
    feeds = []
    for index in range(0, len(articles), per_feed):
        items = []
        for n, art in enumerate(articles[index:index + per_feed]):
            date = re.search(r"_(\d{4})-(\d{2})-(\d{2})_", f"_{art.key}_")
            when = f"{date[3]} {_MONTHS[int(date[2]) - 1]} {date[1]}" if date else f"{1 + n % 28:02d} Jan 2016"
            body = "".join(f"<p>{html.escape(p)}</p>" for p in art.paragraphs)
            items.append(f"<item><title>{html.escape(art.title)}</title><link>{url(art)}</link>"
                         f"<guid isPermaLink=\"false\">{html.escape(art.key)}</guid>"
                         f"<pubDate>{when} 12:00:00 +0000</pubDate>"
                         f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")
        path = folder / f"feed{index // per_feed:04d}.xml"
        path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
                        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>polnear</title>'
                        '<link>https://eval.invalid/</link><description>eval</description>'
                        + "".join(items) + "</channel></rss>\n", encoding="utf-8")
        feeds.append({"name": f"polnear-{index // per_feed:04d}", "url": path.resolve().as_uri()})
    return feeds


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def url(article: Article) -> str:
    return f"https://eval.invalid/polnear/{article.key}"


Runner = Callable[[list[str]], str]


def subprocess_runner(cli: list[str]) -> Runner:
    def run(args: list[str]) -> str:
        done = subprocess.run([*cli, *args], capture_output=True, text=True, timeout=3600)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"{shlex.join([*cli, *args])} exited {done.returncode}: {done.stderr[-2000:]}")
        return done.stdout
    return run


def in_process_runner() -> Runner:
    """The same entry point (`bot.cli.main.main`) and arguments, without a new interpreter per name."""
    from bot.cli.main import main

    def run(args: list[str]) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(args)
        if code not in (0, 1):
            raise RuntimeError(f"sitrep {shlex.join(args)} exited {code}")
        return out.getvalue()
    return run


def poll(articles: list[Article], work: Path, per_feed: int, storage_url: str | None, cli: list[str]) -> Path:
    import yaml

    feeds = write_feeds(articles, work, per_feed)
    config = work / "sitrep.yaml"
    config.write_text(yaml.safe_dump({"storage": {"url": storage_url or f"sqlite:///{work / 'sitrep.db'}"},
                                      "feeds": feeds}), encoding="utf-8")
    subprocess_runner(cli)(["--config", str(config), "poll"])
    return config


def ask(run: Runner, config: Path, names: list[str], jobs: int) -> dict[str, dict[str, Any] | None]:
    def one(name: str) -> tuple[str, dict[str, Any] | None]:
        answer = json.loads(run(["--config", str(config), "whois", name, "--format", "json"]))
        return name, answer.get("match") if isinstance(answer, dict) else None
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return dict(pool.map(one, names))


# --- the figure -----------------------------------------------------------------------------------

def grade(expected: list[Expected], answers: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """Per span, and per distinct (person, title, organisation): a role counts when the person is found
    and one of their roles has the title with the organisation."""
    spans = {"with_org": [0, 0], "title_only": [0, 0], "org_only": [0, 0]}
    distinct: dict[tuple[str, str, str], bool] = {}
    misses: list[str] = []
    for exp in expected:
        kind = "org_only" if exp.title is None else "title_only" if exp.org is None else "with_org"
        match = answers.get(exp.name)
        ok = same_person(exp.name, match) and role_found(exp, match)
        spans[kind][0] += ok
        spans[kind][1] += 1
        key = (" ".join(tokens(exp.name)), exp.title or "", " ".join(sorted(_org_words(exp.org or ""))))
        distinct[key] = distinct.get(key, False) or ok
        if not ok:
            got = "no match" if not match else "other person " + str(match.get("name")) if not same_person(
                exp.name, match) else "; ".join(f"{r.get('title')} @ {r.get('org')}" for r in match.get("roles") or [])
            misses.append(f"{exp.article[:40]}: {exp.span[:110]!r} -> want {exp.title} @ {exp.org}; got {got[:160]}")
    total_ok = sum(v[0] for v in spans.values())
    total = sum(v[1] for v in spans.values())
    role_org_ok = spans["with_org"][0] + spans["org_only"][0]
    role_org = spans["with_org"][1] + spans["org_only"][1]
    return {
        "spans": total, "roles_shown_rate": total_ok / total if total else 0.0,
        "role_with_org_rate": role_org_ok / role_org if role_org else 0.0,
        "title_only_rate": spans["title_only"][0] / spans["title_only"][1] if spans["title_only"][1] else 0.0,
        "by_kind": {k: {"found": v[0], "spans": v[1]} for k, v in spans.items()},
        "distinct": len(distinct), "distinct_rate": sum(distinct.values()) / len(distinct) if distinct else 0.0,
        "misses": misses,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("split", type=Path, help="a PolNeAR split: text/ and attributions/")
    parser.add_argument("--cli", default=None, help="how to call sitrep (default: .venv/bin/sitrep, else sitrep)")
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--per-feed", type=int, default=50, help="articles per RSS file")
    parser.add_argument("--storage-url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--config", type=Path, help="ask an already polled config instead of polling")
    parser.add_argument("--in-process", action="store_true",
                        help="call the CLI's entry point in this process for each whois (faster, same code path)")
    parser.add_argument("--jobs", type=int, default=2, help="whois calls at once (subprocess mode)")
    parser.add_argument("--show", type=int, default=30, help="misses to print")
    parser.add_argument("--list", action="store_true", help="print the derived roles and stop (no sitrep)")
    parser.add_argument("--json", type=Path, help="also write the figures and misses here")
    parser.add_argument("--min", type=float, default=0.0, help="lowest acceptable role_with_org_rate")
    options = parser.parse_args(argv)

    articles = read_split(options.split, options.limit)
    expected = [e for a in articles for e in expected_roles(a)]
    if options.list:
        for e in expected:
            print(f"{e.shape:22s} {e.name!r:28s} title={e.title!r} org={e.org!r} former={e.former} <- {e.span[:90]!r}")
        print(f"{len(expected)} roles from {len(articles)} articles")
        return 0
    cli = shlex.split(options.cli) if options.cli else (
        [".venv/bin/sitrep"] if Path(".venv/bin/sitrep").exists() else ["sitrep"])
    try:
        config = options.config or poll(articles, Path(tempfile.mkdtemp(prefix="sitrep-roles-")), options.per_feed,
                                        options.storage_url, cli)
        run = in_process_runner() if options.in_process else subprocess_runner(cli)
        answers = ask(run, config, sorted({e.name for e in expected}), 1 if options.in_process else options.jobs)
    except (RuntimeError, OSError, json.JSONDecodeError) as error:
        print(f"could not run the project: {error}", file=sys.stderr)
        return 2
    result = grade(expected, answers)
    for line in result["misses"][:options.show]:
        print("  miss:", line)
    kinds = " ".join(f"{k}={v['found']}/{v['spans']}" for k, v in result["by_kind"].items())
    print(f"articles={len(articles)} spans={result['spans']} ({kinds}) people={len(answers)} config={config}")
    print(f"role_with_org_rate={result['role_with_org_rate']:.3f} title_only_rate={result['title_only_rate']:.3f} "
          f"roles_shown_rate={result['roles_shown_rate']:.3f} distinct_rate={result['distinct_rate']:.3f} "
          f"(distinct={result['distinct']})")
    if options.json:
        options.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    if result["role_with_org_rate"] < options.min:
        print(f"falls short: role_with_org_rate < {options.min}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
