"""Qualitative relations stated in docs/ge-multi-sector.md, "Cross-model comparison: one-sector vs ICIO".

The numbers come from scripts/compare_ge_one_vs_icio.py (run here once); the tests check the relations
the docs explain, not the digits (the one-sector digits themselves are pinned by the replication tests).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

pytestmark = pytest.mark.reference

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "compare_ge_one_vs_icio.py"
PARTNERS = ("CHN", "JPN", "EU", "CAN", "MEX", "KOR")


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def comparison(reference_data: Path) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    mod = _load(SCRIPT)
    runs, rates, base = mod.compare()
    return {r.label: mod.summarise(r) for r in runs}, rates, base


def _run(table: dict[str, pd.DataFrame], prefix: str) -> pd.DataFrame:
    if prefix in table:
        return table[prefix]
    hits = [v for k, v in table.items() if k.startswith(prefix)]
    assert len(hits) == 1, (prefix, list(table))
    return hits[0]


def test_same_liberation_day_rates_in_both_models(comparison: tuple) -> None:
    _, rates, _ = comparison
    # the ICIO scenario sets exactly the one-sector model's rates on the focus partners
    assert (rates["ICIO counterfactual %"] - rates["1S level %"]).abs().max() < 1e-9
    # ... but from a non-zero base (Teti 2021), whereas the one-sector base is tariff-free
    assert (rates["ICIO base (Teti 2021, import-weighted) %"] > 0.0).sum() >= 4


def test_signs_agree_us_gains_partners_lose(comparison: tuple) -> None:
    table, _, _ = comparison
    for prefix in ("1S paper", "ICIO 2022 without IO", "ICIO 2022 with IO"):
        w = _run(table, prefix)["welfare_pct"]
        assert w["USA"] > 0.0, prefix
        assert (w[list(PARTNERS)] < 0.0).all(), prefix
        assert w["non-US"] < 0.0, prefix


def test_one_sector_effects_are_larger(comparison: tuple) -> None:
    table, _, _ = comparison
    paper = _run(table, "1S paper")
    for prefix in ("ICIO 2022 without IO", "ICIO 2022 with IO"):
        icio = _run(table, prefix)
        assert paper.loc["USA", "welfare_pct"] > icio.loc["USA", "welfare_pct"]
        assert paper.loc["non-US", "welfare_pct"] < icio.loc["non-US", "welfare_pct"]
        assert paper.loc["USA", "cpi_pct"] > icio.loc["USA", "cpi_pct"] > 0.0
        assert paper.loc["USA", "exports_gdp_pct"] < icio.loc["USA", "exports_gdp_pct"] < 0.0


def test_io_links_amplify_partner_losses(comparison: tuple) -> None:
    table, _, _ = comparison
    no_io = _run(table, "ICIO 2022 without IO")["welfare_pct"]
    io = _run(table, "ICIO 2022 with IO")["welfare_pct"]
    assert io["non-US"] < no_io["non-US"]
    assert (io[["CHN", "JPN", "EU", "CAN", "MEX", "KOR"]] < no_io[list(PARTNERS)]).all()


def test_income_tax_relief_makes_the_us_gain(comparison: tuple) -> None:
    table, _, _ = comparison
    paper = _run(table, "1S paper")["welfare_pct"]["USA"]
    lump = _run(table, "1S + lump-sum rebate")["welfare_pct"]["USA"]
    assert paper - lump > 1.0
    assert abs(lump) < 0.1
    # stripping markups/scale economies and elastic labour halves the partners' losses
    arm = _run(table, "1S + inelastic labour")["welfare_pct"]
    assert arm["non-US"] > 0.5 * _run(table, "1S paper")["welfare_pct"]["non-US"]


def test_services_and_import_penetration_shrink_the_icio_shock(comparison: tuple) -> None:
    table, _, base = comparison
    eps4 = _run(table, "ICIO no IO, fixed deficits, ε_s = 4")
    goods = _run(table, "ICIO no IO, fixed deficits, ε_s = 4, goods only")
    assert abs(goods.loc["USA", "imports_gdp_pct"]) < abs(eps4.loc["USA", "imports_gdp_pct"])
    one, gross, va = base.index
    # the no-IO model's income is gross output: import shares of income are far below the one-sector's
    assert base.loc[gross, "goods imports/GDP %"] < base.loc[one, "goods imports/GDP %"]
    assert base.loc[gross, "imports/GDP %"] < base.loc[va, "imports/GDP %"]
