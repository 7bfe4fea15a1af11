"""Direct quotations and who said them.

The attribution is read where reporters put it, in this order:
1. right after the quotation: `"…," Kalinowski wrote`, `"…," said Col. Voss, who …`,
   `"…," an OpenAI spokesperson was quoted as saying`, `"…," she added`, `"…," according to X`;
2. before it, in the same sentence: `X said: "…"`, `X warned that "…"`, `According to X, "…"`;
3. for a quotation with neither, the speaker of the quotation just before it (a quote split by its
   attribution, `"…," she added. "…"`, and the paragraphs of a quotation that runs on).
A pronoun is the person last named; "a spokesperson for Y", "the company" and "Y said in a
statement" make the organisation the speaker. A short phrase in quotation marks is a partial
quote when its sentence says who said it, otherwise a scare quote or a title, and not a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.coref import Story
from bot.knowledge.entities import org_by_form
from bot.knowledge.gazetteer import DAYS, MONTHS, NOT_NAMES, ORG_ANAPHORS, TITLE_HEAD, fold, words
from bot.knowledge.quotemarks import QuoteSpan
from bot.models import EntityKind, Quote

SAY = (
    r"(?:was|were|is|are)\s+quoted\s+as\s+saying|quoted\s+as\s+saying|said|says|say|saying|wrote|writes|write|"
    r"added|adds|adding|told|tells|tell|warned|warns|noted|notes|explained|explains|stated|states|argued|"
    r"argues|acknowledged|acknowledges|asked|asks|replied|replies|continued|continues|insisted|insists|"
    r"claimed|claims|posted|posts|tweeted|tweets|announced|announces|emphasi[sz]ed|emphasi[sz]es|stressed|"
    r"stresses|recalled|recalls|concluded|concludes|admitted|admits|conceded|concedes|cautioned|cautions|"
    r"predicted|predicts|declared|declares|remarked|remarks|observed|observes|responded|responds|answered|"
    r"commented|comments|quipped|agreed|agrees|countered|counters|contended|contends|maintained|maintains|"
    r"joked|boasted|testified|testifies|vowed|vows|pledged|promised|urged|urges|pointed\s+out|points\s+out|"
    r"demanded|demands|shouted|shouts|yelled|yells|exclaimed|sang|sings|mused|wondered|complained|complains|"
    r"lamented|laments|bragged|scoffed|chimed\s+in|suggested|suggests|asking|tweeting|writing|noting|"
    r"explaining|arguing|insisting|declaring|warning|telling|recounted|recounts|"
    r"questioned|fumed|reacted|proclaimed|reiterated|issued\s+a\s+statement|released\s+a\s+statement|"
    r"shot\s+back|fired\s+back|went\s+on|goes\s+on|snapped|retorted|interjected|barked|reported|reports|"
    r"put\s+it|puts\s+it|summed\s+up|according\s+to"
)
CHARACTERISE = (r"call(?:ed|s|ing)?|describ(?:ed|es|ing)|dismiss(?:ed|es|ing)|brand(?:ed|s|ing)|"
                r"label(?:l)?(?:ed|ing)|labels|term(?:ed|s)|likened|characteri[sz]ed|looked|sounded|seemed")
_SAY = re.compile(rf"\b(?:{SAY})\b", re.IGNORECASE)
_SAY_FIRST = re.compile(rf"^(?:{SAY})\b", re.IGNORECASE)
_SAY_OR_CHARACTERISE = re.compile(rf"\b(?:{SAY}|{CHARACTERISE})\b", re.IGNORECASE)
_SPOKES = re.compile(r"\b(?:spokes(?:person|man|woman|people)|representative|press\s+(?:secretary|office)|statement|"
                     r"officials?|sources?)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"^\s*(?:she|he)(?:\s+\w+ly)?\s*,?\s*$", re.IGNORECASE)
_PRONOUN_BEFORE = re.compile(r"\b(she|he)\s+(?:\w+ly\s+|also\s+|then\s+|later\s+|has\s+|had\s+)?$", re.IGNORECASE)
_IT = re.compile(r"^\s*(?:it|they)\s*$", re.IGNORECASE)
_NP_END = re.compile(r",|;|—|–|\(|\b(?:who|which|whose|in\s+an?|on|at|after|during|when|while|because)\b")
_TITLE_MARKER = re.compile(r"\b(?:titled|entitled|called|named|dubbed|code-?named|nicknamed|known\s+as|headlined|"
                           r"so-called|the\s+word|the\s+term|the\s+phrase|the\s+slogan)\s*,?\s*$", re.IGNORECASE)
_TITLE_NOUN = re.compile(r"\b(?:book|film|movie|report|paper|song|album|show|series|program|programme|project|"
                         r"operation|initiative|exercise|bill|essay|article|op-ed|column|podcast|documentary|"
                         r"headline|slogan|motto|hashtag|campaign|memo)\s*,?\s*$", re.IGNORECASE)
_APPOSITIVE = re.compile(r"\s*(?:\([^()]{1,30}\)\s*)?,\s+(?:who\b|whose\b|an?\s|the\s|[a-z]|\d)")
_OPENING_WORDS = words("the a an but and so yet then still later meanwhile however he she they we i it this that "
                       "there here when while as after before if instead also")
_BARE_SAID = re.compile(r"(?:[A-Z][\w.’'-]*\s+){1,3}(?P<verb>said|says|wrote|added|told\s+\w+)[\s.]*")
_BYLINE = re.compile(r"\s*(?:[A-Z][\w.’'-]*\.?\s+){0,4}[A-Z][\w’'-]+[\s.]*")
_DEFINITE_TITLE = re.compile(r"the\s+(?:[A-Z][\w.&’'-]*\s+){0,3}(?P<title>(?:[a-z][a-z-]*\s+){0,2}[a-z][a-z-]*)")
_SMALL = words("a an the of and or in on at to for with by from as vs")
PARTIAL_WORDS = 8
MAX_QUOTES = 300  # a news story has dozens at most; past this a text is a transcript, a list or an attack
_NOT_SPEAKERS = NOT_NAMES | MONTHS | DAYS | frozenset(("it", "this", "that", "there", "here", "officials", "critics",
                                                     "analysts", "experts", "police", "authorities", "sources"))


@dataclass(frozen=True, slots=True)
class Who:
    name: str
    kind: EntityKind | None  # None: a description ("the captain"), not a named person or body
    named: bool = True  # named in the sentence (or by "she"/"he"), not inferred from "it" or "the company"


@dataclass(slots=True)
class _Found:
    span: QuoteSpan
    text: str
    partial: bool
    who: Who | None


def extract(story: Story) -> list[Quote]:
    """Every quotation in the story with its speaker (None when the text does not say)."""
    found: list[_Found] = []
    for index, span in enumerate(story.quotes[:MAX_QUOTES]):
        body = span.body(story.text).rstrip(",;: ").strip()
        if len(body) < 2 or not any(ch.isalpha() for ch in body):
            continue
        sentence_start = story.sentence_start(span.start)
        before = story.text[sentence_start:span.start]
        if _title_or_scare(story, before, body, sentence_start):
            continue
        partial = len(body.split()) <= PARTIAL_WORDS and body[-1] not in ".!?…" and bool(before.strip())
        previous = next((f.who.name for f in reversed(found) if f.who and f.who.kind is EntityKind.person), None)
        who = (_after(story, index, previous) or _before(story, span, sentence_start, partial, previous)
               or _introduced(story, span, previous) or (None if partial else _said_just_before(story, span, previous)))
        if partial and (who is None or who.kind is None or not who.named):
            continue  # a scare quote or a borrowed phrase: no one the sentence names says it
        found.append(_Found(span, body, partial, who))
    _continue_speakers(story, found)
    return [Quote(f.text, f.who.name if f.who else None, f.who.kind if f.who else None, f.partial) for f in found]


def _title_or_scare(story: Story, before: str, body: str, sentence_start: int) -> bool:
    marker = _TITLE_MARKER.search(before)
    if marker:
        ahead = story.text[sentence_start:sentence_start + marker.start()].rstrip()
        # "what Smith called “a turning point”" is Smith's phrase; "a program called “Maven”" a name.
        said_by = story.within(max(sentence_start, sentence_start + marker.start() - 40),
                               sentence_start + marker.start(), EntityKind.person)
        if not (said_by and said_by[-1].end >= sentence_start + len(ahead) - 1) and \
                not _PRONOUN_BEFORE.search(ahead + " "):
            return True
    if _TITLE_NOUN.search(before):
        return True
    words = [w for w in re.findall(r"[\w’'-]+", body) if w.lower() not in _SMALL]
    title_case = len(words) >= 2 and all(w[0].isupper() or w[0].isdigit() for w in words)
    return title_case and body[-1] not in ".!?…," and bool(before.strip())


def _after(story: Story, index: int, previous: str | None = None) -> Who | None:
    """`"…," said X` / `"…," X said` / `"…," according to X`, in the rest of the quotation's sentence."""
    span = story.quotes[index]
    _, paragraph_end = story.paragraph_bounds(span.start)
    limit = min(paragraph_end, span.end + 250)
    if index + 1 < len(story.quotes) and story.quotes[index + 1].start < limit:
        limit = story.quotes[index + 1].start
    if span.runs_on:
        return None
    end = story.sentence_end(span.end, limit)
    lead = re.match(r"[\s,;:—–―-]*", story.text[span.end:end])
    position = span.end + (lead.end() if lead else 0)
    rest = story.text[position:end]
    if lead and re.search("[—–―-]", lead.group()) and _BYLINE.fullmatch(story.text[position:paragraph_end]):
        # “…” ― Dana Okafor: a quotation signed with a dash, as in a collection of readers' answers
        return _speaker(story, position, paragraph_end, span.start, verb_first=True, previous=previous)
    if not rest.strip():
        return None
    if _ends_sentence(span.body(story.text), rest):
        bare = _BARE_SAID.fullmatch(rest)  # “…missing.” Okafor said.  (a comma mistyped as a full stop)
        if bare is None:
            return None
        return _speaker(story, position, position + bare.start("verb"), span.start, previous=previous)
    verb = _SAY_FIRST.match(rest)
    if verb:  # "…," said Col. Renata Voss, who …
        np_start = position + verb.end()
        np_end = _noun_phrase_end(story, np_start, end)
        return _speaker(story, np_start, np_end, span.start, verb_first=True, previous=previous)
    verb = _SAY.search(rest[:160])
    if verb and len(rest[:verb.start()].split()) <= 14:  # "…," an OpenAI spokesperson was quoted as saying
        who = _speaker(story, position, position + verb.start(), span.start, previous=previous)
        if who is None and verb.group().lower().startswith("according"):
            np_start = position + verb.end()
            return _speaker(story, np_start, _noun_phrase_end(story, np_start, end), span.start,
                            verb_first=True, previous=previous)
        return who
    first = story.within(position, position + 2, EntityKind.person)
    if first and re.match(r"\s*,", story.text[first[0].end:]) and _SAY.search(story.text, first[0].end,
                                                                              min(end, first[0].end + 300)):
        # "…," Dana Okafor, the director of a lab that works on …, told the paper.
        return Who(story.name(first[0]), EntityKind.person)
    return None


