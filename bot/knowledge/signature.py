"""What same-event clustering compares: a story's signature, computed once when the story is stored.

Two reports are the same event when they agree on *who* and on *what*, and on *when* it happened:

- who: the names in the story (capitalised words that the story never writes in lower case, plus the
  entities spaCy found);
- what: the story's other content words (stemmed, with synonyms such as "artificial
  intelligence"/"AI" and the words outlets swap for one another, deal/contract/agreement, folded);
- when: how its lead dates the news ("on Tuesday", "July 5"), resolved against the story's time
  when two stories are compared (bot/knowledge/pegdays.py).

The signature is stored as JSON with the story; SIGNATURE_VERSION says when a stored one is stale.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from bot.knowledge.pegdays import mentions

SIGNATURE_VERSION = 4
LEAD_WORDS = 50
COUNTED_WORDS = 300
BODY_WORDS = 1500

_STOP_WORDS = """
a an the and or but of to in on at for with by from as is are was were be been being has have had having it its
this that these those he she they his her their them we our us you your i me my not no nor over after before
into about than then there here said says say saying will would could should may might can must also more most
new s t do does did done just so such only very up down out off per via who whom whose which what when where why
how all any both each few other some own same too again further once during while until against between through
above below under told tells according added adding week weeks monday tuesday wednesday thursday friday saturday
sunday today yesterday year years month months day days percent mr ms mrs dr one two three four five six seven
eight nine ten first second third last next since because if however although though even still yet already
night nights tonight morning evening afternoon weekend january february march april june july august september
october november december jan feb mar apr jun jul aug sep sept oct nov dec
"""
STOP = frozenset(_STOP_WORDS.split())
_SYNONYMS = [
    (re.compile(r"\bartificial[\s-]+intelligence\b", re.IGNORECASE), "AI"),
    (re.compile(r"\bA\.I\."), "AI"),
    (re.compile(r"\bdefence\b", re.IGNORECASE), "defense"),
    (re.compile(r"\b(?:Department of Defen[cs]e|Defen[cs]e Department|DoD|Department of War|War Department)\b"),
     "Pentagon"),
    (re.compile(r"\b(?:U\.S\.|USA|United States)(?![\w.])"), "US"),
    (re.compile(r"\b(?:Britain|British|United Kingdom|U\.K\.)(?![\w.])"), "UK"),
    (re.compile(r"\bchief executive(?: officer)?\b", re.IGNORECASE), "CEO"),
    (re.compile(r"\bchief technology officer\b", re.IGNORECASE), "CTO"),
    (re.compile(r"\bper ?cent\b", re.IGNORECASE), "percent"),
    # Generic news vocabulary that outlets swap freely when they tell the same event.
    (re.compile(r"\b(?:agreements?|contracts?|deals?)\b", re.IGNORECASE), "deal"),
    (re.compile(r"\b(?:employees|staffers|staff|workers)\b", re.IGNORECASE), "staff"),
    (re.compile(r"\b(?:quits?|quitting|resigns?|resigned|resigning|stepp?(?:ed|ing|s)? down)\b", re.IGNORECASE),
     "resign"),
    (re.compile(r"\b(?:cancell?(?:ed|ing|s)?|terminat(?:ed|es|e|ing)|scrapp?(?:ed|ing|s)?)\b", re.IGNORECASE),
     "cancel"),
    (re.compile(r"\b(?:releas(?:ed|es|e|ing)|launch(?:ed|es|ing)?|unveil(?:ed|s|ing)?)\b", re.IGNORECASE), "launch"),
]
# Capitalised words that are roles, places or the beat itself rather than the actors of one event.
NOT_NAMES = frozenset({"ai", "ceo", "cto", "us", "uk", "eu", "un"})
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*|\d[\d,.]*\d|\d")
_NAME = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_POSSESSIVE = re.compile(r"['’]s?$")
_LOWER = re.compile(r"\b[a-z][a-z'’\-]+\b")
# A wire dateline ("WASHINGTON (AP) —", "CONCORD, N.H. -", "New York, March 21:") names where the reporter
# was, not who acted: two reports filed from one city are not one event for that.
_DATELINE = re.compile(r"^\s*(?P<place>[A-Z][\w.'’]*(?:[ ,]+[A-Z][\w.'’]*){0,4})(?P<date>[ ,]+\d{1,2})?\s*"
                       r"(?P<agency>\([A-Za-z]+\))?\s*(?:[—–]|--?|:)\s+")


def normalise(text: str) -> str:
    for pattern, replacement in _SYNONYMS:
        text = pattern.sub(replacement, text)
    return text


def stem(word: str) -> str:
    """A light English stemmer: enough to make "trained", "training" and "trains" one word."""
    for suffix, keep in (("ational", "ate"), ("ization", "ize"), ("ations", "ate"), ("ation", "ate"),
                         ("ments", ""), ("ment", ""), ("ings", ""), ("ing", ""), ("ied", "y"), ("ies", "y"),
                         ("edly", ""), ("ed", ""), ("ers", ""), ("er", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            base = word[: -len(suffix)] + keep
            if suffix in ("ing", "ed", "ings") and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # "planned" -> "plan"
            return base
    return word


def strip_dateline(text: str) -> str:
    """The text without its opening dateline; a name that merely starts a sentence ("Donald Trump — who...")
    is kept: a dateline is in capitals, or carries a news agency or a date."""
    m = _DATELINE.match(text)
    if m is None:
        return text
    place = m.group("place")
    city = place.split(",")[0]
    if city.upper() == city or m.group("agency") or m.group("date"):
        return text[m.end():]
    return text


def _tokens(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text):
        lower = _POSSESSIVE.sub("", word.lower())
        if len(lower) < 2 or lower in STOP:
            continue
        out.append(stem(lower))
    return out


def _names(text: str, lower: Collection[str]) -> Counter[str]:
    """Capitalised words the story never writes in lower case (`lower`: the words it does): names,
    whatever their place in a sentence."""
    found: Counter[str] = Counter()
    for word in _NAME.findall(text):
        base = _POSSESSIVE.sub("", word)
        key = base.lower()
        if len(base) > 1 and base[0].isupper() and key not in STOP and key not in lower and key not in NOT_NAMES:
            found[key] += 1
    return found


def _headline_names(title: str, body_names: Collection[str], lower: Collection[str]) -> set[str]:
    """Names in a headline. A headline in title case capitalises every word, so its words count as names
    only when the story writes them as names too ("Pentagon Expands Palantir's Role": Pentagon and
    Palantir, not Expands and Role); a story with no text keeps its headline's."""
    found = set(_names(title, lower))
    return found & set(body_names) if body_names else found


