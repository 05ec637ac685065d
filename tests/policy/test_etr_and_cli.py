"""ETR aggregates, series and the tariff CLI's contract (formats, columns, errors)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from cli_helpers import run_cli
from tarifflab.metrics.etr import (
    etr_by_partner,
    etr_by_sector,
    etr_series,
    us_tariff_matrix,
    us_tariff_vector,
)
from tarifflab.policy.engine import TariffEngine


def test_partner_table_total_row_is_consistent() -> None:
    table = etr_by_partner("2025-10-01")
    total = table[table["partner"] == "ALL"].iloc[0]
    rest = table[table["partner"] != "ALL"]
    assert total["imports_usd"] == pytest.approx(rest["imports_usd"].sum())
    assert total["duty_usd"] == pytest.approx(rest["duty_usd"].sum())
    # 2024 weights: 50 largest partners + the EU (tradewartracker README: 3,216.96 bn incl. a duplicate Slovakia 8.14 bn)
    assert total["imports_usd"] == pytest.approx(3.20882e12, rel=1e-4)


def test_sector_table_sums_to_partner_total() -> None:
    by_sector = etr_by_sector("2025-10-01", partner="JPN")
    by_partner = etr_by_partner("2025-10-01", partner="JPN")
    assert by_sector["duty_usd"].sum() == pytest.approx(by_partner["duty_usd"].iloc[0])
    vehicles = by_sector[by_sector["sector"].str.startswith("XVII ")]["etr_pct"].iloc[0]
    assert 14 < vehicles < 16  # Japanese vehicles at 15% all-in after 2025-09-16


# The HS Nomenclature's sections I-XXI (WCO, HS 2022) and the HTSUS's chapters 98-99 as XXII, in number order.
SECTION_NUMBERS = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI",
    "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII",
]  # fmt: skip


def test_sector_table_in_section_number_order() -> None:
    shown = [label.split(" ")[0] for label in etr_by_sector("2025-10-01")["sector"]]
    assert shown == [number for number in SECTION_NUMBERS if number in shown]
    assert shown.index("V") < shown.index("IX")
    done = run_cli("etr", "--date", "2025-10-01", "--by", "sector", "--partner", "JPN", "--format", "csv")
    assert done.returncode == 0, done.stderr
    listed = [label.split(" ")[0] for label in pd.read_csv(StringIO(done.stdout))["sector"]]
    assert listed == [number for number in SECTION_NUMBERS if number in listed]


def test_daily_series_matches_single_dates_and_steps_on_change_dates() -> None:
    series = etr_series("2025-04-04", "2025-04-12", partner="JPN")
    assert len(series) == 9
    for date in ("2025-04-05", "2025-04-09", "2025-04-10"):
        single = etr_by_partner(date, partner="JPN")["etr_pct"].iloc[0]
        assert series.loc[series["date"].astype(str) == date, "etr_pct"].iloc[0] == pytest.approx(single)
    day = series.set_index(series["date"].astype(str))["etr_pct"]
    assert day["2025-04-09"] > day["2025-04-08"] > day["2025-04-04"]
    assert day["2025-04-10"] == pytest.approx(day["2025-04-08"])


def test_net_of_refunds_strips_ieepa() -> None:
    due = etr_by_partner("2025-05-01", partner="JPN").iloc[0]
    net = etr_by_partner("2025-05-01", partner="JPN", view="net-of-refunds").iloc[0]
    assert net["duty_usd"] == pytest.approx(due["duty_usd"] - due["refundable_usd"], rel=1e-9)


def test_tariff_vector_and_matrix_for_models() -> None:
    vector = us_tariff_vector(["USA", "JPN", "DEU", "FRA", "NZL"], "2025-09-20")
    assert vector[0] == 0.0
    assert vector[2] == vector[3]  # EU members share the EU rate
    assert 0.10 < vector[1] < 0.16  # Japan: 15% all-in, cars 15%, steel 50% (behaviour-free weights)
    matrix = us_tariff_matrix("2025-09-20", ["JPN", "CHN"], {"870323": "vehicles", "020130": "food"})
    assert list(matrix.columns) == ["food", "vehicles"]
    assert matrix.loc["JPN", "vehicles"] == pytest.approx(0.125, abs=1e-6)  # 15% all-in less 2.5% MFN


def test_duty_json_contract() -> None:
    done = run_cli(
        "duty",
        "8703.23.01.40",
        "--origin",
        "JPN",
        "--date",
        "2025-05-01",
        "--value",
        "30000",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["total_rate_pct"] == pytest.approx(27.5)
    assert payload["duty_usd"] == pytest.approx(8250.0)
    assert payload["refundable_pct"] == 0.0
    assert {"instrument", "rate_pct", "legal_basis", "refundable"} <= set(payload["layers"][0])


def test_etr_csv_contract() -> None:
    done = run_cli("etr", "--date", "2025-10-01", "--by", "partner", "--format", "csv")
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(StringIO(done.stdout))
    assert list(frame.columns) == ["partner", "imports_usd", "duty_usd", "etr_pct"]
    assert frame["partner"].iloc[0] == "ALL"
    series = run_cli(
        "etr", "--start", "2025-04-01", "--end", "2025-04-30", "--partner", "JPN", "--format", "csv"
    )
    frame = pd.read_csv(StringIO(series.stdout))
    assert list(frame.columns) == ["date", "partner", "imports_usd", "duty_usd", "etr_pct"]
    assert len(frame) == 30


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["duty", "87x3", "--origin", "JPN", "--date", "2025-05-01"], "malformed HTS code"),
        (["duty", "1234567890", "--origin", "JPN", "--date", "2025-05-01"], "unknown HTS code"),
        (["duty", "870323", "--origin", "Atlantis", "--date", "2025-05-01"], "unknown country"),
        (["duty", "870323", "--origin", "JPN", "--date", "2025-02-30"], "malformed date"),
        (["duty", "870323", "--origin", "JPN", "--date", "2027-01-01", "--strict-dates"], "covered window"),
        (["duty", "870323", "--origin", "JPN", "--date", "2024-12-31"], "before the first covered date"),
        (["duty", "870323", "--origin", "JPN", "--date", "2025-05-01", "--view", "as-known"], "as-known-on"),
        (["duty", "870323", "--origin", "JPN", "--date", "2025-05-01", "--value", "-5"], "non-negative"),
        (["etr", "--start", "2025-05-01", "--end", "2025-04-01"], "before start"),
        (["etr", "--date", "2025-05-01", "--by", "colour"], "unknown --by"),
        (["etr", "--date", "2025-05-01", "--partner", "FJI"], "no 2024 trade data"),
    ],
)
def test_bad_input_one_line_exit_2(args: list[str], message: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "Traceback" not in done.stderr


def test_engine_evaluates_every_line_without_nan() -> None:
    lines = TariffEngine.default().evaluate("2025-10-01")
    assert len(lines) == 206_612
    assert not lines[["mfn_rate", "total_rate", "refundable_rate"]].isna().any().any()
    assert (lines["total_rate"] >= lines["mfn_rate"] - 1e-12).all()


def test_refunds_command_totals_partners() -> None:
    done = run_cli("refunds", "--start", "2025-04-01", "--end", "2025-04-30", "--format", "csv")
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(StringIO(done.stdout))
    assert frame["partner"].iloc[0] == "ALL"
    assert frame["refundable_usd"].iloc[0] == pytest.approx(frame["refundable_usd"].iloc[1:].sum())
    assert (
        frame.set_index("partner").loc["CHN", "refundable_usd"]
        > frame.set_index("partner").loc["JPN", "refundable_usd"]
        > 0
    )


def test_duty_table_to_file_only(tmp_path: Path) -> None:
    target = tmp_path / "duty.txt"
    done = run_cli("duty", "8703230140", "--origin", "JPN", "--date", "2025-10-01", "--out", str(target))
    assert done.returncode == 0, done.stderr
    assert "15.00%" in target.read_text()
    assert "15.00%" not in done.stdout