def _ends_sentence(body: str, rest: str) -> bool:
    """`…accountable for every use of force." A spokeswoman declined to say…`: a full stop closing the
    quotation ends the sentence, so what follows is the next sentence, not the attribution (that takes a
    comma: `"…," she said`). A question or exclamation can still be followed by its speaker."""
    body = body.rstrip()
    return body.endswith(".") and not body.endswith("..") and rest.lstrip()[:1].isupper()


def _noun_phrase_end(story: Story, start: int, end: int) -> int:
    """Where the name or description after a verb stops (a comma, "who", "in an interview"…)."""
    position = start
    while True:
        match = _NP_END.search(story.text, position, end)
        if match is None:
            return end
        inside = next((m for m in story.mentions if m.start < match.start() < m.end), None)
        if inside is None:
            return match.start()
        position = inside.end


def _before(story: Story, span: QuoteSpan, sentence_start: int, partial: bool,
            previous: str | None = None) -> Who | None:
    """`X said: "…"`, `X warned that "…"`, `According to X, "…"`, and for a phrase, `X called it "…"`."""
    before = story.text[sentence_start:span.start]
    if not before.strip():
        return None
    verbs = [v for v in _SAY.finditer(before) if not story.quoted(sentence_start + v.start())]
    if not verbs or partial:  # "has called AI “the decisive technology”": a characterisation is a saying too
        verbs = [v for v in _SAY_OR_CHARACTERISE.finditer(before) if not story.quoted(sentence_start + v.start())]
    if verbs and verbs[-1].group().lower().startswith("according"):  # According to X, such systems "…"
        np_start = sentence_start + verbs[-1].end()
        return _speaker(story, np_start, _noun_phrase_end(story, np_start, span.start), span.start,
                        verb_first=True, previous=previous)
    if verbs and not before[:verbs[-1].start()].strip():  # Said Okafor: "…"
        np_start = sentence_start + verbs[-1].end()
        np_end = _noun_phrase_end(story, np_start, span.start)
        return _speaker(story, np_start, np_end, span.start, verb_first=True, previous=previous)
    if verbs:
        verb = verbs[-1]
        if partial or len(before[verb.end():].split()) <= 20:
            return _speaker(story, sentence_start, sentence_start + verb.start(), span.start,
                            subject=True, previous=previous)
    if before.rstrip().endswith(":"):  # Smith put it bluntly: "…"
        return _speaker(story, sentence_start, span.start, span.start, subject=True, previous=previous)
    return None


