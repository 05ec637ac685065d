"""Negotiation packages as tariff-engine scenarios: `negotiate scenario` writes a file with which
`tarifflab duty --scenario` reports the duty the package states.

Expected duties come from the deal texts and proclamations the deal record cites
(negotiation/deals/deals_2025_2026.yaml), not from our own output:

* Japan, July 2025 deal: cars 15% all-in (EO 14345 of 2025-09-04; HTSUS 9903.94.40/.41), i.e. max(MFN, 15%);
  8703.23.01.40's MFN is 2.5% (HTSUS column 1), so 15%.
* Japan, the July 7 2025 letter's no-deal: cars stay under s.232 at 25% on top of MFN (Proclamation 10908,
  HTSUS 9903.94.01): 2.5% + 25% = 27.5%; other goods MFN + 25% (the letter's rate).
* Korea, no deal (the threat of the July 7 letter): cars 25% s.232 (Proclamation 10908) on top of the KORUS
  rate of 0% (HTSUS General Note 33): 25%.
* Switzerland, the 2025-11-14 framework: cumulative MFN + reciprocal not above 15%, an all-in 15% on goods
  outside s.232 (as for the EU); the toy line 9503.00.00.90's MFN is free (HTSUS column 1), so 15%. The framework caps no s.232 auto duty
  (the record lists no autos cap), so Swiss cars keep Proclamation 10908's 25% on top of the 2.5% MFN: 27.5%.
* Japan after the ruling (package ``after_scotus_2026``): cars stay at EO 14345's 15% all-in (HTSUS
  9903.94.40), other goods pay the s.122 10% surcharge (Proclamation of 2026-02-20) on top of MFN.
* Korea, the November 2025 joint fact sheet (FR notice of the auto rate, retroactive to 2025-11-01): cars and
  parts 15% all-in; KORUS 0%, so 15%; other goods 15% all-in.
* UK, Proclamation 10949 (HTSUS 9903.94.31): cars within the 100,000 quota at 10% all-in (7.5% + 2.5% MFN);
  other goods the EO 14257 baseline 10% on top of MFN.
* EU, package ``eo14326_15_all_in``: EO 14326's 15% all-in on goods, cars "as in the annex package", i.e.
  Proclamation 10908's 25% on top of the 2.5% MFN (27.5%; the EU's 15% auto cap came later).

The goods line is the toy 9503.00.00.90 (MFN free), on none of the exemption or civil-aircraft lists of
HTSUS notes 2(v), 2(aa) and 52(b)-(d) (9031.80.80.85, used before, is on the civil-aircraft list of note
52(d)). The law's column on 2026-10-01 is the Section 301 forced-labour action (91 FR 47318, HTSUS U.S.
note 52, from 2026-07-24), which a package's headline rate replaces: Japan 12.5% inclusive of the column 1
rate (9903.05.48/.49, note 52(k)), Switzerland 12.5% inclusive (9903.05.73/.74), the EU 10% inclusive
(9903.05.38/.39), the UK 10% (9903.05.81); on a free-MFN line each is its rate.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tarifflab.cli.main import run
from tarifflab.negotiation.levers import get_pair
from tarifflab.negotiation.packages import get_package
from tarifflab.policy.library import load_library
from tarifflab.policy.scenario import library_with_scenarios
from tarifflab.studies.negotiation_levers import us_levers_on
from tarifflab.studies.package_scenarios import US_LEVERS, apply_package, package_scenario_records


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        run(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def duty_pct(capsys: pytest.CaptureFixture[str], code: str, origin: str, date: str, *extra: str) -> float:
    status, out, err = call(
        capsys, "duty", code, "--origin", origin, "--date", date, "--format", "json", *extra
    )
    assert status == 0, err
    return float(json.loads(out)["total_rate_pct"])


def write(capsys: pytest.CaptureFixture[str], tmp_path: Path, pair: str, package: str, date: str) -> Path:
    target = tmp_path / f"{pair}-{package}-{date}.yaml"
    status, _, err = call(
        capsys, "negotiate", "scenario", pair, "--package", package, "--date", date, "-o", str(target)
    )
    assert status == 0, err
    return target


CASES = [
    # pair, package, date, HTS10, origin, expected total %, the law's total % that day (so the file matters)
    ("us-japan", "july_2025_deal", "2025-08-20", "8703230140", "JPN", 15.0, 27.5),
    ("us-japan", "no_deal_july_letter", "2026-10-01", "8703230140", "JPN", 27.5, 15.0),
    ("us-korea", "record_threat", "2026-10-01", "8703230140", "KOR", 25.0, 15.0),
    ("us-switzerland", "record_deal", "2026-10-01", "9503000090", "CHE", 15.0, 12.5),
    # each package's cars under its own auto rule (one all-in switch for goods and cars wrote 25%, 17.5%,
    # 12.5% and 25% here)
    ("us-switzerland", "record_deal", "2026-10-01", "8703230140", "CHE", 27.5, 27.5),
    ("us-japan", "after_scotus_2026", "2026-10-01", "8703230140", "JPN", 15.0, 15.0),
    ("us-japan", "after_scotus_2026", "2026-10-01", "9503000090", "JPN", 10.0, 12.5),
    # the UK before Proclamation 10949 took effect (2025-06-30): the law's cars pay Proclamation 10908's 25%
    # on top of the 2.5% MFN; on 2026-10-01 the law already is the deal (test_uk_deal_is_the_law_after_...)
    ("us-uk", "record_deal", "2025-06-15", "8703230140", "GBR", 10.0, 27.5),
    ("us-uk", "record_deal", "2025-06-15", "9503000090", "GBR", 10.0, 10.0),
    ("us-eu", "eo14326_15_all_in", "2025-08-20", "8703230140", "DEU", 27.5, 15.0),
    ("us-eu", "eo14326_15_all_in", "2025-08-20", "9503000090", "DEU", 15.0, 15.0),
    ("us-korea", "record_deal", "2025-10-01", "8703230140", "KOR", 15.0, 25.0),
    ("us-korea", "record_deal", "2025-10-01", "9503000090", "KOR", 15.0, 15.0),
    ("us-eu", "record_deal", "2026-10-01", "8703230140", "DEU", 15.0, 15.0),
    ("us-eu", "record_deal", "2026-10-01", "9503000090", "DEU", 15.0, 10.0),
    # Taiwan's arrangement caps s.232 auto PARTS at 15% all-in (U.S. note 33(u), 9903.94.66-.69, from
    # 2026-05-01), not cars: cars keep Proclamation 10908's 25% on top of the 2.5% MFN (the record's cap
    # counted as an autos cap wrote Taiwanese cars at 15%); a tyre (4% MFN) pays 15% (9903.94.67)
    ("us-twn", "record_deal", "2026-10-01", "8703230140", "TWN", 27.5, 27.5),
    ("us-twn", "record_deal", "2026-10-01", "4011101010", "TWN", 15.0, 15.0),
]


@pytest.mark.parametrize(("pair", "package", "date", "code", "origin", "expected", "law"), CASES)
def test_written_scenario_gives_the_package_duty(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    pair: str,
    package: str,
    date: str,
    code: str,
    origin: str,
    expected: float,
    law: float | None,
) -> None:
    path = write(capsys, tmp_path, pair, package, date)
    # 0.01 points: the applied MFN basis takes the 2024 duty actually collected (KORUS: 0.004%)
    assert duty_pct(capsys, code, origin, date, "--scenario", str(path)) == pytest.approx(expected, abs=0.01)
    if law is not None:
        assert duty_pct(capsys, code, origin, date) == pytest.approx(law, abs=0.01)


def test_no_deal_letter_rate_on_other_japanese_goods(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The July 7 letter: 25% on top of MFN on goods outside s.232 (a free-MFN toy line), in place of the
    forced-labour action's 12.5% all-in (note 52(k)), not on top of it."""
    path = write(capsys, tmp_path, "us-japan", "no_deal_july_letter", "2026-10-01")
    assert duty_pct(capsys, "9503000090", "JPN", "2026-10-01", "--scenario", str(path)) == pytest.approx(
        25.0, abs=0.01
    )


