"""The US–Japan passenger-car case (HS 8703) with SMART, from explicit tariff inputs.

Usage: PYTHONPATH=src python scripts/pe_us_japan_autos.py [--substitution 1.5] [--demand 1.0]

Scenario A, "the Japan deal alone" (2025-09-15 → 2025-09-16): Japan's cars go from 27.5% (2.5% MFN +
25% S232) to 15% all-in; every other supplier stays at its 2025-09-15 rate: the EU 15% all-in
(EU framework, from 2025-08-01), the UK 10% (in-quota, from 2025-06-30), everyone else the 2024
applied rate + 25 points of S232 (Korea 25%, Mexico and Canada 25% + applied — an upper bound: the
S232 US-content deduction for USMCA-qualifying cars is not modelled).
Scenario B, "2025-03-01 → 2025-09-20": from the 2024 applied rates to the 2025-09-20 rates above.
Weights: 2024 US imports for consumption by HS10 × partner (top 50 partners + EU).
"""

from __future__ import annotations

import argparse

import pandas as pd

from tarifflab.models.pe import (
    ElasticityTable,
    RateRule,
    SmartModel,
    SmartOptions,
    lines_with_rules,
    reference_imports,
)

SEPT_15 = [
    RateRule("8703", 0.25, additive=True),
    RateRule("8703", 0.275, "JPN"),
    RateRule("8703", 0.15, "EUN", floor_at_mfn=True),
    RateRule("8703", 0.10, "GBR"),
]
SEPT_20 = [*SEPT_15[:2], *SEPT_15[2:], RateRule("8703", 0.15, "JPN", floor_at_mfn=True)]
SHOWN = ["JPN", "KOR", "MEX", "EUN", "CAN", "GBR"]


def table(result_by_partner: pd.DataFrame) -> pd.DataFrame:
    rows = result_by_partner.set_index("partner")
    others = rows.drop(index=[p for p in SHOWN if p in rows.index]).sum(numeric_only=True)
    shown = pd.concat([rows.loc[[p for p in SHOWN if p in rows.index]], others.to_frame("others").T])
    columns = {
        "imports_before_usd": "imports 2024",
        "trade_creation_usd": "creation",
        "trade_diversion_usd": "diversion",
        "imports_after_usd": "imports after",
        "revenue_before_usd": "revenue before",
        "revenue_after_usd": "revenue after",
        "consumer_surplus_change_usd": "ΔCS",
    }
    out = shown[list(columns)].rename(columns=columns) / 1e9
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--substitution", type=float, default=1.5)
    parser.add_argument("--demand", type=float, default=1.0)
    args = parser.parse_args()
    base = reference_imports()
    options = SmartOptions(elasticities=ElasticityTable(demand=args.demand, substitution=args.substitution))
    scenarios = {
        "A: Japan deal alone, 2025-09-15 → 2025-09-16": lines_with_rules(base, SEPT_15, SEPT_20, ["8703"]),
        "B: 2025-03-01 → 2025-09-20": lines_with_rules(base, [], SEPT_20, ["8703"]),
    }
    for title, lines in scenarios.items():
        result = SmartModel(lines).solve(options)
        print(f"\n{title}  (η = {args.demand:g}, σ = {args.substitution:g}, β = ∞; USD bn)")
        print(table(result.by("partner")).to_string(float_format=lambda v: f"{v:8.3f}"))
        totals = result.totals()
        print(
            f"total: imports {totals['imports_before_usd'] / 1e9:.2f} → {totals['imports_after_usd'] / 1e9:.2f}; "
            f"revenue {totals['revenue_before_usd'] / 1e9:.2f} → {totals['revenue_after_usd'] / 1e9:.2f} "
            f"(static {totals['revenue_after_static_usd'] / 1e9:.2f}); ΔCS {totals['consumer_surplus_change_usd'] / 1e9:.2f}; "
            f"net welfare {totals['net_welfare_change_usd'] / 1e9:.2f}; "
            f"ETR {totals['etr_before_pct']:.2f}% → {totals['etr_after_static_pct']:.2f}% static, "
            f"{totals['etr_after_substitution_pct']:.2f}% after substitution"
        )
        japan = result.filtered(partner="JPN", hs_prefix="8703230140").lines.iloc[0]
        print(
            f"HTS 8703.23.01.40 from Japan: {japan['imports_before_usd'] / 1e9:.2f} → {japan['imports_after_usd'] / 1e9:.2f} "
            f"(creation {japan['trade_creation_usd'] / 1e9:+.2f}, diversion {japan['trade_diversion_usd'] / 1e9:+.2f}); "
            f"duty {japan['revenue_before_usd'] / 1e9:.2f} → {japan['revenue_after_usd'] / 1e9:.2f}"
        )


if __name__ == "__main__":
    main()
