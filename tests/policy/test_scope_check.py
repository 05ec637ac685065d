"""Scope matching at the digit level the law uses (issue 12, issue 17 item 5).

Expected values come from the legal lists themselves: EO 14257 Annex II names 8-digit subheadings
(HTSUS 99 U.S. note 2(v)(iii)(a)); U.S. note 16(a) makes the 2026 metals headings mutually exclusive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tarifflab.policy.engine import TariffEngine, _prefix_mask
from tarifflab.policy.library import load_library
from tarifflab.policy.scope_check import unmatched_entries, unmatched_table

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _lines(engine: TariffEngine) -> np.ndarray:
    return np.union1d(engine.products.index.to_numpy(dtype=str), engine.lines["hs10"].to_numpy(dtype=str))


def test_a_padded_8_digit_entry_is_reported() -> None:
    library = load_library()
    planted = dict(library.list_prefixes)
    # 3004.90.92 (medicaments) stored as "3004909200" matches no HTS10: the subheading's lines end .01-.90.
    planted["planted_scope"] = (("3004909200", None), ("30049092", None), ("9999999999", None))
    found = unmatched_entries(replace(library, list_prefixes=planted), ["3004909206", "3004909290"])
    by_prefix = {e.prefix: e for e in found if e.scope == "planted_scope"}
    assert set(by_prefix) == {"3004909200", "9999999999"}
    assert by_prefix["3004909200"].padded_hs8 and not by_prefix["9999999999"].padded_hs8


def test_no_scope_in_use_has_a_padded_8_digit_entry() -> None:
    engine = TariffEngine.default()
    table = unmatched_table(engine.library, _lines(engine))
    used = table[table["used_by"] != ""]
    assert not used["padded_hs8"].any(), used[used["padded_hs8"]].to_string()


def test_annex_ii_april_list_is_matched_at_8_digits() -> None:
    engine = TariffEngine.default()
    prefixes = {p for p, _ in engine.library.list_prefixes["ieepa_annex_ii_2025_04"]}
    assert {len(p) for p in prefixes} == {8}
    # Chapters 30 (medicaments) and 27 (energy) are in Annex II: every line under a listed subheading is covered.
    on = dt.date(2025, 6, 1)
    hs10 = np.array(["3004909206", "3004909290", "2709002090", "2710124590"])
    numbers = np.asarray([int(c) for c in hs10], dtype=np.int64)
    mask = engine._scope_mask("ieepa_annex_ii", on, numbers, cache=False)
    listed = np.array([code[:8] in prefixes for code in hs10])
    assert (mask == listed).all() and listed[:3].all()


def test_gold_bullion_enters_annex_ii_on_2025_09_08() -> None:
    engine = TariffEngine.default()
    numbers = np.asarray([7108121013], dtype=np.int64)
    before = engine._scope_mask("ieepa_annex_ii", dt.date(2025, 9, 7), numbers, cache=False)
    after = engine._scope_mask("ieepa_annex_ii", dt.date(2025, 9, 8), numbers, cache=False)
    assert not before[0] and after[0]


def test_2026_metals_tiers_are_exclusive() -> None:
    engine = TariffEngine.default()
    numbers = engine._numbers
    on = dt.date(2026, 5, 1)
    masks = [
        engine._scope_mask(f"s232_metals_2026_annex_{tier}", on, numbers, cache=False)
        for tier in ("1a", "1b", "3")
    ]
    assert (np.sum(masks, axis=0) <= 1).all()
    # Steel mill products named by whole heading in note 16(c)(iii) (7206-7215, 7217-7229, 7304-7306) are at 50%.
    steel = _prefix_mask(numbers, tuple(str(h) for h in [*range(7206, 7230), 7304, 7305, 7306] if h != 7216))
    assert steel.any() and masks[0][steel].all()


@pytest.mark.reference
def test_annex_ii_coverage_in_usd_matches_an_independent_count(reference_data: Path) -> None:
    """2024 imports under the April 2025 Annex II, counted from the reference files without the engine."""
    lists = reference_data / "tariffs/tradewartracker__trade-war-redux-2025"
    listed = pd.read_csv(lists / "tariff-lists/annex-II-exemptions.csv", dtype=str)["HTSUS"].str[:8]
    eu = set(pd.read_csv(lists / "data/eu-list.csv", dtype=str).iloc[:, 0].str.zfill(4))
    total = 0.0
    for path in sorted((lists / "data").glob("2024-hs10-imports*.parquet")):
        raw = pd.read_parquet(path, columns=["CTY_CODE", "HS10", "imports"])
        raw = raw[~raw["CTY_CODE"].str.zfill(4).isin(eu)]  # member files duplicate the EU aggregate (0003)
        total += float(raw.loc[raw["HS10"].str[:8].isin(set(listed)), "imports"].sum())
    engine = TariffEngine.default()
    mask = engine._scope_mask("ieepa_annex_ii_2025_04", dt.date(2025, 6, 1), engine._numbers, cache=False)
    covered = float(engine.lines.loc[mask, "imports_usd"].sum())
    assert covered / 1e9 == pytest.approx(total / 1e9, abs=0.05)
    assert covered / 1e9 > 500  # about $509 bn, not the $164.5 bn of exact 10-digit matching


def test_exclusive_lists_give_each_line_its_most_specific_listing() -> None:
    from tarifflab.studies.build.tariff_engine import _exclusive

    lists = {"tier_50": {"7326908688", "7308"}, "tier_25": {"732690", "7310"}}
    universe = {"7326908688", "7326908605", "7326901000", "7308100000", "7310100000"}
    out = _exclusive(lists, universe)
    # 7326.90.8688 is named at 10 digits in the 50% list and reached through 7326.90 in the 25% list.
    assert out["tier_50"] == ["7308", "7326908688"]
    assert out["tier_25"] == ["7310", "7326901000", "7326908605"]


def test_2026_annex_iii_is_matched_at_the_digits_note_16_uses() -> None:
    # U.S. note 16(c)(ix) names 8479.89.9599; other lines of 8479.89.95 (industrial vibrators .9595) are not listed.
    engine = TariffEngine.default()
    numbers = np.asarray([8479899599, 8479899595], dtype=np.int64)
    mask = engine._scope_mask("s232_metals_2026_annex_3", dt.date(2026, 5, 1), numbers, cache=False)
    assert mask.tolist() == [True, False]
