"""Compare tarifflab's trade-war results with Ossa's own result files (political-economy version).

Ossa's calibrated political-economy weights (``LAMBDAPOL`` in ``Tables/DATA.mat``) and his tables
(``TABLE3.mat``, ``TABLE4.mat``) are not part of the reference data; point this script at a local
copy of the ``Tables`` folder of Ossa's replication package (e.g. github.com/adamsconchallos/trade).
Nothing is copied or written.

Usage: PYTHONPATH=src python scripts/compare_ossa_tables.py --tables /path/to/Tables
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import scipy.io as sio

from tarifflab.negotiation.datasets import load_ossa
from tarifflab.negotiation.ossa_model import OssaModel
from tarifflab.negotiation.tradewar import cooperative_tariffs, nash_tariffs, optimal_tariffs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--tables", type=Path, required=True, help="folder with DATA.mat, TABLE3.mat, TABLE4.mat"
    )
    args = parser.parse_args()
    lam = sio.loadmat(args.tables / "DATA.mat")["LAMBDAPOL"]
    t3 = sio.loadmat(args.tables / "TABLE3.mat")
    t4 = sio.loadmat(args.tables / "TABLE4.mat")
    model = OssaModel(load_ossa())
    np.set_printoptions(precision=2, suppress=True)
    for label, weights, table3, table4 in (
        ("lambda = 1 (panel A)", None, t3["TABLE3a"], t4["TABLE4a"]),
        ("political economy (panel B)", lam, t3["TABLE3b"], t4["TABLE4b"]),
    ):
        start = time.perf_counter()
        opt = optimal_tariffs(model, weights=weights)
        nash = nash_tariffs(model, start=opt.tariffs, tol=1e-3, weights=weights)
        coop = cooperative_tariffs(
            model, liberalisation_only=False, weights=weights, sharpness=(2000.0,), max_iter=600
        )
        print(f"== {label} ({time.perf_counter() - start:.0f} s)")
        print("optimal: median tariffs", np.array(list(opt.player_median_tariffs_pct().values())))
        print("   Ossa Table 3        ", table3[:7, -1], "mean", table3[7, -1])
        print(
            f"   ours mean of medians {opt.average_tariff_pct:.1f}; welfare {opt.welfare_change_pct} (Ossa {table3[:7, 0]})"
        )
        print("nash: median tariffs   ", np.array(list(nash.player_median_tariffs_pct().values())))
        print("   Ossa Table 4        ", table4[:7, -1], "mean", table4[7, -1])
        print(f"   ours mean of medians {nash.average_tariff_pct:.1f}; welfare {nash.welfare_change_pct} "
              f"mean {nash.welfare_change_pct.mean():.2f} (Ossa {table4[:7, 0]} mean {table4[7, 0]})")  # fmt: skip
        print(
            f"talks from factual: smallest gain {coop.welfare_change_pct.min():.2f}% (Ossa 0.5), all {coop.welfare_change_pct}"
        )


if __name__ == "__main__":
    main()
