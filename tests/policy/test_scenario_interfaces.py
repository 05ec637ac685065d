"""Scenario files and the law's date through the interfaces: dashboard services, report, ge run.

The scenario (25% on HS 9401 from Viet Nam from 2026-09-01) is the what-if's legal text; expected increments
follow from it alone.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cli_helpers import run_cli
from tarifflab.app import services
from tarifflab.errors import ScenarioError
from tarifflab.policy.library import LAW_KNOWN_ON
from tarifflab.report import lead_paragraph

VNM_SEATS = """
- id: scenario-vnm-9401-25
  title: "What if: 25% on seats (HS 9401) from Viet Nam"
  layer: s301
  authority: Section 301
  program: scenario_vnm_seats
  legal_basis: "hypothetical (scenario file)"
  countries: [VNM]
  products: {prefixes: ["9401"]}
  rule: {kind: add, rate: 0.25}
  start: 2026-09-01
  known_from: 2026-09-01
"""
TEXTS = (("vnm-seats.yaml", VNM_SEATS),)


def test_services_apply_uploaded_scenarios() -> None:
    base = services.duty_lookup("9401.61.40.11", "VNM", "2026-10-01")
    what_if = services.duty_lookup("9401.61.40.11", "VNM", "2026-10-01", scenarios=TEXTS)
    assert what_if.total_rate_pct - base.total_rate_pct == pytest.approx(25.0, abs=1e-9)
    assert base.scenario_hash is None and what_if.scenario_hash
    assert (
        what_if.law_known_on == LAW_KNOWN_ON
        and what_if.stale_days == (dt.date(2026, 10, 1) - LAW_KNOWN_ON).days
    )
    by_partner = services.etr_by_partner("2026-10-01", scenarios=TEXTS).set_index("partner")["etr_pct"]
    plain = services.etr_by_partner("2026-10-01").set_index("partner")["etr_pct"]
    assert by_partner["VNM"] > plain["VNM"] and by_partner["JPN"] == pytest.approx(plain["JPN"])


def test_stale_banner_only_after_the_library_date() -> None:
    assert services.stale_banner(LAW_KNOWN_ON) is None
    banner = services.stale_banner(LAW_KNOWN_ON + dt.timedelta(days=1))
    assert banner == f"law as known on {LAW_KNOWN_ON}: later actions are not in the library"


def test_broken_upload_is_one_named_error() -> None:
    with pytest.raises(ScenarioError, match=r"^bad.yaml: record 1 \(nope\): end: unknown measure id"):
        services.library_for((("bad.yaml", "- {end: nope, date: 2026-12-31}"),))


def test_report_first_paragraph_names_the_law_and_the_scenario() -> None:
    text = lead_paragraph(TEXTS, today=LAW_KNOWN_ON + dt.timedelta(days=128))
    assert f"law as known on {LAW_KNOWN_ON}" in text and "128 days later" in text
    assert "vnm-seats.yaml" in text and "what-if" in text
    assert "days later" not in lead_paragraph((), today=LAW_KNOWN_ON)


def test_ge_run_takes_engine_scenarios(tmp_path: Path) -> None:
    scenario = tmp_path / "vnm-seats.yaml"
    scenario.write_text(VNM_SEATS, encoding="utf-8")
    common = ("ge", "run", "custom", "--tariffs-from-date", "2026-10-01", "--embedded", "--format", "json",
              "--countries", "VNM")  # fmt: skip
    plain = run_cli(*common)
    what_if = run_cli(*common, "--scenario", str(scenario))
    assert plain.returncode == 0 and what_if.returncode == 0, what_if.stderr
    a, b = json.loads(plain.stdout), json.loads(what_if.stdout)
    assert a["scenario_hash"] is None and b["scenario_hash"]
    assert b["countries"][0]["welfare_pct"] < a["countries"][0]["welfare_pct"]  # a higher US tariff on VNM
    missing_date = run_cli("ge", "run", "custom", "--embedded", "--scenario", str(scenario))
    assert missing_date.returncode == 2 and "--tariffs-from-date" in missing_date.stderr
