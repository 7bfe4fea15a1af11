"""Quote attribution rules on their own (names found by shape, no model): each pattern reporters use."""

from __future__ import annotations

import pytest

from bot.knowledge import aliases, entities, quotemarks, quotes
from bot.knowledge.coref import Story
from bot.models import EntityKind, Quote


def extract(text: str) -> list[Quote]:
    found = entities.shape_mentions(text)
    _, alias_of = aliases.resolve(found)
    return quotes.extract(Story(text, found, quotemarks.find(text), alias_of))


@pytest.mark.parametrize(("text", "speaker"), [
    ("“We are ready,” said Gen. Maria Lopez, who leads the command.", "Maria Lopez"),
    ("“We are ready,” Maria Lopez said in an interview.", "Maria Lopez"),
    ("Maria Lopez said: “We are ready.”", "Maria Lopez"),
    ("Maria Lopez told reporters that “we are ready for anything.”", "Maria Lopez"),
    ("“We are ready,” according to Maria Lopez.", "Maria Lopez"),
    ("According to Maria Lopez, “we are ready for anything.”", "Maria Lopez"),
    ("‘We are ready,’ Maria Lopez told the BBC.", "Maria Lopez"),
    ("\"We are ready,\" said Okafor.", "Okafor"),
    ("“We are ready,” a spokesperson for Northwind Systems said.", "Northwind Systems"),
    ("“We are ready,” a Northwind Systems spokesperson was quoted as saying.", "Northwind Systems"),
    ("Northwind Systems makes sensors. “We are ready,” the company said.", "Northwind Systems"),
    ("Maria Lopez spoke after the test. “We are ready,” she added.", "Maria Lopez"),
    ("A French official, speaking on condition of anonymity, said that “we are ready.”", "A French official"),
    ("Maria Lopez said that “we are ready for anything.” A spokesperson for Northwind Systems declined to say more.",
     "Maria Lopez"),
])
def test_attribution_patterns(text: str, speaker: str) -> None:
    (quote,) = extract(text)
    assert quote.text.startswith(("We are ready", "we are ready")) and quote.speaker == speaker


def test_a_split_quote_and_a_following_sentence_keep_their_speaker() -> None:
    text = "“It works,” said Maria Lopez, “and it is cheap.” “We will buy more next year.”"
    assert [(q.text, q.speaker) for q in extract(text)] == [
        ("It works", "Maria Lopez"), ("and it is cheap.", "Maria Lopez"),
        ("We will buy more next year.", "Maria Lopez")]


def test_a_pronoun_skips_names_after_prepositions_and_inside_quotes() -> None:
    text = ("Maria Lopez met with Deputy Secretary Alan Reyes on Friday. “I have respect for Tom Hale and his team, "
            "but we disagree,” she said.")
    (quote,) = extract(text)
    assert quote.speaker == "Maria Lopez" and quote.speaker_kind is EntityKind.person


def test_partial_quotes_need_a_named_speaker() -> None:
    said = extract("Maria Lopez called the plan “reckless” on Monday.")
    assert [(q.text, q.speaker, q.partial) for q in said] == [("reckless", "Maria Lopez", True)]
    assert extract("The so-called “kill web” links sensors to shooters.") == []
    assert extract("The report, titled “Trust at the Edge”, was published on Monday.") == []
    assert extract("Officials defended the program’s ‘red lines’ on Tuesday.") == []
    assert extract("It said the system’s ‘confidence scores’ were misread.") == []


def test_a_quotation_with_no_attribution_keeps_no_speaker() -> None:
    (quote,) = extract("The test ended early.\n“Nobody expected that.”")
    assert quote.speaker is None


def test_multi_paragraph_quotations_have_one_speaker() -> None:
    text = ("Maria Lopez described the trial. She said:\n“The first run failed. We learned from it.\n"
            "“The second one worked.”")
    assert [q.speaker for q in extract(text)] == ["Maria Lopez", "Maria Lopez"]


