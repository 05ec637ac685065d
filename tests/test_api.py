"""The public Python API and the conventions the CLI shares with it (--out, --format, full-precision CSV)."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

import tarifflab
from cli_helpers import run_cli
from tarifflab.errors import AmbiguousProductError, InvalidInputError, UnknownProductError


def test_import_is_lazy() -> None:
    code = "import sys, tarifflab; print(sorted(m for m in ('pandas', 'numpy', 'tarifflab.api') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert {"duty", "etr", "search", "ge", "negotiate"} <= set(dir(tarifflab))
    with pytest.raises(AttributeError):
        _ = tarifflab.no_such_function  # type: ignore[attr-defined]


def test_duty_through_the_api() -> None:
    # EO 14345 (effective 2025-09-16): Japanese passenger cars 15% all-in (2.5% MFN + 12.5% s.232).
    car = tarifflab.duty("8703.23.01.40", "JPN", "2025-10-01", value_usd=30_000)
    assert car.total_rate_pct == pytest.approx(15.0)
    assert car.duty_usd == pytest.approx(4_500.0)
    assert car.description.startswith("Motor cars")
    with pytest.raises(AmbiguousProductError):
        tarifflab.duty("8703.23", "JPN", "2025-10-01")
    with pytest.raises(InvalidInputError):
        tarifflab.duty("8703.23.01.40", "JPN", "2025-10-01", view="someday")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        tarifflab.duty("8703.23.01.40", "JPN", "2025-10-01", mfn_basis="lowest")  # type: ignore[arg-type]
    with pytest.raises(UnknownProductError):
        tarifflab.lines("9999")


def test_duty_through_the_api_takes_shipment_facts() -> None:
    # EO 14257 sec. 3(c), HTSUS 9903.01.28: goods loaded before 2025-04-05 and entered before 2025-05-27
    # (CSMS 64680374) do not pay the 10% of 9903.01.25; a German cotton T-shirt keeps its 16.5% general rate.
    assert tarifflab.duty("6109.10.00.12", "DEU", "2025-04-20").total_rate_pct == pytest.approx(26.5)
    loaded = tarifflab.duty("6109.10.00.12", "DEU", "2025-04-20", loaded_on="2025-04-01")
    assert loaded.total_rate_pct == pytest.approx(16.5)


def test_etr_through_the_api() -> None:
    frame = tarifflab.etr("2025-10-01", partner="JPN")
    assert list(frame["partner"]) == ["JPN"]
    # 2024 US goods imports from Japan: USD 148.2 bn (Census; ../shared/data/facts/annex1_sample.csv).
    # The HS10 import lines (imports for consumption) sum to within 5% of it.
    assert 145e9 < float(frame["imports_usd"].iloc[0]) < 155e9
    with pytest.raises(InvalidInputError):
        tarifflab.etr()


def test_ge_scenarios_cover_both_models() -> None:
    frame = tarifflab.ge.scenarios()
    assert {"one-sector", "multi-sector"} == set(frame["model"])
    with pytest.raises(InvalidInputError):
        tarifflab.ge.scenarios("two-sector")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        tarifflab.ge.run("liberation-day", elasticities="LL")


def test_negotiate_concessions_in_dollars() -> None:
    table = tarifflab.negotiate.concessions("us-japan")
    assert list(table.columns) == ["lever", "USA_usd_bn", "JPN_usd_bn"]
    # EO 14345 lowered the s.232 auto rate for Japan: that lever helps Japan (the reset costs it).
    assert table.set_index("lever").loc["us_auto_rate", "JPN_usd_bn"] > 0


def test_csv_keeps_full_precision() -> None:
    done = run_cli("etr", "--date", "2025-10-01", "--partner", "JPN", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "e+" not in done.stdout
    frame = pd.read_csv(StringIO(done.stdout))
    assert frame["imports_usd"].iloc[0] == pytest.approx(
        tarifflab.etr("2025-10-01", partner="JPN")["imports_usd"].iloc[0], rel=1e-15
    )


def test_etr_table_says_what_it_shows() -> None:
    done = run_cli("etr", "--date", "2025-10-01", "--partner", "JPN")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    for words in ("view in-force", "2024 US imports", "base year 2024", "percent", "US dollars"):
        assert words in text, words


def test_negotiate_out_and_deprecated_output(tmp_path: Path) -> None:
    target = tmp_path / "levers.json"
    done = run_cli("negotiate", "levers", "us-japan", "--format", "json", "--out", str(target))
    assert done.returncode == 0, done.stderr
    assert "us_reciprocal_rate" in {lever["name"] for lever in json.loads(target.read_text())["levers"]}
    old = tmp_path / "deal.txt"
    done = run_cli("negotiate", "evaluate", "us-japan", "--package", "july_2025_deal", "--output", str(old))
    assert done.returncode == 0, done.stderr
    assert "deprecated" in done.stderr and old.read_text().startswith("package july_2025_deal")
    both = run_cli(
        "negotiate",
        "evaluate",
        "us-japan",
        "--package",
        "july_2025_deal",
        "--out",
        str(old),
        "--output",
        str(old),
    )
    assert both.returncode == 2 and "--out only" in both.stderr
