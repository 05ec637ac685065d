"""The record of the 2025–2026 framework deals: coverage, sources, links to the engine, validation errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tarifflab.errors import DealRecordError
from tarifflab.negotiation.deals import default_path, get_deal, load_deals

# issue 16, "The deal record": the partners with a 2025–2026 framework
PARTNERS = {
    "GBR", "VNM", "IDN", "PHL", "JPN", "EUN", "KOR", "THA", "KHM", "MYS", "CHE", "TWN", "IND", "CHN",
    "ARG", "ECU", "GTM", "SLV",
}  # fmt: skip


def test_every_partner_is_recorded_once() -> None:
    deals = load_deals()
    assert {d.iso3 for d in deals} == PARTNERS
    assert len(deals) == len(PARTNERS)


def test_every_value_has_a_source_or_a_note() -> None:
    for deal in load_deals():
        for field in ("annex_i", "letter", "rate_before", "threat", "investment"):
            item = getattr(deal, field)
            assert (item.value is not None and item.source) or (item.value is None and item.note), (
                deal.iso3,
                field,
            )
        assert deal.agreed.source
        assert all(p.source for p in deal.purchases) and all(c.source for c in deal.market_access)


def test_engine_measures_exist_in_the_library() -> None:
    from tarifflab.policy.library import load_library

    known = {m.id for m in load_library().measures}
    for deal in load_deals():
        missing = [m for m in deal.engine_measures if m not in known]
        assert not missing, (deal.iso3, missing)
        for item in (deal.annex_i, deal.rate_before, deal.threat):
            if item.source and item.source.startswith("engine:"):
                assert item.source.removeprefix("engine:") in known


def test_annex_i_and_august_rates_match_the_reference_tables(reference_data: Path) -> None:
    # EO 14257 Annex I and the EO 14326 table as published with tradewartracker/trade-war-redux-2025
    lists = reference_data / "tariffs" / "tradewartracker__trade-war-redux-2025" / "tariff-lists"
    names = {
        "GBR": "United Kingdom", "VNM": "Vietnam", "IDN": "Indonesia", "PHL": "Philippines", "JPN": "Japan",
        "EUN": "European Union", "KOR": "South Korea", "THA": "Thailand", "KHM": "Cambodia", "MYS": "Malaysia",
        "CHE": "Switzerland", "TWN": "Taiwan", "IND": "India", "ECU": "Ecuador",
    }  # fmt: skip
    with (lists / "reciprocal-tariffs-annex-I.csv").open(encoding="utf-8") as fh:
        annex = {row["CTY_NAME"]: float(row["tariff_rate"]) for row in csv.DictReader(fh)}
    with (lists / "clean-august-7-tariffs.csv").open(encoding="utf-8") as fh:
        august = {row["country_name"]: float(row["rtariff-aug"]) for row in csv.DictReader(fh)}
    for deal in load_deals():
        if deal.iso3 not in names:
            continue
        name = names[deal.iso3]
        if deal.annex_i.source == "tariff-lists/reciprocal-tariffs-annex-I.csv":
            assert deal.annex_i.value == annex[name], deal.iso3
        else:
            assert name not in annex, deal.iso3
        for item in (deal.rate_before, deal.threat):
            if item.source == "tariff-lists/clean-august-7-tariffs.csv":
                assert item.value == august[name.upper()], deal.iso3


def test_us_imports_match_census(reference_data: Path) -> None:
    # US Census Bureau goods trade by partner (djhshih/tariff data/country.csv), IYR 2024, million USD
    path = reference_data / "census" / "djhshih__tariff" / "data" / "country.csv"
    with path.open(encoding="utf-8") as fh:
        imports = {
            row["CTY_CODE"]: float(row["IYR"]) / 1000 for row in csv.DictReader(fh) if row["year"] == "2024"
        }
    for deal in load_deals():
        code = deal.us_imports_2024.note.split("CTY_CODE ")[1].rstrip(")")
        assert deal.us_imports_usd_bn == pytest.approx(imports[code], abs=0.001), deal.iso3


def test_get_deal_by_pair_and_unknown_partner() -> None:
    japan = get_deal("us-japan")
    # EO 14345 (90 FR, 2025-09-09): max(MFN, 15%); July 7 letter: 25%
    assert (japan.agreed_rate_pct, japan.agreed.all_in, japan.threat_rate_pct) == (15.0, True, 25.0)
    with pytest.raises(DealRecordError, match="no recorded deal"):
        get_deal("BRA")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = default_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "deals.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_broken_record_fails_with_one_line_naming_file_record_and_field(tmp_path: Path) -> None:
    # a value without a source
    path = _broken(
        tmp_path,
        'investment: {value: 550, source: "https://www.stlouisfed.org/on-the-economy/2025/nov/analyzing-japan-550-billion-pledge-invest-us"}',
        "investment: {value: 550}",
    )
    with pytest.raises(DealRecordError) as err:
        load_deals(path)
    message = str(err.value)
    assert message.count("\n") == 0
    assert str(path) in message and "record 4 (Japan)" in message and "field investment" in message
    # an unknown field (extra=forbid)
    path = _broken(
        tmp_path, "    engine_measures: [ieepa-eo14326-idn]", "    engine_measure: [ieepa-eo14326-idn]"
    )
    with pytest.raises(DealRecordError, match=r"record 2 \(Indonesia\), field engine_measure"):
        load_deals(path)
    # a source that is not a URL, a reference path or an engine measure
    path = _broken(
        tmp_path, 'source: "https://www.channelnewsasia.com/world/', 'source: "channelnewsasia/world/'
    )
    with pytest.raises(DealRecordError, match=r"Philippines.*must be a URL"):
        load_deals(path)


def test_cli_deal_record_error_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tarifflab.cli.main import run

    path = _broken(
        tmp_path,
        "    agreed: {value: 19, all_in: false, source:",
        "    agreed: {value: -19, all_in: false, source:",
    )
    with pytest.raises(SystemExit) as done:
        run(["negotiate", "deals", "--record", str(path)])
    _, err = capsys.readouterr()
    assert done.value.code == 2 and err.strip().count("\n") == 0 and "field agreed.value" in err


def test_record_packages_follow_the_record() -> None:
    from tarifflab.negotiation.levers import get_pair
    from tarifflab.negotiation.packages import builtin_packages, get_package

    korea = get_pair("us-korea")
    packages = builtin_packages(korea)
    # Korea: July 7 letter 25%; joint fact sheet of 2025-11-13: 15% all-in, autos 15%, $350bn
    assert packages["record_threat"].levers["us_reciprocal_rate"] == 0.25
    deal = packages["record_deal"].levers
    assert (deal["us_reciprocal_rate"], deal["us_all_in_rule"], deal["us_auto_rate"]) == (0.15, 1.0, 0.15)
    assert deal["investment_pledge_usd_bn"] == 350.0
    assert get_package(korea, "record_deal").levers == deal
    # China's threat (130%) exceeds the lever's range: clipped, and the description says so
    china = builtin_packages(get_pair("us-china"))["record_threat"]
    assert china.levers["us_reciprocal_rate"] == 0.5 and "clipped" in china.description
    # a pair without a recorded deal has no record packages
    assert "record_deal" not in builtin_packages(get_pair("us-canada"))