@pytest.mark.parametrize(("text", "speaker"), [
    # a pronoun is the salient subject, not the last name: here the object of "expects"
    ("Tom Hale said he expects Maria Lopez to recover soon. “It would be foolish not to plan,” he said.",
     "Tom Hale"),
    # the gender of "she" is read from the story: Reyes is "he" earlier, so "she" is Lopez
    ("Alan Reyes said he would stay. Maria Lopez met Alan Reyes on Monday. “The plan is sound,” she said.",
     "Maria Lopez"),
    ("Ms. Nadia Okafor spoke first. Mr. Tom Hale spoke next. “The plan is sound,” she said.", "Nadia Okafor"),
    # a name in an aside or a possessive is not the subject
    ("Dana Whitfield, who runs Tom Hale's campaign, said, “We will win this state easily.”", "Dana Whitfield"),
    ("“We will win this state easily,” Dana Whitfield, the director of a small polling firm that has worked "
     "for candidates in both parties for many years, told reporters.", "Dana Whitfield"),
    # inverted attribution and a quotation signed with a dash
    ("The state's budget is large. Said Whitfield: “Nobody reads the whole thing anyway.”", "Whitfield"),
    ("“Nobody reads the whole thing anyway, and that is the problem.” ― Dana Whitfield", "Dana Whitfield"),
    # speech verbs beyond "said"
    ("“Why is this program still running at all?” Tom Hale demanded.", "Tom Hale"),
    ("Maria Lopez posted a photo, tweeting, “Proud of this team and what they built.”", "Maria Lopez"),
])
def test_speakers_on_harder_attributions(text: str, speaker: str) -> None:
    said = extract(text)
    assert said and said[-1].speaker == speaker, [(q.text, q.speaker) for q in said]


def test_each_dash_signed_quotation_in_a_collection_has_its_own_speaker() -> None:
    text = ("Readers told us what they thought.\n“The plan is sound and the cost is fair.” ― Dana Whitfield\n"
            "“It will never work in a city this size.” ― Tom Hale.")
    assert [q.speaker for q in extract(text)] == ["Dana Whitfield", "Tom Hale"]


@pytest.mark.parametrize(("text", "speaker"), [
    # a closed quotation followed by a bare "Name said." (a comma typed as a full stop)
    ("“We will appeal the ruling as soon as the court opens.” Whitfield said.", "Whitfield"),
    # the verb first, the name after it, the quotation in the next paragraph
    ("The board met twice.\nContinued Whitfield:\n“We will appeal the ruling as soon as the court opens.”",
     "Whitfield"),
    # the attribution in the sentence before
    ("Dana Whitfield said in a statement. “We will appeal the ruling as soon as the court opens.”",
     "Dana Whitfield"),
    # a title with a full stop is not a sentence end
    ("“We will appeal the ruling as soon as the court opens,” said Rev. Dana Whitfield of Grace Chapel.",
     "Dana Whitfield"),
    ("“We will appeal the ruling as soon as the court opens,” said Del. Dana Whitfield of the third district.",
     "Dana Whitfield"),
])
def test_attributions_around_sentence_ends(text: str, speaker: str) -> None:
    said = extract(text)
    assert said and said[-1].speaker == speaker, [(q.text, q.speaker) for q in said]


def test_the_gender_of_a_pronoun_comes_from_the_story_then_from_common_given_names() -> None:
    # "scolded him": "him" is someone else, so it says nothing about Nadia Okafor
    text = ("Tom Hale spoke first. Nadia Okafor scolded him on Monday. “The plan is not ready for a vote,” she said.")
    assert extract(text)[-1].speaker == "Nadia Okafor"
    # nothing in the story says who is who: "Linda" is a woman's name, "Peter" a man's
    text = "Linda Voss met Peter Marsh at the base. “The plan is not ready for a vote,” she said."
    assert extract(text)[-1].speaker == "Linda Voss"
    text = "Linda Voss met Peter Marsh at the base. “The plan is not ready for a vote,” he said."
    assert extract(text)[-1].speaker == "Peter Marsh"


def test_a_pronoun_with_no_one_named_nearby_continues_the_last_speaker_if_nothing_says_otherwise() -> None:
    filler = ["The crowd cheered.", "Rain fell on the square.", "The band played on.", "Night came early."]
    text = "\n".join(["“We are ready for this,” said Maria Lopez.", *filler, "“And we will win,” she added."])
    assert [q.speaker for q in extract(text)] == ["Maria Lopez", "Maria Lopez"]
    text = "\n".join(["Mr. Tom Hale spoke. “We are ready for this,” said Tom Hale.", *filler,
                      "“And we will win,” she added."])
    assert [q.speaker for q in extract(text)] == ["Tom Hale", None]


@pytest.mark.parametrize(("text", "speaker"), [
    ("Secretary general Maria Lopez met the ministers. “We have agreed on the strategy,” the secretary general said.",
     "Maria Lopez"),
    ("Sen. Maria Lopez opened the hearing. Dana Okafor testified. “We will not fund this,” said the senator.",
     "Maria Lopez"),
    ("Dana Okafor, the chief executive of Northwind Systems, spoke first. Maria Lopez listened. "
     "“We are ready for the trials,” the chief executive said.", "Dana Okafor"),
    ("Maria Lopez met Dana Okafor. “We are ready for the trials,” the former senator said.",
     "the former senator"),  # no one was given that title: the description stands
])
def test_a_title_for_a_speaker_means_the_person_named_earlier_with_it(text: str, speaker: str) -> None:
    (quote,) = extract(text)
    assert quote.speaker == speaker
