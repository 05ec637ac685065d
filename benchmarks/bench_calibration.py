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
        slow = cb.grid_nash_rates(params, threat, pledge, 20_001)
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
