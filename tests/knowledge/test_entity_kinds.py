"""Which names are people: the model's label overruled by how the story introduces someone."""

from __future__ import annotations

from bot.knowledge.entities import _kinds
from bot.models import EntityKind


def test_a_full_name_the_model_called_an_organisation_is_a_person_when_its_surname_is_introduced_as_one() -> None:
    text = ("Carla Fiorelli backed the plan on Wednesday. Fiorelli, the former Halcyon Dynamics CEO who left in May, "
            "spoke at the rally.")
    surname = text.index("Fiorelli,")
    raw = [("Carla Fiorelli", "ORG", 0, 14), ("Fiorelli", "ORG", surname, surname + 8)]
    kinds = _kinds(raw, text)
    assert kinds["Carla Fiorelli"] is EntityKind.person and kinds["Fiorelli"] is EntityKind.person


def test_a_company_named_like_a_person_stays_a_company_without_such_an_introduction() -> None:
    text = "Carla Fiorelli won a contract. Fiorelli makes sensors for the Navy."
    surname = text.index("Fiorelli makes")
    raw = [("Carla Fiorelli", "ORG", 0, 14), ("Fiorelli", "ORG", surname, surname + 8)]
    assert _kinds(raw, text)["Carla Fiorelli"] is EntityKind.org
