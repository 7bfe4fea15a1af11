"""Who "she", "the company" and a bare "spokesperson" stand for: the reader's memory of a story.

A pronoun is resolved to the person last named, the way a reader does: names inside quotations
are not candidates (the speaker is talking about them), nor are names that follow a preposition
("respect for Sam", "a deal with Altman"), which are rarely the subject of what comes next.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

from bot.knowledge.entities import Span
from bot.knowledge.gazetteer import FEMALE_NAMES, MALE_NAMES, RANKS, fold, words
from bot.knowledge.quotemarks import QuoteSpan
from bot.models import EntityKind

_PREPOSITION = re.compile(r"\b(?:with|by|for|to|from|of|at|about|against|than|like|under|toward|towards|and)\s+"
                          r"(?:[A-Z][\w.’'-]*\s+){0,3}$")
_ABBREVIATIONS = words("""
mr mrs ms dr prof gen col lt maj capt sgt adm cmdr sen rep gov del rev jr sr st inc corp co ltd no vs etc
jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u
""")
_FIRM = re.compile(r"\b(?:company|firm|startup|start-up|maker|contractor|giant|business)\b", re.IGNORECASE)
_PUBLIC = re.compile(r"\b(?:Army|Navy|Air Force|Space Force|Marines?|Corps|Department|Ministry|Agency|Pentagon|"
                     r"Command|Congress|Senate|House|Parliament|Government|Administration|Office|Council|NATO|"
                     r"Guard|Commission)\b")
# A sentence ends at a run of terminators (and the closing mark after it) followed by a capital, an
# opening mark or the paragraph's end. The lookbehind lets a match start only where a run starts and
# the possessive quantifiers never give characters back, so a paragraph of 100,000 dots is read once
# (a plain `[.!?]+` retried the rest of the run from each of its characters: quadratic).
_SPACES = re.compile(r"\s*")
# No sentence is read further than this either side of the offset asked about: news sentences run to a
# few hundred characters, and the rules read a mention's whole sentence, so a "sentence" of 100,000
# characters with no full stop would make every mention in it cost the length of the story.
SENTENCE_REACH = 1_200
_TERMINATOR = re.compile(r"(?<![.!?])[.!?]++[”’\"']?(?=\s++[A-Z“\"‘'(]|\s*+$)")


_PRONOUN_PARAGRAPHS = 3  # how far back a "she" may reach: this paragraph and the three before it
_PRONOUN_CANDIDATES = 40  # mentions weighed for one pronoun: a reader's memory, and a bound on hostile text
_SENTENCE_COST = 1.0
_PREVIOUS_SPEAKER = 1.5
_GENDER_KNOWN = 0.5
_ROLE_WEIGHT = {"subject": 4.0, "object": 1.5, "oblique": 0.5}
_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s+$", re.IGNORECASE)
# Only the words that refer back to a subject: "him" and "her" are mostly someone else ("Okafor scolded him").
_GENDERED = re.compile(r"\b(?:he|his|himself|she|herself)\b", re.IGNORECASE)
_SAYS_AFTER = re.compile(r"(?:\s*\([^()\n]{1,30}\))?(?:,[^,\n]{1,100},)?\s+(?:\w+ly\s+)?(?:said|says|told|tells|added|"
                         r"adds|wrote|writes|tweeted|noted|explained|argued|asked|insisted|warned|stated|"
                         r"continued|replied|responded|recalled|acknowledged|testified|announced|claimed)\b")
_INTRO = re.compile(r"^\s*(?:On|In|At|During|After|Before|Since|Speaking|Asked|Later|Earlier|Still|But|And|Yet|"
                    r"However|Meanwhile|Separately|For|Last|This|Next|When|While|As|Like|Unlike|Despite)\b[^,]*,")
_VERBISH = re.compile(r"\b(?:is|was|were|are|has|had|have|did|does|said|says|told|\w+ed|\w+ing)\b")


class Story:
    """One story as the attribution and role rules read it: text, mentions, quotation marks.

    Every question it answers ("is this offset quoted?", "where does this sentence start?", "which
    people are named between here and there?") is answered from indexes built once, by binary search,
    so the rules that ask them for every quotation and every mention stay linear in the story's length.
    """

    def __init__(self, text: str, found: Sequence[Span], quotes: Sequence[QuoteSpan],
                 alias_of: dict[str, str]) -> None:
        self.text = text
        self.mentions = sorted(found, key=lambda s: s.start)
        self.people = [s for s in self.mentions if s.kind is EntityKind.person]
        self.orgs = [s for s in self.mentions if s.kind is EntityKind.org]
        self.quotes = sorted(quotes, key=lambda q: q.start)
        self.alias_of = alias_of
        self._quote_starts = [q.start for q in self.quotes]
        # The furthest end of any quotation opened so far: "is offset inside a quotation" is then one
        # binary search, whether or not the spans nest.
        self._reach: list[int] = list(itertools.accumulate((q.end for q in self.quotes), max))
        self._starts = {kind: [s.start for s in pool] for kind, pool in
                        ((None, self.mentions), (EntityKind.person, self.people), (EntityKind.org, self.orgs))}
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self._sentences: dict[int, tuple[list[int], list[int], list[int]]] = {}
        counts: dict[str, int] = {}
        for span in self.orgs:
            counts[self.name(span)] = counts.get(self.name(span), 0) + 1
        self._org_counts = counts
        self._gender_cache: dict[str, str] | None = None
        self._roles: dict[int, str] = {}

    def name(self, span: Span) -> str:
        return self.alias_of.get(span.text, span.text)

    def quoted(self, offset: int) -> bool:
        i = bisect.bisect_left(self._quote_starts, offset)  # quotations that open before offset
        return i > 0 and self._reach[i - 1] > offset

    def _pool(self, kind: EntityKind | None) -> list[Span]:
        return self.mentions if kind is None else self.people if kind is EntityKind.person else self.orgs

    def within(self, start: int, end: int, kind: EntityKind | None = None) -> list[Span]:
        pool, starts = self._pool(kind), self._starts[kind]
        low, high = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        return [s for s in pool[low:high] if not self.quoted(s.start)]

    def person_before(self, offset: int, *, since: int = 0) -> Span | None:
        """The person a "she" or "he" at `offset` most likely means."""
        fallback = None
        for span in reversed(self.people[:bisect.bisect_left(self._starts[EntityKind.person], offset)]):
            if self.quoted(span.start):
                continue
            if span.start < since:
                break
            if _PREPOSITION.search(self.text[max(0, span.start - 50):span.start]):
                fallback = fallback or span
                continue
            return span
        return fallback
    def titled_before(self, offset: int, title: Sequence[str]) -> Span | None:
        """The person "the secretary general" at `offset` stands for: the nearest one named earlier with
        every word of that title just before or after the name ("secretary general Jens Stoltenberg",
        "Sen. Jane Doe" for "the senator", "Jane Doe, the company's chief executive")."""
        wanted = {_spelled_out(w) for w in title}
        people = self.people[:bisect.bisect_left(self._starts[EntityKind.person], offset)]
        for span in reversed(people[-_PRONOUN_CANDIDATES:]):
            if self.quoted(span.start):
                continue
            before = self.text[max(self.sentence_start(span.start), span.start - 60):span.start]
            after = re.split(r"[.;:!?]|,\s+(?:who|which|said|says)\b", self.text[span.end:span.end + 80], maxsplit=1)[0]
            near = {_spelled_out(w) for w in re.findall(r"[a-z]+", (before + " " + after).lower())}
            if wanted <= near:
                return span
        return None

    def pronoun_antecedent(self, offset: int, pronoun: str, previous: str | None = None) -> Span | None:
        """The person a "she" or "he" at `offset` stands for, weighed the way a reader does.

        A reader takes the salient person of the last few sentences, not merely the last name: the
        subject of a sentence ("Fowler said he expects Clinton to recover" — "he" is Fowler) over an
        object or a name after a preposition, a nearer sentence over a farther one, someone whose
        gender fits the pronoun (learnt from the story itself: "Mr.", "Ms.", the "he" or "she" that
        follows them) and the speaker of the quotation just before (`previous`, a name).
        """
        wanted = "f" if pronoun.lower() in ("she", "her") else "m"
        paragraph_start, _ = self.paragraph_bounds(offset)
        window = self._paragraph_back(paragraph_start, _PRONOUN_PARAGRAPHS)
        scores: dict[str, tuple[float, Span]] = {}
        genders = self._genders()
        people = self.people[:bisect.bisect_left(self._starts[EntityKind.person], offset)]
        for span in itertools.islice(reversed(people), _PRONOUN_CANDIDATES):
            if span.start < window:
                break
            if self.quoted(span.start):
                continue
            name = self.name(span)
            if genders.get(name, wanted) != wanted:
                continue
            score = _ROLE_WEIGHT[self._role(span)] - _SENTENCE_COST * self._distance(span.start, offset)
            if name in genders:  # known to fit, not merely not known to clash
                score += _GENDER_KNOWN
            if previous is not None and name == previous:
                score += _PREVIOUS_SPEAKER
            if name not in scores or score > scores[name][0]:
                scores[name] = (score, scores.get(name, (score, span))[1])
        if not scores:
            return None
        return max(scores.values(), key=lambda pair: (pair[0], pair[1].start))[1]

    def may_be(self, name: str, pronoun: str) -> bool:
        """Whether nothing in the story says `name` is not a "she" (or a "he")."""
        wanted = "f" if pronoun.lower() in ("she", "her") else "m"
        return self._genders().get(name, wanted) == wanted

    def _paragraph_back(self, paragraph_start: int, count: int) -> int:
        """The start of the non-empty paragraph `count` paragraphs before the one at `paragraph_start`."""
        i = bisect.bisect_right(self._line_starts, paragraph_start) - 1
        while count > 0 and i > 0:
            i -= 1
            start = self._line_starts[i]
            end = self._line_starts[i + 1] - 1
            if self.text[start:end].strip():
                count -= 1
        return self._line_starts[max(i, 0)]

    def _distance(self, earlier: int, later: int) -> float:
        """How many sentences lie between two offsets; a paragraph break counts half a sentence more."""
        first, _ = self.paragraph_bounds(earlier)
        last, _ = self.paragraph_bounds(later)
        _, first_ends, _ = self._sentence_index(first)
        _, last_ends, _ = self._sentence_index(last)
        at_last = bisect.bisect_right(last_ends, later)
        if first == last:
            return at_last - bisect.bisect_right(first_ends, earlier)
        lines = bisect.bisect_right(self._line_starts, later) - bisect.bisect_right(self._line_starts, earlier)
        left_in_first = max(1, len(first_ends) - bisect.bisect_right(first_ends, earlier))
        return left_in_first + at_last + 1.5 * (lines - 1) + 0.5

    def _role(self, span: Span) -> str:
        """subject, object or oblique (after a preposition or a possessive of someone else's)."""
        role = self._roles.get(span.start)
        if role is None:
            role = self._roles[span.start] = self._find_role(span)
        return role

    def _find_role(self, span: Span) -> str:
        before = self.text[max(0, span.start - 50):span.start]
        if _PREPOSITION.search(before) or re.match(r"['’]s?\b", self.text[span.end:span.end + 3]):
            return "oblique"
        if _SAYS_AFTER.match(self.text, span.end, min(len(self.text), span.end + 120)):
            return "subject"
        sentence_start = self.sentence_start(span.start)
        if not any(self.name(p) != self.name(span)
                   for p in self.within(sentence_start, span.start, EntityKind.person)):
            lead = self.text[sentence_start:span.start]
            lead = lead[lead.rfind(",") + 1:] if _INTRO.match(lead) else lead
            if not _VERBISH.search(lead):
                return "subject"
        return "object"

    def _genders(self) -> dict[str, str]:
        """"m" or "f" for the people whose gender the story shows: an honorific, or the pronoun that
        refers back to them from their own sentence or the next one, by a clear majority."""
        if self._gender_cache is not None:
            return self._gender_cache
        votes: dict[str, list[int]] = {}
        for span in self.people:
            if self.quoted(span.start):
                continue
            tally = votes.setdefault(self.name(span), [0, 0])
            honorific = _HONORIFIC.search(self.text[max(0, span.start - 6):span.start])
            if honorific:
                tally[0 if honorific.group(1).lower() == "mr" else 1] += 10  # an honorific settles it
            if self._role(span) != "subject":
                continue
            _, paragraph_end = self.paragraph_bounds(span.start)
            end = self.sentence_end(self.sentence_end(span.end) + 1, paragraph_end)
            following = self.within(span.end, end, EntityKind.person)
            stop = next((p.start for p in following if self.name(p) != self.name(span)), end)
            for match in _GENDERED.finditer(self.text, span.end, stop):
                if not self.quoted(match.start()):
                    tally[0 if match.group().lower() in ("he", "his", "himself") else 1] += 1
                    break
        genders = {}
        for name, (male, female) in votes.items():
            if male > 2 * female:
                genders[name] = "m"
            elif female > 2 * male:
                genders[name] = "f"
            elif not male and not female and " " in name:
                first = fold(name.split()[0])
                genders.update({name: "m"} if first in MALE_NAMES else {name: "f"} if first in FEMALE_NAMES else {})
        self._gender_cache = genders
        return genders

    def org_antecedent(self, offset: int, phrase: str, sentence_start: int) -> Span | None:
        """The organisation a possessive at `offset` refers to, read the way news is written.

        ", whose" points at the noun phrase right before it ("Anthropic, whose chief executive");
        "its" / "their" at the nearest organisation earlier in the same sentence ("cut ties with
        Anthropic after its chief executive"), a firm rather than a public body when one is there;
        "the company's" and a possessive with nothing in the sentence fall back to `org_before`.
        """
        in_sentence = [s for s in self.within(sentence_start, offset, EntityKind.org) if s.end <= offset]
        if re.search(r",\s*whose\s*$", phrase):
            adjacent = [s for s in in_sentence if re.fullmatch(r"\s*,\s*whose\s*", self.text[s.end:offset])]
            if adjacent:
                return adjacent[-1]
        if re.search(r"\b(?:its|their)\s*$", phrase) and in_sentence:
            firms = [s for s in in_sentence if not _PUBLIC.search(self.name(s))]
            return (firms or in_sentence)[-1]
        return self.org_before(offset, phrase)

    def org_before(self, offset: int, phrase: str = "") -> Span | None:
        """The organisation "the company" or "its" at `offset` stands for: of those named before it, the
        one the story names most (its subject, not the think tank quoted in passing), the first on a tie.
        "The company" or "the startup" is not the Army: public bodies are left out when a firm is meant."""
        named = self.within(0, offset, EntityKind.org)
        if _FIRM.search(phrase):
            named = [s for s in named if not _PUBLIC.search(self.name(s))] or named
        if not named:
            return None
        counts = self._org_counts
        top = max(counts.get(self.name(s), 0) for s in named)
        return next(s for s in named if counts.get(self.name(s), 0) == top)

    def _inner(self, start: int, end: int) -> bool:
        """A full stop inside a quotation, unless the quotation ends with it (and so does the sentence)."""
        i = bisect.bisect_left(self._quote_starts, start)
        # Quotation spans do not overlap, so the one that opened last before `start` is the only candidate.
        return i > 0 and self.quotes[i - 1].end > start and self.quotes[i - 1].end != end

    def paragraph_bounds(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._line_starts, offset) - 1
        start = self._line_starts[max(i, 0)]
        end = self._line_starts[i + 1] - 1 if i + 1 < len(self._line_starts) else len(self.text)
        return start, end

    def _sentence_index(self, paragraph_start: int) -> tuple[list[int], list[int], list[int]]:
        """The sentence ends of one paragraph, found once: where each terminator starts, where it ends,
        and where the next sentence's first character is."""
        cached = self._sentences.get(paragraph_start)
        if cached is not None:
            return cached
        _, end = self.paragraph_bounds(paragraph_start)
        starts: list[int] = []
        ends: list[int] = []
        nexts: list[int] = []
        for match in _TERMINATOR.finditer(self.text, paragraph_start, end):
            if self._inner(match.start(), match.end()) or _abbreviation(self.text, match.start()):
                continue
            starts.append(match.start())
            ends.append(match.end())
            nexts.append(_skip_spaces(self.text, match.end(), end))
        self._sentences[paragraph_start] = (starts, ends, nexts)
        return starts, ends, nexts

    def sentence_start(self, offset: int) -> int:
        """Where the sentence holding `offset` starts (sentence ends inside quotations do not count)."""
        start, end = self.paragraph_bounds(offset)
        _, ends, nexts = self._sentence_index(start)
        i = bisect.bisect_right(ends, offset)
        best = nexts[i - 1] if i else _skip_spaces(self.text, start, end)
        return min(max(best, offset - SENTENCE_REACH), offset)

    def sentence_end(self, offset: int, limit: int | None = None) -> int:
        start, end = self.paragraph_bounds(offset)
        end = min(end, offset + SENTENCE_REACH, limit if limit is not None else end)
        starts, ends, _ = self._sentence_index(start)
        i = bisect.bisect_left(starts, offset)
        return ends[i] if i < len(ends) and ends[i] <= end else end


def _spelled_out(word: str) -> str:
    """"sen" (of "Sen. Jane Doe") is "senator", as "the senator said" writes it: the ranks' spellings."""
    return RANKS.get(word + ".", RANKS.get(word, word)).lower()


def _skip_spaces(text: str, position: int, end: int) -> int:
    spaces = _SPACES.match(text, position, end)
    return spaces.end() if spaces else position


def _abbreviation(text: str, dot: int) -> bool:
    """Is the full stop at `dot` part of "Col.", "U.S." or an initial rather than a sentence end?"""
    if text[dot] != ".":
        return False
    word = re.search(r"([\w.]+)$", text[max(0, dot - 12):dot])
    if not word:
        return False
    token = word.group(1).lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and text[dot - 1].isupper()) or "." in token
