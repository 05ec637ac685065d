"""Benchmark of the multi-sector GE solver and of a sweep on a Dask LocalCluster.

Usage: python benchmarks/bench_ge_multi_sector.py [--sweep-count 1000] [--skip-sweep] [--repeats 3]

Prints seconds per solve (ICIO 2022, 81 × 28, with IO links; and the embedded default) for the
analytic Jacobian and for a finite-difference Jacobian on the same equations, measured in the same run,
and the wall time of an N-scenario sweep (extrapolated to 1,000 when N is smaller).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def _time_solve(model, scenario, repeats: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    best, iters = float("inf"), 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = model.solve(scenario, warm_start=False)
        best = min(best, time.perf_counter() - t0)
        iters = res.diagnostics.iterations
    return best, iters


def bench_solves(repeats: int) -> None:
    from tarifflab.models.ge.multi_sector import MultiSectorModel
    from tarifflab.models.ge.multi_sector_solver import SolverOptions
    from tarifflab.studies.ge_multi_sector import build_scenario

    cases = [("icio", 2022, True), ("icio", 2022, False), ("default", None, True)]
    for dataset, year, io in cases:
        try:
            analytic = MultiSectorModel(dataset, year=year, elasticities="CP", io=io)
        except Exception as err:  # reference data absent
            print(f"{dataset}: skipped ({err})")
            continue
        fd = MultiSectorModel(
            analytic.data, elasticities="CP", io=io, options=SolverOptions(jacobian="fd", reuse_jacobian=True)
        )
        scen = build_scenario("liberation-day", analytic.data, retaliation="reciprocal")
        t_a, it_a = _time_solve(analytic, scen, repeats)
        t_f, it_f = _time_solve(fd, scen, repeats)
        ra = analytic.solve(scen, warm_start=False)
        rf = fd.solve(scen, warm_start=False)
        gap = float(np.max(np.abs(ra.welfare_hat - rf.welfare_hat)))
        shape = f"{analytic.data.n_countries}x{analytic.data.n_sectors}"
        print(
            f"{dataset:8s} {shape:6s} io={io!s:5s} analytic {t_a:7.3f} s ({it_a} it) | finite-diff {t_f:7.3f} s "
            f"({it_f} it) | speed-up x{t_f / t_a:5.1f} | max welfare gap {gap:.1e} | calibration {analytic.calibration_seconds:.2f} s"
        )


def bench_sweep(count: int, workers: int) -> None:
    from tarifflab.sweep.runner import run_sweep
    from tarifflab.sweep.spec import SweepSpec

    scenarios = [
        {"name": "liberation-day"},
        {"name": "liberation-day", "retaliation": "reciprocal"},
        {"name": "uniform-10"},
        {"name": "targeted-JPN-15", "retaliation": "reciprocal"},
    ]
    draws = max(1, count // len(scenarios))
    spec = SweepSpec.model_validate(
        {
            "name": "bench",
            "model": {"dataset": "default", "io": True},
            "scenarios": scenarios,
            "elasticities": {"sources": [], "draws": draws, "seed": 1},
            "outputs": {"countries": ["USA", "JPN", "CHN", "EUN"], "sectors": True},
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = run_sweep(spec, Path(tmp) / "bench.duckdb", workers=workers, chunk_size=25, progress=False)
        wall = time.perf_counter() - t0
    n = report.stored
    print(
        f"sweep: {n} scenario solves (default 20x10, IO, distinct elasticity draws → one calibration each) on "
        f"LocalCluster({workers} workers): {wall:.1f} s total, {wall / n * 1000:.1f} ms per scenario; "
        f"extrapolated to 1,000: {wall / n * 1000:.0f} s (target < 600 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sweep-count", type=int, default=1000)
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    bench_solves(args.repeats)
    if not args.skip_sweep:
        bench_sweep(args.sweep_count, args.workers)


if __name__ == "__main__":
    main()
