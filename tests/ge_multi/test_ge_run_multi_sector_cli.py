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


def test_multi_sector_rejects_one_sector_options() -> None:
    done = run_cli("ge", "run", "deal-2025", "--model", "multi-sector", "--tariffs-from-date", "2025-09-20")
    assert done.returncode == 2
    assert "named scenarios" in done.stderr


def test_engine_driven_scenario_runs_without_reference_data(tmp_path: Path) -> None:
    empty = tmp_path / "reference"
    (empty / "facts").mkdir(parents=True)
    done = run_cli("ge", "run", "deal-2025", "--model", "multi-sector", "--format", "json", reference=empty)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["diagnostics"]["converged"] is True
