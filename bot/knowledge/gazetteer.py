"""Word lists and name normalisation shared by the knowledge stages.

General knowledge only (ranks, title words, well-known organisations of the AI and defense beat,
the spelling and word-order variants of government bodies), never facts about particular stories.
"""

from __future__ import annotations

import functools
import re
import unicodedata


def words(text: str) -> frozenset[str]:
    """A word list written as text, one word per whitespace-separated item."""
    return frozenset(text.split())


# Organisations the small English model often tags as people or places. Matched on the whole name.
KNOWN_ORGS = words("""
openai anthropic deepmind google alphabet meta apple microsoft nvidia amazon ibm intel amd oracle
palantir anduril shield-ai scale-ai xai spacex tesla boeing lockheed-martin lockheed raytheon rtx northrop
general-dynamics l3harris bae leidos saic booz-allen hugging-face mistral cohere inflection
pentagon nato darpa diu cdao dod nsa cia fbi dhs usaf nasa un eu
reuters bloomberg politico axios fortune wired
twitter facebook youtube instagram tiktok linkedin yahoo netflix uber
""")

# Acronyms and short forms that name one well-known body: key -> canonical name.
ORG_ALIASES = {
    "dod": "Department of Defense",
    "us dod": "Department of Defense",
    "defense department": "Department of Defense",
    "department of defense": "Department of Defense",
    "darpa": "DARPA",
    "diu": "Defense Innovation Unit",
    "cdao": "Chief Digital and AI Office",
    "nato": "NATO",
}

# Words that spaCy sometimes includes in or mistakes for names.
NOT_NAMES = words("""
ai a.i. x chatgpt gpt llm llms the ceo cto coo cfo ciso
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
breaking update exclusive analysis opinion photo image video
defense defence state treasury justice
""")

MONTHS = words("""january february march april june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec""")
DAYS = words("monday tuesday wednesday thursday friday saturday sunday")

# Military, civil and academic ranks written before a name, longest first when matched.
RANKS = {
    "gen.": "General", "gen": "General", "general": "General",
    "lt. gen.": "Lieutenant General", "lt gen": "Lieutenant General", "lieutenant general": "Lieutenant General",
    "maj. gen.": "Major General", "maj gen": "Major General", "major general": "Major General",
    "brig. gen.": "Brigadier General", "brigadier general": "Brigadier General",
    "col.": "Colonel", "col": "Colonel", "colonel": "Colonel",
    "lt. col.": "Lieutenant Colonel", "lieutenant colonel": "Lieutenant Colonel",
    "maj.": "Major", "major": "Major", "capt.": "Captain", "captain": "Captain",
    "lt.": "Lieutenant", "lieutenant": "Lieutenant", "sgt.": "Sergeant", "sergeant": "Sergeant",
    "adm.": "Admiral", "admiral": "Admiral", "vice adm.": "Vice Admiral", "vice admiral": "Vice Admiral",
    "rear adm.": "Rear Admiral", "rear admiral": "Rear Admiral", "cmdr.": "Commander", "commander": "Commander",
    "sen.": "Senator", "senator": "Senator", "rep.": "Representative", "gov.": "Governor",
    "lt. gov.": "Lieutenant Governor", "lt. governor": "Lieutenant Governor",
    "lieutenant governor": "Lieutenant Governor",
}
HONORIFICS = words("mr mr. mrs mrs. ms ms. dr dr. prof prof. sir dame rev. del.")  # Rev. (clergy), Del. (delegate)
# Title words the model sometimes reads as part of a person's name ("Spokeswoman Jane Doe").
NAME_TITLES = words("""spokesman spokeswoman spokesperson pastor rabbi reverend rev. bishop archbishop cardinal imam
justice judge speaker chancellor""")
# Capitalised words that belong to a title written before a name, not to the organisation in front of
# it: "White House Press Secretary", "Senate Majority Leader", "Google Cloud Chief Executive".
TITLE_WORDS = words("""chief executive officer director president vice deputy senior press secretary majority minority
leader whip general attorney managing assistant associate acting interim principal special national security
adviser advisor counsel commander chairman chairwoman chair speaker lieutenant prime minister
ceo cto coo cfo cio ciso cpo""")
# Areas of government departments: "Defense Secretary", "Secretary of State", "Minister of Defence".
DEPARTMENT_AREAS = (r"Defen[cs]e|State|Treasury|Justice|Homeland\s+Security|Energy|Commerce|Interior|Labou?r|"
                    r"Education|Transportation|Veterans\s+Affairs|Agriculture|Health(?:\s+and\s+Human\s+Services)?|"
                    r"Housing(?:\s+and\s+Urban\s+Development)?|Foreign\s+Affairs|Foreign|Home|War|Army|Navy|Air\s+Force")

