"""Rate texts, column 2, exact specific duties and USMCA shares by month (issues 12 and 17).

Expected values come from the HTSUS rate columns (2025 basic edition) and, for USMCA shares, from the
USITC DataWeb monthly files in the reference data, read here without the engine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_helpers import run_cli
from tarifflab.errors import InvalidInputError
from tarifflab.policy.engine import TariffEngine
from tarifflab.policy.rates import column2_ave, parse_rate


def test_rate_texts_are_read() -> None:
    assert parse_rate("Free").ad_valorem == 0 and parse_rate("Free").readable
    assert parse_rate("16.5%").ad_valorem == pytest.approx(0.165)
    beef = parse_rate("4.4¢/kg")
    assert beef.specific == ((0.044, "kg"),) and beef.ad_valorem == 0
    milk = parse_rate("46.3¢/kg + 14.9%")
    assert milk.specific == ((0.463, "kg"),) and milk.ad_valorem == pytest.approx(0.149)
    assert parse_rate("$1.59/liter").specific == ((1.59, "liter"),)
    assert not parse_rate("11¢/kg on drained weight").readable


def test_exact_compound_duty() -> None:
    # 1,000 kg at 46.3¢/kg on $5,000 is 9.26%, plus 14.9% ad valorem.
    assert parse_rate("46.3¢/kg + 14.9%").exact(5000, 1000, "kg") == pytest.approx(0.2416)


def test_wrong_unit_is_one_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="per kg"):
        parse_rate("4.4¢/kg").exact(1000, 10, "liter")
    with pytest.raises(InvalidInputError, match="unknown unit"):
        parse_rate("4.4¢/kg").exact(1000, 10, "furlong")


def test_column2_scales_the_specific_part() -> None:
    # General 4.4¢/kg with a 2% AVE; column 2 13.2¢/kg is three times the amount per kg: 6%.
    assert column2_ave(parse_rate("4.4¢/kg"), parse_rate("13.2¢/kg"), 0.02) == pytest.approx(0.06)
    assert column2_ave(parse_rate("16.5%"), parse_rate("90%"), 0.165) == pytest.approx(0.90)


def test_duty_without_quantity_says_the_ave_is_used() -> None:
    result = TariffEngine.default().duty("0201.10.05.10", "BRA", "2025-03-01")
    assert any("average ad valorem equivalent" in note for note in result.notes)


def test_quantity_needs_unit_and_value() -> None:
    engine = TariffEngine.default()
    with pytest.raises(InvalidInputError, match="together"):
        engine.duty("0201.10.05.10", "BRA", "2025-03-01", quantity=10.0)
    with pytest.raises(InvalidInputError, match="customs value"):
        engine.duty("0201.10.05.10", "BRA", "2025-03-01", quantity=10.0, unit="kg")


@pytest.mark.reference
def test_usmca_shares_follow_the_month(reference_data: Path) -> None:
    folder = reference_data / "tariffs/Budget-Lab-Yale__tariff-rate-tracker/resources"
    october = pd.read_csv(
        folder / "usmca_product_shares_2025_10.csv.gz", dtype={"hts10": str, "cty_code": str}
    )
    last = pd.read_csv(folder / "usmca_product_shares_2026_02.csv.gz", dtype={"hts10": str, "cty_code": str})
    engine = TariffEngine.default()
    lines = engine.lines
    for month_file, on in ((october, dt.date(2025, 10, 15)), (last, dt.date(2026, 6, 1))):
        canada = month_file[month_file["cty_code"] == "1220"].set_index("hts10")["usmca_share"]
        shares = engine._usmca_shares(lines, on, cache=False)
        rows = np.flatnonzero(
            (lines["partner"] == "CAN").to_numpy() & lines["hs10"].isin(canada.index).to_numpy()
        )
        expected = canada.reindex(lines["hs10"].to_numpy()[rows]).to_numpy()
        assert np.allclose(shares[rows], expected, atol=1e-6)
    # At 2024 import weights the October 2025 shares are 0.88 (Canada) and 0.85 (Mexico), as issue 12 reads
    # them from the same monthly files, not the 2025 annual means of 0.67 and 0.68.
    for partner, expected_share in (("CAN", 0.88), ("MEX", 0.85)):
        rows = (lines["partner"] == partner).to_numpy()
        weights = lines["imports_usd"].to_numpy()[rows]
        shares = engine._usmca_shares(lines, dt.date(2025, 10, 15), cache=False)[rows]
        assert float((shares * weights).sum() / weights.sum()) == pytest.approx(expected_share, abs=0.005)


def test_cli_exact_specific_duty_and_bad_unit() -> None:
    ok = run_cli(
        "duty", "0201.10.05.10", "--origin", "BRA", "--date", "2025-03-01",
        "--quantity", "10000", "--unit", "kg", "--value", "50000", "--format", "json",
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert '"total_rate_pct": 0.88' in ok.stdout
    bad = run_cli(
        "duty", "0201.10.05.10", "--origin", "BRA", "--date", "2025-03-01",
        "--quantity", "10", "--unit", "liter", "--value", "100",
    )  # fmt: skip
    assert bad.returncode == 2 and "per kg" in bad.stderr and "Traceback" not in bad.stderr
