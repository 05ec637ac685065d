"""Benchmark of the tariff engine (issue: US tariff engine).

Targets on a 2-core machine: all ~207k HS10 × partner lines for one date < 1 s; the daily series from
2025-01-01 to 2026-07-31 for all partners < 10 s; peak memory < 2 GB. The reference measured in the same
run is the engine's own one-line path (``duty``), looped over a sample of lines and extrapolated: what a
per-line (non-vectorised) engine would cost.

Run: python benchmarks/bench_engine.py
"""

from __future__ import annotations

import resource
import time

from tarifflab.metrics.etr import etr_series
from tarifflab.policy.engine import TariffEngine


def main() -> None:
    start = time.perf_counter()
    engine = TariffEngine.default()
    load = time.perf_counter() - start

    engine.evaluate("2025-09-20")  # warm the scope cache for that date's bucket
    start = time.perf_counter()
    lines = engine.evaluate("2025-10-01")
    one_date = time.perf_counter() - start
    start = time.perf_counter()
    engine.evaluate("2026-03-01")
    cold_date = time.perf_counter() - start

    sample = lines.sample(200, random_state=0)
    start = time.perf_counter()
    for hs10, partner in zip(sample["hs10"], sample["partner"], strict=True):
        engine.duty(hs10, partner, "2025-10-01")
    per_line = (time.perf_counter() - start) / len(sample)
    naive_all_lines = per_line * len(lines)

    start = time.perf_counter()
    series = etr_series("2025-01-01", "2026-07-31", by_partner=True, engine=engine)
    series_seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"engine load (library + embedded data)      {load:8.3f} s")
    print(f"all {len(lines):,} lines, one date (warm)     {one_date:8.3f} s   target < 1 s")
    print(f"all lines, one date (new scope bucket)      {cold_date:8.3f} s   target < 1 s")
    print(
        f"per-line reference, extrapolated            {naive_all_lines:8.1f} s   ratio {naive_all_lines / one_date:,.0f}x"
    )
    print(
        f"daily series, {series['partner'].nunique()} partners × {series['date'].nunique()} days  {series_seconds:8.3f} s   target < 10 s"
    )
    print(f"peak resident memory                        {peak_mb:8.0f} MB  target < 2048 MB")


if __name__ == "__main__":
    main()
