"""The USTR reciprocal-tariff formula (EO 14257 Annex I) and the embedded Census tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tarifflab.cli.main import run
from tarifflab.data.census import census_code_to_iso3, census_iso3_table, census_trade
from tarifflab.errors import InvalidInputError, UnknownCountryError
from tarifflab.metrics.reciprocal import formula_rate_pct, implied_rate, reciprocal_table

# EO 14257 Annex I (2 April 2025) reciprocal rates, and the White House chart's "tariffs charged to
# the USA" of the same day (as collected in ../shared/data/facts/annex1_sample.csv).
ANNEX_I_SAMPLE = {"JPN": (24, 46), "CHN": (34, 67), "EUN": (20, 39), "VNM": (46, 90)}


@pytest.mark.replication
@pytest.mark.embedded
@pytest.mark.parametrize(("iso3", "published"), ANNEX_I_SAMPLE.items())
def test_table_matches_published_annex_i_sample(iso3: str, published: tuple[int, int]) -> None:
    # From our embedded 2024 Census table (EU on the aggregate 0003).
    annex_rate, chart_rate = published
    table = reciprocal_table(2024).set_index("partner")
    assert table.loc[iso3, "reciprocal_rate_pct"] == annex_rate
    # The chart's "tariffs charged to the USA" is the formula rounded to a whole percent.
    assert round(table.loc[iso3, "formula_rate_pct"]) == chart_rate


@pytest.mark.replication
def test_embedded_table_equals_raw_census_file(reference_data: Path) -> None:
    raw = reciprocal_table(
        2024, source=reference_data / "census" / "djhshih__tariff" / "data" / "country.csv"
    )
    embedded = reciprocal_table(2024)
    merged = embedded.merge(raw, on="partner", suffixes=("", "_raw"))
    assert len(merged) == len(embedded)
    assert (merged["reciprocal_rate_pct"] == merged["reciprocal_rate_pct_raw"]).all()
    assert (merged["imports_usd"] - merged["imports_usd_raw"]).abs().max() < 1.0


@pytest.mark.parametrize(
    ("imports_bn", "exports_bn", "first_annex"),
    [
        # ../shared/data/facts/reciprocal_formula.md, worked examples (2024 Census, USD bn, rounded):
        # first Annex I of 2 April = ceil(½·deficit/imports).
        (148.2, 79.7, 24),  # Japan: 46.2% → 23.1 → 24
        (438.9, 143.5, 34),  # China: 67.3% → 33.7 → 34
        (131.5, 65.5, 26),  # Korea: 50.2% → 25.1 → 26 (revised to 25 on 3 April)
        (87.4, 41.8, 27),  # India: 52.2% → 26.1 → 27 (revised to 26 on 3 April)
        (116.3, 42.3, 32),  # Taiwan: 63.6% → 31.8 → 32 (chart)
        (136.6, 13.1, 46),  # Vietnam: 90.4% → 45.2 → 46 (chart)
    ],
)
def test_worked_examples(imports_bn: float, exports_bn: float, first_annex: int) -> None:
    assert implied_rate(imports_bn * 1e9, exports_bn * 1e9) == first_annex


def test_generalised_formula_floor_and_rounding_variants() -> None:
    # Δτ = (m − x)/(ε·φ·m): with ε·φ = 1 it is deficit ÷ imports.
    assert formula_rate_pct(100.0, 50.0) == pytest.approx(50.0)
    # AEI's correction φ = 0.945 divides the rate by 3.78: 50% → 13.2%, halved 6.6 → floor 10.
    assert formula_rate_pct(100.0, 50.0, epsilon=4, phi=0.945) == pytest.approx(50 / 3.78)
    assert implied_rate(100.0, 50.0, epsilon=4, phi=0.945) == 10.0
    assert implied_rate(100.0, 120.0) == 10.0  # US surplus → 10% floor
    assert implied_rate(100.0, 50.0, floor_pct=0.0) == 25.0
    assert implied_rate(100.0, 53.9, rounding="none") == pytest.approx(23.05)
    assert implied_rate(100.0, 53.9, rounding="chart") == 23.0  # chart rounds 46.1 to 46, half = 23
    assert implied_rate(100.0, 53.9) == 24.0


@pytest.mark.parametrize(
    "kwargs", [{"epsilon": -4.0}, {"epsilon": 0.0}, {"phi": 0.0}, {"rounding": "banker"}, {"floor_pct": -1.0}]
)
def test_bad_parameters_are_named_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        implied_rate(100.0, 50.0, **kwargs)  # type: ignore[arg-type]


def test_bad_trade_values_and_years() -> None:
    with pytest.raises(InvalidInputError, match="imports"):
        implied_rate(0.0, 50.0)
    with pytest.raises(InvalidInputError, match="1990"):
        reciprocal_table(1990)


def test_embedded_census_tables() -> None:
    table = census_iso3_table()
    assert list(table.columns) == ["cty_code", "iso3", "name"]
    assert table["cty_code"].str.fullmatch(r"\d{4}").all()
    assert census_code_to_iso3("5880") == "JPN"
    assert census_code_to_iso3(3) == "EUN"
    assert census_code_to_iso3("4120") == "GBR"
    with pytest.raises(UnknownCountryError):
        census_code_to_iso3("9999")
    trade = census_trade()
    assert trade["year"].min() == 2015 and trade["year"].max() == 2024
    japan = trade.loc[(trade["partner"] == "JPN") & (trade["year"] == 2024)].iloc[0]
    # Census 2024 (README of ../shared/data/census): Japan imports 148,208.6 / exports 79,740.8 $m.
    assert japan["imports_usd"] / 1e6 == pytest.approx(148_208.6, abs=0.1)
    assert japan["exports_usd"] / 1e6 == pytest.approx(79_740.8, abs=0.1)


def test_cli_reciprocal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    with pytest.raises(SystemExit) as done:
        run(["reciprocal", "--year", "2024", "--format", "json", "--out", str(out)])
    assert done.value.code == 0
    capsys.readouterr()
    rows = {row["partner"]: row for row in json.loads(out.read_text())["partners"]}
    assert rows["JPN"]["reciprocal_rate_pct"] == 24
    assert rows["EUN"]["reciprocal_rate_pct"] == 20
    with pytest.raises(SystemExit) as done:
        run(["reciprocal", "--partner", "Atlantis"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.startswith("error:") and "Atlantis" in err
    with pytest.raises(SystemExit) as done:
        run(["reciprocal", "--epsilon", "-4"])
    assert done.value.code == 2 and "epsilon" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        run(["reciprocal", "--partner", "JPN", "--format", "csv"])
    assert done.value.code == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("JPN,Japan,")


def test_cli_reciprocal_table_says_what_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    # ε = 4 and φ = 0.25: USTR, "Reciprocal Tariff Calculations" (April 2025); halving, 10% floor:
    # EO 14257 Annex I; Census base year: the --year given.
    with pytest.raises(SystemExit) as done:
        run(["reciprocal", "--partner", "JPN", "--year", "2024"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for words in ("USD bn", "Census 2024", "base year 2024", "ε=4", "φ=0.25", "percent", "floor 10%"):
        assert words in text, words
    assert "EO 14257 Annex I" in text
