"""Cross-model comparison for docs/ge-multi-sector.md: Liberation Day in the one-sector model vs ICIO 2022.

Runs the one-sector model of Ignatenko et al. (2025) (194 countries, ε = 4, scenario ``liberation-day``:
USTR tariffs max(10 %, announced), income-tax relief) and the multi-sector model on OECD ICIO 2022
(81 countries × 28 sectors, CP sector elasticities, scenario ``liberation-day``: announced rates set as
the US tariff level on every sector, balanced deficits — the CLI defaults), with and without IO links.
Then a bridge: each structural difference switched off in turn, so that the gap between the two
headline runs can be attributed (one-sector: lump-sum rebate, no markups/scale economies (EK), κ = 0;
multi-sector: fixed deficits, ε_s = 4 in every sector, tariffs on goods only, rates added to the base).

Per country (USA, CHN, JPN, EU-27, CAN, MEX, KOR) and the non-US expenditure-weighted average:
welfare %, exports/GDP %, imports/GDP % and the consumer price index % (both models' CPIs expressed
against the same numeraire: the expenditure-weighted world CPI, the one-sector model's own numeraire).

Usage: PYTHONPATH=src python scripts/compare_ge_one_vs_icio.py [--markdown]
Needs the reference data (../shared/data: ge/ and the tariffwar ICIO 2022 file).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from tarifflab.models.ge.multi_sector import MultiSectorModel, MultiSectorResults, TariffChange
from tarifflab.models.ge.multi_sector_data import MultiSectorData, load_dataset
from tarifflab.models.ge.one_sector_calibration import OneSectorParams
from tarifflab.models.ge.results import GEResult
from tarifflab.nomenclature.countries import EU27
from tarifflab.studies.ge_multi_sector import build_scenario, liberation_day_rates
from tarifflab.studies.ge_one_sector import OneSectorLab

FOCUS: tuple[str, ...] = ("USA", "CHN", "JPN", "EU", "CAN", "MEX", "KOR", "non-US")
METRICS: tuple[str, ...] = ("welfare_pct", "exports_gdp_pct", "imports_gdp_pct", "cpi_pct")
SERVICES = "Services (aggregate)"


@dataclass(frozen=True)
class Run:
    """One solved configuration: a label, the model it comes from and its per-country statistics."""

    label: str
    model: str
    stats: pd.DataFrame  # index iso3; columns METRICS; column "weight" (base expenditure)


def _groups(countries: Sequence[str]) -> dict[str, list[str]]:
    eu = [c for c in EU27 if c in countries]
    out = {c: [c] for c in FOCUS if c in countries}
    out["EU"] = eu
    out["non-US"] = [c for c in countries if c != "USA"]
    return out


def summarise(run: Run) -> pd.DataFrame:
    """Focus rows (countries, EU-27 and non-US, expenditure-weighted) × METRICS."""
    stats = run.stats
    rows = {}
    for name, members in _groups(list(stats.index)).items():
        sub = stats.loc[members]
        w = sub["weight"].to_numpy(dtype=float)
        rows[name] = {m: float(np.average(sub[m].to_numpy(dtype=float), weights=w)) for m in METRICS}
    return pd.DataFrame.from_dict(rows, orient="index").reindex(list(FOCUS))


# ---------------------------------------------------------------------------- one-sector model
def one_sector_stats(res: GEResult, weights: np.ndarray) -> pd.DataFrame:
    frame = res.to_frame()[list(METRICS)].copy()
    frame["weight"] = weights
    return frame


def one_sector_runs(lab: OneSectorLab) -> list[Run]:
    """Headline run and the one-sector side of the bridge (each step keeps the previous ones)."""
    w = lab.base.expenditure
    paper = lab.run("liberation-day")
    lump = lab.run("liberation-day-lump-sum")
    ek = lab.solve(lab.model("ek", fiscal="lump-sum"), lab.ustr_matrix(), "ek-lump-sum")
    armington = lab.model("ek", fiscal="lump-sum", params=OneSectorParams(kappa=0.0))
    arm = lab.solve(armington, lab.ustr_matrix(), "armington", description="ν=0, φ=1, κ=0, lump-sum")
    return [
        Run(
            "1S paper: liberation-day (ν, φ, κ=0.5, income-tax relief)",
            "one-sector",
            one_sector_stats(paper, w),
        ),
        Run("1S + lump-sum rebate", "one-sector", one_sector_stats(lump, w)),
        Run("1S + no markups/scale (EK: ν=0, φ=1)", "one-sector", one_sector_stats(ek, w)),
        Run("1S + inelastic labour (κ=0): Armington ε=4", "one-sector", one_sector_stats(arm, w)),
    ]


# ---------------------------------------------------------------------------- multi-sector model
def multi_sector_stats(res: MultiSectorResults, model: MultiSectorModel) -> pd.DataFrame:
    """welfare, exports/GDP, imports/GDP (GDP = value added ŵ·VA) and CPI against the world CPI."""
    n = len(res.countries)
    off = ~np.eye(n, dtype=bool)[:, :, None]
    exp0 = (res.flows_pre_base * off).sum(axis=(1, 2))
    exp1 = (res.flows_pre * off).sum(axis=(1, 2))
    imp0 = (res.flows_pre_base * off).sum(axis=(0, 2))
    imp1 = (res.flows_pre * off).sum(axis=(0, 2))
    gdp_hat = res.w_hat
    weight = res.income_base
    world_cpi = float(weight @ res.price_hat / weight.sum())
    return pd.DataFrame(
        {
            "welfare_pct": 100.0 * (res.welfare_hat - 1.0),
            "exports_gdp_pct": 100.0 * (exp1 / exp0 / gdp_hat - 1.0),
            "imports_gdp_pct": 100.0 * (imp1 / imp0 / gdp_hat - 1.0),
            "cpi_pct": 100.0 * (res.price_hat / world_cpi - 1.0),
            "weight": weight,
        },
        index=list(res.countries),
    )


def goods_changes(
    data: MultiSectorData, rates: dict[str, float], mode: Literal["set", "add"] = "set"
) -> tuple[TariffChange, ...]:
    """Liberation Day rates on the goods sectors only (services keep their base tariff).

    ``mode="set"``: the rate is the new level (as the ``liberation-day`` scenario); ``"add"``: the rate
    is added to the Teti base tariff, i.e. the same tariff factor 1 + t as the one-sector model's shock
    from zero tariffs.
    """
    return tuple(
        TariffChange(importer="USA", exporter=c, sector=s, rate=r, mode=mode)
        for c, r in rates.items()
        if c in data.countries
        for s in data.sectors
        if s != SERVICES
    )


def multi_sector_runs(data: MultiSectorData) -> list[Run]:
    scen = build_scenario("liberation-day", data)
    runs: list[Run] = []
    for io in (False, True):
        model = MultiSectorModel(data, elasticities="CP", io=io, deficits="balanced")
        label = f"ICIO 2022 {'with' if io else 'without'} IO (CP ε_s, balanced deficits)"
        runs.append(Run(label, "multi-sector", multi_sector_stats(model.solve(scen), model)))
    fixed = MultiSectorModel(data, elasticities="CP", io=False, deficits="fixed")
    runs.append(
        Run("ICIO no IO, fixed deficits", "multi-sector", multi_sector_stats(fixed.solve(scen), fixed))
    )
    eps4 = MultiSectorModel(data, elasticities=np.full(data.n_sectors, 4.0), io=False, deficits="fixed")
    runs.append(
        Run("ICIO no IO, fixed deficits, ε_s = 4", "multi-sector", multi_sector_stats(eps4.solve(scen), eps4))
    )
    goods = scen.model_copy(
        update={
            "name": "liberation-day-goods",
            "changes": goods_changes(data, liberation_day_rates(data.countries)),
        }
    )
    runs.append(
        Run(
            "ICIO no IO, fixed deficits, ε_s = 4, goods only",
            "multi-sector",
            multi_sector_stats(eps4.solve(goods), eps4),
        )
    )
    added = goods.model_copy(
        update={
            "name": "liberation-day-goods-add",
            "changes": goods_changes(data, liberation_day_rates(data.countries), mode="add"),
        }
    )
    runs.append(
        Run(
            "ICIO no IO, fixed deficits, ε_s = 4, goods only, rate added to base",
            "multi-sector",
            multi_sector_stats(eps4.solve(added), eps4),
        )
    )
    return runs


def us_rates_table(lab: OneSectorLab, data: MultiSectorData, model: MultiSectorModel) -> pd.DataFrame:
    """US tariff on each focus partner: one-sector counterfactual level vs ICIO base and counterfactual."""
    ustr = dict(zip(lab.iso3, lab.us_tariffs(None), strict=True))
    cube = model.tariff_cube(build_scenario("liberation-day", data))
    us = data.country_index("USA")
    base = model.base.kappa - 1.0
    flows = model.base.pi[:, us, :] * model.base.E[us][None, :]  # buyer-price imports of the US [i, s]
    rows = {}
    for name, members in _groups(data.countries).items():
        if name in ("USA", "non-US"):
            continue
        idx = [data.country_index(c) for c in members]
        w = flows[idx]
        goods = np.array([s != SERVICES for s in data.sectors])
        rows[name] = {
            "1S level %": 100.0 * np.mean([ustr[c] for c in members if c in ustr]),
            "ICIO base (Teti 2021, import-weighted) %": 100.0 * float((base[idx, us, :] * w).sum() / w.sum()),
            "ICIO counterfactual %": 100.0 * float((cube[idx, us, :] * w).sum() / w.sum()),
            "services share of US imports %": 100.0 * float(w[:, ~goods].sum() / w.sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def us_base_table(lab: OneSectorLab, fixed: MultiSectorModel, io: MultiSectorModel) -> pd.DataFrame:
    """The US in each base year: imports, exports and the deficit over GDP, share of world GDP (%)."""
    b = lab.base
    us = b.us
    off = 1.0 - np.eye(b.n)
    one = {
        "imports/GDP %": 100.0 * float((b.trade[:, us] * off[:, us]).sum() / b.income[us]),
        "goods imports/GDP %": 100.0 * float((b.trade[:, us] * off[:, us]).sum() / b.income[us]),
        "exports/GDP %": 100.0 * float((b.trade[us] * off[us]).sum() / b.income[us]),
        "deficit/GDP %": 100.0 * float((b.expenditure[us] - b.income[us]) / b.income[us]),
        "share of world GDP %": 100.0 * float(b.income[us] / b.income.sum()),
    }
    out = {"one-sector (BACI 2023 + GDP)": one}
    for label, model in (
        ("ICIO 2022, no IO (GDP = gross output)", fixed),
        ("ICIO 2022, IO (GDP = value added)", io),
    ):
        m = model.base
        u = model.data.country_index("USA")
        flows = m.pi / m.kappa * m.E[None, :, :]  # pre-tariff [i, n, s]
        mask = np.ones(m.n, dtype=bool)
        mask[u] = False
        goods = np.array([s != SERVICES for s in model.data.sectors])
        va = float(m.VA[u])
        out[label] = {
            "imports/GDP %": 100.0 * float(flows[mask, u, :].sum() / va),
            "goods imports/GDP %": 100.0 * float(flows[mask, u][:, goods].sum() / va),
            "exports/GDP %": 100.0 * float(flows[u, mask, :].sum() / va),
            "deficit/GDP %": -100.0 * float(m.S[u] / va),
            "share of world GDP %": 100.0 * float(va / m.VA.sum()),
        }
    return pd.DataFrame(out).T


def compare() -> tuple[list[Run], pd.DataFrame, pd.DataFrame]:
    """All runs (one-sector first), the tariff table and the US base-year table."""
    lab = OneSectorLab.load()
    data = load_dataset("icio", 2022)
    runs = one_sector_runs(lab) + multi_sector_runs(data)
    rates = us_rates_table(lab, data, MultiSectorModel(data, elasticities="CP", io=False))
    base = us_base_table(
        lab,
        MultiSectorModel(data, elasticities="CP", io=False, deficits="fixed"),
        MultiSectorModel(data, elasticities="CP", io=True, deficits="fixed"),
    )
    return runs, rates, base


def wide(runs: Sequence[Run], metric: str) -> pd.DataFrame:
    """Runs as rows, focus countries as columns, one metric."""
    return pd.DataFrame({r.label: summarise(r)[metric] for r in runs}).T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()
    runs, rates, base = compare()
    fmt = (lambda f: f.to_markdown(floatfmt=".2f")) if args.markdown else (lambda f: f.round(2).to_string())
    print("The US in each base year\n" + fmt(base))
    print("\nUS tariffs on each partner\n" + fmt(rates))
    for metric in METRICS:
        print(f"\n{metric}\n" + fmt(wide(runs, metric)))


if __name__ == "__main__":
    main()