def _speaker(story: Story, start: int, end: int, quote_at: int, *, verb_first: bool = False,
             subject: bool = False, previous: str | None = None) -> Who | None:
    """Who the words between `start` and `end` name: a person, an organisation, a pronoun, a description."""
    region = story.text[start:end]
    people = story.within(start, end, EntityKind.person)
    if people:
        if subject:  # the subject is the name nearest the verb that is not an object of a preposition
            free = [p for p in people if not re.search(r"\b(?:with|by|for|to|from|of|about|against|at|on|in)\s+$",
                                                       story.text[max(start, p.start - 12):p.start])]
            # "Dana Okafor, who runs Reyes's campaign, said": the subject, not a name in its aside
            owners = [p for p in free if not re.match(r"['’]s?\b", story.text[p.end:p.end + 3])]
            free = owners or free
            speaking = [p for p in free if _SAY_FIRST.match(story.text[p.end:end].lstrip())]
            if free and _APPOSITIVE.match(story.text, free[0].end, end):
                person = free[0]
            elif speaking and not (free and re.fullmatch(r"\s*(?:\w+ly\s*)?", story.text[free[-1].end:end])):
                person = speaking[-1]  # "Okafor said the plan was Reyes's and said, “…”"
            else:
                person = (free or people)[-1]
        else:
            owners = [p for p in people if not re.match(r"['’]s\b", story.text[p.end:p.end + 3])]
            person = (owners or people)[0]
        return Who(story.name(person), EntityKind.person)
    pronoun = _PRONOUN_BEFORE.search(region) if subject else _PRONOUN.match(region)
    if pronoun:
        at = start + pronoun.start()
        word = re.search(r"she|he", pronoun.group(), re.IGNORECASE)
        pronoun_word = word.group() if word else "he"
        resolved = story.pronoun_antecedent(at if subject else quote_at, pronoun_word, previous)
        if resolved:
            return Who(story.name(resolved), EntityKind.person)
        # No one named nearby fits: "she" goes on speaking for the last speaker, if nothing says otherwise.
        return Who(previous, EntityKind.person) if previous and story.may_be(previous, pronoun_word) else None
    described = _DEFINITE_TITLE.fullmatch(region.strip().rstrip(" ,.;:!?"))
    if described and TITLE_HEAD.search(described.group("title")):
        # "the secretary general said", "said the senator": the person the story gave that title
        title = [w for w in described.group("title").lower().split() if w not in ("former", "then")]
        titled = story.titled_before(quote_at, title)
        if titled is not None:
            return Who(story.name(titled), EntityKind.person)
    orgs = story.within(start, end, EntityKind.org)
    if orgs:
        return Who(story.name(orgs[-1] if subject else orgs[0]), EntityKind.org)
    if ORG_ANAPHORS.search(region) or (_IT.match(region) and not verb_first):
        org = story.org_before(quote_at, region)
        if org:
            return Who(story.name(org), EntityKind.org, named=False)
    return _description(region, subject)


