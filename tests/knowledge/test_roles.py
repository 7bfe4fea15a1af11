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
