"""Disk copy of the engine's tariff matrices (studies/engine_cache.py): the US-Japan July 2025 deal's
matrices for the multi-sector payoff model (the law's matrix on the library's last date and the deal's US
setting), three ways in the same run, in a fresh temporary cache folder:

1. first computation in the process (the engine prepares its 2024 lines, then evaluates; writes the copy);
2. recomputation with the lines already prepared (in-memory cache cleared, disk copy off): what each new
   US setting costs in a warm process;
3. read from the disk copy (in-memory cache cleared): what a second CLI run or dashboard start pays.

Prints seconds and ratios, and checks the copy equals the computation bit for bit. About 20-40 s.

Usage: PYTHONPATH=src python benchmarks/bench_engine_cache.py
"""

from __future__ import annotations

import os
import tempfile
import time

import pandas as pd

from tarifflab.negotiation.levers import get_pair
from tarifflab.negotiation.packages import get_package
from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel
from tarifflab.negotiation.tariff_inputs import EngineTariffs, default_tariff_date
from tarifflab.studies import package_scenarios


def _matrices(source: package_scenarios.EngineUsTariffs, levers: dict[str, float]) -> pd.DataFrame:
    package_scenarios._CACHE.clear()
    return source.matrix_and_hash("JPN", levers)[0]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tarifflab-bench-engine-") as folder:
        os.environ["TARIFFLAB_CACHE_DIR"] = folder
        pair = get_pair("us-japan")
        tariffs = EngineTariffs(default_tariff_date())
        model = MultiSectorPayoffModel(pair, tariffs=tariffs)
        source = tariffs._source(model.view)
        levers = tariffs._us_levers(pair, get_package(pair, "july_2025_deal").levers)

        start = time.perf_counter()
        first = _matrices(source, levers)
        t_first = time.perf_counter() - start

        os.environ["TARIFFLAB_CACHE_DIR"] = "off"
        start = time.perf_counter()
        again = _matrices(source, levers)
        t_again = time.perf_counter() - start

        os.environ["TARIFFLAB_CACHE_DIR"] = folder
        start = time.perf_counter()
        stored = _matrices(source, levers)
        t_disk = time.perf_counter() - start

    pd.testing.assert_frame_equal(first, stored, check_exact=True)
    pd.testing.assert_frame_equal(again, stored, check_exact=True)
    print(
        f"engine matrices (law + July 2025 deal, {len(model.view.countries)} countries x "
        f"{len(model.view.sectors)} sectors): first {t_first:.2f} s, recomputed {t_again:.2f} s, "
        f"disk copy {1e3 * t_disk:.1f} ms (ratios {t_first / t_disk:.0f}x and {t_again / t_disk:.0f}x); "
        "copy identical to the computation"
    )


if __name__ == "__main__":
    main()
