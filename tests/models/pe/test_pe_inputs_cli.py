"""SMART inputs (engine adapter, rate rules, reference imports) and the ``tarifflab pe run`` command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from tarifflab.cli.main import run
from tarifflab.errors import DataError, InvalidDateError, UnknownProductError
from tarifflab.models.pe import (
    RateRule,
    SmartModel,
    lines_with_rules,
    pe_inputs_from_dates,
    reference_imports,
)
from tarifflab.models.pe.inputs import normalise_hs, parse_date

DEAL = dt.date(2025, 9, 16)  # Japan autos 27.5% → 15% (EO 14345), per facts/timeline.csv


class FakeEngine:
    """Stands in for tarifflab.policy.engine.TariffEngine: the same lines on every date, Japan's
    car tariff 27.5% before the deal date and 15% from it, Korea 25% + 2.5% MFN throughout."""

    def __init__(self, drop_line_after: bool = False) -> None:
        self.drop_line_after = drop_line_after
        self.calls: list[tuple[dt.date, str]] = []

    def evaluate(self, on: dt.date, view: str = "in-force") -> pd.DataFrame:
        self.calls.append((on, view))
        japan = 0.15 if on >= DEAL else 0.275
        frame = pd.DataFrame(
            {
                "hs10": ["8703230140", "8703230140", "8703230190", "0101210010"],
                "partner": ["JPN", "KOR", "JPN", "JPN"],
                "imports_usd": [12.4e9, 8.0e9, 0.13e9, 1e6],
                "mfn_rate": [0.025, 0.025, 0.025, 0.0],
                "total_rate": [japan, 0.275, japan, 0.10],
            }
        )
        if self.drop_line_after and on >= DEAL:
            frame = frame.iloc[:-1]
        return frame


def test_engine_adapter_builds_lines_from_two_dates() -> None:
    engine = FakeEngine()
    lines = pe_inputs_from_dates(engine, "2025-03-01", "2025-09-20")
    assert engine.calls == [(dt.date(2025, 3, 1), "in-force"), (dt.date(2025, 9, 20), "in-force")]
    assert list(lines.columns) == ["hs10", "partner", "imports_usd", "rate_before", "rate_after"]
    japan = lines.set_index(["hs10", "partner"]).loc[("8703230140", "JPN")]
    assert (japan["rate_before"], japan["rate_after"]) == (0.275, 0.15)
    result = SmartModel(lines).solve().by("partner").set_index("partner")
    assert result.loc["JPN", "trade_creation_usd"] > 0
    assert result.loc["KOR", "trade_diversion_usd"] < 0
    # Reversed dates are allowed: going back from the deal raises Japan's tariff again.
    back = pe_inputs_from_dates(engine, "2025-09-20", "2025-03-01")
    assert back.set_index(["hs10", "partner"]).loc[("8703230140", "JPN"), "rate_after"] == 0.275


def test_engine_adapter_rejects_mismatched_or_malformed_engine_output() -> None:
    with pytest.raises(DataError, match="different lines"):
        pe_inputs_from_dates(FakeEngine(drop_line_after=True), "2025-03-01", "2025-09-20")

    class Broken(FakeEngine):
        def evaluate(self, on: dt.date, view: str = "in-force") -> pd.DataFrame:
            return super().evaluate(on, view).drop(columns="total_rate")

    with pytest.raises(DataError, match="total_rate"):
        pe_inputs_from_dates(Broken(), "2025-03-01", "2025-09-20")
    with pytest.raises(InvalidDateError, match="2025-13-01"):
        pe_inputs_from_dates(FakeEngine(), "2025-13-01", "2025-09-20")


def test_hs_and_date_parsing() -> None:
    assert normalise_hs("8703.23.01.40") == "8703230140"
    assert parse_date("2025-09-16") == dt.date(2025, 9, 16)
    with pytest.raises(UnknownProductError):
        normalise_hs("87x3")
    with pytest.raises(UnknownProductError):
        normalise_hs("8")


def test_rate_rules_apply_in_order_with_mfn_floor() -> None:
    base = pd.DataFrame(
        {
            "hs10": ["8703230140", "8703230140", "6402990000"],
            "partner": ["JPN", "KOR", "JPN"],
            "imports_usd": [1.0, 1.0, 1.0],
            "applied_rate": [0.025, 0.0, 0.20],
        }
    )
    lines = lines_with_rules(
        base,
        before=[RateRule("8703", 0.275, "JPN")],
        after=[
            RateRule("87", 0.15, "Japan", floor_at_mfn=True),
            RateRule("64", 0.15, "JPN", floor_at_mfn=True),
        ],
    ).set_index(["hs10", "partner"])
    assert lines.loc[("8703230140", "JPN"), "rate_before"] == 0.275
    assert lines.loc[("8703230140", "JPN"), "rate_after"] == 0.15
    assert lines.loc[("8703230140", "KOR"), "rate_after"] == 0.0
    assert lines.loc[("6402990000", "JPN"), "rate_after"] == 0.20  # MFN above 15% is kept


def write_lines(tmp_path: Path) -> Path:
    path = tmp_path / "lines.csv"
    FakeEngine().evaluate(dt.date(2025, 1, 1)).rename(columns={"total_rate": "rate_before"}).assign(
        rate_after=[0.15, 0.275, 0.15, 0.10]
    ).drop(columns="mfn_rate").to_csv(path, index=False)
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        run(list(args))
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def test_cli_json_has_partners_and_totals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = write_lines(tmp_path)
    out = tmp_path / "result.json"
    code, _, err = cli(
        capsys, "pe", "run", "--lines", str(lines), "--hs", "8703", "--format", "json", "--out", str(out)
    )
    assert code == 0, err
    payload = json.loads(out.read_text())
    fields = {
        "partner",
        "imports_before_usd",
        "imports_after_usd",
        "trade_creation_usd",
        "trade_diversion_usd",
        "revenue_before_usd",
        "revenue_after_usd",
    }
    assert {row["partner"] for row in payload["partners"]} == {"JPN", "KOR"}
    assert all(fields <= set(row) for row in payload["partners"])
    assert fields - {"partner"} | {"consumer_surplus_change_usd"} <= set(payload["totals"])
    assert payload["totals"]["trade_diversion_usd"] == pytest.approx(0.0, abs=1e-3)
    assert payload["totals"]["consumer_surplus_change_usd"] > 0
    assert payload["config"]["substitution_elasticity"] == 1.5


def test_cli_partner_filter_keeps_market_totals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = write_lines(tmp_path)
    code, out, err = cli(
        capsys,
        "pe",
        "run",
        "--lines",
        str(lines),
        "--partner",
        "JPN",
        "--format",
        "json",
        "--substitution-elasticity",
        "3",
    )
    assert code == 0, err
    payload = json.loads(out)
    assert [row["partner"] for row in payload["partners"]] == ["JPN"]
    assert payload["totals"]["imports_before_usd"] == pytest.approx(12.4e9 + 8.0e9 + 0.13e9 + 1e6)
    code, out, _ = cli(capsys, "pe", "run", "--lines", str(lines), "--format", "csv", "--by", "chapter")
    assert code == 0 and out.splitlines()[0].startswith("chapter,")
    code, out, _ = cli(capsys, "pe", "run", "--lines", str(lines), "--format", "csv", "--by", "gtap")
    assert code == 0 and out.splitlines()[0].startswith("gtap,")
    assert out.splitlines()[1].startswith("MVH,")  # HS 8703 cars are GTAP motor vehicles and parts
    code, out, _ = cli(capsys, "pe", "run", "--lines", str(lines))
    assert code == 0 and "JPN" in out and "ETR" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--partner", "Atlantis"), "Atlantis"),
        (("--partner", "FRA"), "no import lines"),
        (("--hs", "87x3"), "malformed HS"),
        (("--hs", "0201"), "no import lines under HS"),
        (("--demand-elasticity", "-1"), "demand"),
        (("--substitution-elasticity", "abc"), "substitution"),
        (("--supply-elasticity", "0"), "supply"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = cli(capsys, "pe", "run", "--lines", str(write_lines(tmp_path)), *args)
    assert code == 2
    assert err.startswith("error:") and err.strip().count("\n") == 0
    assert message in err


def test_cli_malformed_date_and_missing_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "pe", "run", "--from", "2025-02-30", "--to", "2025-09-20")
    assert code == 2 and "2025-02-30" in err
    code, _, err = cli(capsys, "pe", "run", "--from", "2025-03-01")
    assert code == 2 and "--to" in err


@pytest.mark.reference
def test_reference_imports_match_the_readme() -> None:
    # ../shared/data/tariffs/README.md §1(a): 209,616 HS10×partner rows, $3,216.96 bn of imports,
    # $75.83 bn of calculated duties; Japan 8703.23.01.40 = $12.4 bn (the brief's figure).
    base = reference_imports()
    assert len(base) == 209_616
    assert base["imports_usd"].sum() / 1e9 == pytest.approx(3216.96, abs=0.01)
    assert base["duty_usd"].sum() / 1e9 == pytest.approx(75.83, abs=0.01)
    cars = base.set_index(["hs10", "partner"]).loc[("8703230140", "JPN"), "imports_usd"]
    assert cars / 1e9 == pytest.approx(12.37, abs=0.01)
    assert set(base["partner"]) >= {"JPN", "KOR", "MEX", "EUN", "CAN", "CHN"}


@pytest.mark.reference
def test_all_lines_solve_with_diversion_summing_to_zero() -> None:
    base = reference_imports()
    lines = lines_with_rules(
        base, after=[RateRule("01", 0.10), RateRule("87", 0.25), RateRule("8703", 0.15, "JPN")]
    )
    result = SmartModel(lines).solve()
    assert result.diagnostics.lines == 209_616
    assert result.diagnostics.converged
    assert result.diagnostics.max_residual < 1e-12
    by = result.by("partner").set_index("partner")
    assert by.loc["JPN", "trade_diversion_usd"] > 0  # Japan gains cars from Korea, Mexico, the EU…
    assert by.loc["KOR", "trade_diversion_usd"] < 0


def test_real_engine_japan_cars_deal_date() -> None:
    # The tariff engine in main: on 2025-09-16 Japan's cars go from 27.5% (2.5 MFN + 25 S232) to 15%
    # all-in (EO 14345, facts/timeline.csv); SMART then moves trade to Japan from every other supplier.
    from tarifflab.policy.engine import TariffEngine

    lines = pe_inputs_from_dates(TariffEngine.default(), "2025-09-15", "2025-09-16")
    cars = lines.loc[lines["hs10"].str.startswith("8703")]
    japan = cars.set_index(["hs10", "partner"]).loc[("8703230140", "JPN")]
    assert japan["rate_before"] == pytest.approx(0.275)
    assert japan["rate_after"] == pytest.approx(0.15)
    by = SmartModel(cars).solve().by("partner").set_index("partner")
    assert by.loc["JPN", "trade_diversion_usd"] > 0 > by.loc["KOR", "trade_diversion_usd"]
    assert by["trade_diversion_usd"].sum() == pytest.approx(0.0, abs=1.0)


def test_cli_table_says_what_it_shows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = write_lines(tmp_path)
    code, out, err = cli(capsys, "pe", "run", "--lines", str(lines), "--substitution-elasticity", "3")
    assert code == 0, err
    text = " ".join(out.split())
    # Defaults η = 1 (FLOR 2018) and β = ∞ (WITS-SMART documentation); σ as given on the command line.
    for words in ("USD bn a year", "percent", "η=1", "σ=3", "β=∞", "exact form", "σ given", str(lines)):
        assert words in text, words


def test_cli_table_from_dates_names_the_law(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys, "pe", "run", "--from", "2025-03-01", "--to", "2025-09-20", "--partner", "JPN", "--hs", "8703"
    )
    assert code == 0, err
    text = " ".join(out.split())
    for words in (
        "USD bn a year",
        "entries on 2025-03-01",
        "view in-force",
        "law known to",
        "base year 2024",
    ):
        assert words in text, words
    assert "entries on 2025-09-20" in text
