"""Load benchmark: 500 /whois and /news at once over Slack HTTP mode, idle and during a poll cycle.

The scenario is tests/bench/slackload.py (Slack's side and the feed farm in processes of their
own, sitrep's adapter and core in this one, on a store of a few thousand stories and names).
Figures, all from Slack's side of the wire: acknowledgement latency (send to HTTP 200) p50, p99
and max, errors (not 200, later than 3 s, no answer, a second answer or a wrong one), follow-up
latency (send to the answer's arrival at the response_url) for the commands answered that way,
and the baseline ratio: the acknowledgement p99 during the poll cycle against the same burst sent
to the same bot idle, in the same run.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from tests.bench.slackload import LoadReport, run_load

REQUESTS = int(os.environ.get("SITREP_BENCH_LOAD_REQUESTS", "500"))


def _once(poll: bool) -> LoadReport:
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(run_load(Path(folder), count=REQUESTS, poll=poll))


def run() -> dict[str, float | int | str]:
    idle = _once(poll=False).figures
    busy = _once(poll=True).figures
    results: dict[str, float | int | str] = {f"load.{key}": value for key, value in busy.items()}
    results.update({
        "load.idle_ack_p50_ms": idle["ack_p50_ms"],
        "load.idle_ack_p99_ms": idle["ack_p99_ms"],
        "load.idle_errors": idle["errors"],
        "load.ack_p99_vs_idle": round(float(busy["ack_p99_ms"]) / max(float(idle["ack_p99_ms"]), 1.0), 2),
    })
    return results


if __name__ == "__main__":
    print(run())