def test_other_partners_keep_the_law(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(capsys, tmp_path, "us-korea", "record_threat", "2026-10-01")
    for origin in ("JPN", "DEU"):
        with_file = duty_pct(capsys, "8703230140", origin, "2026-10-01", "--scenario", str(path))
        assert with_file == duty_pct(capsys, "8703230140", origin, "2026-10-01")


@pytest.mark.parametrize(
    ("pair", "package", "date"),
    [
        ("us-japan", "july_2025_deal", "2025-08-20"),
        ("us-japan", "status_quo_2024", "2025-10-01"),
        ("us-eu", "status_quo_2024", "2025-10-01"),
        ("us-korea", "record_deal", "2026-10-01"),
        ("us-uk", "status_quo_2024", "2026-10-01"),
        # the forced-labour action is the headline measure that day (note 52): the package replaces it
        ("us-switzerland", "record_deal", "2026-10-01"),
        ("us-eu", "record_deal", "2026-10-01"),
        ("us-japan", "no_deal_july_letter", "2026-10-01"),
    ],
)
def test_levers_read_back_from_the_scenario(pair: str, package: str, date: str) -> None:
    """The inverse direction (studies.negotiation_levers) reads the package's levers off the new law."""
    p = get_pair(pair)
    levers = {k: get_package(p, package).levers[k] for k in US_LEVERS}
    on = dt.date.fromisoformat(date)
    library = load_library()
    records = package_scenario_records(library, p.partner, levers, on)
    assert us_levers_on(apply_package(library, records), p.partner, on) == levers


@pytest.mark.parametrize(
    ("partner", "date", "rate", "all_in"),
    [
        # HTSUS U.S. note 52 (91 FR 47318), from 2026-07-24: 9903.05.73/.74 Switzerland and 9903.05.48/.49
        # Japan 12.5% inclusive of the column 1 rate (note 52(k)), 9903.05.38/.39 EU 10% inclusive,
        # 9903.05.81 UK 10% on top of the column 1 rate
        ("CHE", "2026-10-01", 0.125, 1.0),
        ("JPN", "2026-10-01", 0.125, 1.0),
        ("EUN", "2026-10-01", 0.10, 1.0),
        ("GBR", "2026-10-01", 0.10, 0.0),
        # Proclamation 11012 (HTSUS 9903.03.01): the s.122 10% on top of MFN, 2026-02-24 to 2026-07-23
        ("CHE", "2026-05-01", 0.10, 0.0),
    ],
)
def test_headline_lever_reads_the_successor_measures(
    partner: str, date: str, rate: float, all_in: float
) -> None:
    levers = us_levers_on(load_library(), partner, dt.date.fromisoformat(date))
    assert levers["us_reciprocal_rate"] == pytest.approx(rate)
    assert levers["us_all_in_rule"] == all_in


def test_nothing_to_write_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """On 2026-10-01 the law already has Japan's cars at 15% all-in and no reciprocal layer; a package
    equal to the law (its levers read from the law) has nothing to write."""
    status, out, err = call(
        capsys, "negotiate", "scenario", "us-japan", "--package", "law:2026-10-01", "--date", "2026-10-01"
    )
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "no scenario to write" in err


def test_uk_deal_is_the_law_after_the_forced_labour_action(capsys: pytest.CaptureFixture[str]) -> None:
    """On 2026-10-01 the UK's goods pay the forced-labour action's 10% on top of MFN (HTSUS 9903.05.81), the
    deal's 10% (EO 14257 baseline kept by the May 2025 deal), and cars Proclamation 10949's 10% all-in in
    quota: the package is the law, so there is nothing to write (and no 10% stacked on the action's 10%)."""
    status, out, err = call(
        capsys, "negotiate", "scenario", "us-uk", "--package", "record_deal", "--date", "2026-10-01"
    )
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "no scenario to write" in err


def test_scenario_over_another_scenario(tmp_path: Path) -> None:
    """The package applies over scenario files given first (their hash is in the header)."""
    p = get_pair("us-japan")
    levers = {k: get_package(p, "no_deal_july_letter").levers[k] for k in US_LEVERS}
    on = dt.date(2026, 10, 1)
    first = tmp_path / "first.yaml"
    first.write_text("- {end: s232-autos-japan-floor-15, date: 2026-09-01}\n", encoding="utf-8")
    library = library_with_scenarios([first])
    records = package_scenario_records(library, "JPN", levers, on)
    assert us_levers_on(apply_package(library, records), "JPN", on) == levers


def test_engine_input_rereads_an_edited_scenario_file(tmp_path: Path) -> None:
    from tarifflab.studies.package_scenarios import EngineUsTariffs

    file = tmp_path / "what-if.yaml"
    file.write_text("- {rescale: s232-autos, factor: 0.4}\n", encoding="utf-8")
    source = EngineUsTariffs(("USA", "JPN"), ("motor_vehicles",), dt.date(2026, 10, 1), (file,))
    first = source.base_scenario_hash
    file.write_text("- {rescale: s232-autos, factor: 0.8}\n", encoding="utf-8")
    assert first and source.base_scenario_hash and source.base_scenario_hash != first


@pytest.mark.parametrize(("date", "refundable"), [("2026-10-01", 0.0), ("2025-10-01", 15.0)])
def test_package_rate_after_the_ruling_is_not_ieepa(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, date: str, refundable: float
) -> None:
    """Learning Resources, Inc. v. Trump (2026-02-20): IEEPA authorises no tariffs, so IEEPA duties are
    refundable. A package's 15% written for a later date rests on a hypothetical authority and is due;
    written for a date before the ruling it is the IEEPA rate of the time, refundable like the law's."""
    path = write(capsys, tmp_path, "us-japan", "july_2025_deal", date)
    status, out, err = call(
        capsys, "duty", "9503000090", "--origin", "JPN", "--date", date, "--format", "json",
        "--scenario", str(path),
    )  # fmt: skip
    assert status == 0, err
    result = json.loads(out)
    assert result["total_rate_pct"] == pytest.approx(15.0)  # EO 14345: 15% all-in, MFN free
    assert result["refundable_pct"] == pytest.approx(refundable)
    (reciprocal,) = [layer for layer in result["layers"] if layer["layer"] == "reciprocal"]
    hypothetical = reciprocal["instrument"].startswith("negotiated package (hypothetical)")
    assert hypothetical == (date >= "2026-02-20")
