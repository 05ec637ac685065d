"""The multi-sector payoff model's engine tariff input (negotiation.tariff_inputs.EngineTariffs).

Independent references: the engine's line-by-line answer (``TariffEngine.duty``, what ``tarifflab duty``
prints) weighted with the embedded 2024 US imports (Census), and the legal rates of EO 14345 (Japan's cars
and parts at 15% all-in, i.e. max(MFN, 15%), HTSUS 9903.94.40-.43).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tarifflab.cli.main import run
from tarifflab.data.embedded import embedded_path
from tarifflab.negotiation.levers import get_pair
from tarifflab.negotiation.packages import get_package
from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel
from tarifflab.negotiation.tariff_inputs import EngineTariffs
from tarifflab.nomenclature.sectors import sector_of_hs6
from tarifflab.policy.engine import TariffEngine
from tarifflab.policy.library import load_library
from tarifflab.studies import package_scenarios
from tarifflab.studies.package_scenarios import US_LEVERS, apply_package, package_scenario_records

DEAL_DATE = dt.date(2025, 8, 20)  # before EO 14345 took effect: the law still had Japanese cars at 27.5%


@pytest.fixture(scope="module")
def model() -> MultiSectorPayoffModel:
    return MultiSectorPayoffModel(get_pair("us-japan"), tariffs=EngineTariffs(DEAL_DATE))


def weighted_additional(
    engine: TariffEngine, partner: str, sector: str, on: dt.date
) -> tuple[float, pd.DataFrame]:
    """Σ imports × (total − MFN) / Σ imports over the partner's 2024 lines of ``sector``, line by line."""
    mapping = sector_of_hs6(("agri_food", "energy_mining", "chemicals_pharma", "metals", "electronics",
                             "machinery", "motor_vehicles", "other_transport", "other_manufacturing",
                             "services"))  # fmt: skip
    imports = pd.read_parquet(
        embedded_path("us_imports_2024.parquet"), columns=["hs10", "partner", "imports_usd"]
    )
    lines = imports[(imports["partner"] == partner) & (imports["hs10"].str[:6].map(mapping) == sector)].copy()
    totals, mfns = [], []
    for hs10 in lines["hs10"]:
        result = engine.duty(hs10, partner, on)
        totals.append(result.total_rate_pct / 100)
        mfns.append(sum(layer.rate_pct for layer in result.layers if layer.layer == "mfn") / 100)
    lines["total"], lines["mfn"] = totals, mfns
    weights = lines["imports_usd"].to_numpy(dtype=float)
    rate = float(np.dot(weights, lines["total"] - lines["mfn"]) / weights.sum())
    return rate, lines


def test_engine_input_is_the_engines_trade_weighted_rate() -> None:
    """Korea × other transport on 2025-10-01 (reciprocal 15% in force, no aircraft exemption yet)."""
    source = package_scenarios.EngineUsTariffs(
        ("USA", "JPN", "KOR", "ROW"),
        ("agri_food", "energy_mining", "chemicals_pharma", "metals", "electronics", "machinery",
         "motor_vehicles", "other_transport", "other_manufacturing", "services"),
        dt.date(2025, 10, 1),
    )  # fmt: skip
    law = source.law()
    expected, _ = weighted_additional(TariffEngine.default(), "KOR", "other_transport", dt.date(2025, 10, 1))
    assert law.loc["KOR", "other_transport"] == pytest.approx(expected, abs=1e-9)
    assert law.loc["KOR", "services"] == 0.0


def test_a_us_lever_moves_only_its_partners_row(model: MultiSectorPayoffModel) -> None:
    pair = model.pair
    deal = get_package(pair, "july_2025_deal").levers
    steel_relief = {**deal, "us_steel_rate": 0.25}
    before = model.tariffs.us_additional(model.view, pair, deal)  # type: ignore[attr-defined]
    runs = package_scenarios.engine_cache_size()
    after = model.tariffs.us_additional(model.view, pair, steel_relief)  # type: ignore[attr-defined]
    assert package_scenarios.engine_cache_size() == runs + 1  # one engine run for the new US setting
    model.tariffs.us_additional(model.view, pair, {**steel_relief, "purchases_farm_usd_bn": 3.0})  # type: ignore[attr-defined]
    assert package_scenarios.engine_cache_size() == runs + 1  # a partner lever: no new engine run
    japan = model.view.index("JPN")
    others = [i for i in range(len(model.view.countries)) if i != japan]
    np.testing.assert_array_equal(before[others], after[others])
    metals = model.view.sectors.index("metals")
    assert after[japan, metals] < before[japan, metals]  # steel and aluminium at 25% instead of 50%


