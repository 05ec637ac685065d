"""Issue 16 benchmark: the revealed-preference calibration and a frontier of 10,000 packages on the
multi-sector GE model (plain script; one run about 2-3 min on 2 shared cores; prints seconds and ratios
against references measured in the same run).

1. Calibration. One objective evaluation (the Nash bargain of the 18 recorded deals) in closed form
   against a brute-force grid of 20,001 rates per deal; one full calibration (four Nelder-Mead starts)
   timed, and its reference extrapolated: the same number of objective evaluations at the grid's cost.
2. Frontier of 10,000 US-Japan packages on the multi-sector model (input-output links, CP elasticities)
   with ``--workers`` processes (default 2), against the reference of one process evaluating package by
   package (timed on ``--sample`` packages, extrapolated); the Pareto/bargaining step is timed apart.

Usage: PYTHONPATH=src python benchmarks/bench_issue16.py [--packages 10000] [--sample 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from scipy.optimize import minimize

from tarifflab.negotiation import analysis as an
from tarifflab.negotiation import calibration as cb
from tarifflab.negotiation.deals import load_deals
from tarifflab.negotiation.levers import get_pair
from tarifflab.negotiation.packages import builtin_packages, grid_packages

GRID_POINTS = 20_001


def bench_calibration() -> None:
    deals = load_deals()
    data = [cb.DealData.from_deal(d) for d in deals]
    threat = np.array([d.threat for d in data])
    pledge = np.array([d.pledge_per_import for d in data])
    params = cb.Parameters(0.98, 0.188, 5.0, 2.1)
    reps = 200
    start = time.perf_counter()
    for _ in range(reps):
        fast = cb.predict_rates(params, threat, pledge)
    t_fast = (time.perf_counter() - start) / reps
    start = time.perf_counter()
    for _ in range(5):
        slow = cb.grid_nash_rates(params, threat, pledge, GRID_POINTS)
    t_grid = (time.perf_counter() - start) / 5
    print(
        f"calibration objective ({len(data)} deals): closed form {1e3 * t_fast:.2f} ms, "
        f"grid of {GRID_POINTS:,} rates {1e3 * t_grid:.1f} ms (ratio {t_grid / t_fast:.0f}x), "
        f"max difference {np.abs(fast - slow).max():.1e}"
    )
    evaluations = 0
    start = time.perf_counter()
    for begin in cb.STARTS:  # what cb.fit does, counting the objective evaluations
        res = minimize(
            cb._loss,
            np.asarray(begin, dtype=float),
            args=(data,),
            method="Nelder-Mead",
            options={"xatol": 1e-4, "fatol": 1e-10, "maxiter": 500},
        )
        evaluations += int(res.nfev)
    t_fit = time.perf_counter() - start
    reference = t_fit + evaluations * (t_grid - t_fast)
    print(
        f"one calibration (4 starts, {evaluations} objective evaluations): {t_fit:.2f} s; "
        f"with the grid bargain (extrapolated): {reference:.1f} s (ratio {reference / t_fit:.0f}x)"
    )


def japan_grid(size: int) -> list[dict[str, float]]:
    """The first ``size`` packages of a 10 x 10 x 5 x 4 x 5 = 10,000-point US-Japan lever grid."""
    pair = get_pair("us-japan")
    axes = {
        "us_reciprocal_rate": [round(0.05 * k, 2) for k in range(10)],
        "us_auto_rate": [round(0.025 * k, 3) for k in range(10)],
        "partner_tariff_cut_agriculture": [0.0, 0.25, 0.5, 0.75, 1.0],
        "investment_pledge_usd_bn": [0.0, 275.0, 550.0, 1000.0],
        "purchases_farm_usd_bn": [0.0, 4.0, 8.0, 12.0, 16.0],
    }
    base = {
        "us_all_in_rule": 1,
        "us_auto_all_in_rule": 1,
        "us_exempt_aircraft": 1,
        "us_exempt_generic_pharma": 1,
        "us_steel_rate": 0.5,
    }
    grid = grid_packages(pair, base, axes)
    return list(itertools.islice(grid, size))


def bench_frontier(size: int, sample: int, workers: int) -> None:
    from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel

    pair = get_pair("us-japan")
    grid = japan_grid(size)
    pk = builtin_packages(pair)
    single = MultiSectorPayoffModel(pair)
    start = time.perf_counter()
    single.evaluate_many(grid[:sample])
    reference = (time.perf_counter() - start) / sample * len(grid)
    parallel = MultiSectorPayoffModel(pair, workers=workers)
    start = time.perf_counter()
    outcomes = parallel.evaluate_many(grid)
    t_eval = time.perf_counter() - start

    class _Evaluated:
        """The evaluated grid served from memory, so that the frontier step is timed alone."""

        def __init__(self) -> None:
            self.pair = pair
            self.cache = {id(s): o for s, o in zip(grid, outcomes, strict=True)}

        def evaluate(self, settings: dict[str, float]) -> object:
            return self.cache.get(id(settings)) or single.evaluate(settings)

        def evaluate_many(self, settings: list[dict[str, float]]) -> list[object]:
            return [self.evaluate(s) for s in settings]

    start = time.perf_counter()
    rep = an.frontier(_Evaluated(), grid, pk["no_deal_july_letter"], pk["july_2025_deal"])  # type: ignore[arg-type]
    t_frontier = time.perf_counter() - start
    print(
        f"multi-sector frontier: {len(grid):,} packages, {len(rep.frontier_index)} on the frontier; "
        f"evaluation {t_eval:.1f} s with {workers} processes, frontier/bargaining step {t_frontier:.2f} s"
    )
    print(
        f"  reference: one process, package by package, extrapolated from {sample}: {reference:.1f} s "
        f"(ratio {reference / t_eval:.2f}x; {1e3 * reference / len(grid):.1f} ms per package)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--packages", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    bench_calibration()
    bench_frontier(args.packages, args.sample, args.workers)


if __name__ == "__main__":
    main()
