"""Calibration benchmark (plain script, < 1 min; prints seconds and ratios against references measured here).

1. The Nash bargain of the 18 recorded deals: closed form (cubic first-order condition) against the
   reference, a brute-force search on a grid of 20,001 rates per deal (same answers to 1e-4).
2. One calibration on the 18 deals (one start) and one leave-one-out prediction.

Usage: PYTHONPATH=src python benchmarks/bench_calibration.py
"""

from __future__ import annotations

import time

import numpy as np

from tarifflab.negotiation import calibration as cb
from tarifflab.negotiation.deals import load_deals


def _grid_nash(params: cb.Parameters, threat: np.ndarray, pledge: np.ndarray, points: int) -> np.ndarray:
    a, big_a, big_b, s = params.as_array()
    x = threat[:, None] * np.linspace(0.0, 1.0, points)[None, :]
    t = threat[:, None]
    g_us = big_a * (x - t) - 0.5 * (x**2 - t**2) + s * pledge[:, None]
    g_p = big_b * (t - x) + 0.5 * (t**2 - x**2) - s * pledge[:, None]
    ok = (g_us > 0) & (g_p > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        obj = np.where(
            ok, a * np.log(np.where(ok, g_us, 1)) + (1 - a) * np.log(np.where(ok, g_p, 1)), -np.inf
        )
    return np.where(ok.any(axis=1), x[np.arange(len(threat)), obj.argmax(axis=1)], threat)


def main() -> None:
    deals = load_deals()
    data = [cb.DealData.from_deal(d) for d in deals]
    threat = np.array([d.threat for d in data])
    pledge = np.array([d.pledge_per_import for d in data])
    params = cb.Parameters(0.9, 0.19, 1.0, 2.0)
    reps = 50
    t0 = time.perf_counter()
    for _ in range(reps):
        fast = cb.predict_rates(params, threat, pledge)
    t_fast = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    for _ in range(5):
        slow = _grid_nash(params, threat, pledge, 20_001)
    t_slow = (time.perf_counter() - t0) / 5
    print(
        f"Nash bargain of 18 deals: closed form {1e3 * t_fast:.2f} ms, grid {1e3 * t_slow:.1f} ms "
        f"(ratio {t_slow / t_fast:.0f}x), max difference {np.abs(fast - slow).max():.1e}"
    )
    t0 = time.perf_counter()
    fit = cb.fit(data, cb.STARTS[:1])
    print(f"one calibration (18 deals, one start): {time.perf_counter() - t0:.2f} s -> {fit.to_dict()}")
    t0 = time.perf_counter()
    pred = cb.predict(deals[4], deals, exclude_own=True, draws=0)
    print(f"one leave-one-out prediction ({pred.partner}, 4 starts): {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
