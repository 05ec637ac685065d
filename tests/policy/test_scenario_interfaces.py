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
from scenario_texts import VNM_SEATS
from tarifflab.app import services
from tarifflab.errors import InvalidDateError, ScenarioError
from tarifflab.policy.engine import TariffEngine
from tarifflab.policy.library import LAW_KNOWN_ON
from tarifflab.policy.scenario import library_with_scenarios
from tarifflab.report import lead_paragraph

TEXTS = (("vnm-seats.yaml", VNM_SEATS),)


def test_services_apply_uploaded_scenarios() -> None:
    base = services.duty_lookup("9401.61.40.11", "VNM", "2026-10-01")
    what_if = services.duty_lookup("9401.61.40.11", "VNM", "2026-10-01", scenarios=TEXTS)
    assert what_if.total_rate_pct - base.total_rate_pct == pytest.approx(25.0, abs=1e-9)
    assert base.scenario_hash is None and what_if.scenario_hash
    assert what_if.law_known_on == LAW_KNOWN_ON and what_if.stale_days == max(
        0, (dt.date(2026, 10, 1) - LAW_KNOWN_ON).days
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


EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _engine_with(name: str) -> TariffEngine:
    return TariffEngine.for_library(library_with_scenarios([EXAMPLES / name]))


def test_example_japan_autos_back_to_25() -> None:
    # Proclamation 10908: 25% on top of MFN; HTSUS 8703.23.01 general rate 2.5% → 27.5% once Japan's 15% all-in
    # rate (EO 14345) ends. Before the scenario's date nothing changes: 15% all-in.
    engine = _engine_with("scenario-japan-autos-25.yaml")
    assert engine.duty("8703.23.01.40", "JPN", "2027-01-04").total_rate_pct == pytest.approx(27.5)
    assert engine.duty("8703.23.01.40", "JPN", "2026-12-31").total_rate_pct == pytest.approx(15.0)


def test_example_pharma_232_at_100_without_cap() -> None:
    # Proclamation 11020, U.S. note 40(d) (heading 9903.04.60): column 1 rate plus the additional duty equal 100%;
    # the scenario ends the agreement partners' 15% all-in (9903.04.62) and the UK's +0% (9903.04.63).
    engine = _engine_with("scenario-pharma-232-100.yaml")
    base = TariffEngine.default()
    vaccine = "3002.15.00.11"
    for origin in ("JPN", "DEU", "CHE", "GBR", "IND"):
        assert engine.duty(vaccine, origin, "2026-11-02").total_rate_pct == pytest.approx(100.0), origin
    assert base.duty(vaccine, "JPN", "2026-11-02").total_rate_pct == pytest.approx(15.0)  # 9903.04.62
    assert engine.duty(vaccine, "JPN", "2026-10-31").total_rate_pct == pytest.approx(15.0)


def test_example_s122_extended() -> None:
    # Proclamation 11012: 10% on top of MFN for non-exempt goods; extended, it still applies on 2026-10-01 and
    # stops on 2027-01-01 (the scenario's exclusive end).
    engine = _engine_with("scenario-s122-extended.yaml")
    base = TariffEngine.default()
    shirt = ("6109.10.00.12", "VNM")
    assert engine.duty(*shirt, "2026-10-01").total_rate_pct - base.duty(
        *shirt, "2026-10-01"
    ).total_rate_pct == (pytest.approx(10.0))
    assert engine.duty(*shirt, "2027-01-01").total_rate_pct == pytest.approx(
        base.duty(*shirt, "2027-01-01").total_rate_pct
    )


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        # EO 14257 Annex I (Japan 24%), Proclamation 10908 (autos 25%), Proclamation 10896 (steel 25%)
        ("2025-04-09", {"us_reciprocal_rate": 0.24, "us_auto_rate": 0.25, "us_steel_rate": 0.25}),
        # EO 14266 pause: 10% baseline
        ("2025-04-10", {"us_reciprocal_rate": 0.10, "us_auto_rate": 0.25, "us_steel_rate": 0.25}),
        # Proclamation 10947: steel 50% from 2025-06-04
        ("2025-07-01", {"us_reciprocal_rate": 0.10, "us_auto_rate": 0.25, "us_steel_rate": 0.50}),
        # EO 14345: 15% all-in, autos 15% all-in from 2025-09-16, civil aircraft exempt
        ("2025-09-16", {"us_reciprocal_rate": 0.15, "us_all_in_rule": 1.0, "us_auto_rate": 0.15,
                        "us_exempt_aircraft": 1.0, "us_steel_rate": 0.50}),
    ],
)  # fmt: skip
def test_us_levers_read_from_the_law(on: str, expected: dict[str, float]) -> None:
    from tarifflab.policy.library import load_library
    from tarifflab.studies.negotiation_levers import us_levers_on

    levers = us_levers_on(load_library(), "JPN", dt.date.fromisoformat(on))
    assert {k: levers[k] for k in expected} == pytest.approx(expected)


def test_negotiation_law_package_with_a_scenario() -> None:
    from tarifflab.negotiation.law_packages import law_package
    from tarifflab.negotiation.levers import get_pair

    pair = get_pair("us-japan")
    plain, none_hash = law_package(pair, "law:2027-01-04")
    what_if, scenario_hash = law_package(pair, "law:2027-01-04", [EXAMPLES / "scenario-japan-autos-25.yaml"])
    assert none_hash is None and scenario_hash
    assert plain.levers["us_auto_rate"] == pytest.approx(0.15)  # EO 14345
    assert what_if.levers["us_auto_rate"] == pytest.approx(0.25)  # Proclamation 10908 once the deal rate ends
    with pytest.raises(InvalidDateError):
        law_package(pair, "law:2027-02-30")


def test_negotiate_cli_scenario_needs_a_law_package(tmp_path: Path) -> None:
    # with the stylised tariff input only law:DATE packages read the law (the engine input reads it too)
    done = run_cli("negotiate", "evaluate", "us-japan", "--package", "july_2025_deal", "--tariffs", "stylised",
                   "--scenario", str(EXAMPLES / "scenario-japan-autos-25.yaml"))  # fmt: skip
    assert done.returncode == 2 and "law:YYYY-MM-DD" in done.stderr


def test_report_refuses_a_broken_scenario_before_building(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("- {rescale: s122-surcharge-10, factor: -1}\n", encoding="utf-8")
    out = tmp_path / "r.html"
    done = run_cli("report", "--out", str(out), "--no-progress", "--scenario", str(broken))
    assert done.returncode == 2 and not out.exists()
    assert done.stderr.strip().startswith("error: broken.yaml: record 1 (s122-surcharge-10): factor:")
