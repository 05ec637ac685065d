"""The dashboard's door to the back ends: input parsing, product search, timeline assembly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tarifflab.app import services
from tarifflab.errors import (
    BackendUnavailableError,
    InvalidDateError,
    InvalidInputError,
    UnknownCountryError,
    UnknownProductError,
)


def test_parse_date() -> None:
    assert services.parse_date(" 2025-08-07 ") == dt.date(2025, 8, 7)
    with pytest.raises(InvalidDateError, match="'2025-02-30' is not a valid date"):
        services.parse_date("2025-02-30")


def test_parse_edits() -> None:
    assert services.parse_edits("JPN = 15\n# comment\n\nChina: 30%\nEU=10") == (
        ("JPN", 15.0),
        ("CHN", 30.0),
        ("EUN", 10.0),
    )
    with pytest.raises(UnknownCountryError):
        services.parse_edits("Atlantis = 5")
    with pytest.raises(InvalidInputError, match="line 2"):
        services.parse_edits("JPN = 15\nJPN = 1.2.3")
    with pytest.raises(InvalidInputError, match="between 0 and 1000"):
        services.parse_edits("JPN = -1")


def test_scenario_key_is_stable_and_input_sensitive() -> None:
    a = services.ScenarioSpec("one-sector", "date", on=dt.date(2025, 9, 16), edits=(("JPN", 15.0),))
    b = services.ScenarioSpec("one-sector", "date", on=dt.date(2025, 9, 16), edits=(("JPN", 15.0),))
    c = services.ScenarioSpec("one-sector", "date", on=dt.date(2025, 9, 17), edits=(("JPN", 15.0),))
    assert a.key() == b.key() != c.key()
    assert len(a.key()) == 16


def test_search_products_by_code_and_words() -> None:
    by_code = services.search_products("8703.23")
    assert by_code["code"].str.startswith("870323").all()
    assert 10 in set(by_code["level"])  # HTS-10 lines of the embedded schedule
    by_words = services.search_products("motor cars")
    assert by_words["description"].str.lower().str.contains("motor").all()
    with pytest.raises(UnknownProductError):
        services.search_products("qqqzzz")
    with pytest.raises(UnknownProductError):
        services.search_products("   ")


def test_timeline_uses_what_is_available(monkeypatch: pytest.MonkeyPatch) -> None:
    record = pd.DataFrame(
        {"date": ["2025-04-16"], "event_type": ["negotiation"], "instrument": ["round-1"],
         "rule": ["Washington"], "source_url": ["https://example.org"]}
    )  # fmt: skip

    def missing() -> pd.DataFrame:
        raise BackendUnavailableError("the measure library is not available: test")

    monkeypatch.setattr(services, "measures", missing)
    monkeypatch.setattr(services, "_negotiation_record", lambda: record)
    events = services.timeline_events()
    assert list(events["kind"]) == ["negotiation"]

    def no_record() -> pd.DataFrame:
        raise BackendUnavailableError("the negotiation record is not available: test")

    monkeypatch.setattr(services, "_negotiation_record", no_record)
    with pytest.raises(BackendUnavailableError, match=r"measure library.*negotiation record"):
        services.timeline_events()


def test_dollar_table_uses_the_engine_tariff_input(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Negotiation page's dollar table takes US tariffs from the tariff engine (issue 16, Deliver 2: the
    duties behind a package are those `tarifflab duty` reports), on the library's last date, as the CLI."""
    from tarifflab.app import bargaining
    from tarifflab.negotiation import payoffs_ge
    from tarifflab.negotiation.tariff_inputs import EngineTariffs
    from tarifflab.policy.library import load_library

    built: list[object] = []

    class Built(Exception):
        pass

    def record(pair: object, **kwargs: object) -> None:
        built.append(kwargs.get("tariffs"))
        raise Built

    monkeypatch.setattr(bargaining, "_MONEY_MODELS", {})
    monkeypatch.setattr(payoffs_ge, "MultiSectorPayoffModel", record)
    with pytest.raises(Built):
        bargaining.package_money("us-japan", "july_2025_deal", "no_deal_july_letter")
    (tariffs,) = built
    assert isinstance(tariffs, EngineTariffs)
    assert tariffs.on == load_library().law_known_on
    assert bargaining.money_tariff_date() == load_library().law_known_on.isoformat()
