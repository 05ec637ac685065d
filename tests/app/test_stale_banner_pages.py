"""The dashboard's banner for dates after the library's date (law_known_on), with fake back ends."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tarifflab.policy.library import LAW_KNOWN_ON

pytestmark = pytest.mark.usefixtures("fake_backends")

BANNER = f"law as known on {LAW_KNOWN_ON}: later actions are not in the library"


def _page(name: str) -> AppTest:
    at = AppTest.from_string(f"from tarifflab.app.views import {name}\n{name}.render()\n", default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _warnings(at: AppTest) -> list[str]:
    return [str(w.value) for w in at.warning]


def test_duty_page_banner_only_after_the_library_date() -> None:
    at = _page("duty")
    at.button(key="duty_submit").click().run()
    assert BANNER not in _warnings(at)  # the default date (2025-09-16) is inside the library
    later = (LAW_KNOWN_ON + dt.timedelta(days=30)).isoformat()
    at.text_input(key="duty_date").set_value(later)
    at.button(key="duty_submit").click().run()
    assert not at.exception
    assert BANNER in _warnings(at)


def test_etr_page_banner() -> None:
    at = _page("etr")
    assert BANNER not in _warnings(at)
    at.text_input(key="etr_date").set_value((LAW_KNOWN_ON + dt.timedelta(days=1)).isoformat()).run()
    assert BANNER in _warnings(at)


def test_every_page_with_dates_offers_a_scenario_upload() -> None:
    for name in ("timeline", "duty", "etr", "scenario"):
        at = _page(name)
        uploaders = at.get("file_uploader")
        assert len(uploaders) == 1, name
        assert "Scenario files" in str(uploaders[0].proto.label), name
