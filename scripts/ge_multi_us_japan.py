"""US–Japan sector table for docs/ge-multi-sector.md: 2025 deal vs pre-deal vs post-ruling world.

Each world = US additional tariffs from the tariff engine on a date (over the 2024 baseline) on the
embedded default dataset, Japan's tariffs on US goods from its 2025-04-01 schedule, IO links, fixed
trade deficits, no retaliation; solved under each of the 8 elasticity sources.
Prints a Markdown table (median and min–max across sources).

Usage: PYTHONPATH=src python scripts/ge_multi_us_japan.py [--deficits fixed|balanced]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from tarifflab.models.ge.elasticities import SOURCES
from tarifflab.models.ge.multi_sector import MultiSectorModel, MultiSectorResults
from tarifflab.models.ge.multi_sector_data import load_dataset
from tarifflab.studies.ge_multi_sector import build_scenario

WORLDS = {
    "pre-deal": "pre-deal (2025-07-15)",
    "deal-2025": "deal (2025-09-20)",
    "post-ruling": "post-ruling (2026-03-01)",
}


def metrics(res: MultiSectorResults) -> dict[str, float]:
    base, new = res.bilateral_balance("USA", "JPN")
    return {
        "welfare USA %": res.welfare_pct("USA"),
        "welfare JPN %": res.welfare_pct("JPN"),
        "JPN motor vehicles output %": res.output_pct("JPN", "motor_vehicles"),
        "USA agri-food output %": res.output_pct("USA", "agri_food"),
        "US–JPN balance, $bn (base → new)": new / 1e3,
        "_base_balance": base / 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deficits", default="fixed", choices=["fixed", "balanced"])
    args = parser.parse_args()
    data = load_dataset("default")
    scenarios = {k: build_scenario(k, data, japan_schedule=True) for k in WORLDS}
    rows: list[dict[str, object]] = []
    for src in SOURCES:
        model = MultiSectorModel(data, elasticities=src, io=True, deficits=args.deficits)  # type: ignore[arg-type]
        for key, scen in scenarios.items():
            rows.append({"world": key, "source": src, **metrics(model.solve(scen))})
    frame = pd.DataFrame(rows)
    cols = [c for c in frame.columns if c not in ("world", "source", "_base_balance")]
    base_bal = float(frame["_base_balance"].iloc[0])
    print(f"| metric | {' | '.join(WORLDS.values())} |")
    print("|---|" + "---|" * len(WORLDS))
    for col in cols:
        cells = []
        for key in WORLDS:
            v = frame.loc[frame["world"] == key, col].to_numpy(dtype=float)
            cells.append(f"{np.median(v):.2f} [{v.min():.2f}, {v.max():.2f}]")
        label = col.replace("(base → new)", f"(base {base_bal:.1f})")
        print(f"| {label} | {' | '.join(cells)} |")
    print()
    print("Per source (deal world):")
    print(
        frame[frame["world"] == "deal-2025"]
        .drop(columns=["world", "_base_balance"])
        .round(3)
        .to_markdown(index=False)
    )


if __name__ == "__main__":
    main()
