"""What same-event clustering compares: names, content words and date mentions of a story."""

from __future__ import annotations

import pytest

from bot.knowledge.signature import signature, strip_dateline


@pytest.mark.parametrize(("text", "kept"), [
    ("NORVALE (Wire) — Harbourline Marine won the contract.", "Harbourline Marine won the contract."),
    ("PORT ELLIS, N.M. - Voters lined up early.", "Voters lined up early."),
    ("KESTREL BAY, Ore. -- Crews cleared the road.", "Crews cleared the road."),
    ("Norvale, March 11 (Wire) — The council voted.", "The council voted."),
    ("Port Ellis (Wire) – The mayor resigned.", "The mayor resigned."),
    ("Norvale, March 11: The council voted.", "The council voted."),
    # A name that merely starts a sentence stays.
    ("Dana Okafor — the fund's founder — said no.", "Dana Okafor — the fund's founder — said no."),
    ("Harbourline Marine: a profile.", "Harbourline Marine: a profile."),
])
def test_a_wire_dateline_is_not_part_of_the_story(text: str, kept: str) -> None:
    assert strip_dateline(text) == kept


def test_the_dateline_place_is_not_an_actor_but_its_date_dates_the_news() -> None:
    sig = signature("Council passes budget", "NORVALE, March 11 (Wire) — The Kestrel County council passed its budget.")
    assert "norvale" not in sig["n"] and {"kestrel", "county"} <= set(sig["n"])
    assert sig["p"] == ["d0311"]


def test_a_title_case_headline_lends_only_the_names_its_story_writes_as_names() -> None:
    sig = signature("Pentagon Expands Harbourline's Role With Drone Contract",
                    "The Pentagon is expanding its use of Harbourline Marine's drone boats, officials said, in a role "
                    "that grows with each contract it expands.")
    assert {"pentagon", "harbourline"} <= set(sig["l"])
    assert not {"expands", "role", "drone"} & set(sig["n"])
    assert "role" in sig["k"]  # a headline word that is no name is a content word
    # With no text, the headline is all there is.
    assert {"pentagon", "harbourline"} <= set(signature("Pentagon Expands Harbourline's Role", "")["n"])


def test_the_signature_keeps_how_the_lead_dates_the_news() -> None:
    sig = signature("Harbourline wins Navy work", "The Navy awarded Harbourline Marine the contract on Tuesday.")
    assert sig["p"] == ["w1"] and "tuesday" not in sig["n"] and "tuesday" not in sig["f"]
