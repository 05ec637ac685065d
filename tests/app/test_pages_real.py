"""Every page under AppTest with the real back ends and the embedded default data."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import tarifflab.app as app_package
from tarifflab.app import services

APP = str(Path(app_package.__file__).resolve().parent / "streamlit_app.py")


def page(name: str) -> AppTest:
    at = AppTest.from_string(
        f"from tarifflab.app.views import {name}\n{name}.render()\n", default_timeout=120
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> str:
    return " | ".join(e.value for e in at.error)


def warnings(at: AppTest) -> str:
    return " | ".join(w.value for w in at.warning)


def test_whole_app_opens_on_the_timeline() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert at.title[0].value == "US–Japan tariffs, 2025–2026"


def test_timeline_real() -> None:
    at = page("timeline")
    # The timeline runs to today, past the library's date, so the one warning allowed is the staleness banner.
    others = [w.value for w in at.warning if "later actions are not in the library" not in w.value]
    assert not others, others
    shown = int(at.subheader[0].value.split()[0])
    assert shown >= 20  # the library's measures reaching Japan alone are more than 20
    at.text_input(key="tl_start").set_value("2026-01-01").run()
    assert int(at.subheader[0].value.split()[0]) < shown


def test_duty_lookup_real_japanese_car_after_the_deal() -> None:
    at = page("duty")
    at.button(key="duty_submit").click().run()
    assert not at.exception and not at.error, errors(at)
    metrics = {m.label: m.value for m in at.metric}
    # EO 14345 (90 FR 44142): Japanese passenger vehicles pay 15% all-in from 2025-09-16.
    assert metrics["Total rate"] == "15.00%"
    assert metrics["Duty"] == "$1,500.00"
    layers = at.dataframe[-1].value
    assert layers["legal_basis"].str.contains("EO 14345").any()


def test_duty_lookup_real_as_known_before_the_auto_order() -> None:
    at = page("duty")
    at.text_input(key="duty_date").set_value("2025-08-20")
    at.text_input(key="duty_known").set_value("2025-08-20")
    at.button(key="duty_submit").click().run()
    assert not at.error, errors(at)
    totals = [m.value for m in at.metric if m.label == "Total rate"]
    # On 2025-08-20 the law as then known still charged 2.5% MFN + 25% S232 on Japanese cars (27.5%,
    # timeline.csv 2025-04-03); EO 14345 later cut autos to 15% only from 2025-09-16, so both views agree.
    assert totals == ["27.50%", "27.50%"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("duty_hts", "12", "HTS"),
        ("duty_origin", "Narnia", "unknown country"),
        ("duty_date", "2024-12-31", "before the first covered date"),  # later dates get a banner instead
    ],
)
def test_duty_lookup_real_bad_input(key: str, value: str, message: str) -> None:
    at = page("duty")
    at.text_input(key=key).set_value(value)
    at.button(key="duty_submit").click().run()
    assert not at.exception
    assert message in errors(at)


def test_etr_explorer_real() -> None:
    at = page("etr")
    assert not at.error and not at.warning, errors(at) + warnings(at)
    metrics = {m.label: float(m.value.rstrip("%")) for m in at.metric}
    assert 0 < metrics["Japan"] < metrics["All partners"] < 100
    at.selectbox(key="etr_scheme").set_value("gtap").run()
    assert not at.error, errors(at)


def test_sources_real() -> None:
    at = page("sources")
    assert not at.warning, warnings(at)
    files = at.dataframe[0].value
    assert "us_imports_2024.parquet" in set(files["file"])
    assert len(at.dataframe[1].value) == len(services.measures())
    at.text_input(key="src_filter").set_value("hts_products").run()
    assert list(at.dataframe[0].value["file"]) == ["hts_products.parquet"]


def test_scenario_lab_real_one_sector_liberation_day() -> None:
    at = page("scenario")
    assert at.selectbox(key="sc_preset").value == "liberation-day"
    at.button(key="sc_run").click().run()
    assert not at.error and not at.warning, errors(at) + warnings(at)
    metrics = {m.label: m.value for m in at.metric}
    # Ignatenko, Lashkaripour, Macedoni & Simonovska (2025), JIE 157, Table 1 case 1: US welfare +1.13%.
    assert round(float(metrics["Welfare change, United States"].rstrip("%")), 2) == 1.13
    assert float(metrics["Welfare change, Japan"].rstrip("%")) < 0  # same table: Japan loses


def test_scenario_lab_real_tariffs_from_a_date_with_edits_and_bands() -> None:
    at = page("scenario")
    at.radio(key="sc_source").set_value("date").run()
    at.text_input(key="sc_date").set_value("2025-09-16")
    at.text_area(key="sc_edits").set_value("JPN = 25")
    at.checkbox(key="sc_unc").check()
    at.button(key="sc_run").click().run()
    assert not at.error, errors(at)
    welfare = at.dataframe[0].value.set_index("country")
    low, mid, high = welfare.loc["JPN", ["welfare_low_pct", "welfare_pct", "welfare_high_pct"]]
    assert low <= mid <= high and low < high
    at.text_area(key="sc_edits").set_value("Atlantis = 5").run()
    assert "unknown country" in errors(at)


def test_negotiation_real() -> None:
    at = page("negotiation")
    assert not at.error and not at.warning, errors(at) + warnings(at)
    money = at.dataframe[0].value.set_index(["measure", "side"])
    # the pledge alone transfers 550 × 0.5 × 5 % = 13.75 USD bn a year from Japan (docs/negotiation.md §3),
    # so the July deal's equivalent variation for Japan lies below −13.75 against the status quo
    assert money.loc[("equivalent variation, USD bn a year", "JPN"), "package"] < -13.75
    points = at.dataframe[-1].value.set_index("point")
    assert {"disagreement", "Nash", "Kalai-Smorodinsky", "Rubinstein", "actual deal"} <= set(points.index)
    before = points.loc["Nash (US power α)", "us"]
    at.slider(key="neg_power").set_value(0.9).run()
    after = at.dataframe[-1].value.set_index("point").loc["Nash (US power α)", "us"]
    assert after >= before  # more US bargaining power never lowers the US payoff of the asymmetric Nash point


def test_duty_lookup_real_usmca_qualifying_mexican_car() -> None:
    at = page("duty")
    at.text_input(key="duty_origin").set_value("MEX")
    at.text_input(key="duty_date").set_value("2025-06-01")
    at.button(key="duty_submit").click().run()
    not_qualifying = {m.label: m.value for m in at.metric}["Total rate"]
    at.checkbox(key="duty_usmca").check()
    at.button(key="duty_submit").click().run()
    assert not at.error, errors(at)
    qualifying = {m.label: m.value for m in at.metric}["Total rate"]
    # timeline.csv 2025-03-26 (Proclamation 10908): 2.5% MFN + 25% S232 on cars = 27.5%; a
    # USMCA-qualifying car enters duty-free under the agreement (no MFN) but still pays the 25% S232.
    assert (not_qualifying, qualifying) == ("27.50%", "25.00%")


def test_negotiation_real_your_package_and_out_of_range_lever() -> None:
    at = page("negotiation")
    at.toggle(key="neg_own").set_value(True).run()
    points = at.dataframe[-1].value.set_index("point")
    # the levers start at the July 2025 deal, so "your package" is the actual deal's point
    assert points.loc["your package", "us"] == pytest.approx(points.loc["actual deal", "us"])
    at.number_input(key="neg_lever_us_auto_rate").set_value(0.9).run()
    assert "outside its range" in errors(at)
    assert not at.exception


def test_scenario_lab_real_multi_sector_with_sector_table() -> None:
    at = page("scenario")
    at.radio(key="sc_model").set_value("multi-sector").run()
    assert at.selectbox(key="sc_preset").value == "liberation-day"
    at.button(key="sc_run").click().run()
    assert not at.error, errors(at)
    sectors = at.dataframe[-1].value
    assert set(sectors["country"]) == {"USA", "JPN"}
    assert {"sector", "output_pct"} <= set(sectors.columns)
    assert any(s.value == "Sectors (USA and Japan)" for s in at.subheader)


def test_negotiation_real_what_would_it_take() -> None:
    at = page("negotiation")
    at.radio(key="neg_q_mode").set_value("What would it take?").run()
    assert not at.error, errors(at)
    answer = at.dataframe[0].value.set_index("side")
    # the US accepts only packages at least as good as its no-deal payoff
    assert answer.loc["USA", "payoff_usd_bn"] >= answer.loc["USA", "reservation_usd_bn"] - 1e-9
    assert "us_auto_rate=0.1" in answer.loc["JPN", "package"]


def test_duty_lookup_real_answer_for_all_lines_of_a_subheading() -> None:
    at = page("duty")
    at.text_input(key="duty_hts").set_value("8703.23.01")
    at.button(key="duty_all_submit").click().run()
    assert not at.exception and not at.error, errors(at)
    lines = at.dataframe[-1].value
    assert len(lines) >= 2  # 8703.23.01 has several statistical suffixes (HTSUS 2025, chapter 87)
    assert lines["hts"].str.replace(".", "", regex=False).str.startswith("87032301").all()
    # EO 14345 (90 FR 44142): every Japanese passenger vehicle pays 15% all-in from 2025-09-16.
    assert (lines["total_rate_pct"].round(2) == 15.0).all()
    assert (lines["duty_usd"].round(2) == 1_500.0).all()  # 15% of the default customs value of $10,000
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lowest total rate"] == metrics["Highest total rate"] == "15.00%"
    # the result stays on screen across reruns; Look up returns to one line
    at.run()
    assert len(at.dataframe[-1].value) == len(lines)
    at.text_input(key="duty_hts").set_value("8703.23.01.90")
    at.button(key="duty_submit").click().run()
    assert {m.label: m.value for m in at.metric}["Total rate"] == "15.00%"


def test_duty_lookup_real_all_lines_of_an_unknown_code_is_one_error_line() -> None:
    at = page("duty")
    at.text_input(key="duty_hts").set_value("9999.99")
    at.button(key="duty_all_submit").click().run()
    assert not at.exception
    assert "unknown HTS code" in errors(at)