def _description(region: str, subject: bool) -> Who | None:
    """"the captain", "a senior official": the speaker as the story describes them; or a name the model
    missed ("according to Human Rights Watch"), taken by its capitalised form."""
    name = re.fullmatch(r"\s*(?:the\s+)?([A-Z][\w&.’'-]*(?:\s+(?:of|for|and|on|[A-Z][\w&.’'-]*)){0,5})\s*",
                        region.rstrip(" \t,.;:!?"))
    if name and not subject and (" " in name.group(1) or fold(name.group(1)) not in _NOT_SPEAKERS):
        words = name.group(1)  # "said Okafor" / "Okafor said", the name missed by the model
        return Who(words, EntityKind.org if org_by_form(words) else EntityKind.person)
    # The subject is the clause nearest the verb, past asides: "A French official, speaking on
    # condition of anonymity, said …" is the official's.
    clauses = [c for c in re.split(r"[,;:]", region) if c.strip()] if subject else [region]
    if subject and clauses:  # "… . Okafor replied: “…”": a name the model missed, alone before the verb
        last = re.fullmatch(r"\s*([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})\s*", clauses[-1])
        if last and not any(fold(w) in _NOT_SPEAKERS | _OPENING_WORDS for w in last.group(1).split()):
            return Who(last.group(1), EntityKind.org if org_by_form(last.group(1)) else EntityKind.person)
    for clause in reversed(clauses[-3:]):
        words = clause.split()
        if words and len(words) <= 6 and re.match(r"^(?:an?|the|one|two|some|several|many|critics|officials|"
                                                  r"analysts|experts|residents|people)\b", clause.strip(),
                                                  re.IGNORECASE):
            return Who(re.sub(r"\s+", " ", clause).strip(" ,"), None)
    return None