def _name_keys(names: Iterable[str]) -> set[str]:
    keys = set()
    for name in names:
        for word in _NAME.findall(normalise(name)):
            key = _POSSESSIVE.sub("", word).lower()
            if key not in STOP and key not in NOT_NAMES and len(key) > 1:
                keys.add(key)
    return keys


def signature(title: str, text: str, names: Iterable[str] = ()) -> dict[str, Any]:
    """What clustering compares (stored as JSON with the story, lists sorted so it is stable).

    c: content words with their counts (title twice, lead, the start of the body); k: content words
    of the title and lead; f: content words of the whole story (bounded, so a very long text costs
    no more than a long one); l: names in the title and lead; n: names anywhere; p: how the title and
    lead date the news (bot/knowledge/pegdays.py).
    """
    pegs = mentions(title, text)  # the dateline's date counts here
    title, text = normalise(title), normalise(strip_dateline(text.lstrip()))
    words = text.split()
    lead = " ".join(words[:LEAD_WORDS])
    body = " ".join(words[:BODY_WORDS])
    lower = set(_LOWER.findall(f"{title}\n{text}"))
    body_names = _names(body, lower)
    headline = _headline_names(title, body_names, lower)
    everywhere = headline | set(body_names) | _name_keys(names)
    name_stems = {stem(n) for n in everywhere} | everywhere
    counted = _tokens(title) * 2 + _tokens(lead) + _tokens(" ".join(words[LEAD_WORDS:COUNTED_WORDS]))
    key = {t for t in _tokens(f"{title}\n{lead}") if t not in name_stems}
    full = {t for t in _tokens(f"{title}\n{body}") if t not in name_stems} | key
    return {"v": SIGNATURE_VERSION, "c": dict(Counter(t for t in counted if t not in name_stems)),
            "k": sorted(key), "f": sorted(full), "n": sorted(everywhere),
            "l": sorted(headline | set(_names(lead, lower))), "p": pegs}


def add_names(sig: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The signature with entity names (from spaCy) added to its names."""
    merged = dict(sig)
    merged["n"] = sorted(set(sig.get("n", ())) | _name_keys(names))
    return merged
