"""The disk copy of the engine's tariff matrices (studies/engine_cache.py).

Reference: the matrix the engine computes with the copy turned off (``TARIFFLAB_CACHE_DIR=off``), itself
checked against the engine's line-by-line duties in test_engine_tariff_input.py. The package is the
US-Japan July 2025 deal (EO 14345: reciprocal 15% all-in, cars 15% all-in).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tarifflab.metrics import etr
from tarifflab.negotiation.levers import get_pair
from tarifflab.negotiation.packages import get_package
from tarifflab.negotiation.tariff_inputs import EngineTariffs
from tarifflab.policy.library import load_library
from tarifflab.studies import package_scenarios
from tarifflab.studies.package_scenarios import (
    US_LEVERS,
    EngineUsTariffs,
    package_scenario_records,
    scenario_yaml,
)

DEAL_DATE = dt.date(2025, 8, 20)
COUNTRIES = ("USA", "JPN", "KOR", "ROW")
SECTORS = ("agri_food", "metals", "motor_vehicles", "other_manufacturing", "services")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TARIFFLAB_CACHE_DIR", str(folder))
    monkeypatch.setattr(package_scenarios, "_CACHE", type(package_scenarios._CACHE)())
    return folder


def _deal_levers() -> dict[str, float]:
    pair = get_pair("us-japan")
    levers = pair.validate(get_package(pair, "july_2025_deal").levers)
    return {name: levers[name] for name in US_LEVERS}


def _forget() -> None:
    package_scenarios._CACHE.clear()


def test_cached_matrices_equal_computed_ones(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = EngineUsTariffs(COUNTRIES, SECTORS, DEAL_DATE)
    levers = _deal_levers()
    first, digest = source.matrix_and_hash("JPN", levers)
    assert len(list((cache / "engine").glob("*.parquet"))) == 2  # the law's matrix and the package's
    _forget()
    again, digest_again = source.matrix_and_hash("JPN", levers)
    monkeypatch.setenv("TARIFFLAB_CACHE_DIR", "off")
    _forget()
    computed, digest_computed = source.matrix_and_hash("JPN", levers)
    pd.testing.assert_frame_equal(again, computed, check_exact=True)
    pd.testing.assert_frame_equal(first, computed, check_exact=True)
    assert digest == digest_again == digest_computed is not None
    # EO 14345: Japanese cars at max(MFN, 15%), so the deal moves Japan's motor-vehicle row off the law's
    assert computed.loc["JPN", "motor_vehicles"] != source.law().loc["JPN", "motor_vehicles"]


def test_date_and_scenario_change_the_key(cache: Path, tmp_path: Path) -> None:
    levers = _deal_levers()
    scenario = tmp_path / "deal.yaml"
    records = package_scenario_records(load_library(), "JPN", levers, DEAL_DATE)
    scenario.write_text(scenario_yaml(records), encoding="utf-8")
    plain = EngineUsTariffs(COUNTRIES, SECTORS, DEAL_DATE)
    later = EngineUsTariffs(COUNTRIES, SECTORS, dt.date(2025, 10, 1))
    with_scenario = EngineUsTariffs(COUNTRIES, SECTORS, DEAL_DATE, (scenario,))
    keys = {
        s._disk_key("pkg", "JPN", package_scenarios._lever_key(levers)) for s in (plain, later, with_scenario)
    }
    assert len(keys) == 3
    laws = {s._disk_key("law") for s in (plain, later, with_scenario)}
    assert len(laws) == 3
    other_levers = package_scenarios._lever_key({**levers, "us_steel_rate": 0.25})
    assert plain._disk_key("pkg", "JPN", other_levers) not in keys
    # an edited scenario file is a new library: a new key
    scenario.write_text(scenario_yaml(records[:1]), encoding="utf-8")
    edited = EngineUsTariffs(COUNTRIES, SECTORS, DEAL_DATE, (scenario,))
    assert edited._disk_key("law") not in laws


def test_a_fresh_input_reads_the_disk_without_the_engine(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = get_pair("us-japan")
    from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel

    model = MultiSectorPayoffModel(pair, tariffs=EngineTariffs(DEAL_DATE))
    settings = get_package(pair, "july_2025_deal").levers
    first = model.tariffs.us_additional(model.view, pair, settings)  # type: ignore[attr-defined]
    _forget()
    calls: list[object] = []
    real = etr.us_tariff_matrix

    def counted(*args: object, **kwargs: object) -> pd.DataFrame:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(etr, "us_tariff_matrix", counted)
    fresh = EngineTariffs(DEAL_DATE)
    second = fresh.us_additional(model.view, pair, settings)
    assert calls == []
    assert (first == second).all()
    monkeypatch.setenv("TARIFFLAB_CACHE_DIR", "off")
    _forget()
    EngineTariffs(DEAL_DATE).us_additional(model.view, pair, settings)
    assert len(calls) == 2  # the counter does count: law + package with the copy off
