"""Key facts: whole sentences, lead-biased, 2-5 of them, no near-duplicates, 900 characters at most."""

from __future__ import annotations

import pytest

from bot.config.settings import Summarizer
from bot.knowledge.nlp import sentences
from bot.knowledge.summarize import MAX_TOTAL, FactPicker, one_line, similar, usable

STORY = [
    "The Navy has picked Tidewater Robotics to build forty uncrewed surface vessels for harbor patrol, "
    "the service said on Tuesday.",
    "The $310 million contract covers the boats, their autonomy software and five years of maintenance.",
    "“These boats will watch the harbor so sailors don't have to stand there all night. They will not decide "
    "anything on their own,” said Rear Adm. Dana Whitcombe, who oversees the program.",
    "Tidewater Robotics was founded in 2019 by two former Navy engineers and employs about 300 people.",
    "The first vessels are due at Naval Station Norfolk next spring.",
    "Critics in Congress have asked how the boats will be secured against hacking.",
    "Tidewater said the vessels use encrypted links and can be stopped from shore at any time.",
    "The company also sells survey drones to port authorities in Europe.",
]


def story_sentences() -> list[str]:
    return [s for p in STORY for s in sentences(p)]


def test_sentences_never_cut_a_quotation() -> None:
    split = sentences(STORY[2])
    assert len(split) == 1 and split[0].endswith("who oversees the program.")
    assert sentences("“It works. It is cheap,” he said. Then he left.") == ["“It works. It is cheap,” he said.",
                                                                              "Then he left."]
    assert sentences("Col. Renata Rhee of the U.S. Army spoke. She left.") == [
        "Col. Renata Rhee of the U.S. Army spoke.", "She left."]


@pytest.mark.parametrize("algorithm", list(Summarizer))
def test_facts_are_whole_sentences_led_by_the_lead(algorithm: Summarizer) -> None:
    picker = FactPicker(algorithm, max_facts=4)
    facts = picker.pick(story_sentences())
    assert 2 <= len(facts) <= 4
    assert facts[0] == STORY[0]  # the lead carries the news
    full = story_sentences()
    assert all(f in full for f in facts)  # each fact is a sentence of the story, as written
    assert facts == sorted(facts, key=full.index)  # in story order
    assert len(" ".join(facts)) <= MAX_TOTAL


def test_no_near_duplicates_and_the_cap_holds() -> None:
    lead = "The Air Force tested an autonomous refueling drone over the Mojave Desert on Monday, officials said."
    echo = "Officials said the Air Force tested an autonomous refueling drone over the Mojave Desert on Monday."
    long = [f"Sentence number {i} describes a further detail of the long refueling trial in some depth and " * 3
            + "ends here." for i in range(10)]
    facts = FactPicker(max_facts=5).pick([lead, echo, *long])
    assert lead in facts and echo not in facts
    assert len(" ".join(facts)) <= MAX_TOTAL


def test_captions_embeds_and_fragments_are_not_facts() -> None:
    assert not usable("— Jane Roe (@janeroe) March 7, 2026")
    assert not usable("(Photo by Sam Kite/Getty Images)")
    assert not usable("Read more: the full report is online at the agency's site.")
    assert not usable("Too short.")
    assert usable("The Army will field the system to two brigades by the end of next year.")


def test_similarity_and_one_line() -> None:
    assert similar("The Army tested the drone on Monday.", "On Monday the Army tested the drone.")
    assert not similar("The Army tested the drone.", "Congress asked about hacking risks.")
    long = "A " + "very " * 80 + "long first fact, with a clause, that goes on."
    line = one_line("Title", [long])
    assert len(line) <= 300 and line.endswith("…")
    assert one_line("Just the title", []) == "Just the title"


def test_a_story_with_one_sentence_gets_one_fact() -> None:
    assert FactPicker().pick(["The Pentagon released its annual report on autonomous weapons on Friday."]) == [
        "The Pentagon released its annual report on autonomous weapons on Friday."]
    assert FactPicker().pick([]) == []


FEATURE = [
    "For most of the spring, Harrow Analytics has been under fire from its own engineers.",
    "Hundreds of them signed a letter asking the company to stay out of weapons work.",
    "Some quit, and two of them spoke publicly about what they had seen in internal meetings.",
    "Investors asked what the dispute would cost the company in government sales.",
    "The company's board met twice in May to discuss the engineers' letter and the press coverage.",
    "On Friday chief executive Lena Moss told staff that Harrow will not renew its targeting contract "
    "with the Army when it ends in September.",
]


def test_the_sentence_that_tells_the_headline_is_a_fact_wherever_it_stands() -> None:
    picked = FactPicker(max_facts=3).pick(FEATURE, title="Harrow won't renew Army targeting contract")
    assert any("will not renew its targeting contract" in fact for fact in picked), picked
    without = FactPicker(max_facts=3).pick(FEATURE)
    assert not any("will not renew" in fact for fact in without)  # the lead prior alone buries it


def test_a_quotation_closed_with_a_straight_mark_is_whole() -> None:
    assert usable("Officials said the tool, known as “Sentinel\" inside the ministry, flagged 4,000 sites.")
    assert not usable("“The tool flagged thousands of sites and nobody checked them, and then the strikes")
