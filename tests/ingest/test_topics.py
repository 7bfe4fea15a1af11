"""Topic rules: word boundaries, acronym case rules, RE2 regexes, and the ai-defense preset's quality."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import BUILTIN_TOPICS
from bot.config.settings import TopicConfig
from bot.ingest.topics import TermSet, TopicFilter, describe

# (headline, lead, relevant): written for these tests. Negatives are the preset's false friends.
LABELLED = [
    ("Pentagon awards AI contracts to four labs", "The Defense Department will pay four AI companies up to "
     "$200 million each to adapt frontier models for national security work.", True),
    ("Army tests machine learning system that spots drones", "Soldiers at a desert range used software that "
     "flags small drones on radar and asks a human to approve each engagement.", True),
    ("Navy sends autonomous vessels into Gulf exercise", "Uncrewed boats steered by computer vision joined "
     "warships in a two-week drill, the Navy said.", True),
    ("NATO agrees rules for military use of artificial intelligence", "Allies will red-team AI systems and keep "
     "records of their training data before fielding them.", True),
    ("Anduril shows an AI-guided interceptor", "The company says its counter-drone interceptor picks targets "
     "with onboard neural networks and waits for an operator's go-ahead.", True),
    ("Ukraine's drones find targets with AI behind the front", "Ukrainian units use machine learning to steer "
     "attack drones through jamming in the last kilometre.", True),
    ("Maven expands to more commands", "Project Maven's computer vision tools now reach every combatant command, "
     "the CDAO said.", True),
    ("UK Ministry of Defence signs Palantir deal", "The agreement covers data and AI software for the armed "
     "forces over five years.", True),
    ("AI flies an F-16 against a human pilot", "The Air Force says an AI agent handled a within-visual-range "
     "dogfight in a modified fighter jet.", True),
    ("OpenAI drops its ban on military uses", "The ChatGPT maker rewrote its usage policy to allow some work "
     "with the military and intelligence community.", True),
    ("Senators press DoD on autonomous weapons", "Lawmakers asked the department how it keeps humans in control "
     "of lethal autonomy.", True),
    ("PLA studies large language models for command", "Researchers at a People's Liberation Army academy tested "
     "an LLM on planning tasks, state media reported.", True),
    ("Marines try generative AI for logistics", "A Marine Corps unit used a chatbot to draft supply plans "
     "during an exercise in Norway.", True),
    ("Missile defense radar gets machine learning upgrade", "Lockheed Martin will add deep learning to sort "
     "decoys from warheads.", True),
    ("A.I. targeting system draws scrutiny in Gaza war", "Reports say the IDF used an A.I. targeting system to "
     "pick thousands of targets.", True),
    # The programme or the autonomy is the story, and "AI" is never said
    ("Pentagon's Replicator push fields its first attritable drones", "The initiative bought hundreds of cheap "
     "uncrewed aircraft that commanders can afford to lose, officials said.", True),
    ("Air Force picks two firms for Collaborative Combat Aircraft", "The uncrewed jets will fly alongside "
     "crewed fighters as loyal wingmen under the program's first increment.", True),
    ("Navy orders more uncrewed surface vessels for Pacific patrols", "The medium boats sail for weeks without "
     "a crew and report contacts to a destroyer.", True),
    ("Army tests robotic combat vehicles at Fort Halden", "Soldiers drove the tracked robots by tablet and let "
     "them find their own way between waypoints.", True),
    ("Swarms of drones join Baltic air defense drill", "Allied units practised against swarming drones and "
     "tested counter-UAS guns at a range in Latvia.", True),
    ("Marines buy decision-support software for artillery", "The tool ranks fire missions from sensor reports "
     "for a human officer to approve, the Marine Corps said.", True),
    ("Maven Smart System reaches every combatant command", "The Pentagon's targeting data platform is now a "
     "program of record, the Department of Defense said.", True),
    ("Thunderforge planning tool goes to European Command", "The Defense Innovation Unit project drafts "
     "campaign plans for staff officers to check.", True),
    # AI without defense
    ("Hospital network uses AI to triage chest X-rays", "A machine learning model now sorts scans by urgency; "
     "radiologists still read every image.", False),
    ("OpenAI launches a faster ChatGPT model", "The company said the model answers twice as fast and costs "
     "less for developers.", False),
    ("Meta leans on AI for ad targeting", "Advertisers will let the company's models choose audiences "
     "automatically.", False),
    ("AI tools help combat misinformation before elections", "Fact-checkers use machine learning to spot "
     "doctored videos.", False),
    ("An army of AI agents will run your inbox", "Startups promise chatbots that sort email, book meetings "
     "and chase invoices.", False),
    ("AI spots lethal heart rhythms in smartwatch data", "A deep learning model flagged arrhythmias hours "
     "before symptoms, researchers said.", False),
    ("Navy blue tops an AI fashion trend report", "A retailer's machine learning forecast says navy and olive "
     "will sell best this autumn.", False),
    ("Banks' secret weapon against fraud is machine learning", "Lenders say AI models now catch most card "
     "fraud before it happens.", False),
    ("Call of Duty uses machine learning to catch cheaters", "The Modern Warfare publisher says its AI system "
     "banned 20,000 accounts.", False),
    ("Startup sells military-grade AI encryption for small firms", "The company's AI product encrypts files "
     "and flags unusual logins.", False),
    ("Ai Weiwei opens a show about surveillance", "The artist said he wanted visitors to feel watched, his "
     "aide said.", False),
    ("Cyber startup launches AI defense against phishing", "Its model reads every email for signs of fraud "
     "before staff open it.", False),
    # Defense without AI
    ("Navy shipyard strike ends after three weeks", "Workers voted to accept a six percent raise; repairs on "
     "two destroyers resume Monday.", False),
    ("Army-Navy game goes to overtime", "Army won in the second overtime; the Navy coach said he was proud "
     "of his players.", False),
    ("Pentagon budget request rises four percent", "The request adds money for shipbuilding and munitions.",
     False),
    ("Thai army chief said to retire", "The Thai army's commander will step down next month, aides said.",
     False),
    # Defense without AI, in the vocabulary the programme terms live next to
    ("Russia launches 120 unmanned aerial vehicles at Kyiv overnight", "Ukraine's air force said most were "
     "shot down by mobile fire teams; missiles hit two power plants.", False),
    ("PLA holds drills near the Tibet Autonomous Region border", "The People's Liberation Army moved artillery "
     "and troops to high-altitude posts, state media said.", False),
    ("EU leaders debate strategic autonomy and defence spending", "Ministers agreed to pool orders for "
     "munitions and air defence systems.", False),
    ("Family health startup Maven Clinic expands benefits for military families", "The company will cover "
     "fertility care for service members' spouses.", False),
    ("Toy replicator kits sell out at the Army surplus fair", "Collectors queued for 3D-printed models of old "
     "tanks and field radios.", False),
    ("Hospital adds a clinical decision support system", "Doctors at the veterans' hospital get dosing alerts "
     "from the new software; the military health agency funded it.", False),
    ("Retailer expands autonomous drone deliveries to three more cities", "Customers can order groceries that "
     "arrive by drone in under 30 minutes.", False),
    # Legal defense, drone bees, sport
    ("Defense attorney challenges AI-enhanced video", "The lawyer says the AI tool invented details in the "
     "security footage; the judge will rule next week.", False),
    ("Beekeepers count drone bees with AI", "An AI model counts drone bees at hive entrances.", False),
    ("AI analytics firm signs with NFL team", "The defensive line coach says machine learning shows which "
     "blitzes work.", False),
]


@pytest.fixture(scope="module")
def preset() -> TopicFilter:
    return TopicFilter(BUILTIN_TOPICS)


@pytest.mark.parametrize(("title", "text", "relevant"), LABELLED, ids=[t for t, _, _ in LABELLED])
def test_ai_defense_preset(preset: TopicFilter, title: str, text: str, relevant: bool) -> None:
    [match] = preset.match(title=title, summary="", text=text)
    assert match.matched is relevant, match.reasons


def test_preset_precision_and_recall_on_the_labelled_set(preset: TopicFilter) -> None:
    got = [preset.match(title=t, summary="", text=x)[0].matched for t, x, _ in LABELLED]
    want = [r for _, _, r in LABELLED]
    tp = sum(g and w for g, w in zip(got, want, strict=True))
    assert tp / max(1, sum(got)) == 1.0 and tp / sum(want) == 1.0


def test_acronyms_are_case_sensitive_and_words_whole() -> None:
    terms = TermSet(["AI", "drone", "air defense", "DoD"])
    assert terms.found("He said the aide in Thai AIR") == []
    assert terms.found("AI-enabled, DoD's drones") == ["AI", "DoD"]
    assert terms.found("Drone makers") == ["drone"]
    assert terms.found("the air-defense  crews") == ["air defense"]
    assert terms.found("dod ai") == []


def test_regexes_run_on_re2_and_report_what_they_found() -> None:
    terms = TermSet([r"/\bF-\d{2}\b/", r"/(a+)+$/"])
    assert terms.found("an F-16 flew") == ["F-16"]
    hostile = "a" * 50_000 + "!"  # catastrophic for a backtracking engine, linear for RE2
    assert terms.found(hostile) == []


def test_any_all_none_and_reasons() -> None:
    topics = TopicFilter({
        "space": TopicConfig(any=["satellite", "rocket"], all=[["launch", "launches"]], none=["model rocket"]),
    })
    [kept] = topics.match(title="Rocket launch", summary="", text="A satellite went up.")
    assert kept.matched and kept.reasons == ["all[0]: launch", "any: rocket, satellite"]
    [dropped] = topics.match(title="Model rocket launch", summary="", text="")
    assert not dropped.matched and "none: model rocket" in dropped.reasons
    [missing] = topics.match(title="Satellite images", summary="", text="")
    assert not missing.matched and missing.reasons[0].startswith("all[0] missing")
    assert describe([kept])["space"]["matched"] is True


def test_fields_limit_where_a_topic_looks() -> None:
    topics = TopicFilter({"t": TopicConfig(any=["drone"], fields=["title"])})
    assert not topics.match(title="Budget", summary="", text="drone")[0].matched
    assert topics.match(title="Drone budget", summary="", text="")[0].matched


async def test_per_feed_topics_and_every_story_records_why(tmp_path: Path) -> None:
    from bot.clock import FakeClock
    from bot.store import Store
    from tests.fakes.feed_server import Feed, FeedServer, rss
    from tests.fakes.pollers import core_for, poll

    items = [{"title": "Army tests AI drone defense", "link": "http://n.example/1", "guid": "1",
              "description": "Soldiers tested machine learning software against drones."},
             {"title": "Rocket launch delayed", "link": "http://n.example/2", "guid": "2",
              "description": "The satellite launch slipped a week."}]
    topics = {"space": {"any": ["satellite"], "all": [["launch"]]}, "ai-defense": {"all": [["AI"], ["Army"]]}}
    store = Store.open(f"sqlite:///{tmp_path / 't.db'}")
    async with FeedServer() as server:
        server.route("/f", Feed(rss(items)))
        feeds: list[dict[str, Any]] = [{"name": "all", "url": server.url("/f")},
                 {"name": "space-only", "url": server.url("/f") + "?2", "topics": ["space"]}]
        server.route("/f?2", Feed(rss([{**i, "guid": "s" + i["guid"], "link": i["link"] + "s"} for i in items])))
        async with core_for(tmp_path, store, FakeClock(), feeds, topics=topics) as core:
            await poll(core, "all")
            await poll(core, "space-only")
            views = core.store.stories.views(include_irrelevant=True)
    store.close()
    army_all = next(v for v in views if v.url == "http://n.example/1")
    army_space = next(v for v in views if v.url == "http://n.example/1s")
    assert army_all.topics == ["ai-defense"] and {m.topic for m in army_all.topic_matches} == {"space", "ai-defense"}
    assert army_space.topics == [] and [m.topic for m in army_space.topic_matches] == ["space"]
    assert not army_space.relevant and army_space.topic_matches[0].reasons[0].startswith("all[0] missing")
