"""Benchmark of the one-sector GE solver (Liberation Day model, N = 194, 3N = 582 unknowns).

Prints, per scenario: seconds per solve of our Newton solver with the analytic Jacobian (cold start
from all hats = 1, median of repeats; and warm-started as in a scenario sweep), and for the
Table 1–3 scenarios the seconds of a plain ``scipy.optimize.root(method="hybr")`` solve of the SAME
scaled log equations with a finite-difference Jacobian, measured in the same run, and the ratio.

Usage: PYTHONPATH=src python benchmarks/bench_ge_one_sector.py [--repeats 5] [--no-reference]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy.optimize import root

from tarifflab.models.ge.one_sector import OneSectorModel
from tarifflab.studies.ge_one_sector import OneSectorLab, scenarios

TABLES_1_TO_3 = {
    "liberation-day": "income-tax",
    "liberation-day-lump-sum": "lump-sum",
    "optimal-us": "income-tax",
    "reciprocal-retaliation": "income-tax",
    "optimal-retaliation": "income-tax",
    "optimal-vs-optimal": "income-tax",
}
#: Searches (many solves), timed apart below.
SEARCHES = (
    "io-optimal-us",
    "io-optimal-retaliation",
    "io-optimal-retaliation-authors",
    "io-optimal-retaliation-uniform",
)
SKIP = {"custom", *SEARCHES}


def cold_solve_seconds(
    lab: OneSectorLab, tariffs: np.ndarray, fiscal: str, repeats: int
) -> tuple[float, int]:
    times = []
    iterations = 0
    for _ in range(repeats):
        model = OneSectorModel(lab.base, fiscal=fiscal)  # type: ignore[arg-type]
        start = time.perf_counter()
        result = model.solve(tariffs, warm_start=False)
        times.append(time.perf_counter() - start)
        iterations = result.diagnostics.iterations
    return statistics.median(times), iterations


def hybr_seconds(lab: OneSectorLab, tariffs: np.ndarray, fiscal: str) -> tuple[float, float]:
    model = OneSectorModel(lab.base, fiscal=fiscal)  # type: ignore[arg-type]
    shock = model.shock(tariffs)
    start = time.perf_counter()
    found = root(
        lambda x: model.residual(x, shock), np.zeros(model.size), method="hybr", options={"xtol": 1e-12}
    )
    seconds = time.perf_counter() - start
    return seconds, float(np.max(np.abs(found.fun)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-reference", action="store_true", help="skip the scipy hybr reference")
    args = parser.parse_args()
    lab = OneSectorLab.load()
    print(f"data: {lab.data.source}; N = {lab.data.n}")
    header = f"{'scenario':32s} {'cold s':>8s} {'iters':>5s} {'warm s':>8s} {'hybr+FD s':>10s} {'hybr res':>9s} {'speed-up':>8s}"
    print(header)
    print("-" * len(header))
    warm_total_1_3 = 0.0
    for info in scenarios():
        if info.name in SKIP:
            continue
        start = time.perf_counter()
        result = lab.run(info.name)  # warm-started, as a sweep would run it
        warm = time.perf_counter() - start
        if info.name in TABLES_1_TO_3:
            warm_total_1_3 += warm
        line = f"{info.name:32s}"
        if result.tariffs is not None and info.name in TABLES_1_TO_3:
            fiscal = TABLES_1_TO_3[info.name]
            cold, iterations = cold_solve_seconds(lab, result.tariffs, fiscal, args.repeats)
            line += f" {cold:8.4f} {iterations:5d} {warm:8.4f}"
            if not args.no_reference:
                ref, residual = hybr_seconds(lab, result.tariffs, fiscal)
                line += f" {ref:10.3f} {residual:9.1e} {ref / cold:7.0f}x"
        else:
            line += f" {'':8s} {result.diagnostics.iterations:5d} {warm:8.4f}"
        print(line)
    start = time.perf_counter()
    fresh = OneSectorLab(lab.data)
    for name in TABLES_1_TO_3:
        fresh.run(name)
    all_1_3 = time.perf_counter() - start
    print(f"\nTables 1–3, six scenarios, fresh lab incl. calibration: {all_1_3:.3f} s")
    print(f"Tables 1–3, six scenarios, warm-started solves only:     {warm_total_1_3:.3f} s")
    for name in SEARCHES:
        start = time.perf_counter()
        result = lab.run(name)
        seconds = time.perf_counter() - start
        if "search_iterations" in result.scalars:
            detail = (
                f"L-BFGS-B over 193 rates, {result.scalars['search_iterations']:.0f} iterations, "
                f"{result.scalars['search_evaluations']:.0f} solves + adjoint gradients"
            )
        else:
            detail = "1-D bounded search"
        print(f"{name} ({detail}): {seconds:.2f} s")


if __name__ == "__main__":
    main()