# Head nouns of job titles: "chief technology officer", "head of robotics", "union steward".
TITLE_HEADS = (
    r"CEO|CTO|COO|CFO|CIO|CISO|CPO|CRO|chief(?:\s+[a-z]+){0,3}\s+officer|chief\s+executive|chief\s+scientist|"
    r"(?:deputy\s+)?chief\s+of\s+staff|director\s+of\s+(?:communications|operations|policy|research|strategy)|"
    r"chief|executive|director|founder|co-founder|cofounder|head\s+of\s+[a-z-]+(?:\s+(?:and|&)\s+[a-z-]+)*"
    r"(?:\s+[a-z-]+)?|president|vice\s+president|chairman|chairwoman|chairperson|chair|secretary|"
    r"undersecretary|minister|spokesperson|spokesman|spokeswoman|researcher|analyst|engineer|officer|"
    r"commander|scientist|professor|designer|manager|lead|leader|partner|adviser|advisor|official|lawmaker|"
    r"senator|ambassador|steward|administrator|attorney|lawyer|economist|strategist|investor|"
    r"correspondent|editor|reporter|fellow|architect|developer|programmer|pilot|operator|contractor|"
    r"member\s+of\s+(?:the\s+)?(?:[A-Z][\w-]*\s+){0,2}(?:Parliament|Congress|Senate|House|Assembly|board)|"
    r"board\s+member|MEP|MP|congressman|congresswoman|representative|governor|mayor|"
    # Posts of public life and the newsroom that news writing gives people as often as the above.
    r"member|pollster|aide|consultant|columnist|counsel|speaker|pastor|dean|publisher|historian|chancellor|"
    r"commissioner|sheriff|judge|justice|treasurer|coordinator|whip|clerk|scholar|staffer|lobbyist|prosecutor|"
    r"organizer|organiser|operative|superintendent|comptroller|auditor|trustee|anchor|"
    r"(?:attorney|inspector|surgeon|solicitor|secretary|director|adjutant)[\s-]+general"
)
TITLE_HEAD = re.compile(rf"\b(?:{TITLE_HEADS})\b", re.IGNORECASE)

# Nouns that stand for an organisation already named ("the company said").
ORG_ANAPHORS = re.compile(
    r"\b(?:the|that|this)\s+(?:company|firm|startup|start-up|agency|department|ministry|service|military|"
    r"army|navy|lab|laboratory|group|contractor|organi[sz]ation|government|administration|maker|giant)\b",
    re.IGNORECASE)

_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
# "the U.S. Army" is the Army; "American University" is not a university called "University".
_COUNTRY = re.compile(r"^(?:u\.?s\.?a?\.?|united states)\s+", re.IGNORECASE)
_SUFFIX = re.compile(r"[,\s]+(?:inc|incorporated|corp|corporation|co|ltd|llc|plc|pbc|gmbh|ag|sa)\.?$", re.IGNORECASE)
_DEPARTMENT = re.compile(r"^(?P<area>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)\s+(?P<kind>Department|Ministry)$")
_BRITISH = {"defence": "defense", "organisation": "organization", "programme": "program", "centre": "center"}


