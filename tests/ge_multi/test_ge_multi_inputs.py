"""Tariff inputs: engine matrix (fake engine), Japan's schedule, scenarios, CLI function."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tarifflab.cli.ge_multi import run_multi_sector_cli
from tarifflab.errors import InvalidInputError, ScenarioError, UnknownDatasetError, UnknownProductError
from tarifflab.models.ge.multi_sector import MultiSectorModel
from tarifflab.models.ge.multi_sector_data import load_dataset
from tarifflab.nomenclature.sectors import ICIO_SECTORS, icio_sector_of_hs, sector_of_hs6
from tarifflab.policy.japan_schedule import JapanOverride, ave, coverage, japan_rates_on_us
from tarifflab.studies.ge_multi_sector import build_scenario, engine_matrix

CALLS: list[dict[str, object]] = []


def fake_engine(
    on: dt.date, partners: Sequence[str], sector_of_hs6: Mapping[str, str], view: str = "in-force"
) -> pd.DataFrame:
    """Stand-in for tarifflab.metrics.etr.us_tariff_matrix: 15 % on Japan, 10 % elsewhere, autos 25 %."""
    CALLS.append({"on": on, "partners": list(partners), "view": view, "n_hs6": len(sector_of_hs6)})
    sectors = sorted(set(sector_of_hs6.values()))
    frame = pd.DataFrame(0.10, index=list(partners), columns=sectors)
    frame.loc["JPN", :] = 0.15
    if "motor_vehicles" in frame.columns:
        frame.loc[:, "motor_vehicles"] = 0.25
    return frame


def test_deal_scenario_uses_engine_on_2025_09_20() -> None:
    data = load_dataset("default")
    scen = build_scenario("deal-2025", data, us_tariff_matrix=fake_engine, japan_schedule=True)
    assert CALLS[-1]["on"] == dt.date(2025, 9, 20)
    assert "USA" not in CALLS[-1]["partners"]  # type: ignore[operator]
    model = MultiSectorModel(data, io=True)
    cube = model.tariff_cube(scen)
    us, jp = data.country_index("USA"), data.country_index("JPN")
    k = data.sector_index("machinery")
    assert cube[jp, us, k] == pytest.approx(data.tariffs[jp, us, k] + 0.15)
    mv = data.sector_index("motor_vehicles")
    assert cube[jp, us, mv] == pytest.approx(data.tariffs[jp, us, mv] + 0.25)
    af = data.sector_index("agri_food")
    assert cube[us, jp, af] == pytest.approx(0.1634563899, rel=1e-6)  # Japan's schedule replaces Teti
    res = model.solve(scen)
    assert res.diagnostics.converged
    assert res.output_pct("JPN", "motor_vehicles") < 0


def test_engine_missing_is_named_error() -> None:
    data = load_dataset("default")
    try:
        import tarifflab.metrics.etr  # noqa: F401
    except ImportError:
        with pytest.raises(ScenarioError, match="tariff engine"):
            engine_matrix(data, dt.date(2025, 9, 20))


@pytest.mark.reference
def test_hs6_concordance_covers_icio_sectors() -> None:
    mapping = sector_of_hs6(ICIO_SECTORS)
    assert len(mapping) > 5000
    assert set(mapping.values()) <= set(ICIO_SECTORS)
    assert mapping["870323"] == "C29"  # passenger cars
    assert mapping["100610"] == "A01"  # paddy rice (GTAP pdr, ISIC 0112)
    assert mapping["100630"] == "C10T12"  # milled rice (GTAP pcr, ISIC 1061 grain milling)
    assert icio_sector_of_hs("8471.30") == "C26"
    assert icio_sector_of_hs("2709") == "C19"


def test_japan_rate_texts() -> None:
    # rice over-quota ¥341/kg at the assumed ¥180/kg → 189 % AVE
    assert ave("*(341円/kg)", "100630090") == pytest.approx(341 / 180)
    assert ave("無税") == 0.0
    assert ave("(3.9%)") == pytest.approx(0.039)
    assert ave("21.6%") == pytest.approx(0.216)
    assert ave("29.8%＋425円/kg", "040410") == pytest.approx(0.298 + 425 / 600)
    assert ave("10%又は50円/kgのうちいずれか高い税率", "200000") == pytest.approx(max(0.10, 50 / 300))
    assert ave("（524円×1.004-課税価格）/kg又は58円/kgのうちいずれか低い税率", "020319") == pytest.approx(0.0)
    assert ave("関税割当数量以内のもの\u3000無税\n関税割当数量以外のもの\u300035%") == pytest.approx(0.35)
    assert ave(None) is None


@pytest.mark.reference
def test_japan_schedule_on_us_goods() -> None:
    cov = coverage()
    assert cov["lines"] > 9000 and cov["usjta"] > 500 and cov["unparsed"] < 50
    rates = japan_rates_on_us(ICIO_SECTORS)
    assert rates["C29"] == 0.0  # Japan charges no tariff on cars
    assert rates["C10T12"] > 0.10 and rates["A01"] > 0.05
    over = japan_rates_on_us(ICIO_SECTORS, overrides=[JapanOverride(rate=0.0, hs_from="1006", hs_to="1006")])
    assert over["A01"] < rates["A01"]  # removing the rice duty lowers agriculture's average
    with pytest.raises(UnknownProductError):
        JapanOverride(rate=0.1, hs_from="10x6")
    with pytest.raises(InvalidInputError):
        JapanOverride(rate=-0.1, sector="A01")


def test_cli_function_json(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run_multi_sector_cli("liberation-day:reciprocal", "default", None, "LL", True, "json", out)
    payload = json.loads(out.read_text())
    assert {"countries", "sectors", "diagnostics"} <= set(payload)
    row = next(r for r in payload["countries"] if r["iso3"] == "USA")
    assert np.isfinite(row["welfare_pct"])
    assert {"iso3", "sector", "output_pct", "exports_pct", "imports_pct"} == set(payload["sectors"][0])
    assert payload["diagnostics"]["converged"] is True


def test_cli_function_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UnknownDatasetError):
        run_multi_sector_cli("liberation-day", "gtap", None, "CP", True, "json", None)
    with pytest.raises(ScenarioError):
        run_multi_sector_cli("liberation-night", "default", None, "CP", True, "json", None)
    with pytest.raises(ScenarioError):
        run_multi_sector_cli("liberation-day:revenge", "default", None, "CP", True, "json", None)
    with pytest.raises(InvalidInputError):
        run_multi_sector_cli("liberation-day", "default", None, "CP", True, "xml", None)
    with pytest.raises(InvalidInputError):
        run_multi_sector_cli("liberation-day", "default", None, "ZZ", True, "json", None)
    run_multi_sector_cli("uniform-10", "default", None, "CP", False, "csv", None)
    assert capsys.readouterr().out.startswith("iso3,welfare_pct")


def test_us_overrides_by_partner_sector_and_hs_range() -> None:
    from tarifflab.studies.ge_multi_sector import UsTariffOverride, apply_us_overrides

    data = load_dataset("default")
    on = dt.date(2025, 9, 20)
    base = engine_matrix(data, on, us_tariff_matrix=fake_engine)
    cell = apply_us_overrides(
        base,
        data,
        on,
        [UsTariffOverride(rate=0.0, partner="JPN", sector="machinery")],
        us_tariff_matrix=fake_engine,
    )
    assert cell.loc["JPN", "machinery"] == 0.0 and cell.loc["JPN", "metals"] == base.loc["JPN", "metals"]
    whole = apply_us_overrides(
        base, data, on, [UsTariffOverride(rate=0.5, partner="CHN")], us_tariff_matrix=fake_engine
    )
    assert (whole.loc["CHN"] == 0.5).all() and whole.loc["KOR"].equals(base.loc["KOR"])
    # passenger cars (HS 8703) to 0 for Japan: the motor-vehicle rate falls by the cars' import share
    cars = apply_us_overrides(
        base,
        data,
        on,
        [UsTariffOverride(rate=0.0, partner="JPN", hs_from="8703", hs_to="8703")],
        us_tariff_matrix=fake_engine,
    )
    before, after = base.loc["JPN", "motor_vehicles"], cars.loc["JPN", "motor_vehicles"]
    assert 0.0 < after < before  # cars are most, not all, of Japan's motor-vehicle exports to the US
    assert (
        cars.drop(columns="motor_vehicles").loc["JPN"] == base.drop(columns="motor_vehicles").loc["JPN"]
    ).all()
    with pytest.raises(InvalidInputError):
        apply_us_overrides(
            base, data, on, [UsTariffOverride(rate=0.1, partner="ATL")], us_tariff_matrix=fake_engine
        )
    with pytest.raises(UnknownProductError):
        UsTariffOverride(rate=0.1, hs_from="87x3")
    scen = build_scenario(
        "deal-2025",
        data,
        us_tariff_matrix=fake_engine,
        us_overrides=[UsTariffOverride(rate=0.0, partner="JPN")],
    )
    assert not any(c.exporter == "JPN" and c.importer == "USA" for c in scen.changes)
