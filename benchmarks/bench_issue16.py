"""Issue 16 benchmark: the revealed-preference calibration and a frontier of 10,000 packages on the
multi-sector GE model (plain script; one run about 1-2 min on 2 shared cores; prints seconds and ratios
against references measured in the same run).

1. Calibration. One objective evaluation (the Nash bargain of the 18 recorded deals) in closed form
   against a brute-force grid of 20,001 rates per deal; one full calibration (four Nelder-Mead starts)
   timed, and its reference extrapolated: the same number of objective evaluations at the grid's cost.
2. Frontier of 10,000 US-Japan packages on the multi-sector model (input-output links, CP elasticities),
   the whole frontier step (evaluation, Pareto set, bargaining solutions), three ways in the same run:
   one by one (the evaluation before batching: a warm-started solve per package, timed on ``--sample``
   packages spread over the grid and extrapolated), batched (``MultiSectorPayoffModel.evaluate_many``:
   ``solve_batch`` in chunks, results written to a fresh result store; ``--workers`` processes, default 1)
   and store-warm (a second run with a new model, reading every package from the store).

Usage: PYTHONPATH=src python benchmarks/bench_issue16.py [--packages 10000] [--sample 100] [--workers 1]
       [--skip-calibration]
"""

from __future__ import annotations

import argparse
import itertools
import os
import tempfile
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
    """One-by-one (extrapolated from ``sample``) vs batched vs store-warm, all in this run."""
    from tarifflab.models.ge.multi_sector import MultiSectorScenario
    from tarifflab.negotiation.payoffs_ge import BATCH_SIZE, MultiSectorPayoffModel

    pair = get_pair("us-japan")
    grid = japan_grid(size)
    pk = builtin_packages(pair)
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TARIFFLAB_CACHE_DIR"] = cache  # a fresh, private result store
        # reference: what evaluate_many did before batching, one warm-started solve per package; half the
        # sample before the batched run and half after it, so that both see the machine's load alike
        single = MultiSectorPayoffModel(pair, result_store=False)
        scenario = MultiSectorScenario(name="negotiation package")
        picks = grid[:: max(1, len(grid) // sample)][:sample]

        def one_by_one(part: list[dict[str, float]]) -> tuple[float, float]:
            wall, cpu = time.perf_counter(), time.process_time()
            for settings in part:
                t, nx = single.inputs(settings)
                single._outcomes(single.model.solve(scenario, tariffs=t), nx)
            return time.perf_counter() - wall, time.process_time() - cpu

        first = one_by_one(picks[::2])
        cold = MultiSectorPayoffModel(pair, workers=workers)
        wall, cpu = time.perf_counter(), time.process_time()
        report = an.frontier(cold, grid, pk["no_deal_july_letter"], pk["july_2025_deal"])
        t_batched, c_batched = time.perf_counter() - wall, time.process_time() - cpu
        second = one_by_one(picks[1::2])
        scale = len(grid) / len(picks)
        t_one, c_one = (first[0] + second[0]) * scale, (first[1] + second[1]) * scale
        warm = MultiSectorPayoffModel(pair)  # a new model, as in a second CLI run: reads the store
        wall, cpu = time.perf_counter(), time.process_time()
        again = an.frontier(warm, grid, pk["no_deal_july_letter"], pk["july_2025_deal"])
        t_warm, c_warm = time.perf_counter() - wall, time.process_time() - cpu
        if not np.array_equal(again.payoffs, report.payoffs):
            raise SystemExit("store-warm payoffs differ from the solved ones")
        del os.environ["TARIFFLAB_CACHE_DIR"]
    how = "batched" if workers == 1 else f"batched in {workers} processes (CPU: this process only)"
    print(
        f"multi-sector frontier, {len(grid):,} US-Japan packages ({len(report.frontier_index)} on the frontier), "
        f"whole frontier step (evaluation + Pareto/bargaining); wall s / CPU s:"
    )
    print(
        f"  one by one (warm-started solves, extrapolated from {len(picks)} packages): {t_one:.1f} / {c_one:.1f} s "
        f"({1e3 * t_one / len(grid):.1f} / {1e3 * c_one / len(grid):.1f} ms per package)"
    )
    print(
        f"  {how} ({BATCH_SIZE} packages per batch, results written to the store): {t_batched:.1f} / "
        f"{c_batched:.1f} s ({1e3 * t_batched / len(grid):.1f} / {1e3 * c_batched / len(grid):.1f} ms per "
        f"package); ratio {t_one / t_batched:.1f}x wall, {c_one / c_batched:.1f}x CPU"
    )
    print(
        f"  store-warm (second run, new model, no solve): {t_warm:.2f} / {c_warm:.2f} s; ratio "
        f"{t_one / t_warm:.0f}x wall against one by one, {t_batched / t_warm:.0f}x against batched"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--packages", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--skip-calibration", action="store_true")
    args = parser.parse_args()
    if not args.skip_calibration:
        bench_calibration()
    bench_frontier(args.packages, args.sample, args.workers)


if __name__ == "__main__":
    main()
