"""Negotiation benchmarks (plain script; prints seconds and ratios against references measured here).

1. Frontier of >= 10,000 packages on the embedded default model (target < 60 s on 2 cores);
   reference: the same packages evaluated one at a time (timed on a sample, extrapolated).
2. Ossa (2014) Nash tariffs, 7 regions x 33 sectors, lambda = 1 (target < 60 s; Ossa's MATLAB run
   took ~96 min); reference: a best response with finite-difference gradients (scipy 2-point) vs our
   adjoint-gradient best response for the same country. Needs the reference data (skipped without).

Usage: PYTHONPATH=src python benchmarks/bench_negotiation.py
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import minimize

from tarifflab.data.reference import have_reference_data
from tarifflab.negotiation import analysis as an
from tarifflab.negotiation.datasets import load_default, load_ossa
from tarifflab.negotiation.levers import get_pair
from tarifflab.negotiation.ossa_model import OssaModel
from tarifflab.negotiation.packages import builtin_packages, grid_packages
from tarifflab.negotiation.payoffs import OssaPayoffModel
from tarifflab.negotiation.tradewar import best_response, nash_tariffs, optimal_tariffs


def bench_frontier() -> None:
    pair = get_pair("us-japan")
    pm = OssaPayoffModel(pair, load_default())
    grid = grid_packages(
        pair,
        {
            "us_all_in_rule": 1,
            "us_auto_all_in_rule": 1,
            "us_exempt_aircraft": 1,
            "us_exempt_generic_pharma": 1,
            "us_steel_rate": 0.5,
        },
        {
            "us_reciprocal_rate": [0.0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35],
            "us_auto_rate": [0.0, 0.025, 0.075, 0.15, 0.20, 0.25],
            "partner_tariff_cut_agriculture": [0.0, 0.5, 1.0],
            "purchases_farm_usd_bn": [0.0, 8.0, 16.0],
            "rice_purchase_increase": [0.0, 0.75],
            "certification_cost_cut": [0.0, 0.05],
            "investment_pledge_usd_bn": [0.0, 275.0, 550.0, 1000.0],
            "purchases_energy_usd_bn": [0.0, 10.0],
        },
    )
    pk = builtin_packages(pair)
    start = time.perf_counter()
    rep = an.frontier(pm, grid, pk["no_deal_july_letter"], pk["july_2025_deal"])
    batched = time.perf_counter() - start
    sample = grid[:300]
    start = time.perf_counter()
    for s in sample:
        pm.model.solve(*_inputs(pm, s))
    per_package = (time.perf_counter() - start) / len(sample)
    reference = per_package * len(grid)
    print(
        f"frontier: {len(grid)} packages, {len(rep.frontier_index)} on the frontier, {batched:.2f} s (target < 60 s)"
    )
    print(f"  reference (one GE solve per package, extrapolated from {len(sample)}): {reference:.2f} s")
    print(f"  speed-up of the batched frontier: {reference / batched:.1f}x")
    # The same grid on the multi-sector GE model (IO links), two worker processes.
    from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel

    ge = MultiSectorPayoffModel(pair, workers=2)
    start = time.perf_counter()
    rep_ge = an.frontier(ge, grid, pk["no_deal_july_letter"], pk["july_2025_deal"])
    t_ge = time.perf_counter() - start
    single = MultiSectorPayoffModel(pair)
    start = time.perf_counter()
    single.evaluate_many(grid[:300])
    ref_ge = (time.perf_counter() - start) / 300 * len(grid)
    print(
        f"frontier on the multi-sector GE model: {len(grid)} packages, {len(rep_ge.frontier_index)} on the frontier, "
        f"{t_ge:.1f} s with 2 processes (one process, extrapolated from 300: {ref_ge:.1f} s; ratio {ref_ge / t_ge:.1f}x)"
    )


def _inputs(pm: OssaPayoffModel, s: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t, d, nx = pm.inputs(s)
    return t, nx, d


def _with(model: OssaModel, j: int, column: np.ndarray) -> np.ndarray:
    cube = model.t0.copy()
    cube[:, j, :] = column
    return cube


def bench_ossa() -> None:
    if not have_reference_data():
        print("Ossa benchmark skipped: reference data not found")
        return
    model = OssaModel(load_ossa())
    us = model.data.index("USA")
    start = time.perf_counter()
    opt = optimal_tariffs(model)
    t_opt = time.perf_counter() - start
    start = time.perf_counter()
    nash = nash_tariffs(model, start=opt.tariffs, tol=1e-3)
    t_nash = time.perf_counter() - start + t_opt
    print(
        f"Ossa Nash tariffs (7x33, lambda=1): {t_nash:.1f} s incl. the optimal-tariff round "
        f"({nash.rounds} more rounds), mean of median tariffs {nash.average_tariff_pct:.1f}% "
        f"(Ossa Table 4A: 58.1%), welfare {nash.welfare_change_pct.mean():+.2f}% (Ossa: -2.4%) — target < 60 s"
    )
    start = time.perf_counter()
    column, _ = best_response(model, us, model.t0)
    t_adjoint = time.perf_counter() - start
    # Reference: the same best response with finite-difference gradients.
    choose = np.arange(model.N) != us
    theta = np.log1p(model.t0.copy())

    def objective(v: np.ndarray) -> float:
        theta[choose, us, :] = v.reshape(-1, model.S)
        return -100.0 * float(np.log(model.solve(np.expm1(theta)).welfare_hat[us]))

    v0 = np.log1p(np.broadcast_to(1.0 / (model.sigma - 1.0), (model.N - 1, model.S))).ravel()
    start = time.perf_counter()
    res = minimize(objective, v0, method="L-BFGS-B", bounds=[(0.0, np.log1p(10.0))] * v0.size,
                   options={"ftol": 1e-12, "maxiter": 2000})  # fmt: skip
    t_fd = time.perf_counter() - start
    fd_col = np.expm1(res.x.reshape(-1, model.S))
    # Cost of one gradient of the US welfare w.r.t. its 198 tariffs: adjoint vs finite differences.
    theta0 = np.log1p(model.t0)
    reps = 20
    start = time.perf_counter()
    for _ in range(reps):
        model.welfare_and_gradient(theta0, countries=[us])
    t_grad = (time.perf_counter() - start) / reps
    start = time.perf_counter()
    base = model.solve(model.t0).welfare_hat[us]
    for k in range(int(choose.sum()) * model.S):
        bumped = theta0.copy()
        bumped[choose, us, :].flat[k] += 1e-7
        trial = bumped.copy()
        trial[choose, us, :] = bumped[choose, us, :]
        model.solve(np.expm1(trial)).welfare_hat[us] - base
    t_fd_grad = time.perf_counter() - start
    print(
        f"one welfare gradient (198 tariffs): adjoint {1e3 * t_grad:.2f} ms, finite differences {1e3 * t_fd_grad:.0f} ms "
        f"(ratio {t_fd_grad / t_grad:.0f}x)"
    )
    print(f"best response of the US: adjoint gradients {t_adjoint:.2f} s, finite differences {t_fd:.2f} s")
    print(
        f"  speed-up {t_fd / t_adjoint:.1f}x; the finite-difference optimiser stops early on noisy gradients: "
        f"max tariff difference {np.abs(fd_col - column[choose]).max():.3f}, welfare "
        f"{-res.fun:.6f}% vs {100 * np.log(model.solve(_with(model, us, column)).welfare_hat[us]):.6f}% (adjoint)"
    )


if __name__ == "__main__":
    bench_frontier()
    bench_ossa()
