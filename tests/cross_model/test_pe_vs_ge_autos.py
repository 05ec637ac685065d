"""Qualitative relations stated in docs/pe-smart.md, "Comparison with the multi-sector GE motor-vehicle result".

Numbers from scripts/compare_pe_ge_autos.py (CP elasticities only here, to keep the run short).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.reference

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "compare_pe_ge_autos.py"
OTHERS = ["KOR", "MEX", "EUN", "CAN", "GBR"]


@pytest.fixture(scope="module")
def tables(reference_data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    spec = importlib.util.spec_from_file_location(SCRIPT.stem, SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[SCRIPT.stem] = module
    spec.loader.exec_module(module)
    pe, ge, _ = module.compare(all_sources=False)
    return pe, ge.set_index("run")


def test_smart_japan_gains_others_lose(tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    pe, _ = tables
    default = pe.iloc[0]
    assert default["JPN"] > 15.0
    assert (default[OTHERS] < 0.0).all()
    # diversion sums to zero: the market total moves by creation only, whatever σ
    assert pe.iloc[0]["total"] == pytest.approx(pe.iloc[1]["total"], abs=1e-9)


def test_ge_cars_only_shock(tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    pe, ge = tables
    cars = ge.loc[ge.index.str.startswith("GE cars only")].iloc[0]
    day = ge.loc["GE engine 2025-09-15 → 2025-09-16"]
    assert cars["JPN"] > 0.0 and cars["JPN C29 output %"] > 0.0 and cars["USA C29 output %"] < 0.0
    # cars are only part of the sector: the whole engine day (cars + parts + ...) moves more
    assert day["after"] < cars["after"] < cars["US tariff on JPN C29 %: before"]
    assert day["JPN"] > cars["JPN"]
    # CES substitution spreads Japan's gain over all suppliers, mostly US producers: other importers
    # lose far less (in %) than under SMART, where diversion comes from importers only
    assert (cars[OTHERS] < 0.0).all()
    assert (cars[OTHERS].abs() < pe.iloc[0][OTHERS].abs()).all()
    assert abs(cars["US domestic $bn"]) > abs(cars["other suppliers $bn"])
    # with CP's low ε_C29 the GE response is smaller than SMART's default one
    assert cars["JPN"] < pe.iloc[0]["JPN"]
