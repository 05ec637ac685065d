"""US–Japan cars: SMART (HS 8703) vs the multi-sector GE motor-vehicle sector (ICIO C29), docs/pe-smart.md.

PE: ``tarifflab pe run --from 2025-09-15 --to 2025-09-16 --hs 8703`` (tariff engine, 2024 weights,
η = 1, β = ∞, σ = 1.5 and 3), plus the same SMART run on every HS line of the GE sector C29 (cars,
trucks, buses, bodies, parts, engines, trailers, seats) and with the GE elasticity (η = σ = 1 + ε_C29).
GE: ICIO 2022, IO links, fixed trade deficits, US additional tariffs from the tariff engine, each pair
of worlds solved and compared with each other (ratio of the two counterfactual levels):

* ``cars only``: the 2025-09-15 world vs the same world with Japan's HS 8703 at 15 % all-in
  (additional 25 → 12.5 points, i.e. ``UsTariffOverride(0.125, partner="JPN", sector="C29",
  hs_from="8703")``: the C29 rate moves by 8703's share of Japan's 2024 C29 exports to the US);
* ``engine 09-15 → 09-16``: the engine's full change on the day EO 14345 took effect (cars, parts
  and Japan's other goods to 15 % all-in; a few other partners' cells also move that day);
* ``pre-deal → deal-2025``: the named scenarios (2025-07-15 vs 2025-09-20; every partner moves).

CP elasticities (ε_C29 = 1.115) for the headline; min/max over the 8 sources for the cars-only shock.

Usage: PYTHONPATH=src python scripts/compare_pe_ge_autos.py [--markdown]
Needs the reference data (tariff engine, ICIO 2022).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence

import pandas as pd

from tarifflab.models.ge.elasticities import SOURCES
from tarifflab.models.ge.multi_sector import MultiSectorModel, MultiSectorResults, MultiSectorScenario
from tarifflab.models.ge.multi_sector_data import MultiSectorData, load_dataset
from tarifflab.models.pe import ElasticityTable, SmartModel, SmartOptions, pe_inputs_from_dates
from tarifflab.nomenclature.sectors import sector_of_hs6
from tarifflab.studies.ge_multi_sector import (
    UsTariffOverride,
    apply_us_overrides,
    build_scenario,
    changes_from_matrix,
    engine_matrix,
)

SECTOR = "C29"
DAY_BEFORE, DAY_OF = dt.date(2025, 9, 15), dt.date(2025, 9, 16)
PARTNERS: tuple[str, ...] = ("JPN", "KOR", "MEX", "EUN", "CAN", "GBR")
EU_ICIO = ("DEU", "SVK", "ITA", "SWE", "AUT", "BEL", "FRA", "ESP", "NLD", "HUN", "CZE", "POL")
#: Japan's additional US tariff on HS 8703 after the deal: 15 % all-in − 2.5 % MFN (2024 baseline).
CARS_DEAL_ADDITIONAL = 0.125


# ---------------------------------------------------------------------------- PE (SMART)
def smart_lines(lines: pd.DataFrame, mapping: dict[str, str], scope: str) -> pd.DataFrame:
    """Lines of HS 8703 (``scope="8703"``) or of every HS6 code the GE maps to C29 (``"C29"``)."""
    if scope == "8703":
        return lines[lines["hs10"].str.startswith("8703")]
    return lines[lines["hs10"].str[:6].map(mapping) == SECTOR]


def smart_row(lines: pd.DataFrame, demand: float, substitution: float) -> dict[str, float]:
    """Percent change in US imports (customs value) by partner, and the total, under SMART."""
    options = SmartOptions(ElasticityTable(demand=demand, substitution=substitution))
    by = SmartModel(lines).solve(options).by("partner").set_index("partner")
    out = {}
    for p in PARTNERS:
        out[p] = 100.0 * (by.loc[p, "imports_after_usd"] / by.loc[p, "imports_before_usd"] - 1.0)
    out["total"] = 100.0 * (by["imports_after_usd"].sum() / by["imports_before_usd"].sum() - 1.0)
    out["JPN $bn"] = float(by.loc["JPN", "imports_after_usd"] - by.loc["JPN", "imports_before_usd"]) / 1e9
    out["JPN base $bn"] = float(by.loc["JPN", "imports_before_usd"]) / 1e9
    rest = by.drop(index="JPN")
    out["other suppliers $bn"] = (
        float(rest["imports_after_usd"].sum() - rest["imports_before_usd"].sum()) / 1e9
    )
    return out


def pe_table(eps_ge: float) -> pd.DataFrame:
    from tarifflab.policy.engine import TariffEngine  # type: ignore[import-not-found, unused-ignore]

    data_sectors = load_dataset("icio", 2022).sectors
    mapping = dict(sector_of_hs6(data_sectors))
    lines = pe_inputs_from_dates(TariffEngine.default(), DAY_BEFORE, DAY_OF)
    sigma_ge = 1.0 + eps_ge
    rows = {
        "SMART HS 8703, η=1, σ=1.5 (default)": smart_row(smart_lines(lines, mapping, "8703"), 1.0, 1.5),
        "SMART HS 8703, η=1, σ=3": smart_row(smart_lines(lines, mapping, "8703"), 1.0, 3.0),
        f"SMART HS 8703, η=σ={sigma_ge:.3f} (GE CP σ_C29)": smart_row(
            smart_lines(lines, mapping, "8703"), sigma_ge, sigma_ge
        ),
        "SMART all C29 lines, η=1, σ=1.5": smart_row(smart_lines(lines, mapping, "C29"), 1.0, 1.5),
    }
    return pd.DataFrame.from_dict(rows, orient="index")


# ---------------------------------------------------------------------------- GE (ICIO C29)
def engine_scenario(
    data: MultiSectorData, on: dt.date, overrides: Sequence[UsTariffOverride] = ()
) -> MultiSectorScenario:
    matrix = engine_matrix(data, on)
    if overrides:
        matrix = apply_us_overrides(matrix, data, on, overrides)
    return MultiSectorScenario(name=f"engine-{on}", changes=changes_from_matrix(matrix))


def scenario_pairs(data: MultiSectorData) -> dict[str, tuple[MultiSectorScenario, MultiSectorScenario]]:
    before = engine_scenario(data, DAY_BEFORE)
    cars = engine_scenario(
        data,
        DAY_BEFORE,
        [UsTariffOverride(CARS_DEAL_ADDITIONAL, partner="JPN", sector=SECTOR, hs_from="8703")],
    )
    return {
        "GE cars only (JPN HS 8703 +25 → +12.5 pp)": (before, cars),
        "GE engine 2025-09-15 → 2025-09-16": (before, engine_scenario(data, DAY_OF)),
        "GE pre-deal → deal-2025": (build_scenario("pre-deal", data), build_scenario("deal-2025", data)),
    }


def ge_row(a: MultiSectorResults, b: MultiSectorResults) -> dict[str, float]:
    """Change from world a to world b: US C29 imports by partner (pre-tariff), Japan's C29 output, welfare."""
    c = list(a.countries)
    s = a.sectors.index(SECTOR)
    us = c.index("USA")

    def imports(res: MultiSectorResults, members: Sequence[str]) -> float:
        return float(sum(res.flows_pre[c.index(m), us, s] for m in members if m in c))

    out = {}
    for p in PARTNERS:
        members = EU_ICIO if p == "EUN" else (p,)
        out[p] = 100.0 * (imports(b, members) / imports(a, members) - 1.0)
    others = [m for m in c if m != "USA"]
    out["total"] = 100.0 * (imports(b, others) / imports(a, others) - 1.0)
    out["JPN $bn"] = (imports(b, ("JPN",)) - imports(a, ("JPN",))) / 1e3
    out["JPN base $bn"] = imports(a, ("JPN",)) / 1e3
    rest = [m for m in others if m != "JPN"]
    out["other suppliers $bn"] = (imports(b, rest) - imports(a, rest)) / 1e3
    out["US domestic $bn"] = (imports(b, ("USA",)) - imports(a, ("USA",))) / 1e3
    j = c.index("JPN")
    out["JPN C29 output %"] = 100.0 * (b.output_hat[j, s] / a.output_hat[j, s] - 1.0)
    out["USA C29 output %"] = 100.0 * (b.output_hat[us, s] / a.output_hat[us, s] - 1.0)
    out["USA C29 price %"] = 100.0 * (b.P_hat[us, s] / a.P_hat[us, s] - 1.0)
    out["JPN welfare pp"] = b.welfare_pct("JPN") - a.welfare_pct("JPN")
    out["USA welfare pp"] = b.welfare_pct("USA") - a.welfare_pct("USA")
    jt = (b.tariffs_new[j, us, s], a.tariffs_new[j, us, s])
    out["US tariff on JPN C29 %: before"] = 100.0 * jt[1]
    out["after"] = 100.0 * jt[0]
    return out