@functools.lru_cache(maxsize=50_000)
def fold(text: str) -> str:
    """Lower case without accents and with straight apostrophes: the form names are compared in."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("’", "'").replace("‘", "'").lower()


def strip_article(name: str) -> str:
    return _ARTICLE.sub("", name).strip()


def org_display(name: str) -> str:
    """How an organisation is named in answers: no leading article, no legal suffix, one form per body.

    "the US Defence Department" and "Department of Defense" are one body; "Anthropic PBC" is Anthropic.
    """
    name = strip_article(re.sub(r"\s+", " ", name).strip())
    name = re.sub(r"['’]s?$", "", name)
    name = _SUFFIX.sub("", name).strip() or name
    key = org_key(name)
    if key in ORG_ALIASES:
        return ORG_ALIASES[key]
    return name


def org_key(name: str) -> str:
    """The form two names of one organisation share (used for merging, never shown)."""
    text = fold(strip_article(name))
    text = re.sub(r"'s?$", "", text)
    text = _SUFFIX.sub("", text).strip()
    text = _COUNTRY.sub("", text).strip() or text
    words = [_BRITISH.get(w, w) for w in re.sub(r"[^\w\s&-]", " ", text).split()]
    text = " ".join(words)
    match = _DEPARTMENT.match(" ".join(w.capitalize() for w in text.split()))
    if match:  # "Defense Department" is "Department of Defense"
        text = f"{match.group('kind').lower()} of {match.group('area').lower()}"
    canonical = ORG_ALIASES.get(text)
    return fold(canonical) if canonical else text


def camel_case(name: str) -> bool:
    """One word with a capital after lower-case letters (OpenAI, DeepMind), not a Mc/Mac/O' surname."""
    if " " in name or len(name) < 4:
        return False
    if re.match(r"^(?:Mc|Mac|O'|O’|De|Di|Da|La|Le|Van|Von)[A-Z]", name):
        return False
    return bool(re.search(r"[a-z][A-Z]", name))


_TITLE_SYNONYMS = {"chief executive officer": "ceo", "chief executive": "ceo", "chief technology officer": "cto",
                   "chief financial officer": "cfo", "chief operating officer": "coo"}


def title_key(title: str) -> str:
    """One form for the ways of writing a title ("chief executive" is "CEO")."""
    text = re.sub(r"\s+", " ", title.lower()).strip()
    return _TITLE_SYNONYMS.get(text, text)


# Common English given names whose bearers are overwhelmingly of one gender: a last resort for "she"
# and "he" when the story itself does not say (an honorific or a pronoun that refers back wins).
MALE_NAMES = words("""
aaron adam alan albert alex alexander andrew anthony arthur ben benjamin bernie bill billy bob bobby brad
brandon brett brian bruce bryan carl charles charlie chris christopher chuck craig dan daniel dave david dennis
dick don donald doug douglas ed eddie edward eric frank fred gary george gerald greg gregory harold harry henry
howard ian jack jacob jake james jason jeb jeff jeffrey jerry jim jimmy joe joel john johnny jon jonathan jorge jose
joseph josh joshua juan justin keith ken kenneth kevin larry lawrence lindsey luis marco mark martin matt matthew
michael mike mitch mitt nathan newt nick nicholas patrick paul peter phil philip ralph randy ray raymond reince
richard rick rob robert roger ron ronald roy russell ryan sam samuel scott sean stephen steve steven ted terry
thomas tim timothy todd tom tony travis vincent walter wayne william willie
""")
FEMALE_NAMES = words("""
abigail alice alicia amanda amy andrea angela ann anna anne barbara betty beverly brenda carol caroline carolyn
catherine cheryl christina christine claire cynthia dana deborah debbie debra denise diana diane donna doris
dorothy elizabeth ellen emily emma evelyn frances gloria grace hannah heather helen hillary huma ivanka jacqueline
jane janet janice jean jennifer jessica jill joan joyce judith judy julia julie karen katherine kathleen kathy
kelly kellyanne kimberly laura lauren linda lisa lori loretta louise margaret maria marie marilyn martha mary
megan megyn melania melanie melissa michelle nancy nicole nikki olivia pamela patricia paula rachel rebecca
rose ruth sandra sarah sharon shirley stephanie susan teresa theresa tina virginia wanda
""")
