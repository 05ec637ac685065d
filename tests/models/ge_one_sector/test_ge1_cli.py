"""``tarifflab ge``: scenarios, run formats, tariffs from a date (faked engine), named errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tarifflab.cli.main import run

CSV_HEADER = (
    "iso3,welfare_pct,deficit_pct,exports_gdp_pct,imports_gdp_pct,employment_pct,cpi_pct,revenue_gdp_pct"
)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        run(list(args))
    captured = capsys.readouterr()
    code = done.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def test_scenarios_lists_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "ge", "scenarios", "--format", "csv")
    assert code == 0
    for name in ("liberation-day", "liberation-day-lump-sum", "optimal-us", "reciprocal-retaliation",
                 "optimal-retaliation", "optimal-vs-optimal", "custom"):  # fmt: skip
        assert f"\none-sector,{name}," in "\n" + out
    # The multi-sector model's scenarios are listed too (ge-multi-sector.md).
    for name in ("deal-2025", "pre-deal", "post-ruling", "nafta", "uniform-R", "targeted-ISO-R", "custom"):
        assert f"\nmulti-sector,{name}," in "\n" + out


def test_run_csv_columns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "ge", "run", "liberation-day", "--embedded", "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == CSV_HEADER
    assert len(lines) == 195
    usa = next(line for line in lines if line.startswith("USA,"))
    assert float(usa.split(",")[1]) == pytest.approx(1.1307, abs=1e-4)  # Table 1 case 1


def test_run_json_to_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, out, _ = cli(
        capsys, "ge", "run", "optimal-retaliation", "--embedded", "--format", "json", "--out", str(target),
        "--countries", "USA,JPN",
    )  # fmt: skip
    assert code == 0 and out == ""
    payload = json.loads(target.read_text())
    assert set(payload) >= {"scenario", "countries", "aggregates", "diagnostics"}
    assert payload["scenario"] == "optimal-retaliation"
    assert set(payload["diagnostics"]) == {"iterations", "max_residual", "seconds", "converged"}
    assert payload["diagnostics"]["converged"] is True
    usa = payload["countries"][0]
    assert set(usa) == set(CSV_HEADER.split(","))
    assert usa["welfare_pct"] == pytest.approx(-0.7454, abs=1e-4)  # Table 2 (3), output_map_retal.csv
    assert [row["iso3"] for row in payload["countries"]] == ["USA", "JPN"]


def test_run_table_and_io(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "ge", "run", "liberation-day", "--io", "--embedded", "--countries", "USA")
    assert code == 0
    assert "io-liberation-day" in out and "USA" in out and "0.86" in out  # Table 4 pre (1)


def test_tariff_file_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("exporter,importer,tariff\nJPN,USA,0.15\nCHN,USA,0.3\n")
    code, out, _ = cli(
        capsys, "ge", "run", "custom", "--tariff-file", str(path), "--embedded", "--format", "csv"
    )
    assert code == 0
    rows = {line.split(",")[0]: line.split(",") for line in out.strip().splitlines()[1:]}
    assert float(rows["JPN"][1]) < 0 < float(rows["USA"][7])  # Japan loses, the US collects revenue


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, date, str]]:
    """A stand-in for tarifflab.metrics.etr.us_tariff_vector (same signature)."""
    calls: list[tuple[int, date, str]] = []

    def us_tariff_vector(
        partners: Sequence[str], on: date, view: str = "in-force", engine: object = None
    ) -> np.ndarray:
        calls.append((len(partners), on, view))
        rate = 0.15 if on >= date(2025, 9, 16) else 0.24
        return np.array([0.0 if p == "USA" else (rate if p == "JPN" else 0.10) for p in partners])

    package = types.ModuleType("tarifflab.metrics")
    module = types.ModuleType("tarifflab.metrics.etr")
    module.us_tariff_vector = us_tariff_vector  # type: ignore[attr-defined]
    package.etr = module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tarifflab.metrics", package)
    monkeypatch.setitem(sys.modules, "tarifflab.metrics.etr", module)
    return calls


def test_tariffs_from_date_uses_engine(capsys: pytest.CaptureFixture[str], fake_engine: list) -> None:
    welfare = {}
    for day in ("2025-05-01", "2025-09-20"):
        code, out, _ = cli(
            capsys, "ge", "run", "custom", "--tariffs-from-date", day, "--embedded", "--format", "json",
            "--countries", "JPN,USA",
        )  # fmt: skip
        assert code == 0
        rows = {row["iso3"]: row for row in json.loads(out)["countries"]}
        welfare[day] = rows["JPN"]["welfare_pct"]
    assert fake_engine == [(194, date(2025, 5, 1), "in-force"), (194, date(2025, 9, 20), "in-force")]
    assert welfare["2025-09-20"] > welfare["2025-05-01"]  # a lower tariff on Japan hurts Japan less


def test_tariffs_from_date_rejected_by_fixed_scenarios(
    capsys: pytest.CaptureFixture[str], fake_engine: list
) -> None:
    code, _, err = cli(capsys, "ge", "run", "optimal-us", "--tariffs-from-date", "2025-09-20", "--embedded")
    assert code == 2 and "own US tariffs" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ge", "run", "no-such-scenario"), "unknown GE scenario"),
        (("ge", "run", "liberation-day", "--max-iter", "1"), "did not converge"),
        (("ge", "run", "liberation-day", "--format", "xml"), "xml"),
        (("ge", "run", "liberation-day", "--model", "three-sector"), "unknown GE model"),
        (("ge", "run", "custom", "--tariffs-from-date", "2025-13-45"), "invalid date"),
        (("ge", "run", "liberation-day", "--tariff-file", "x.csv"), "only valid with scenario 'custom'"),
        (("ge", "run", "regional-us-china", "--io"), "no IO variant"),
        (("ge", "run", "custom", "--tariff-file", "/nonexistent/t.csv"), "not found"),
        (("ge", "run", "liberation-day", "--countries", "Atlantis"), "unknown country"),
    ],
)
def test_bad_input_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = cli(capsys, *args, "--embedded")
    assert code == 2
    assert message in err
    assert err.strip().count("\n") == 0 and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("exporter,JPN,USA\nJPN,0,0.1\n", "square"),
        ("exporter,importer,tariff\nJPN,USA,-0.2\n", "negative"),
        ("exporter,importer,tariff\nJPN,USA,\n", "NaN"),
        ("exporter,importer,tariff\nQQQ,USA,0.1\n", "QQQ"),
    ],
)
def test_bad_tariff_file_subprocess(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    done = subprocess.run(
        [sys.executable, "-m", "tarifflab", "ge", "run", "custom", "--tariff-file", str(path), "--embedded"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr


def test_runs_without_reference_data(tmp_path: Path) -> None:
    # A machine without ../shared/data: the loader falls back to the embedded default.
    env = {**os.environ, "TARIFFLAB_REFERENCE_DATA": str(tmp_path)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tarifflab",
            "ge",
            "run",
            "liberation-day",
            "--format",
            "csv",
            "--countries",
            "USA",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    usa = done.stdout.strip().splitlines()[1].split(",")
    assert usa[0] == "USA" and float(usa[1]) == pytest.approx(1.1307, abs=1e-4)  # Table 1 case 1


def test_real_tariff_engine_path(capsys: pytest.CaptureFixture[str]) -> None:
    # The real tarifflab.metrics.etr.us_tariff_vector: one rate per model country, USA 0.
    from tarifflab.models.ge.one_sector_data import load_ge_data
    from tarifflab.studies.ge_one_sector_tariffs import us_tariffs_on

    data = load_ge_data(embedded=True)
    rates = us_tariffs_on(data.iso3, date(2025, 9, 20))
    assert rates.shape == (194,) and np.all(np.isfinite(rates)) and np.all(rates >= 0)
    assert rates[data.us] == 0.0 and rates[data.index["JPN"]] > 0.05
    code, out, _ = cli(
        capsys, "ge", "run", "custom", "--tariffs-from-date", "2025-09-20", "--embedded", "--format", "json",
        "--countries", "USA,JPN",
    )  # fmt: skip
    assert code == 0
    payload = json.loads(out)
    assert payload["diagnostics"]["converged"] is True
    assert payload["countries"][1]["welfare_pct"] < 0 < payload["countries"][0]["revenue_gdp_pct"]
