"""The 2026 measures and the country arrangements of branch lawc (see legal_cases/lawc.yaml).

The legal cases of lawc.yaml run in tests/policy/test_legal_cases.py; this file covers what the case
schema cannot express: an import ban, the confidence tags shown by ``duty`` and the precedence edges of
the new layers. Expected values come from the
Chapter 99 text, proclamations and notices cited in each case.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli_helpers import run_cli
from tarifflab.cli.main import app
from tarifflab.policy.engine import TariffEngine
from tarifflab.policy.library import COVERAGE_END, load_library
from tarifflab.policy.measures import Layer
from tarifflab.policy.precedence import excluded_by


def test_canadian_whey_is_prohibited_from_2026_09_29() -> None:
    # Proclamation 11062, Annex: 0404.10.05 barred from entry; before that date it paid 50% (9903.03.13).
    result = TariffEngine.default().duty("0404.10.05.00", "CAN", "2026-10-01", usmca_qualifying=True)
    assert result.prohibited
    assert result.duty_usd is None
    payload = result.to_dict()
    assert payload["status"] == "prohibited" and payload["total_rate_pct"] is None
    assert any(layer["prohibited"] and layer["rate_pct"] is None for layer in payload["layers"])
    assert any("Proclamation 11062" in note for note in result.notes)


def test_ban_covers_packaged_alcohol_but_not_other_basket_goods() -> None:
    # 2208.30.30 is a 'packaged' provision of the Proclamation 11061 Annex: taken as packaged, barred.
    result = TariffEngine.default().duty("2208.30.30.30", "CAN", "2026-10-01", usmca_qualifying=True)
    assert result.prohibited
    # a basket (b)(1) good that no annex names keeps the 50% duty (9903.03.12): cheese added 2026-09-15
    cheese = TariffEngine.default().duty("0406.90.12", "CAN", "2026-10-01", usmca_qualifying=True)
    assert not cheese.prohibited
    assert sum(layer.rate_pct for layer in cheese.layers if layer.layer == "s338") == pytest.approx(50.0)


def test_duty_json_and_table_show_confidence(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(
        app, ["duty", "8806.22.00.00", "--origin", "JPN", "--date", "2026-09-10", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    drone = next(layer for layer in payload["layers"] if layer["measure_id"] == "s232-drones-agreement-15")
    assert "single-source" in drone["confidence"] and drone["sources"]
    assert any("single source" in note for note in payload["notes"])
    table = runner.invoke(app, ["duty", "8806.22.00.00", "--origin", "JPN", "--date", "2026-09-10"])
    assert table.exit_code == 0 and "confidence" in table.stdout and "single source" in table.stdout


def test_prohibited_shows_in_the_table() -> None:
    out = CliRunner().invoke(
        app, ["duty", "0404.10.05.00", "--origin", "CAN", "--date", "2026-10-01", "--usmca-qualifying"]
    )
    assert out.exit_code == 0, out.output
    assert "prohibited" in out.stdout


def test_new_layers_and_edges() -> None:
    assert {"s201", "s338"} <= {layer.value for layer in Layer}
    # U.S. note 51(c): s.232 goods exempt from the dairy basket throughout; baskets (b)(1)/(b)(3) from
    # 2026-09-15 live in programme canada_stacking, which has no edge.
    assert "pharma" in excluded_by("s338", "canada", "CAN")
    assert excluded_by("s338", "canada_stacking", "CAN") == ()
    # U.S. note 52(f)(8) adds patented pharmaceuticals; no note names the drone headings.
    assert "pharma" in excluded_by("s301", "forced_labor", "JPN")
    assert "drones" not in excluded_by("s301", "forced_labor", "JPN")
    assert "autos" in excluded_by("s301", "brazil", "BRA")


def test_single_source_records_say_so() -> None:
    for measure in load_library().measures:
        if measure.single_source:
            assert measure.sources, measure.id


def test_library_known_through_hts_revision_21() -> None:
    assert dt.date(2026, 10, 9) == COVERAGE_END


def test_claim_flag_reaches_the_engine() -> None:
    runner = CliRunner()
    args = ["duty", "8806.22.00.00", "--origin", "UKR", "--date", "2026-09-10", "--format", "json"]
    plain = json.loads(runner.invoke(app, args).stdout)
    thermal = json.loads(runner.invoke(app, [*args, "--claim", "thermal_imaging"]).stdout)
    # U.S. note 43(c)(3)-(4): 25% without thermal imaging (9903.08.22), 100% with it (9903.08.21)
    assert plain["total_rate_pct"] == pytest.approx(25.0)
    assert thermal["total_rate_pct"] == pytest.approx(100.0)
    bad = run_cli(*args[:-2], "--claim", "no_such_claim")
    assert bad.returncode == 2 and "unknown entry claim" in bad.stderr and "Traceback" not in bad.stderr
