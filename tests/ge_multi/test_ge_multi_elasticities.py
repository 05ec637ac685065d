"""Elasticity registry, sensitivity across the 8 sources, Monte Carlo bands; other datasets."""

from __future__ import annotations

import numpy as np
import pytest

from tarifflab.errors import InvalidInputError
from tarifflab.models.ge.elasticities import (
    REGISTRY,
    SOURCES,
    bands,
    draw_elasticities,
    monte_carlo,
    sensitivity,
    table,
)
from tarifflab.models.ge.multi_sector import MultiSectorModel
from tarifflab.models.ge.multi_sector_data import load_dataset
from tarifflab.studies.ge_multi_sector import build_scenario


def test_registry_has_eight_sources_with_values() -> None:
    assert SOURCES == ("IS", "U4", "CP", "BSY", "GYY", "Shap", "FGO", "LL")
    data = load_dataset("default")
    tab = table(data)
    assert list(tab.columns) == list(SOURCES)
    assert np.allclose(tab["U4"], 4.0)  # Simonovska–Waugh uniform 4
    assert (tab.to_numpy() > 0).all()
    assert all(REGISTRY[c].citation for c in SOURCES)


def test_draws_and_bands() -> None:
    data = load_dataset("default")
    draws = draw_elasticities(data, 4000, seed=3)
    assert draws.shape == (4000, data.n_sectors) and (draws > 0).all()
    mat = table(data).to_numpy()
    np.testing.assert_allclose(
        np.exp(np.log(draws).mean(axis=0)), np.exp(np.log(mat).mean(axis=1)), rtol=0.05
    )
    picked = draw_elasticities(data, 10, seed=1, method="sources")
    assert all(any(np.allclose(row, data.epsilon(c)) for c in SOURCES) for row in picked)
    with pytest.raises(InvalidInputError):
        draw_elasticities(data, 0)
    scen = build_scenario("liberation-day", data)
    sens = sensitivity(data, scen, io=False)
    assert list(sens.index) == list(SOURCES)
    mc = monte_carlo(data, scen, 6, io=False, seed=2)
    b = bands(mc)
    assert (b["q05"] <= b["q50"]).all() and (b["q50"] <= b["q95"]).all()
    assert b.loc["welfare_pct_MEX", "q95"] < 0  # Mexico loses under every draw


@pytest.mark.reference
def test_wiod_and_other_icio_years_solve() -> None:
    wiod = MultiSectorModel("wiod", elasticities="IS", io=True)
    assert wiod.data.n_countries == 44 and wiod.data.n_sectors == 16
    res = wiod.solve(build_scenario("uniform-10", wiod.data, retaliation="reciprocal"))
    assert res.diagnostics.converged and res.welfare_pct("USA") < 0.5
    icio = MultiSectorModel("icio", year=2011, elasticities="U4", io=False)
    assert icio.data.year == 2011 and icio.data.n_countries == 81
    assert icio.solve(build_scenario("liberation-day", icio.data)).diagnostics.converged
