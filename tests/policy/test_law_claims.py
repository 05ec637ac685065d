"""Entry claims of the s.232 parts and metals notes and the chapter carve-out of scopes (branch law).

Expected values come from the HTSUS Chapter 99 text: U.S. note 33(g)-(h) (9903.94.05 applies to parts of
passenger vehicles and light trucks; 9903.94.06 to articles of the listed provisions that are not such
parts) and note 16(c) (the 15% metal-weight threshold covers listed articles outside chapters 72, 73, 74
and 76). Legal cases with full duties are in tests/policy/legal_cases/law.yaml.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from tarifflab.errors import InvalidInputError, MeasureFileError
from tarifflab.policy.engine import TariffEngine, _hs10_numbers
from tarifflab.policy.library import _parse_scopes
from tarifflab.policy.shipment import METAL_UNDER_15PCT, NOT_VEHICLE_PART, ShipmentTerms

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_except_chapters_must_name_two_digit_chapters(tmp_path: Path) -> None:
    bad = tmp_path / "scopes.yaml"
    bad.write_text(
        's:\n  legal_basis: "x"\n  prefixes: ["8205"]\n  except_chapters: ["7"]\n', encoding="utf-8"
    )
    with pytest.raises(MeasureFileError, match="except_chapters takes two-digit chapters"):
        _parse_scopes(bad)


def test_the_new_claims_are_known_and_a_misspelt_one_is_refused() -> None:
    ShipmentTerms(claims=frozenset({NOT_VEHICLE_PART, METAL_UNDER_15PCT}))
    with pytest.raises(InvalidInputError, match="unknown entry claim 'not_a_vehicle_part'"):
        ShipmentTerms(claims=frozenset({"not_a_vehicle_part"}))


def test_weight_threshold_scope_leaves_chapters_72_to_76_out() -> None:
    engine = TariffEngine.default()
    on = dt.date(2026, 8, 15)
    # 8205.70 (note 16(c)(vii)) is outside chapters 72-76; 7323.94 (also (vii)) is inside chapter 73.
    lines = _hs10_numbers(np.array(["8205700060", "7323940010"]))
    scope = engine.library.definitions["metals_2026_under_weight_threshold"]
    assert scope.except_chapters == ("72", "73", "74", "76")
    name = "metals_2026_under_weight_threshold"
    claimed = engine._scope_mask(name, on, lines, cache=False, claims=frozenset({METAL_UNDER_15PCT}))
    assert claimed.tolist() == [True, False]
    assert not engine._scope_mask(name, on, lines, cache=False).any()  # without the claim: nothing


def test_not_vehicle_part_lifts_the_parts_duty_only_for_listed_lines() -> None:
    engine = TariffEngine.default()
    # 8507.60 (note 33(g)) loses 9903.94.05 with the claim; 8703 vehicles are not parts and keep 9903.94.01.
    battery = engine.duty("8507.60.00.20", "IND", "2025-10-01", claims=[NOT_VEHICLE_PART])
    assert not any(layer.heading == "9903.94.05" for layer in battery.layers)
    car = engine.duty("8703.23.01.90", "IND", "2025-10-01", claims=[NOT_VEHICLE_PART])
    assert any(layer.heading == "9903.94.01" for layer in car.layers)


def test_tracker_hs8_entries_are_narrowed_to_the_lines_note_19k_names() -> None:
    from tarifflab.studies.build.tariff_engine import _at_note_digit_level

    # U.S. note 19(k) names 3004.90.9244 (a 2025 line) and 8309.90.0020/.0025 (2026 numbers only), and
    # 0402.99.68 at 8 digits; 7302.90.00 not at all.
    named = {"3004909244", "8309900020", "8309900025", "04029968"}
    lines_2025 = {"3004909201", "3004909244", "8309900010", "8309900090"}
    codes = ["04029968", "30049092", "73029000", "83099000"]
    assert _at_note_digit_level(codes, named, lines_2025) == [
        "04029968",
        "3004909244",
        "73029000",
        "83099000",
    ]
