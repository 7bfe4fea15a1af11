"""The /whois roles evaluation (tests/eval/roles.py): how it reads a span, how it matches an answer, and
its figure on PolNeAR's dev split through the CLI (slow; skipped where ../shared is absent)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared
from tests.eval import roles as evaluation

# Made-up spans in the shapes PolNeAR's annotators mark: (span, name, title, org).
SPANS = [
    ("Kevin Marlow, chairman of the House Budget Oversight Committee", "Kevin Marlow", "chairman",
     "House Budget Oversight Committee"),
    ("Senate Majority Leader Tom Aldous", "Tom Aldous", "majority leader", "Senate"),
    ("former White House Chief of Staff Dana Kerrigan", "Dana Kerrigan", "chief of staff", "White House"),
    ("Deputy Secretary of State Alan Fenwick", "Alan Fenwick", "deputy secretary", "State"),
    ("Texas Sen. Roy Dalton", "Roy Dalton", "senator", "Texas"),
    ("Susan Varga, the chief of staff", "Susan Varga", "chief of staff", None),
    ("Jonas Pike, head of policy at the Northern Business Council", "Jonas Pike", "head of policy",
     "Northern Business Council"),
    ("Yusuf Demir, a former adviser to Mr. Calloway", "Yusuf Demir", "adviser", "Calloway"),
    ("Ivo Brandt, a spokeswoman for Oscar Calloway's 2008 presidential campaign", "Ivo Brandt", "spokesman",
     "Oscar Calloway campaign"),
    ("Tomas Ferrand at Kestrel Financial", "Tomas Ferrand", None, "Kestrel Financial"),
    ("Republican pollster Gail Fenner", "Gail Fenner", "pollster", None),
    ("Campaign spokesman Ivo Brandt", "Ivo Brandt", "spokesman", None),
    ("Miriam Osei, the chief executive of a Silicon Valley data firm", "Miriam Osei", "executive", None),
    ("Dana Fisk, senior director for Asian affairs at the National Policy Council", "Dana Fisk", "director",
     "National Policy Council"),
]
NOT_ROLES = [
    "Patricia Lowell, 50, of Cheyenne",  # a home town
    "Gerald Amsel, who is vying to be the next president",  # a clause
    "Senators Jane Roe and John Doe",  # two people
    "The head of the Service Workers Union",  # no person's name
    "Hanna Ode, a lawyer in Orlando",  # a place, not a body
    "Clinton ally Jane Roe",  # not a post
]


@pytest.mark.parametrize(("span", "name", "title", "org"), SPANS, ids=[s[1] + "-" + str(s[2]) for s in SPANS])
def test_a_span_gives_its_title_and_organisation(span: str, name: str, title: str | None, org: str | None) -> None:
    article = evaluation.Article("a", "t", [], f"Nothing here. The campaign said so. {span} said so.", [span])
    [role] = evaluation.expected_roles(article)
    assert (role.name, role.title, role.org) == (name, title, org)


@pytest.mark.parametrize("span", NOT_ROLES)
def test_spans_without_a_clear_post_do_not_count(span: str) -> None:
    assert evaluation.expected_roles(evaluation.Article("a", "t", [], span, [span])) == []


def answer(*roles: tuple[str, str | None], name: str = "Kevin Marlow") -> dict[str, Any]:
    return {"name": name, "aliases": [name.split()[-1]], "roles": [{"title": t, "org": o} for t, o in roles]}


def expected(title: str | None, org: str | None, name: str = "Kevin Marlow") -> evaluation.Expected:
    return evaluation.Expected("a", "span", name, title, org)


@pytest.mark.parametrize(("want", "got", "ok"), [
    (("chairman", "House Budget Oversight Committee"), ("chairwoman", "House Budget Oversight Committee"), True),
    (("executive", "Acme"), ("CEO", "Acme Corp"), True),
    (("majority leader", "Senate"), ("Senate Majority Leader", None), True),
    (("deputy secretary", "State"), ("Deputy Secretary of State", "Department of State"), True),
    (("deputy secretary", "State"), ("Secretary of State", "Department of State"), False),  # a deputy is not
    (("professor", "Northwestern University"), ("professor", "Northwestern"), True),
    (("professor", "Northwestern University"), ("professor", "University"), False),  # "University" names nothing
    (("director", "Defense Department"), ("director", "Pentagon"), True),
    (("spokesman", "Acme"), ("spokesman", None), False),
    ((None, "Kestrel Financial"), ("employee", "Kestrel Financial"), True),
])
def test_an_answer_counts_when_one_role_has_the_title_and_the_organisation(
        want: tuple[str | None, str | None], got: tuple[str, str | None], ok: bool) -> None:
    assert evaluation.role_found(expected(*want), answer(got)) is ok


def test_the_answer_must_be_about_the_person_asked() -> None:
    assert evaluation.same_person("Brent Marlow III", answer(name="Brent Marlow III"))
    assert evaluation.same_person("Neil Sroman", answer(name="Neil Sroman"))
    assert not evaluation.same_person("Kevin Marlow", answer(name="Kevin Marsh"))


@pytest.mark.slow
def test_roles_on_polnear_dev_through_the_cli(tmp_path: Path) -> None:
    split = shared("corpus", "polnear", "dev")
    cli = str(Path(sys.executable).parent / "sitrep")
    out = tmp_path / "roles.json"
    code = evaluation.main([str(split), "--cli", cli, "--in-process", "--json", str(out), "--min", "0.9",
                            "--show", "0"])
    assert code == 0, out.read_text() if out.exists() else "no figures"