def ge_table(data: MultiSectorData, sources: Sequence[str] = ("CP",)) -> pd.DataFrame:
    pairs = scenario_pairs(data)
    rows = []
    for src in sources:
        model = MultiSectorModel(data, elasticities=src, io=True, deficits="fixed")
        for label, (a, b) in pairs.items():
            if src != "CP" and not label.startswith("GE cars only"):
                continue
            rows.append({"run": label, "source": src, **ge_row(model.solve(a), model.solve(b))})
    return pd.DataFrame(rows)


def compare(all_sources: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """(PE table, GE table with one row per pair × source, ε_C29 of CP)."""
    data = load_dataset("icio", 2022)
    eps = float(data.epsilon("CP")[data.sector_index(SECTOR)])
    ge = ge_table(data, SOURCES if all_sources else ("CP",))
    return pe_table(eps), ge, eps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()
    pe, ge, _ = compare()
    fmt = (lambda f: f.to_markdown(floatfmt=".2f")) if args.markdown else (lambda f: f.round(2).to_string())
    print("PE (SMART), % change in US imports by partner\n" + fmt(pe))
    cp = ge[ge["source"] == "CP"].drop(columns="source").set_index("run")
    print("\nGE (ICIO 2022 C29, IO, fixed deficits, CP), % change between the two worlds\n" + fmt(cp))
    cars = ge[ge["run"].str.startswith("GE cars only")].set_index("source")
    print("\nGE cars-only shock by elasticity source\n" + fmt(cars.drop(columns="run")))
    cols = ["JPN", "total", "JPN C29 output %"]
    print("\nmin / median / max over sources\n" + fmt(cars[cols].agg(["min", "median", "max"])))


if __name__ == "__main__":
    main()
