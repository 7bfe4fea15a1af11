"""`make bench`: run every tests/bench/bench_*.py, write bench-results.json, print a table.

Each benchmark module defines `run() -> dict[str, float | int | str]` returning figures keyed as
the issues name them (e.g. `poll.speedup_vs_sequential`); ratios are measured against a baseline
in the same run, because absolute times on a 2-core machine say little.
Run one: `python -m tests.bench poll`.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import tests.bench as package

OUT = Path(__file__).resolve().parents[2] / "bench-results.json"


def main(argv: list[str]) -> int:
    wanted = set(argv)
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_"))
    results: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() and wanted else {}
    failed = []
    for name in names:
        short = name.removeprefix("bench_")
        if wanted and short not in wanted:
            continue
        print(f"== {short}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            figures = importlib.import_module(f"tests.bench.{name}").run()
        except Exception:
            traceback.print_exc()
            failed.append(short)
            continue
        results.update(figures)
        print(f"   done in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    OUT.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    width = max((len(k) for k in results), default=10)
    print(f"{'figure':<{width}}  value")
    for key in sorted(results):
        value = results[key]
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    print(f"\nwritten to {OUT}")
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
