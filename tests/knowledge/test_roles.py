"""Which organisation a title belongs to when the sentence only points at it ("whose", "its")."""

from __future__ import annotations

import pytest

from bot.config.settings import NlpConfig
from bot.knowledge.enrich import Enricher, StoryText
from bot.models import EntityKind

CASES = [
    # ", whose" points at the noun phrase right before it, not at the sentence's subject.
    ("The Defense Department ended its contract with Anthropic, whose chief executive Dario Amodei "
     "refused to lift the restrictions.", "Dario Amodei", "chief executive", "Anthropic"),
    ("The Pentagon, whose chief spokesman Sean Parnell declined to comment, said little about Anthropic.",
     "Sean Parnell", "chief spokesman", "Pentagon"),
    # "its" in "X cut ties with Y after its chief executive": the nearest firm, not the public body.
    ("The Defense Department cut ties with Anthropic after its chief executive, Dario Amodei, refused "
     "to drop the limits.", "Dario Amodei", "chief executive", "Anthropic"),
    # Another organisation named earlier in the story must not capture the title.
    ("Caitlin Kalinowski, OpenAI's head of robotics, has resigned over the company's Pentagon deal.\n"
     "It comes days after the Defense Department ended its contract with Anthropic, whose chief "
     "executive Dario Amodei refused to lift restrictions.", "Dario Amodei", "chief executive", "Anthropic"),
    # "The company's" still means the story's firm.
    ("OpenAI hired three researchers this week. The company's chief scientist, Ilya Petrov, said the "
     "hires were overdue.", "Ilya Petrov", "chief scientist", "OpenAI"),
    # A first word the model did not tag is the organisation the story names in full.
    ("Tidewater Robotics won a Navy contract on Monday. Tidewater chief executive Anil Deshpande said the "
     "first boats would ship next year.", "Anil Deshpande", "chief executive", "Tidewater Robotics"),
    # Where someone was born is not part of their title.
    ("\"The exemption was a compromise,\" said Ingrid Solberg, a Norwegian-born member of the European "
     "Parliament who leads the group.", "Ingrid Solberg", "member", "European Parliament"),
    # Appointments, and the whole name of a body the model cuts up.
    ("The Defense Department has named Marcus Feld, a former Google engineer, as the head of its Chief Digital "
     "and Artificial Intelligence Office.", "Marcus Feld", "head", "Chief Digital and Artificial Intelligence Office"),
    ("Marcus Feld, a former Google engineer, will lead the Pentagon's Chief Digital and Artificial Intelligence "
     "Office, the Defense Department said.", "Marcus Feld", "head", "Chief Digital and Artificial Intelligence Office"),
    # A job told in a who-clause after the title, at a body introduced by what it is.
    ("Marcus Feld, a former Google engineer who later ran machine learning at the defense startup Vantor, "
     "spoke on Monday.", "Marcus Feld", "head of machine learning", "Vantor"),
    ("Rafael Okonkwo, the chief executive of drone maker Shieldline, says every drone will have an off switch.",
     "Rafael Okonkwo", "chief executive", "Shieldline"),
]


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher(NlpConfig())


@pytest.mark.parametrize(("text", "person", "title", "org"), CASES, ids=[c[1] + "-" + c[3] for c in CASES])
def test_a_possessive_title_goes_to_the_organisation_it_points_at(enricher: Enricher, text: str, person: str,
                                                                  title: str, org: str) -> None:
    [result] = enricher.enrich([StoryText("t", text)])
    people = {e.name: e for e in result.entities if e.kind is EntityKind.person}
    assert person in people, f"{person} not found in {list(people)}"
    roles = [(r.title, r.org) for r in people[person].roles]
    assert (title, org) in roles, roles