def _continue_speakers(story: Story, found: list[_Found]) -> None:
    """A quotation with no attribution of its own continues the one before it, or its paragraph's run."""
    for i, current in enumerate(found):
        if current.who is not None or current.partial or i == 0:
            continue
        previous = found[i - 1]
        span, last = current.span, previous.span
        if previous.partial or previous.who is None:
            continue
        if span.paragraph == last.paragraph or (span.continued and span.paragraph == last.paragraph + 1):
            current.who = _gap_subject(story, last.end, span.start) or previous.who
        elif span.paragraph > last.paragraph and _opens_paragraph(story, span):
            # A quotation standing alone after a paragraph about someone is theirs: the subject of the
            # paragraph before, or the last speaker if no one else was named since.
            gap = story.sentence_end(last.end)
            paragraph_start, _ = story.paragraph_bounds(span.start)
            previous_paragraph = story.paragraph_bounds(max(0, paragraph_start - 2))[0]
            current.who = _gap_subject(story, max(gap, previous_paragraph), span.start) or (
                None if story.within(gap, span.start, EntityKind.person) or span.paragraph > last.paragraph + 1
                else previous.who)
    # A quotation that runs over paragraphs has one speaker: fill the run from wherever it is named.
    for i in range(len(found) - 1, 0, -1):
        current, previous = found[i], found[i - 1]
        if current.span.continued and previous.span.runs_on and previous.who is None and current.who:
            previous.who = current.who


def _introduced(story: Story, span: QuoteSpan, previous: str | None = None) -> Who | None:
    """A paragraph that is a quotation, after one that ends "Smith put it this way:"."""
    start, _ = story.paragraph_bounds(span.start)
    if start == 0 or story.text[start:span.start].strip():
        return None
    previous_end = start - 1
    while previous_end > 0 and story.text[previous_end - 1].isspace():
        previous_end -= 1
    if story.text[previous_end - 1:previous_end] != ":":
        return None
    sentence = story.sentence_start(previous_end - 1)
    verbs = list(_SAY.finditer(story.text, sentence, previous_end))
    if verbs and not story.text[sentence:verbs[-1].start()].strip():  # Continued Okafor:
        return _speaker(story, verbs[-1].end(), previous_end - 1, span.start, verb_first=True, previous=previous)
    return _speaker(story, sentence, verbs[-1].start() if verbs else previous_end, span.start, subject=True,
                    previous=previous)


def _said_just_before(story: Story, span: QuoteSpan, previous: str | None) -> Who | None:
    """`Okafor said in a statement. “…”`: a quotation opening a sentence right after one that ends on its
    speech verb (and a few words: "in a statement", "on Monday") is the speech that verb announced."""
    start = story.sentence_start(span.start)
    paragraph_start, _ = story.paragraph_bounds(span.start)
    if start != span.start or start <= paragraph_start:
        return None
    window = max(paragraph_start, start - 200)
    last = window + len(story.text[window:start].rstrip()) - 1  # the full stop (or colon) before the quotation
    before_start = story.sentence_start(max(last, paragraph_start))
    sentence = story.text[before_start:start].rstrip()
    if story.quoted(before_start) or not sentence.endswith((".", ":")):
        return None
    verbs = [v for v in _SAY.finditer(sentence) if not story.quoted(before_start + v.start())]
    if not verbs or len(sentence[verbs[-1].end():].split()) > 6 or not sentence[:verbs[-1].start()].strip():
        return None
    return _speaker(story, before_start, before_start + verbs[-1].start(), span.start, subject=True,
                    previous=previous)


def _opens_paragraph(story: Story, span: QuoteSpan) -> bool:
    start, _ = story.paragraph_bounds(span.start)
    return not story.text[start:span.start].strip()


def _gap_subject(story: Story, start: int, end: int) -> Who | None:
    """A person who opens a sentence between two quotations takes over the next one."""
    for person in reversed(story.within(start, end, EntityKind.person)):
        if story.sentence_start(person.start) == person.start:
            return Who(story.name(person), EntityKind.person)
    return None
