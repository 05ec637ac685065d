"""Shipment facts the aggregates cannot see: de minimis value, loading date, quota position, entry claims.

Expected values come from the texts cited beside them (see tests/policy/legal_cases/lawb.yaml for more).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run_cli
from tarifflab.errors import InvalidInputError, MeasureFileError
from tarifflab.policy.engine import TariffEngine
from tarifflab.policy.library import load_library, load_library_from
from tarifflab.policy.measures import InTransit
from tarifflab.policy.shipment import ShipmentTerms

TSHIRT = "6109.10.00.12"  # general rate 16.5%
CAR = "8703.23.01.40"  # general rate 2.5%


@pytest.fixture(scope="module")
def engine() -> TariffEngine:
    return TariffEngine.default()


@pytest.mark.parametrize(
    ("origin", "date", "value", "expected"),
    [
        ("VNM", "2025-06-01", 500.0, 0.0),  # 19 U.S.C. 1321: free of all duty before EO 14324
        ("VNM", "2025-06-01", 800.0, 0.0),  # "does not exceed $800": the threshold is inclusive
        ("VNM", "2025-06-01", 800.01, 26.5),  # above it: 16.5% general + 10% (9903.01.25)
        ("VNM", "2025-09-01", 500.0, 36.5),  # EO 14324: suspended for all from 2025-08-29; VNM 20%
        ("CHN", "2025-06-01", 500.0, 54.0),  # EO 14256: China ends 2025-05-02 (16.5+20+10+7.5)
        ("HKG", "2025-03-01", 300.0, 0.0),  # Hong Kong kept de minimis until 2025-05-02
    ],
)
def test_de_minimis(engine: TariffEngine, origin: str, date: str, value: float, expected: float) -> None:
    result = engine.duty(TSHIRT, origin, date, value_usd=value)
    assert result.total_rate_pct == pytest.approx(expected)
    if expected == 0.0:
        assert result.duty_usd == 0.0
        assert any(note.startswith("de minimis:") for note in result.notes)


def test_de_minimis_as_known_before_its_suspension_was_published(engine: TariffEngine) -> None:
    # EO 14324 was signed on 2025-07-30: as known on 2025-07-01, an entry of 2025-09-01 still had de minimis.
    known = engine.duty(TSHIRT, "VNM", "2025-09-01", value_usd=500, view="as-known", as_known_on="2025-07-01")
    assert known.total_rate_pct == 0.0


@pytest.mark.parametrize(
    ("loaded_on", "date", "expected"),
    [
        ("2025-08-01", "2025-09-01", 26.5),  # 9903.02.69 excepts goods loaded before 2025-08-07 ...
        ("2025-08-01", "2025-10-05", 36.5),  # ... and entered before 2025-10-05
        ("2025-08-07", "2025-09-01", 36.5),  # loaded on the cut-off day: no relief
        (None, "2025-09-01", 36.5),
    ],
)
def test_in_transit_eo14326(engine: TariffEngine, loaded_on: str | None, date: str, expected: float) -> None:
    assert engine.duty(TSHIRT, "VNM", date, loaded_on=loaded_on).total_rate_pct == pytest.approx(expected)


def test_in_transit_is_data_on_the_measure() -> None:
    clauses = {m.id: m.in_transit for m in load_library().measures if m.in_transit is not None}
    assert clauses["s122-surcharge-10"] == InTransit(
        loaded_before="2026-02-24",
        entered_before="2026-02-28",
        legal_basis=clauses["s122-surcharge-10"].legal_basis,
    )
    assert clauses["ieepa-brazil-40"].loaded_before.isoformat() == "2025-08-06"
    assert clauses["s301-forced-labor-vnm"].entered_before.isoformat() == "2026-07-28"  # type: ignore[union-attr]


def test_loading_after_entry_is_refused(engine: TariffEngine) -> None:
    with pytest.raises(InvalidInputError, match="after the entry date"):
        engine.duty(TSHIRT, "VNM", "2025-09-01", loaded_on="2025-09-02")


def test_unknown_claim_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="unknown entry claim"):
        ShipmentTerms(claims=frozenset({"diplomatic"}))


def test_uk_quota(engine: TariffEngine) -> None:
    within = engine.duty(CAR, "GBR", "2025-09-01")
    above = engine.duty(CAR, "GBR", "2025-09-01", over_quota=True)
    assert within.total_rate_pct == pytest.approx(10.0)  # 9903.94.31: 10% all-in
    assert above.total_rate_pct == pytest.approx(27.5)  # 9903.94.32 -> 9903.94.01 25% + 2.5%
    assert any("100,000 vehicles" in note for note in above.notes)
    # UK auto parts have no quota: the option changes nothing and says so.
    part = engine.duty("8708.29.25.00", "GBR", "2025-09-01", over_quota=True)
    assert part.total_rate_pct == pytest.approx(
        engine.duty("8708.29.25.00", "GBR", "2025-09-01").total_rate_pct
    )
    assert any("no quota applies" in note for note in part.notes)


def test_civil_aircraft_claim_only_widens_the_listed_subheadings(engine: TariffEngine) -> None:
    assert engine.duty("8411.12.80.00", "GBR", "2025-09-01").total_rate_pct == pytest.approx(10.0)
    assert engine.duty("8411.12.80.00", "GBR", "2025-09-01", civil_aircraft=True).total_rate_pct == 0.0
    # A T-shirt is not in U.S. note 35(a): the claim changes nothing.
    assert engine.duty(TSHIRT, "GBR", "2025-09-01", civil_aircraft=True).total_rate_pct == pytest.approx(26.5)


def test_s301_exclusions_lapse_with_their_heading() -> None:
    library = load_library()
    versions = library.definitions["s301_exclusions_list_4a"].versions
    assert [(v.start.isoformat(), v.end.isoformat() if v.end else None) for v in versions] == [
        ("2024-06-15", "2026-11-10")  # 9903.88.69: "through November 9, 2026" (90 FR 55232)
    ]


def test_scope_with_an_unknown_member_is_refused(tmp_path: Path) -> None:
    (tmp_path / "scopes.yaml").write_text(
        "x:\n  legal_basis: test\n  union: [no_such_scope]\n", encoding="utf-8"
    )
    (tmp_path / "m.yaml").write_text("[]\n", encoding="utf-8")
    with pytest.raises(MeasureFileError, match="unknown member scope 'no_such_scope'"):
        load_library_from(tmp_path)


def test_cli_options_reach_the_engine() -> None:
    done = run_cli(
        "duty",
        TSHIRT,
        "--origin",
        "VNM",
        "--date",
        "2025-09-01",
        "--loaded-on",
        "2025-08-01",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total_rate_pct"] == pytest.approx(26.5)
    quota = run_cli(
        "duty", CAR, "--origin", "GBR", "--date", "2025-09-01", "--over-quota", "--format", "json"
    )
    assert json.loads(quota.stdout)["total_rate_pct"] == pytest.approx(27.5)
    low = run_cli("duty", TSHIRT, "--origin", "VNM", "--date", "2025-06-01", "--value", "500")
    assert low.returncode == 0 and "de minimis" in low.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--loaded-on", "2025-13-01"], "malformed loading date"),
        (["--loaded-on", "2025-10-02"], "after the entry date"),
        (["--value", "nan"], "non-negative number"),
        (["--value", "-1"], "non-negative number"),
    ],
)
def test_cli_bad_shipment_values_one_line_exit_2(extra: list[str], message: str) -> None:
    done = run_cli("duty", TSHIRT, "--origin", "VNM", "--date", "2025-10-01", *extra)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "Traceback" not in done.stderr


def test_uk_quota_coverage_of_2024_imports() -> None:
    import pandas as pd

    from tarifflab.data.embedded import embedded_path
    from tarifflab.metrics.quota import UK_CAR_AVERAGE_UNIT_VALUE_USD, quota_coverage

    trade = pd.read_parquet(embedded_path("us_imports_2024.parquet"))
    uk = trade[trade["partner"].astype(str) == "GBR"]
    # Proclamation 10908 Annex: passenger vehicles (8703) and light trucks (8704.21, .31, .41, .51).
    cars = uk[uk["hs10"].str.match(r"^(8703|870421|870431|870441|870451)")]["imports_usd"].sum()
    coverage = quota_coverage()
    assert coverage.imports_usd == pytest.approx(cars)
    assert coverage.share == pytest.approx(min(1.0, 100_000 * UK_CAR_AVERAGE_UNIT_VALUE_USD / cars))
    assert 0.9 < coverage.share < 1.0  # about 105,000 cars a year against a quota of 100,000
    assert quota_coverage(average_unit_value_usd=1e9).share == 1.0
    with pytest.raises(InvalidInputError):
        quota_coverage(units=0)
