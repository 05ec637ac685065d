"""Reconciliation with the public trackers: conversions of their figures, the line checks, the CLI.

Expected values come from the trackers' own files and README (../shared/data/tariffs/README.md) or from
the Budget Lab's reports, never from our engine's output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from cli_helpers import run_cli
from tarifflab.data import trackers
from tarifflab.metrics.reconcile import (
    compare_etr,
    line_comparison,
    summarise_lines,
    tradewartracker_partners,
)

pytestmark = pytest.mark.reference


def test_tradewartracker_partner_rate_is_2024_applied_plus_additional(reference_data: Path) -> None:
    # README §1(a): Japan's 2024 applied rate was 1.508% ($2.282 bn duty on $151.34 bn); on the first
    # tracker date (2025-02-04) nothing was added for Japan.
    table = tradewartracker_partners()
    japan = table[(table["partner"] == "JPN") & (table["date"] == dt.date(2025, 2, 4))].iloc[0]
    assert japan["country_name"] == "JAPAN"
    assert japan["base_2024_pct"] == pytest.approx(1.508, abs=0.001)
    assert japan["additional_pp"] == 0
    assert japan["etr_pct"] == pytest.approx(1.508, abs=0.001)
    # Slovakia is inside the EU aggregate, so it is not a separate partner; the EU is one row a date.
    assert "SLOVAKIA" not in set(table["country_name"])
    assert table.groupby("date")["partner"].apply(lambda p: p.is_unique).all()
    assert (table["partner"] == "EUN").sum() == table["date"].nunique()


def test_tradewartracker_national_series_swaps_the_flat_baseline(reference_data: Path) -> None:
    # README §1(e): the national series is additional + a flat 2.3 pp; on 2025-01-01 nothing is added,
    # so on our definition it is the 2024 applied rate of the 51 partners: $75.83 bn / $3,216.96 bn.
    national = trackers.tradewartracker_national().set_index("date")
    first = national.loc[dt.date(2025, 1, 1)]
    assert first["published_pct"] == pytest.approx(2.3)
    assert first["etr_pct"] == pytest.approx(100 * 75.83 / 3216.96, abs=0.01)


def test_published_figures_carry_a_source_per_row() -> None:
    figures = trackers.published_etr_figures()
    assert figures["url"].str.startswith("https://budgetlab.yale.edu/research/").all()
    # The Budget Lab, "State of U.S. Tariffs: October 30, 2025": overall average effective rate 17.9%.
    october = figures[figures["policy_date"] == dt.date(2025, 10, 30)].iloc[0]
    assert october["etr_pct"] == 17.9
    # "State of U.S. Tariffs: SCOTUS Ruling Update": 9.1% without IEEPA.
    assert 9.1 in set(figures["etr_pct"])


def test_padded_tradewartracker_codes_match_at_hts8(reference_data: Path) -> None:
    # annex-II-exemptions.csv stores the HTS8 entry 0508.00.00 as 0508000000 (EO 14257 Annex II lists HTS8).
    annex = trackers.scope_prefixes("twt-annex-ii-2025-04")
    assert "05080000" in annex and "0508000000" not in annex
    # Yale's list is genuine HTS10 and keeps its ten digits.
    assert "0106110000" in trackers.scope_prefixes("yale-ieepa-exempt")


def _lines(rows: list[tuple[str, str, float, float, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["hs10", "partner", "imports_usd", "mfn_rate", "s232_rate", "reciprocal_rate"]
    )
    frame["fentanyl_rate"] = 0.0
    frame["s301_rate"] = 0.0
    frame["total_rate"] = frame[["mfn_rate", "s232_rate", "reciprocal_rate"]].sum(axis=1)
    frame["refundable_rate"] = frame["reciprocal_rate"]
    frame["duty_usd"] = frame["imports_usd"] * frame["total_rate"]
    return frame


def test_line_contributions_weigh_the_rate_gap_by_imports(reference_data: Path) -> None:
    # 0508.00.00 is on Annex II: a 10% reciprocal duty there is a 10-point line gap. The partner has
    # $300 of imports, $100 of them on that line: 100 × 10 / 300 = 3.333 pp of the partner's ETR,
    # and 100 × 10 / 400 = 2.5 pp of all partners' ETR.
    lines = _lines(
        [
            ("0508000010", "CHE", 100.0, 0.0, 0.0, 0.10),
            ("6109100012", "CHE", 200.0, 0.16, 0.0, 0.15),
            ("6109100012", "VNM", 100.0, 0.16, 0.0, 0.20),
        ]
    )
    found = line_comparison("2025-10-30", checks=["annex-ii-2025-04"], lines=lines)
    assert list(found["hs10"]) == ["0508000010"]
    row = found.iloc[0]
    assert row["gap_pp"] == pytest.approx(10.0)
    assert row["contribution_partner_pp"] == pytest.approx(100 * 10 / 300)
    assert row["contribution_total_pp"] == pytest.approx(100 * 10 / 400)
    # Outside the check's window (Annex II took effect with the 10% baseline on 2025-04-05) nothing is found.
    assert line_comparison("2025-03-01", checks=["annex-ii-2025-04"], lines=lines).empty


def test_section_232_outside_the_lists_and_listed_lines_not_charged(reference_data: Path) -> None:
    # 7301.20.50 is on tradewartracker's steel list; 9403.60.80 (wooden furniture) is on no metals/auto list.
    lines = _lines(
        [
            ("7301205000", "DEU", 50.0, 0.0, 0.0, 0.15),
            ("9403608081", "VNM", 200.0, 0.0, 0.25, 0.0),
        ]
    )
    found = line_comparison("2025-10-30", checks=["s232-metals-autos-scope"], lines=lines)
    by_line = found.set_index("hs10")
    assert by_line.loc["9403608081", "gap_pp"] == pytest.approx(25.0)
    assert pd.isna(by_line.loc["7301205000", "reference_pct"])  # listed but not charged: no rate to weigh
    summary = summarise_lines(found).set_index("check")
    assert summary.loc["s232-metals-autos-scope", "lines"] == 2
    assert summary.loc["s232-metals-autos-scope", "contribution_total_pp"] == pytest.approx(200 * 25 / 250)


class _FixedEngine:
    """Stands in for the engine: every line at a fixed total rate."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def evaluate(
        self, on: object, view: object = None, as_known_on: object = None, claims: object = frozenset()
    ) -> pd.DataFrame:
        frame = _lines([("8703230140", "JPN", 1000.0, 0.0, 0.0, self.rate)])
        return frame


