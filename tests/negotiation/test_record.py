"""The negotiation record and "what was in force and on the table on a date"."""

from __future__ import annotations

import datetime as dt

import pytest

from tarifflab.errors import InvalidDateError
from tarifflab.negotiation.levers import UnknownPairError, get_pair
from tarifflab.negotiation.record import load_record, parse_date

REC = load_record(get_pair("us-japan"))


def test_rounds_of_the_2025_talks() -> None:
    numbered = [r for r in REC.rounds if r.id.startswith("round-")]
    # facts/README.md: all ten Akazawa rounds
    assert [r.id for r in numbered] == [f"round-{k}" for k in range(1, 11)]
    assert REC.deal_terms is not None and REC.deal_terms.date == dt.date(2025, 7, 22)
    assert REC.rounds == sorted(REC.rounds, key=lambda r: r.date)


def test_state_on_2025_05_01() -> None:
    state = REC.state_on(dt.date(2025, 5, 1))
    rates = {m["instrument"]: m["rate_pct"] for m in state["in_force_summary"]}
    # timeline.csv: 10% baseline (pause from 04-10), S232 autos 25% (04-03), steel 25% (03-12)
    assert rates == {"IEEPA-reciprocal": 10.0, "S232-autos": 25.0, "S232-steel-aluminum": 25.0}
    if state["in_force_source"] == "tarifflab.policy.library.measures_in_force":
        engine = {m["id"]: m["rule"]["rate"] for m in state["in_force"]}
        assert engine["s232-autos"] == 0.25 and engine["ieepa-baseline-10"] == 0.10
    else:
        assert state["in_force"] == state["in_force_summary"]
    assert state["last_meeting"]["id"] == "round-2"
    assert "autos" in state["on_the_table"]
    assert not state["deal_in_place"]


def test_threat_pending_before_the_deal_and_deal_after() -> None:
    before = REC.state_on(dt.date(2025, 7, 10))
    assert [t["rate_pct"] for t in before["pending_threats"]] == [25.0]
    after = REC.state_on(dt.date(2025, 10, 1))
    rates = {m["instrument"]: (m["rate_pct"], m["rule"]) for m in after["in_force_summary"]}
    assert rates["IEEPA-reciprocal"] == (15.0, "all_in") and rates["S232-autos"] == (15.0, "all_in")
    assert rates["S232-steel-aluminum"] == (50.0, "add")
    assert after["deal_in_place"]
    post = REC.state_on(dt.date(2026, 3, 1))
    assert "IEEPA-reciprocal" not in {m["instrument"] for m in post["in_force_summary"]}
    assert post["latest_ruling"]["court"].startswith("Supreme Court")


def test_errors() -> None:
    with pytest.raises(InvalidDateError):
        parse_date("2025-13-01")
    with pytest.raises(InvalidDateError):
        REC.state_on(dt.date(2019, 1, 1))
    with pytest.raises(UnknownPairError):
        load_record(get_pair("us-korea"))
