"""Every page under Streamlit's AppTest with in-test fake back ends: content, interactions, inline errors."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tarifflab.app import services
from tarifflab.errors import BackendUnavailableError

pytestmark = pytest.mark.usefixtures("fake_backends")


def page(name: str) -> AppTest:
    at = AppTest.from_string(f"from tarifflab.app.views import {name}\n{name}.render()\n", default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> str:
    return " | ".join(e.value for e in at.error)


def texts(at: AppTest) -> str:
    return " | ".join(str(m.value) for m in [*at.markdown, *at.subheader, *at.caption, *at.warning])


def test_timeline_filters_events() -> None:
    at = page("timeline")
    assert "4 events" in texts(at)  # 1 measure from the library + 3 non-measure events of the record
    at.multiselect(key="tl_kinds").set_value(["court"]).run()
    assert "1 events" in texts(at)
    assert not at.exception


def test_timeline_rejects_impossible_date() -> None:
    at = page("timeline")
    at.text_input(key="tl_start").set_value("2025-02-30").run()
    assert "not a valid date" in errors(at)
    assert not at.exception


def test_duty_lookup_shows_layers_and_total() -> None:
    at = page("duty")
    at.button(key="duty_submit").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Total rate"] == "15.00%"  # fake: 2.5% MFN + 12.5% S232 under the deal
    assert metrics["Duty"] == "$1,500.00"
    layers = at.dataframe[-1].value
    assert list(layers["legal_basis"]) == ["HTSUS", "EO 14345"]


def test_duty_lookup_as_known_comparison() -> None:
    at = page("duty")
    at.text_input(key="duty_known").set_value("2025-08-01")
    at.button(key="duty_submit").click().run()
    assert not at.exception
    assert any("As known on 2025-08-01" in m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("duty_hts", "0101210010", "not in the schedule"),
        ("duty_origin", "Atlantis", "unknown country"),
        ("duty_date", "2025-13-01", "not a valid date"),
        ("duty_date", "2024-06-01", "before the data window"),
        ("duty_known", "yesterday", "not a valid date"),
    ],
)
def test_duty_lookup_bad_input_is_an_inline_error(key: str, value: str, message: str) -> None:
    at = page("duty")
    at.text_input(key=key).set_value(value)
    at.button(key="duty_submit").click().run()
    assert not at.exception
    assert message in errors(at)


def test_duty_product_search() -> None:
    at = page("duty")
    at.text_input(key="duty_query").set_value("8703").run()
    hits = at.dataframe[0].value
    assert hits["code"].str.startswith("8703").all()
    at.text_input(key="duty_query").set_value("zzzqqq").run()
    assert "no HTS line matches" in errors(at)


def test_etr_explorer_map_and_metrics() -> None:
    at = page("etr")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"All partners": "12.40%", "Japan": "11.50%"}  # fake rates + 10 after 2025-04-05
    at.text_input(key="etr_partner").set_value("Atlantis").run()
    assert "unknown country" in errors(at)
    at.text_input(key="etr_date").set_value("not a date").run()
    assert "not a valid date" in errors(at)
    assert not at.exception


def test_scenario_lab_runs_preset_with_edits() -> None:
    at = page("scenario")
    at.text_area(key="sc_edits").set_value("JPN = 20\nChina: 30")
    at.checkbox(key="sc_unc").check()
    at.button(key="sc_run").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Welfare change, JPN"] == "-2.000%"  # fake: −tariff/10 with the edited 20%
    welfare = at.dataframe[0].value
    assert {"welfare_low_pct", "welfare_high_pct"} <= set(welfare.columns)
    assert any("scenario hash" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("edits", "message"),
    [("Atlantis = 5", "unknown country"), ("JPN = 5000", "between 0 and 1000"), ("JPN 15", "PARTNER = RATE")],
)
def test_scenario_lab_bad_edits(edits: str, message: str) -> None:
    at = page("scenario")
    at.text_area(key="sc_edits").set_value(edits).run()
    assert message in errors(at)
    assert not at.exception


def test_scenario_lab_from_date_and_cache_key() -> None:
    at = page("scenario")
    at.radio(key="sc_source").set_value("date").run()
    at.text_input(key="sc_date").set_value("2025-02-31").run()
    assert "not a valid date" in errors(at)
    spec_a = services.ScenarioSpec("one-sector", "date", on=None)
    with pytest.raises(Exception, match="choose the date"):
        spec_a.validated()
    one = services.ScenarioSpec("one-sector", "preset", preset="deal", edits=(("JPN", 15.0),))
    two = services.ScenarioSpec("one-sector", "preset", preset="deal", edits=(("JPN", 16.0),))
    assert one.key() != two.key() and one.key() == services.ScenarioSpec(**one.__dict__).key()


def test_negotiation_opens_on_the_plain_question_in_dollars() -> None:
    at = page("negotiation")
    assert at.selectbox(key="neg_q_pair").value == "us-japan"
    assert at.selectbox(key="neg_q_package").value == "july_2025_deal"
    assert at.selectbox(key="neg_q_reference").value == "no_deal_july_letter"
    first = at.dataframe[0].value
    assert list(first.columns) == ["measure", "side", "package", "reference", "difference"]
    assert first["measure"].iloc[0].startswith("equivalent variation, USD bn")
    assert not at.exception


def test_negotiation_what_would_it_take() -> None:
    at = page("negotiation")
    at.radio(key="neg_q_mode").set_value("What would it take?").run()
    assert at.selectbox(key="neg_q_lever").value == "us_auto_rate"
    answer = at.dataframe[0].value
    assert list(answer["side"]) == ["USA", "JPN"] and answer["package"].iloc[0] == "us_auto_rate=0.1"
    assert not at.exception


def test_negotiation_power_slider_moves_nash(monkeypatch: pytest.MonkeyPatch) -> None:
    at = page("negotiation")
    before = at.dataframe[-1].value.set_index("point").loc["Nash", "us"]
    at.slider(key="neg_power").set_value(0.8).run()
    after = at.dataframe[-1].value.set_index("point").loc["Nash", "us"]
    assert (before, after) == (0.5, 0.8)
    at.number_input(key="neg_w_USA:real_income").set_value(-1.0).run()
    assert "weight USA:real_income must be between 0 and 10" in errors(at)
    assert not at.exception


def test_missing_back_end_shows_not_available(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(model: str) -> None:
        raise BackendUnavailableError("the one-sector GE model is not available: test")

    monkeypatch.setattr(services, "_ge_backend", missing)
    at = page("scenario")
    assert any("Not available" in w.value for w in at.warning)