# Shapes real news writes roles in, each with made-up people and bodies: (text, person, title, org, former).
SHAPES = [
    # an apposition: "X, the chief executive of Y", "X, chairman of the Y Committee"
    ("Martin Keller, the chief executive of Brightfield Systems, said the plant would reopen.",
     "Martin Keller", "chief executive", "Brightfield Systems", False),
    ("Kevin Marlow, chairman of the House Budget Oversight Committee, said the bill was dead.",
     "Kevin Marlow", "chairman", "House Budget Oversight Committee", False),
    # a name and a body, no title: "X at Y", "X of The Y"
    ("Tomas Ferrand at Kestrel Financial said rates would stay put.",
     "Tomas Ferrand", "employee", "Kestrel Financial", False),
    ("Anna Roberts of The Meridian Ledger asked whether the deal was final.",
     "Anna Roberts", "employee", "Meridian Ledger", False),
    # a title the model reads as words, before the name, and the body the sentence is about
    ("The Pentagon said Chief Digital and AI Officer Lena Marsh would lead the review.",
     "Lena Marsh", "Chief Digital and AI Officer", "Pentagon", False),
    # "X, the chief of staff": a post with no body named
    ("Susan Varga, the chief of staff, declined to comment.", "Susan Varga", "chief of staff", None, False),
    # a body and a title before the name
    ("White House Chief of Staff Dana Kerrigan met the senators on Monday.",
     "Dana Kerrigan", "Chief of Staff", "White House", False),
    ("Senate Majority Leader Tom Aldous said the vote would wait.", "Tom Aldous", "Majority Leader", "Senate", False),
    ("Montclair Valley University political scientist Irene Cole said turnout would fall.",
     "Irene Cole", "political scientist", "Montclair Valley University", False),
    # a title "of" a body before the name; a department's title kept as written
    ("Secretary of State Maria Lindqvist flew to Brussels.", "Maria Lindqvist", "Secretary of State",
     "Department of State", False),
    ("The memo came from Deputy Secretary of Defense Alan Fenwick.", "Alan Fenwick",
     "Deputy Secretary of Defense", "Department of Defense", False),
    ("Defense Secretary Carl Brandt said the program would grow.", "Carl Brandt", "Defense Secretary",
     "Department of Defense", False),
    ("Deputy Defense Secretary Nora Quist approved the task force.", "Nora Quist", "Deputy Defense Secretary",
     "Department of Defense", False),
    # a rank with its service
    ("Air Force Lt. Gen. Owen Hartley said the tests went well.", "Owen Hartley", "Lieutenant General",
     "Air Force", False),
    ("Army Chief of Staff Gen. Ruth Calloway toured the depot.", "Ruth Calloway", "Chief of Staff", "Army", False),
    # an apposition whose first "of" belongs to the title
    ("Jonas Pike, head of policy at the Northern Business Council, said the rules were too strict.",
     "Jonas Pike", "head of policy", "Northern Business Council", False),
    ("Lidia Sorensen, a professor of economics at Halverson University, said wages would rise.",
     "Lidia Sorensen", "professor of economics", "Halverson University", False),
    # a person's post: to, for, and a possessive; a campaign
    ("Yusuf Demir, a former adviser to Mr. Calloway, said the plan was sound. Oscar Calloway agreed.",
     "Yusuf Demir", "adviser", "Oscar Calloway", True),
    ("Calloway's chief strategist Peter Nash said the race was close. Oscar Calloway did not comment.",
     "Peter Nash", "chief strategist", "Oscar Calloway", False),
    ("Rosa Imbert, the Calloway campaign's chairman, said money was not a problem.",
     "Rosa Imbert", "chairman", "Calloway campaign", False),
    ("Ivo Brandt, a spokesman for Oscar Calloway's presidential campaign, said the rally was moved.",
     "Ivo Brandt", "spokesman", "Oscar Calloway campaign", False),
    # two posts in one apposition, and one after "who is now"
    ("Miriam Osei, managing director of the Civic Data Institute and a former analyst at the Federal Trade "
     "Commission, said so.", "Miriam Osei", "analyst", "Federal Trade Commission", True),
    ("Miriam Osei, managing director of the Civic Data Institute and a former analyst at the Federal Trade "
     "Commission, said so.", "Miriam Osei", "managing director", "Civic Data Institute", False),
    ("Hugo Laine, a former Treasury official who is now a senior fellow at the Center for Open Markets, said so.",
     "Hugo Laine", "senior fellow", "Center for Open Markets", False),
    # an organisation the model cut, after describing words
    ("Dana Fisk, the treasurer of the pro-growth Better Harbor PAC, said the fund was full.",
     "Dana Fisk", "treasurer", "Better Harbor PAC", False),
    # a place or a party before a title is part of the title, not a body
    ("Texas Sen. Roy Dalton said the bill would pass.", "Roy Dalton", "Texas Senator", None, False),
    ("Republican pollster Gail Fenner said the numbers were soft.", "Gail Fenner", "Republican pollster", None, False),
    # a title word the model glued to the name; an honorific between a title and the name
    ("Spokeswoman Haley Brandt said the campaign would respond.", "Haley Brandt", "Spokeswoman", None, False),
    ("Kestrel News legal analyst Judge Andrew Napier said the ruling would stand.", "Andrew Napier",
     "legal analyst", "Kestrel News", False),
    # "the head of X, Name": the title of a body, said as written
    ("The head of Brightwater, Vin Keller, is an influential lobbyist.", "Vin Keller", "head of Brightwater",
     "Brightwater", False),
    # a body after "ex-"; a party and a sentence's first word are no body
    ("Ex-CIA chief David Patterson spoke at the hearing.", "David Patterson", "chief", "CIA", True),
    ("GOP strategist Keith Nolan said the map favoured them.", "Keith Nolan", "GOP strategist", None, False),
    ("But Sen. Richard Dalton hoped the bill would pass.", "Richard Dalton", "Senator", None, False),
    ("New Jersey Gov. Carl Whitman signed the bill.", "Carl Whitman", "New Jersey Governor", None, False),
    ("Chief Justice Helen M. Garrow wrote the opinion.", "Helen M. Garrow", "Chief Justice", None, False),
    ("Indiana GOP Rep. Susan Brookfield voted no.", "Susan Brookfield", "Indiana Representative", None, False),
    # a capitalised adjective names no body; possessive and numbered describing words before a name do not hide it
    ("Dan Kristof, senior director for Asian affairs at the National Policy Council, said so.", "Dan Kristof",
     "senior director for Asian affairs", "National Policy Council", False),
    ("Jim Boppard, a conservative member of the convention's Platform Committee, said so.", "Jim Boppard",
     "conservative member", "Platform Committee", False),
    ("Mark Wynne, chairman of the 6th Congressional District GOP, said so.", "Mark Wynne", "chairman",
     "6th Congressional District GOP", False),
    # two posts, each with its article, though the first names no body
    ("Vin Weller, a lobbyist and a former congressman from Minnesota, said so.", "Vin Weller", "lobbyist", None,
     False),
    ("Leon Burwell, a former official in President Jane Carver's administration, said so.", "Leon Burwell",
     "official", "Jane Carver administration", True),
]


