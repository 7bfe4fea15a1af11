"""Load: 500 /whois and /news at once over Slack HTTP mode, while a poll cycle runs (issue 9).

Every command must be acknowledged with 200 within Slack's 3 seconds (a protocol requirement: a
later acknowledgement is shown to the user as a failure) and answered exactly once, with the
answer the store holds. The figures (latency percentiles) are printed here and reported by
`python -m tests.bench load`; see tests/bench/slackload.py for the scenario.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.bench.slackload import ACK_LIMIT_MS, REQUESTS, run_load

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


async def test_500_commands_at_once_during_a_poll_are_acknowledged_in_time_and_answered_once(
        tmp_path: Path) -> None:
    report = await run_load(tmp_path, count=REQUESTS, poll=True)
    print(json.dumps(report.figures, indent=1))
    assert len(report.outcomes) == REQUESTS
    problems = Counter(o.error for o in report.errors)
    assert not problems, problems.most_common(5)
    assert all(o.status == 200 for o in report.outcomes)
    assert max(o.ack_ms for o in report.outcomes) < ACK_LIMIT_MS
    assert all(o.answers == 1 and o.right for o in report.outcomes)
    # Both ways of answering were used: some in the acknowledgement, the rest by follow-up.
    assert report.figures["answered_in_ack"] and report.figures["answered_by_followup"]
    # The poll cycle really ran through the burst, and did real work: new stories fetched and enriched.
    assert report.poll_before_burst_s > 0 and report.poll_after_acks_s > 0
    assert report.poll_new > 0 and report.poll_enriched >= report.poll_new
    # bolt was handed the start's auth.test answer instead of asking again for each command.
    assert report.auth_tests == 1
