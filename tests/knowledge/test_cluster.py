"""Same-event clustering, measured on a labelled set written for these tests and checked in the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.knowledge.cluster import (
    COHESION,
    PEG_BOOST,
    THRESHOLD,
    Clusterer,
    DocumentFrequency,
    add_names,
    choose_cluster,
    signature,
    similarity,
    stem,
)
from bot.store import Store
from tests.conftest import REPO
from tests.eval.cluster_sets import all_sets, chosen, evaluate
from tests.eval.polnear_clusters import CORPUS, articles, cluster_by_cli, cluster_directly, score, unlabelled
from tests.fakes.labelled import LabelledStory, cluster_set, greedy, pairwise
from tests.fakes.pollers import core_for


@pytest.fixture(scope="module")
def labelled() -> list[LabelledStory]:
    return cluster_set()


def scorer(stories: list[LabelledStory]):
    signatures = {s.key: signature(s.title, s.text) for s in stories}
    frequency = DocumentFrequency()
    for sig in signatures.values():
        frequency.add(sig)
    return lambda a, b: similarity(signatures[a.key], signatures[b.key], frequency, when_a=a.when, when_b=b.when)


def test_pairwise_precision_and_recall_on_the_labelled_set(labelled: list[LabelledStory]) -> None:
    clusters = greedy(labelled, scorer(labelled), THRESHOLD)
    scores = pairwise({s.key: s.event for s in labelled}, clusters)
    assert (scores.precision, scores.recall) == (1.0, 1.0)


def test_content_farm_rewrites_join_their_original(labelled: list[LabelledStory]) -> None:
    clusters = greedy(labelled, scorer(labelled), THRESHOLD)
    farms = [s for s in labelled if s.farm]
    assert len(farms) >= 4
    for story in farms:
        assert clusters[story.key] == clusters[story.farm], story.key  # type: ignore[index]


def test_different_events_about_the_same_company_stay_apart(labelled: list[LabelledStory]) -> None:
    score = scorer(labelled)
    by_key = {s.key: s for s in labelled}
    # OpenAI red lines / OpenAI model launch / Kalinowski leaves OpenAI; Palantir deal / earnings;
    # Helix trial / funding; Anduril interceptor / factory; Anthropic contract / OpenAI red lines.
    for a, b in [("b1", "d1"), ("b2", "d1"), ("b1", "c1"), ("h1", "i1"), ("e1", "f1"), ("j1", "k1"), ("a1", "b1"),
                 ("a2", "b1")]:
        assert score(by_key[a], by_key[b]) < THRESHOLD, (a, b)


def test_signature_parts() -> None:
    sig = signature("Pentagon ends Anthropic contract", "The Defense Department cancelled its contract with "
                    "Anthropic, the artificial intelligence company, on Tuesday. Anthropic said it would appeal.")
    assert {"anthropic", "pentagon"} <= set(sig["n"]) and "tuesday" not in sig["n"]
    assert {"ai", "deal", "cancel"} <= set(sig["k"]) <= set(sig["f"])
    assert not set(sig["f"]) & {"anthropic", "the", "said"}
    assert sig["l"] == ["anthropic", "pentagon"]
    assert set(add_names(sig, ["Dario Amodei"])["n"]) >= {"dario", "amodei"}
    assert [stem(w) for w in ("trained", "training", "trains", "planned", "policies")] == \
        ["train", "train", "train", "plan", "policy"]


def test_a_story_without_names_is_judged_on_its_words() -> None:
    frequency = DocumentFrequency()
    a = signature("storm closes schools", "heavy snow closed every school in the district on monday morning")
    b = signature("snow storm shuts schools", "every school in the district closed as heavy snow fell")
    for sig in (a, b, signature("budget vote delayed", "the council postponed its budget vote")):
        frequency.add(sig)
    assert similarity(a, b, frequency) > THRESHOLD


async def test_the_store_clusters_the_demo_feeds_without_merging_different_events(
        tmp_path: Path, store: Store, clock: FakeClock) -> None:
    feeds = [{"name": p.stem, "url": str(p)} for p in sorted((REPO / "config" / "demo-feeds").iterdir())]
    async with core_for(tmp_path, store, clock, feeds) as core:
        await core.poller.poll_due(enrich=False)
    clusterer = Clusterer(store.engine, window=timedelta(days=3))
    for row in store.stories.needing_enrichment(limit=100):
        clusterer.assign(row.id, [], row.published_at or clock.now(), clock.now())
    views = {v.url: v for v in store.stories.views(include_irrelevant=True)}
    cluster = {url.split("/")[-1].split("?")[0] or url.split("/")[-2]: v.cluster for url, v in views.items()
               if url is not None}
    assert cluster["openai-robotics-chief-resigns"] == cluster["kalinowski-exit-openai-defense"]
    assert cluster["openai-red-lines"] != cluster["pentagon-anthropic-contract-ends"]
    assert cluster["openai-red-lines"] != cluster["openai-robotics-chief-resigns"]
    assert len(set(cluster.values())) == len(cluster) - 1
    assert clusterer.frequency.n == len(views)
    sizes = {v.cluster: v.cluster_size for v in views.values()}
    assert sizes[cluster["kalinowski-exit-openai-defense"]] == 2


def test_a_short_flash_is_judged_inside_the_long_report_it_belongs_to() -> None:
    """A three-line flash and a long report of the same award: the flash's lead is all in the long one."""
    flash = signature("Navy picks Harbourline for drone boats", "The Navy awarded Harbourline Marine a $40 million "
                      "contract for uncrewed patrol boats on Monday.")
    long = signature("Harbourline wins Navy drone-boat work", " ".join([
        "Harbourline Marine will build uncrewed patrol boats for the Navy under a $40 million contract awarded Monday,",
        "the service said. The boats carry sensors and can run for a week without a crew."] + [
        f"Paragraph {n} covers the shipyard's history, its workforce, its rivals and the bidding rules."
        for n in range(30)]))
    unrelated = signature("Storm delays ferry schedule", "Ferries between the islands were cancelled on Monday as "
                          "a storm crossed the strait, the operator said.")
    frequency = DocumentFrequency()
    for sig in (flash, long, unrelated):
        frequency.add(sig)
    assert similarity(flash, long, frequency) == similarity(long, flash, frequency) > THRESHOLD
    assert similarity(flash, unrelated, frequency) < THRESHOLD


