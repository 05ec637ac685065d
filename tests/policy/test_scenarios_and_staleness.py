"""Dates past the library's date, and scenario files (policy/scenario.py and the CLI's --scenario).

Sources: the expected increments come from the scenario files written here (a scenario is the legal text of a
what-if) and from the embedded 2024 Census import lines, read directly with pandas, not through the ETR code.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from cli_helpers import run_cli
from scenario_texts import VNM_SEATS
from tarifflab.data.embedded import embedded_path
from tarifflab.errors import InvalidDateError, ScenarioError
from tarifflab.metrics.etr import etr_by_partner
from tarifflab.policy.engine import TariffEngine, parse_date
from tarifflab.policy.library import LAW_KNOWN_ON, load_library
from tarifflab.policy.scenario import apply_scenarios, library_with_scenarios, parse_scenario


@pytest.fixture(scope="module")
def vnm_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scen") / "vnm-seats.yaml"
    path.write_text(VNM_SEATS, encoding="utf-8")
    return path


def test_law_known_on_is_library_metadata() -> None:
    library = load_library()
    assert library.law_known_on == LAW_KNOWN_ON
    assert library.stale_days(LAW_KNOWN_ON) == 0
    assert library.stale_days(LAW_KNOWN_ON + dt.timedelta(days=10)) == 10


def test_dates_after_the_library_are_answered_and_flagged() -> None:
    result = TariffEngine.default().duty("8703.23.01.40", "JPN", "2026-12-01")
    payload = result.to_dict()
    assert payload["law_known_on"] == LAW_KNOWN_ON.isoformat()
    assert payload["stale_days"] == (dt.date(2026, 12, 1) - LAW_KNOWN_ON).days
    assert payload["scenario_hash"] is None
    with pytest.raises(InvalidDateError, match="strict"):
        parse_date("2026-12-01", strict=True)
    with pytest.raises(InvalidDateError, match="before the first covered date"):
        parse_date("2024-12-31")


def test_vnm_seats_scenario_adds_25_points_on_the_line(vnm_file: Path) -> None:
    base = TariffEngine.default()
    engine = TariffEngine.for_library(library_with_scenarios([vnm_file]))
    before = base.duty("9401.61.40.11", "VNM", "2026-10-01")
    after = engine.duty("9401.61.40.11", "VNM", "2026-10-01")
    assert after.total_rate_pct - before.total_rate_pct == pytest.approx(25.0, abs=1e-9)
    assert after.scenario_hash is not None and before.scenario_hash is None
    # Before the scenario's start date nothing changes.
    assert engine.duty("9401.61.40.11", "VNM", "2026-08-31").total_rate_pct == pytest.approx(
        base.duty("9401.61.40.11", "VNM", "2026-08-31").total_rate_pct
    )


def test_vnm_seats_scenario_raises_etr_by_25_times_the_9401_share(vnm_file: Path) -> None:
    imports = pd.read_parquet(embedded_path("us_imports_2024.parquet"))
    vnm = imports[imports["partner"].astype(str) == "VNM"]
    share = vnm.loc[vnm["hs10"].str.startswith("9401"), "imports_usd"].sum() / vnm["imports_usd"].sum()
    assert 0.01 < share < 0.2  # seats are a real part of Viet Nam's 2024 exports to the US
    engine = TariffEngine.for_library(library_with_scenarios([vnm_file]))
    before = etr_by_partner("2026-10-01", partner="VNM")["etr_pct"].iloc[0]
    after = etr_by_partner("2026-10-01", partner="VNM", engine=engine)["etr_pct"].iloc[0]
    assert after - before == pytest.approx(25.0 * share, rel=1e-9)


def test_engines_are_cached_by_library_hash(vnm_file: Path) -> None:
    first = TariffEngine.for_library(library_with_scenarios([vnm_file]))
    second = TariffEngine.for_library(library_with_scenarios([vnm_file]))
    assert first is second
    assert TariffEngine.for_library(load_library()) is TariffEngine.default()


def test_content_hash_ignores_formatting_but_not_content() -> None:
    one = parse_scenario(VNM_SEATS, "a.yaml")
    two = parse_scenario(
        "# a comment\n"
        + VNM_SEATS.replace("  rule: {kind: add, rate: 0.25}", "  rule:\n    kind: add\n    rate: 0.25"),
        "b.yaml",
    )
    three = parse_scenario(VNM_SEATS.replace("0.25}", "0.26}"), "c.yaml")
    assert one.content_hash == two.content_hash != three.content_hash


def test_end_extend_replace_rescale() -> None:
    library = load_library()
    extended = apply_scenarios(
        library, [parse_scenario("- {end: s122-surcharge-10, date: 2026-12-31}", "s122.yaml")]
    )
    # Proclamation 11012: 10% surcharge; ended 2026-07-24 in the library, extended by the scenario.
    assert extended.by_id("s122-surcharge-10").end == dt.date(2026, 12, 31)
    removed = apply_scenarios(
        library, [parse_scenario("- {end: s232-autos-japan-floor-15, date: 2025-01-01}", "x.yaml")]
    )
    with pytest.raises(KeyError):
        removed.by_id("s232-autos-japan-floor-15")
    rescaled = apply_scenarios(
        library, [parse_scenario("- {rescale: s122-surcharge-10, factor: 1.5, from: 2026-05-01}", "r.yaml")]
    )
    assert rescaled.by_id("s122-surcharge-10").end == dt.date(2026, 5, 1)
    later = rescaled.by_id("s122-surcharge-10-from-2026-05-01")
    assert later.rule.rate == pytest.approx(0.15) and later.start == dt.date(2026, 5, 1)
    replaced = apply_scenarios(
        library,
        [parse_scenario("- {replace: s122-surcharge-10, with: {rule: {kind: add, rate: 0.05}}}", "p.yaml")],
    )
    assert replaced.by_id("s122-surcharge-10").rule.rate == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            VNM_SEATS.replace("  note", "  nte").replace(
                "known_from: 2026-09-01", "known_from: 2026-09-01\n  colour: red"
            ),
            "bad.yaml: record 1 (scenario-vnm-9401-25): colour: Extra inputs",
        ),
        (
            "- {end: no-such-measure, date: 2026-12-31}",
            "bad.yaml: record 1 (no-such-measure): end: unknown measure id",
        ),
        ("- {end: s122-surcharge-10, date: 2026-13-01}", "bad.yaml: record 1 (s122-surcharge-10): date:"),
        (VNM_SEATS.replace("rate: 0.25", "rate: 7"), "bad.yaml: record 1 (scenario-vnm-9401-25): rule.rate:"),
        ("- {rescale: s122-surcharge-10, factor: 60}", "bad.yaml: record 1 (s122-surcharge-10): factor:"),
        ("[unclosed", "bad.yaml: line 1: malformed YAML"),
        ("- !!python/object/apply:os.system ['true']", "bad.yaml"),
    ],
)
def test_broken_scenarios_name_file_record_and_field(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as error:
        apply_scenarios(load_library(), [parse_scenario(text, "bad.yaml")])
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


def test_overlap_that_makes_a_layer_ambiguous_is_refused() -> None:
    s122 = load_library().by_id("s122-surcharge-10").model_dump(mode="json", exclude_none=True)
    clone = {**s122, "id": "s122-copy"}
    import yaml

    with pytest.raises(
        ScenarioError, match=r"^dup.yaml: record 1 \(s122-copy\): countries/start/end: contradictory"
    ):
        apply_scenarios(load_library(), [parse_scenario(yaml.safe_dump([clone]), "dup.yaml")])


def test_cli_stale_date_json_strict_and_broken_scenario(vnm_file: Path, tmp_path: Path) -> None:
    done = run_cli("duty", "8703.23.01.40", "--origin", "JPN", "--date", "2026-12-01", "--format", "json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["law_known_on"] == LAW_KNOWN_ON.isoformat() and payload["stale_days"] > 0
    strict = run_cli("duty", "8703.23.01.40", "--origin", "JPN", "--date", "2026-12-01", "--strict-dates")
    assert strict.returncode == 2 and strict.stderr.count("\n") == 1
    broken = tmp_path / "broken.yaml"
    broken.write_text("- {end: s122-surcharge-10, date: not-a-date}\n", encoding="utf-8")
    bad = run_cli("etr", "--date", "2026-10-01", "--scenario", str(broken))
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: broken.yaml: record 1 (s122-surcharge-10): date:")
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