@pytest.mark.parametrize(("text", "person", "title", "org", "former"), SHAPES,
                         ids=[f"{c[1]}-{c[2]}" for c in SHAPES])
def test_roles_come_with_the_organisation_the_sentence_gives(enricher: Enricher, text: str, person: str, title: str,
                                                              org: str | None, former: bool) -> None:
    [result] = enricher.enrich([StoryText("t", text)])
    people = {e.name: e for e in result.entities if e.kind is EntityKind.person}
    assert person in people, f"{person} not found in {list(people)}"
    roles = [(r.title, r.org, r.former) for r in people[person].roles]
    assert (title, org, former) in roles, roles


NOT_ROLES = [
    # a home town is not an employer
    ("Patricia Lowell of Cheyenne said she would vote early.", "Patricia Lowell", "employee"),
    # a clause that ends in a title word is not a post
    ("Gerald Amsel, who is vying to be the next president, spoke in Ohio.", "Gerald Amsel", "president"),
    ("Gerald Amsel, who will lead the opposition in the Senate, spoke in Ohio.", "Gerald Amsel", "lead"),
    # a speechwriter to a secretary is not a secretary
    ("Hanna Ode, a former speechwriter to Secretary of State Maria Lindqvist, said so.", "Hanna Ode", "Secretary"),
    # "a Brightwater group called X" describes; it names no employer
    ("Laurie Castner, the founder of a Brightwater group called Occupy Now, said so.", "Laurie Castner",
     "Brightwater"),
    # an apposition that opens with a preposition tells a circumstance, not a post
    ("Joe Bidwell, after eight years in the nation's chief supporting role, spoke.", "Joe Bidwell", "chief"),
]


@pytest.mark.parametrize(("text", "person", "word"), NOT_ROLES, ids=[c[1] + "-" + c[2] for c in NOT_ROLES])
def test_descriptions_that_are_not_posts_give_no_role(enricher: Enricher, text: str, person: str, word: str) -> None:
    [result] = enricher.enrich([StoryText("t", text)])
    people = {e.name: e for e in result.entities if e.kind is EntityKind.person}
    assert person in people, f"{person} not found in {list(people)}"
    assert not [r for r in people[person].roles if word.lower() in f"{r.title} {r.org}".lower()], people[person].roles
