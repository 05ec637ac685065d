"""`tarifflab ge run --model multi-sector` is wired to the multi-sector model with the one-sector JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import run_cli


def test_multi_sector_json_shape_on_default_data() -> None:
    done = run_cli("ge", "run", "liberation-day", "--model", "multi-sector", "--format", "json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert {"countries", "sectors", "diagnostics"} <= set(payload)
    usa = next(row for row in payload["countries"] if row["iso3"] == "USA")
    assert "welfare_pct" in usa
    assert payload["diagnostics"]["converged"] is True
    assert {"iso3", "sector"} <= set(payload["sectors"][0])


def test_multi_sector_refuses_what_it_cannot_honour(tmp_path: Path) -> None:
    # A named scenario sets its own tariffs: the date is refused, not ignored.
    done = run_cli("ge", "run", "deal-2025", "--model", "multi-sector", "--tariffs-from-date", "2025-09-20")
    assert done.returncode == 2 and "use scenario 'custom'" in done.stderr
    for extra in (["--max-iter", "5"], ["--embedded"], ["--tariff-file", str(tmp_path / "t.csv")]):
        done = run_cli("ge", "run", "liberation-day", "--model", "multi-sector", *extra)
        assert done.returncode == 2, extra
        assert "one-sector" in done.stderr and done.stderr.strip().count("\n") == 0
    done = run_cli("ge", "run", "liberation-day", "--dataset", "icio")
    assert done.returncode == 2 and "multi-sector" in done.stderr


def test_multi_sector_tariffs_from_date_and_countries() -> None:
    # deal-2025 is defined as the engine's US tariffs on 2025-09-20 (studies/ge_multi_sector.py), so
    # scenario 'custom' on that date is the same counterfactual.
    custom = run_cli(
        "ge", "run", "custom", "--model", "multi-sector", "--tariffs-from-date", "2025-09-20",
        "--countries", "JPN,USA", "--format", "json",
    )  # fmt: skip
    assert custom.returncode == 0, custom.stderr
    named = run_cli(
        "ge", "run", "deal-2025", "--model", "multi-sector", "--countries", "JPN", "--format", "csv"
    )
    assert named.returncode == 0, named.stderr
    rows = json.loads(custom.stdout)["countries"]
    assert [row["iso3"] for row in rows] == ["JPN", "USA"]  # --countries honoured
    named_lines = named.stdout.strip().splitlines()
    assert len(named_lines) == 2 and named_lines[1].startswith("JPN,")
    named_jpn = float(named_lines[1].split(",")[1])
    assert rows[0]["welfare_pct"] == named_jpn  # CSV keeps full precision


def test_engine_driven_scenario_runs_without_reference_data(tmp_path: Path) -> None:
    empty = tmp_path / "reference"
    (empty / "facts").mkdir(parents=True)
    done = run_cli("ge", "run", "deal-2025", "--model", "multi-sector", "--format", "json", reference=empty)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["diagnostics"]["converged"] is True