def test_july_deal_japan_autos_sector_is_the_engines_15_all_in(model: MultiSectorPayoffModel) -> None:
    pair = model.pair
    deal = get_package(pair, "july_2025_deal")
    t, _ = model.inputs(deal.levers)
    japan, us = model.view.index("JPN"), model.view.index("USA")
    autos = model.view.sectors.index("motor_vehicles")
    sector_rate = t[japan, us, autos] - model.view.tariffs[japan, us, autos]
    library = apply_package(
        load_library(),
        package_scenario_records(load_library(), "JPN", {k: deal.levers[k] for k in US_LEVERS}, DEAL_DATE),
    )
    expected, lines = weighted_additional(
        TariffEngine.for_library(library, cache=False), "JPN", "motor_vehicles", DEAL_DATE
    )
    assert sector_rate == pytest.approx(expected, abs=1e-9)
    cars = lines[lines["hs10"].str.startswith("8703")]
    assert len(cars) > 10
    # EO 14345: cars at max(MFN, 15%) (the applied MFN of a few lines sits a hair under 2.5%)
    np.testing.assert_allclose(cars["total"], np.maximum(cars["mfn"], 0.15), atol=1e-9)
    # the stylised mapping, for contrast, needs a stated car share of the sector (0.9)
    assert model.tariff_provenance(deal.levers)["tariff_date"] == DEAL_DATE.isoformat()


def test_other_partners_carry_the_engines_tariffs(model: MultiSectorPayoffModel) -> None:
    """Every partner's US tariffs are the engine's on the date, not the model's base (e.g. Korea's 15%)."""
    t, _ = model.inputs(get_package(model.pair, "status_quo_2024").levers)
    korea, us = model.view.index("KOR"), model.view.index("USA")
    extra = t[korea, us, :] - model.view.tariffs[korea, us, :]
    assert extra[model.view.sectors.index("machinery")] > 0.10


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        run(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_cli_tariff_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = call(
        capsys, "negotiate", "evaluate", "us-japan", "--package", "july_2025_deal",
        "--date", "2025-08-20", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["tariffs"] == "engine" and data["tariff_date"] == "2025-08-20"
    assert data["package_scenario_hash"]
    code, out, _ = call(
        capsys, "negotiate", "evaluate", "us-japan", "--package", "july_2025_deal", "--tariffs", "stylised",
        "--format", "json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["tariffs"] == "stylised"
    code, out, err = call(
        capsys, "negotiate", "evaluate", "us-japan", "--package", "july_2025_deal", "--model", "ossa",
        "--tariffs", "engine",
    )  # fmt: skip
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    code, _, err = call(
        capsys, "negotiate", "evaluate", "us-japan", "--package", "july_2025_deal", "--tariffs", "cube"
    )
    assert code == 2 and "unknown --tariffs" in err


def test_frontier_and_scenarios_on_the_engine_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        "pair: us-japan\nbase: {us_all_in_rule: 1, us_steel_rate: 0.5}\n"
        "grid: {us_reciprocal_rate: [0.15, 0.25], investment_pledge_usd_bn: [0, 550]}\n",
        encoding="utf-8",
    )
    scenario = tmp_path / "autos.yaml"
    scenario.write_text("- {rescale: s232-autos, factor: 0.4}\n", encoding="utf-8")
    code, out, err = call(
        capsys, "negotiate", "frontier", "us-japan", "--model", "multi-sector", "--grid", str(grid),
        "--date", "2026-10-01", "--scenario", str(scenario), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["tariffs"] == "engine" and data["tariff_date"] == "2026-10-01"
    assert data["base_scenario_hash"]  # the scenario file acts on the law behind every partner's tariffs
    assert data["actual_scenario_hash"] and data["disagreement_scenario_hash"]
