"""Batched multi-sector payoffs and the result store keyed by package hash."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pytest

from tarifflab.negotiation import analysis as an
from tarifflab.negotiation.levers import MappingAssumptions, get_pair
from tarifflab.negotiation.packages import builtin_packages, grid_packages
from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel

PAIR = get_pair("us-japan")
GRID = grid_packages(
    PAIR,
    {"us_steel_rate": 0.5},
    {
        "us_reciprocal_rate": [0.0, 0.1, 0.15],
        "us_auto_rate": [0.0, 0.15],
        "investment_pledge_usd_bn": [0, 550],
    },
)


class SolveCounter:
    """Counts the packages the GE model solves (one by one or batched)."""

    def __init__(self, pm: MultiSectorPayoffModel, monkeypatch: pytest.MonkeyPatch) -> None:
        self.packages = 0
        solve, solve_batch = pm.model.solve, pm.model.solve_batch

        def one(*args: object, **kwargs: object) -> object:
            self.packages += 1
            return solve(*args, **kwargs)  # type: ignore[arg-type]

        def many(cubes: np.ndarray, *args: object, **kwargs: object) -> object:
            self.packages += len(cubes)
            return solve_batch(cubes, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(pm.model, "solve", one)
        monkeypatch.setattr(pm.model, "solve_batch", many)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TARIFFLAB_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_batched_payoffs_equal_one_by_one() -> None:
    from tarifflab.models.ge.multi_sector import MultiSectorScenario

    pm = MultiSectorPayoffModel(PAIR, result_store=False)
    batched = pm.evaluate_many(GRID)
    for settings, got in zip(GRID, batched, strict=True):
        t, nx = pm.inputs(settings)
        cold = pm._outcomes(pm.model.solve(MultiSectorScenario(), tariffs=t, warm_start=False), nx)
        warm = pm._solve([(t, nx)])[0]  # what evaluate() did before batching (warm-started)
        # cold one by one: the same Newton path, equal to rounding; warm: equal to the solver tolerance
        for one, rel in ((cold, 1e-9), (warm, 1e-7)):
            for country, outcome in one.items():
                mine = got[country]
                for field in (
                    "real_income_pct",
                    "bilateral_balance_usd_bn",
                    "tariff_revenue_usd_bn",
                    "cpi_pct",
                ):
                    assert getattr(mine, field) == pytest.approx(getattr(outcome, field), rel=rel, abs=1e-10)
                for name, value in outcome.sector_output_pct.items():
                    assert mine.sector_output_pct[name] == pytest.approx(value, rel=rel, abs=1e-10)


def test_second_frontier_run_reads_the_store(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pk = builtin_packages(PAIR)
    first = MultiSectorPayoffModel(PAIR)
    counter = SolveCounter(first, monkeypatch)
    report = an.frontier(first, GRID, pk["no_deal_july_letter"], pk["july_2025_deal"])
    assert counter.packages >= len(GRID)
    assert list((cache / "payoffs").glob("*/part-*.parquet"))
    # a new model (a new process would be the same): everything comes from disk, no solve at all
    second = MultiSectorPayoffModel(PAIR)
    counter = SolveCounter(second, monkeypatch)
    again = an.frontier(second, GRID, pk["no_deal_july_letter"], pk["july_2025_deal"])
    assert counter.packages == 0
    np.testing.assert_array_equal(again.payoffs, report.payoffs)
    np.testing.assert_array_equal(again.frontier_index, report.frontier_index)
    # one new package among stored ones: only that one is solved
    extra = PAIR.validate({**GRID[0], "us_reciprocal_rate": 0.2})
    second.evaluate_many([*GRID, extra])
    assert counter.packages == 1


def test_store_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TARIFFLAB_CACHE_DIR", "off")
    pm = MultiSectorPayoffModel(PAIR)
    assert not pm.store.enabled
    counter = SolveCounter(pm, monkeypatch)
    pm.evaluate_many(GRID[:3])
    pm.evaluate_many(GRID[:3])
    assert counter.packages == 6


def test_a_changed_input_changes_the_key(cache: Path) -> None:
    pm = MultiSectorPayoffModel(PAIR)
    settings = GRID[3]
    t, nx = pm.inputs(settings)
    key = pm.package_key(settings, t, nx)
    assert pm.package_key(dict(settings), t.copy(), nx.copy()) == key  # equal inputs, equal key
    # a lever setting
    other = PAIR.validate({**settings, "us_auto_rate": 0.025})
    assert pm.package_key(other, *pm.inputs(other)) != key
    # the tariff cube alone (another tariff source for the same levers), one entry by 1e-12
    moved = t.copy()
    moved[pm.partner, pm.us, 0] += 1e-12
    assert pm.package_key(settings, moved, nx) != key
    # the transfers alone
    assert pm.package_key(settings, t, nx + 1e-9) != key
    # the model configuration: assumptions, elasticities, IO links, pair — each its own fingerprint
    prints = {
        pm.fingerprint,
        MultiSectorPayoffModel(PAIR, assumptions=MappingAssumptions(purchase_additionality=0.25)).fingerprint,
        MultiSectorPayoffModel(PAIR, elasticities="IS").fingerprint,
        MultiSectorPayoffModel(PAIR, io=False).fingerprint,
        MultiSectorPayoffModel(get_pair("us-korea")).fingerprint,
    }
    assert len(prints) == 5
    assert MultiSectorPayoffModel(PAIR).fingerprint == pm.fingerprint


def test_stored_outcomes_are_identical_and_a_foreign_file_is_not_read(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = MultiSectorPayoffModel(PAIR).evaluate_many(GRID[:4])
    reader = MultiSectorPayoffModel(PAIR)
    counter = SolveCounter(reader, monkeypatch)
    stored = reader.evaluate_many(GRID[:4])
    assert stored == fresh  # bit for bit: JSON floats round-trip exactly
    for got, solved in zip(stored, fresh, strict=True):  # and in the same order (printed output)
        assert list(got) == list(solved) == [PAIR.us, PAIR.partner]
        for country in got:
            assert list(got[country].sector_output_pct) == list(solved[country].sector_output_pct)
    assert counter.packages == 0
    # a part that others may write is ignored (the results are solved again)
    for part in (cache / "payoffs").glob("*/part-*.parquet"):
        part.chmod(part.stat().st_mode | stat.S_IWOTH)
    third = MultiSectorPayoffModel(PAIR)
    counter = SolveCounter(third, monkeypatch)
    assert third.evaluate_many(GRID[:4]) == fresh
    assert counter.packages == 4


def test_many_parts_are_merged_into_one(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tarifflab.negotiation import payoff_store

    monkeypatch.setattr(payoff_store, "MERGE_AFTER_PARTS", 2)
    pm = MultiSectorPayoffModel(PAIR)
    for settings in GRID[:4]:
        pm.evaluate(settings)  # one part each, merged once there are more than two
    parts = list((cache / "payoffs").glob("*/part-*.parquet"))
    assert 1 <= len(parts) <= 2
    reader = MultiSectorPayoffModel(PAIR)
    counter = SolveCounter(reader, monkeypatch)
    reader.evaluate_many(GRID[:4])
    assert counter.packages == 0