def test_compare_sets_the_tracker_in_force_on_the_date_beside_ours(reference_data: Path) -> None:
    raw = pd.read_csv(
        reference_data / "tariffs" / trackers.TRADEWARTRACKER / "country-by-time.csv", parse_dates=["date"]
    )
    japan = raw[(raw["country_name"] == "JAPAN") & (raw["date"] <= "2025-10-30")].sort_values("date").iloc[-1]
    expected = japan["2024 tariff"] + japan["effective tariff"]
    table = compare_etr(
        ["2025-10-30"],
        partners=["Japan"],
        sources=["tradewartracker"],
        engine=_FixedEngine(0.16),  # type: ignore[arg-type]
    )
    row = table.iloc[0]
    assert (row["partner"], row["source"]) == ("JPN", "tradewartracker")
    assert row["tracker_pct"] == pytest.approx(expected)
    assert row["ours_pct"] == pytest.approx(16.0)
    assert row["gap_pp"] == pytest.approx(16.0 - expected)


def test_cli_compare_rejects_bad_input_in_one_line(reference_data: Path) -> None:
    for args, needle in (
        (["etr", "compare", "--date", "2026-13-01"], "malformed date"),
        (["etr", "compare", "--source", "nosuch", "--date", "2025-10-30"], "unknown tracker"),
    ):
        done = run_cli(*args)
        assert done.returncode == 2
        assert needle in done.stderr and len(done.stderr.strip().splitlines()) == 1
