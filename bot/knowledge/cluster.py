"""Same-event clustering: reports of one event from several outlets share a cluster.

Two reports are the same event when they agree on *who* and on *what*:

- who: the names in the story (capitalised words that the story never writes in lower case, plus the
  entities spaCy found);
- what: the story's other content words (stemmed, with synonyms such as "artificial
  intelligence"/"AI" and the words outlets swap for one another, deal/contract/agreement, folded).

Two routes lead to a match, and a pair is judged by the stronger:

- overlap, for reports of similar size: TF-IDF cosine of the content words (title twice, lead,
  start of the body) and IDF-weighted Jaccard of the names, geometric mean. It keeps apart stories
  of one week's saga that share a whole vocabulary but not their actors ("OpenAI publishes its red
  lines" / "Pentagon ends Anthropic contract") or their actors but not what happened.
- containment, for reports of different length and angle: how much of one report's headline and
  lead (its key words and the names in it, IDF-weighted) the other mentions anywhere, in the
  direction that explains more. A three-line wire flash sits wholly inside the long analysis of
  the same award, while a cosine over the two whole texts is dragged down by all the long one adds.
  Containment is lenient by nature (a long story mentions many things), so its bar is higher.

Measured with tests/eval/cluster_sets.py on the labelled sets (tests/fakes/labelled, the shared dev
set, tests/eval/heldout, the demo feeds, the shared real-news set) and on real political reports
labelled by event (tests/eval/polnear-clusters); both thresholds sit between the strongest
different-event pair of the written sets and their weakest same-event pair (the figures are in
tests/bench/bench_cluster.py). Lexical signals have a ceiling on reports that tell one event from
different angles: see tests/eval/polnear-clusters/README.md.

IDF comes from the signatures of every stored story (signatures are computed when a story is
stored, so the statistics cover stories not yet enriched), kept incrementally in memory.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from bot.clock import aware
from bot.store.db import new_id, serialize
from bot.store.schema import clusters, stories

SIGNATURE_VERSION = 3
LEAD_WORDS = 50
COUNTED_WORDS = 300
BODY_WORDS = 1500
THRESHOLD = 0.28
CONTAINED_THRESHOLD = 0.55

_STOP_WORDS = """
a an the and or but of to in on at for with by from as is are was were be been being has have had having it its
this that these those he she they his her their them we our us you your i me my not no nor over after before
into about than then there here said says say saying will would could should may might can must also more most
new s t do does did done just so such only very up down out off per via who whom whose which what when where why
how all any both each few other some own same too again further once during while until against between through
above below under told tells according added adding week weeks monday tuesday wednesday thursday friday saturday
sunday today yesterday year years month months day days percent mr ms mrs dr one two three four five six seven
eight nine ten first second third last next since because if however although though even still yet already
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


def _tokens(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text):
        lower = _POSSESSIVE.sub("", word.lower())
        if len(lower) < 2 or lower in STOP:
            continue
        out.append(stem(lower))
    return out


def _names(text: str, reference: str) -> Counter[str]:
    """Capitalised words the story never writes in lower case: names, whatever their place in a sentence."""
    lower = set(re.findall(r"\b[a-z][a-z'’\-]+\b", reference))
    found: Counter[str] = Counter()
    for word in _NAME.findall(text):
        base = _POSSESSIVE.sub("", word)
        key = base.lower()
        if len(base) > 1 and base[0].isupper() and key not in STOP and key not in lower and key not in NOT_NAMES:
            found[key] += 1
    return found


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
    no more than a long one); l: names in the title and lead; n: names anywhere.
    """
    title, text = normalise(title), normalise(text)
    words = text.split()
    lead = " ".join(words[:LEAD_WORDS])
    body = " ".join(words[:BODY_WORDS])
    reference = f"{title}\n{text}"
    everywhere = set(_names(f"{title}\n{body}", reference)) | _name_keys(names)
    name_stems = {stem(n) for n in everywhere} | everywhere
    counted = _tokens(title) * 2 + _tokens(lead) + _tokens(" ".join(words[LEAD_WORDS:COUNTED_WORDS]))
    key = {t for t in _tokens(f"{title}\n{lead}") if t not in name_stems}
    full = {t for t in _tokens(f"{title}\n{body}") if t not in name_stems} | key
    return {"v": SIGNATURE_VERSION, "c": dict(Counter(t for t in counted if t not in name_stems)),
            "k": sorted(key), "f": sorted(full), "n": sorted(everywhere),
            "l": sorted(_names(f"{title}\n{lead}", reference))}


def add_names(sig: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The signature with entity names (from spaCy) added to its names."""
    merged = dict(sig)
    merged["n"] = sorted(set(sig.get("n", ())) | _name_keys(names))
    return merged


class DocumentFrequency:
    """How many stored stories use each content word and name, for IDF weights."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0

    def add(self, sig: Mapping[str, Any]) -> None:
        self.n += 1
        self.df.update(set(sig.get("f", ())) | {"@" + k for k in sig.get("n", ())})

    def idf(self, key: str) -> float:
        return max(math.log((self.n + 1) / (self.df.get(key, 0) + 0.5)), 0.05)


def _cosine(a: Mapping[str, float], b: Mapping[str, float], df: DocumentFrequency) -> float:
    shared = a.keys() & b.keys()
    if not shared:
        return 0.0
    dot = sum(a[k] * b[k] * df.idf(k) ** 2 for k in shared)
    na = math.sqrt(sum((v * df.idf(k)) ** 2 for k, v in a.items()))
    nb = math.sqrt(sum((v * df.idf(k)) ** 2 for k, v in b.items()))
    return dot / (na * nb) if na and nb else 0.0


def _jaccard(a: Iterable[str], b: Iterable[str], df: DocumentFrequency) -> float:
    sa, sb = set(a), set(b)
    union = sa | sb
    if not union:
        return 0.0
    return sum(df.idf("@" + k) for k in sa & sb) / sum(df.idf("@" + k) for k in union)


def contained(lead: Iterable[str], other: Collection[str], df: DocumentFrequency, prefix: str = "") -> float:
    """The IDF-weighted share of one report's lead terms that the other report mentions anywhere."""
    total = found = 0.0
    for term in lead:
        weight = df.idf(prefix + term)
        total += weight
        if term in other:
            found += weight
    return found / total if total else 0.0