def test_reports_of_one_happening_told_from_different_angles_join_on_the_day_their_leads_give() -> None:
    """A straight report and a next-day column share few words; both say the vote was on Tuesday."""
    report = signature("Kestrel County council passes transit levy",
                       "The Kestrel County council voted 7-2 on Tuesday to raise the transit levy, after a long "
                       "hearing in which bus drivers and shop owners spoke.")
    column = signature("Why the levy vote matters for Norvale commuters",
                       "Tuesday's vote in Kestrel County will change how Norvale pays for its buses. Riders have "
                       "waited a decade for routes to the hospital and the port, and the council knows it.")
    other = signature("Harbourline opens a second shipyard",
                      "Harbourline Marine opened a shipyard in Port Ellis on Tuesday, hiring welders and painters.")
    frequency = DocumentFrequency()
    for sig in (report, column, other):
        frequency.add(sig)
    tuesday, wednesday = datetime(2026, 3, 10, 20, tzinfo=UTC), datetime(2026, 3, 11, 7, tzinfo=UTC)
    dated = similarity(report, column, frequency, when_a=tuesday, when_b=wednesday)
    undated = similarity(report, column, frequency)
    assert undated < THRESHOLD <= dated == pytest.approx(undated * PEG_BOOST)
    # A week later, "Tuesday" is another Tuesday: no common day.
    assert similarity(report, column, frequency, when_a=tuesday, when_b=wednesday + timedelta(days=7)) == undated
    # A common day alone joins nothing: no shared words, no score.
    assert similarity(report, other, frequency, when_a=tuesday, when_b=tuesday) < THRESHOLD


def test_a_story_joins_a_cluster_only_if_it_fits_the_cluster_as_a_whole() -> None:
    close, far = THRESHOLD + 0.1, THRESHOLD * COHESION / 4
    # Close to one report of a three-report cluster and far from the two others: a chain, not a match.
    assert choose_cluster([(close, "primary"), (far, "primary"), (far, "primary")]) is None
    assert choose_cluster([(close, "primary"), (THRESHOLD, "primary"), (far, "debate")]) == "primary"
    # The closest cluster that fits wins.
    assert choose_cluster([(close, "a"), (close + 0.1, "b"), (0.0, "b"), (close + 0.1, "b")]) == "b"
    assert choose_cluster([]) is None


@pytest.fixture(scope="module")
def sets() -> dict[str, list[LabelledStory]]:
    return all_sets()


@pytest.mark.parametrize("name", ["labelled", "heldout", "demo", "dev"])
def test_every_written_set_is_clustered_exactly(sets: dict[str, list[LabelledStory]], name: str) -> None:
    if name not in sets:
        pytest.skip(f"the {name} set needs ../shared")
    stories = sets[name]
    scores = evaluate(stories, chosen(stories), THRESHOLD)
    assert (scores.precision, scores.recall) == (1.0, 1.0)


def test_real_news_reports_of_one_event_are_joined(sets: dict[str, list[LabelledStory]]) -> None:
    """The shared real-news set: outlets days apart, one wire flash against a long report."""
    if "realnews" not in sets:
        pytest.skip("../shared/eval/realnews is not here")
    scores = evaluate(sets["realnews"], chosen(sets["realnews"]), THRESHOLD)
    assert scores.precision == 1.0 and scores.recall >= 0.9


def test_real_political_reports_keep_their_floor(sets: dict[str, list[LabelledStory]]) -> None:
    """PolNeAR articles labelled by event (tests/eval/polnear-clusters): a floor under today's figure."""
    if "polnear" not in sets:
        pytest.skip("../shared/corpus/polnear is not here")
    scores = evaluate(sets["polnear"], chosen(sets["polnear"]), THRESHOLD)
    assert scores.precision >= 0.78 and scores.f1 >= 0.78


@pytest.mark.slow
def test_real_political_reports_among_the_whole_train_split() -> None:
    """The labelled articles clustered among all 840 train articles (the store's IDF, 700 other reports)."""
    if not CORPUS.exists():
        pytest.skip("../shared/corpus/polnear is not here")
    items = articles()
    scores = score(items, dict(cluster_directly(items + unlabelled())))
    assert scores.precision >= 0.75 and scores.f1 >= 0.74


@pytest.mark.slow
def test_polnear_clusters_through_the_command_line(tmp_path: Path) -> None:
    """The same articles through `sitrep poll` and `stories --format json`, as the evaluation runs them."""
    if not CORPUS.exists():
        pytest.skip("../shared/corpus/polnear is not here")
    items = articles()
    clusters = cluster_by_cli(items, tmp_path)
    unclustered = [k for k, v in clusters.items() if str(v).startswith("missing:")]
    if unclustered:  # the poll stopped early: enrichment failed in the store, not in clustering
        pytest.xfail(f"{len(unclustered)} of {len(items)} articles were never clustered (the poll failed)")
    scores = score(items, clusters)
    assert scores.precision >= 0.75 and scores.f1 >= 0.7
