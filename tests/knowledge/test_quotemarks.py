"""Finding quotation marks: double, single (British), curly, straight, and quotes that run on."""

from __future__ import annotations

from bot.knowledge import quotemarks


def bodies(text: str) -> list[str]:
    return [q.body(text) for q in quotemarks.find(text)]


def test_curly_and_straight_double_quotes() -> None:
    text = "“We will ship it,” she said. He replied: \"Not this year.\""
    assert bodies(text) == ["We will ship it,", "Not this year."]


def test_british_single_quotes_and_apostrophes() -> None:
    text = "‘This isn’t about money,’ she said, pointing at the company’s ‘red lines’ and the soldiers’ pay."
    assert bodies(text) == ["This isn’t about money,", "red lines"]


def test_straight_single_quotes_with_a_plural_possessive_inside() -> None:
    text = "'The engineers' work speaks for itself,' the director said."
    assert bodies(text) == ["The engineers' work speaks for itself,"]


def test_apostrophes_alone_are_not_quotes() -> None:
    assert bodies("Rock ’n’ roll in the ’90s, and the firm’s O’Brien didn’t care.") == []


def test_single_quotes_nested_in_double_quotes_are_part_of_them() -> None:
    text = "“They called it ‘the swarm’ from day one,” Reyes said."
    assert bodies(text) == ["They called it ‘the swarm’ from day one,"]


def test_multi_paragraph_quote_runs_on() -> None:
    text = ("Park said: “The first test failed. We learned more from it than from any success.\n"
            "“The second one worked, and that is what the Army will see.”\n"
            "The next trial is in May.")
    spans = quotemarks.find(text)
    assert [s.runs_on for s in spans] == [True, False]
    assert [s.continued for s in spans] == [False, True]
    assert spans[1].body(text).startswith("The second one worked")


def test_offsets_are_story_offsets() -> None:
    text = "First paragraph.\n“Quoted here,” she said."
    (span,) = quotemarks.find(text)
    assert text[span.start] == "“" and text[span.end - 1] == "”" and span.paragraph == 1