def overlap(a: Mapping[str, Any], b: Mapping[str, Any], df: DocumentFrequency) -> float:
    """Same-sized reports: content cosine and name Jaccard (whole story or lead), geometric mean."""
    content = _cosine(a.get("c", {}), b.get("c", {}), df)
    if not a.get("n") and not b.get("n"):
        return content  # a story without names is judged on its words alone
    names = max(_jaccard(a.get("n", ()), b.get("n", ()), df), _jaccard(a.get("l", ()), b.get("l", ()), df))
    return math.sqrt(content * names)


def containment(a: Mapping[str, Any], b: Mapping[str, Any], df: DocumentFrequency) -> float:
    """One report's lead inside the other: lead words and lead names, the better direction, geometric mean."""
    fa, fb = set(a.get("f", ())), set(b.get("f", ()))
    content = max(contained(a.get("k", ()), fb, df), contained(b.get("k", ()), fa, df))
    if not a.get("l") and not b.get("l"):
        return content
    na, nb = set(a.get("n", ())), set(b.get("n", ()))
    names = max(contained(a.get("l", ()), nb, df, "@"), contained(b.get("l", ()), na, df, "@"))
    return math.sqrt(content * names)


def similarity(a: Mapping[str, Any], b: Mapping[str, Any], df: DocumentFrequency) -> float:
    """The stronger of the two routes to a match, on the overlap route's scale (join at THRESHOLD)."""
    return max(overlap(a, b, df), containment(a, b, df) * THRESHOLD / CONTAINED_THRESHOLD)


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    signature: dict[str, Any]
    when: datetime
    cluster: int | None


class Clusterer:
    def __init__(self, engine: Engine, *, window: timedelta, threshold: float = THRESHOLD) -> None:
        self.engine = engine
        self.window = window
        self.threshold = threshold
        self.frequency = DocumentFrequency()
        self._since: datetime | None = None  # stories first seen before this are counted
        self._boundary: set[str] = set()  # ids counted that were first seen exactly at `_since`

    def _refresh(self, c: Connection) -> None:
        """Count the stories stored since the last look (stories are only added, in time order)."""
        query = select(stories.c.id, stories.c.title, stories.c.text, stories.c.signature, stories.c.first_seen_at)
        if self._since is not None:
            query = query.where(stories.c.first_seen_at >= self._since)
        for row in c.execute(query.order_by(stories.c.first_seen_at)):
            seen = aware(row.first_seen_at)
            if seen == self._since and row.id in self._boundary:
                continue
            sig = row.signature if _current(row.signature) else signature(row.title, row.text or "")
            self.frequency.add(sig)
            if seen != self._since:
                self._since, self._boundary = seen, set()
            self._boundary.add(row.id)

    def assign(self, story_id: str, names: Iterable[str], when: datetime, now: datetime) -> int:
        """Put a story into the cluster of its closest same-event match, or into a new cluster of its own."""
        with self.engine.begin() as c:
            serialize(c, "clusters")  # instances assigning reports of one event together would split it
            self._refresh(c)
            row = c.execute(select(stories.c.title, stories.c.text, stories.c.signature)
                            .where(stories.c.id == story_id)).one()
            base = row.signature if _current(row.signature) else signature(row.title, row.text or "")
            sig = add_names(base, names)
            best: tuple[float, int | None] = (0.0, None)
            for other in self._candidates(c, story_id, when):
                score = similarity(sig, other.signature, self.frequency)
                if score >= self.threshold and score > best[0] and other.cluster is not None:
                    best = (score, other.cluster)
            cluster_id = best[1]
            if cluster_id is None:
                cluster_id = new_id(c.execute(insert(clusters).values(
                    created_at=now, updated_at=now, lead_story_id=story_id, size=1)))
            else:
                c.execute(update(clusters).where(clusters.c.id == cluster_id).values(
                    size=clusters.c.size + 1, updated_at=now))
            c.execute(update(stories).where(stories.c.id == story_id).values(cluster_id=cluster_id, signature=sig))
            return cluster_id

    def _candidates(self, c: Connection, story_id: str, when: datetime) -> list[Candidate]:
        rows = c.execute(select(stories.c.id, stories.c.title, stories.c.text, stories.c.signature,
                                stories.c.published_at, stories.c.first_seen_at, stories.c.cluster_id)
                         .where(stories.c.id != story_id, stories.c.cluster_id.is_not(None),
                                stories.c.first_seen_at >= when - self.window * 3))
        found = []
        for r in rows:
            other_when = aware(r.published_at) or aware(r.first_seen_at)
            if other_when is None or abs(other_when - when) > self.window:
                continue
            sig = r.signature if _current(r.signature) else signature(r.title, r.text or "")
            found.append(Candidate(r.id, sig, other_when, r.cluster_id))
        return found


def _current(sig: Any) -> bool:
    return isinstance(sig, dict) and sig.get("v") == SIGNATURE_VERSION
