"""docs/etr-changes.md cannot rot: its AFTER numbers are those the current engine gives.

The page is written by scripts/etr_changes.py. Its BEFORE side comes from the engine at commit 412ca38
and is history; its AFTER side must equal `tarifflab etr` (metrics.etr.etr_by_partner) on every date it
shows, to the two decimals it prints. Runs on the embedded default data: no reference data needed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tarifflab.metrics.etr import etr_by_partner

PAGE = Path(__file__).resolve().parents[2] / "docs" / "etr-changes.md"
# The old library refused entry dates after its coverage end (412ca38: COVERAGE_END = 2026-07-31).
OLD_COVERAGE_END = dt.date(2026, 7, 31)
# Issue 17 asks for these dates and, at least, these partners; issue 12 for the other three dates.
REQUIRED_DATES = ("2025-10-30", "2026-01-01", "2026-02-24", "2026-04-10", "2026-06-15", "2026-09-01")
REQUIRED_PARTNERS = ("CHN", "MEX", "CAN", "EUN", "JPN", "KOR", "TWN", "VNM", "IND", "CHE", "GBR", "BRA")


def _section_rows(title: str) -> list[list[str]]:
    text = PAGE.read_text(encoding="utf-8")
    section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Date")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def _overall() -> dict[str, list[str]]:
    return {row[0]: row for row in _section_rows("Overall ETR")}


def _partners() -> dict[tuple[str, str], list[str]]:
    return {(row[0], row[1]): row for row in _section_rows("Partner ETRs")}


def test_page_covers_the_dates_and_partners_the_issues_ask_for() -> None:
    overall, partners = _overall(), _partners()
    assert set(REQUIRED_DATES) <= set(overall)
    assert {(d, p) for d in REQUIRED_DATES for p in REQUIRED_PARTNERS} <= set(partners)


def test_before_is_refused_exactly_where_the_old_library_ended() -> None:
    for date, row in _overall().items():
        beyond = dt.date.fromisoformat(date) > OLD_COVERAGE_END
        assert (row[1] == "refused") is beyond, date
        if not beyond:
            assert re.fullmatch(r"\d+\.\d\d", row[1]), row


@pytest.mark.parametrize("date", REQUIRED_DATES)
def test_after_numbers_equal_the_current_engine(date: str) -> None:
    table = etr_by_partner(date).set_index("partner")
    overall = _overall()[date]
    assert overall[2] == f"{table.loc['ALL', 'etr_pct']:.2f}"
    assert overall[5] == f"{table.loc['ALL', 'duty_usd'] / 1e9:.2f}"
    for (on, partner), row in _partners().items():
        if on != date:
            continue
        assert row[2] == f"{table.loc[partner, 'imports_usd'] / 1e9:.1f}", (date, partner)
        assert row[4] == f"{table.loc[partner, 'etr_pct']:.2f}", (date, partner)
