"""Fixtures of the dashboard tests.

* ``fake_backends``: small in-test stand-ins for the engine, ETR metrics, GE models and negotiation,
  patched in at the lowest level of :mod:`tarifflab.app.services` so the adapters themselves run.
* ``chromium`` / ``dashboard_url``: a real ``tarifflab serve`` on a free loopback port and headless
  Chromium (Debian's /usr/bin/chromium) driven by Playwright. Skips without Chromium unless
  TARIFFLAB_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
import streamlit as st

from dashboard_server import free_port, start_server, stop_server, wait_healthy
from tarifflab.app import services
from tarifflab.errors import InvalidDateError, UnknownProductError

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("TARIFFLAB_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


# ----------------------------------------------------------------------------------- fake back ends
class FakeEngine:
    """Japan pays 2.5% MFN + 25% S232 on cars before 2025-09-16 and 15% all-in from then on."""

    def duty(self, hts: str, origin: str, on: dt.date, value_usd: float | None = None,
             view: str = "in-force", as_known_on: dt.date | None = None) -> Any:  # fmt: skip
        if not hts.startswith("87"):
            raise UnknownProductError(f"HTS {hts} is not in the schedule")
        if on < dt.date(2025, 1, 1):
            raise InvalidDateError(f"{on} is before the data window")
        if on >= dt.date(2025, 9, 16) and origin == "JPN":
            layers = [SimpleNamespace(instrument="S232 autos (Japan deal)", rate_pct=12.5,
                                      legal_basis="EO 14345", refundable=False)]  # fmt: skip
            mfn = 2.5
        else:
            layers = [SimpleNamespace(instrument="S232 autos", rate_pct=25.0,
                                      legal_basis="Proclamation 10908", refundable=False)]  # fmt: skip
            mfn = 2.5
        layers.insert(
            0, SimpleNamespace(instrument="MFN", rate_pct=mfn, legal_basis="HTSUS", refundable=False)
        )
        total = sum(layer.rate_pct for layer in layers)
        return SimpleNamespace(
            total_rate_pct=total,
            duty_usd=None if value_usd is None else value_usd * total / 100,
            refundable_pct=0.0,
            layers=layers,
        )


def _fake_rate(partner: str, on: dt.date) -> float:
    base = {"JPN": 1.5, "CHN": 10.0, "EUN": 1.3, "CAN": 0.5, "ALL": 2.4}[partner]
    if on >= dt.date(2025, 4, 5):
        base += 10.0
    return base


FAKE_PARTNERS = ("JPN", "CHN", "EUN", "CAN", "ALL")


def _fake_etr_module() -> Any:
    def etr_by_partner(
        on: dt.date, view: str = "in-force", as_known_on: dt.date | None = None
    ) -> pd.DataFrame:
        rows = [(p, 100e9, _fake_rate(p, on)) for p in FAKE_PARTNERS]
        frame = pd.DataFrame(rows, columns=["partner", "imports_usd", "etr_pct"])
        frame["duty_usd"] = frame["imports_usd"] * frame["etr_pct"] / 100
        return frame

    def etr_by_sector(
        on: dt.date, view: str = "in-force", as_known_on: dt.date | None = None, partner: str | None = None,
        scheme: str = "section",
    ) -> pd.DataFrame:  # fmt: skip
        return pd.DataFrame(
            {"sector": ["autos", "steel"], "imports_usd": [5e10, 1e10], "etr_pct": [15.0, 50.0]}
        )

    def etr_series(
        start: dt.date, end: dt.date, partner: str | None = None, view: str = "in-force"
    ) -> pd.DataFrame:
        days = pd.date_range(start, end, freq="7D").date
        code = partner or "ALL"
        return pd.DataFrame(
            {"date": days, "partner": code, "imports_usd": 1e11, "duty_usd": 1e9,
             "etr_pct": [_fake_rate(code, d) for d in days]}
        )  # fmt: skip

    return SimpleNamespace(etr_by_partner=etr_by_partner, etr_by_sector=etr_by_sector, etr_series=etr_series)


def _fake_record() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": ["2025-04-02", "2025-04-16", "2025-07-22", "2026-02-20"],
            "event_type": ["measure", "negotiation", "deal", "court"],
            "instrument": ["IEEPA-reciprocal", "round-1", "framework-agreement", "IEEPA-litigation"],
            "rule": ["EO 14257", "Round 1 Washington", "15% deal", "Learning Resources v. Trump"],
            "rate_after": ["24", None, "15", None],
            "source_url": ["https://example.org/a", "https://example.org/b", "https://example.org/c",
                           "https://example.org/d"],
        }
    )  # fmt: skip


def _fake_measures() -> pd.DataFrame:
    return pd.DataFrame(
        {"id": ["s232-autos"], "title": ["Passenger vehicles 25%"], "authority": ["Section 232"],
         "legal_basis": ["Proclamation 10908"], "heading": [""], "countries": ["ALL"],
         "start": [dt.date(2025, 4, 3)], "end": [None], "known_from": [dt.date(2025, 3, 26)], "note": [""]}
    )  # fmt: skip


class FakeGE:
    """A fake model: welfare falls by one tenth of the US tariff on each partner."""

    @staticmethod
    def presets() -> list[str]:
        return ["liberation-day", "deal"]

    @staticmethod
    def run(spec: services.ScenarioSpec) -> dict[str, Any]:
        rates = {"JPN": 24.0, "CHN": 34.0} if spec.preset == "liberation-day" else {"JPN": 15.0, "CHN": 20.0}
        rates.update(dict(spec.edits))
        rows = [(c, c, -r / 10) for c, r in rates.items()] + [("USA", "United States", 0.1)]
        welfare = pd.DataFrame(rows, columns=["country", "name", "welfare_pct"])
        if spec.uncertainty:
            welfare["welfare_low_pct"] = welfare["welfare_pct"] - 0.05
            welfare["welfare_high_pct"] = welfare["welfare_pct"] + 0.05
        return {"welfare": welfare, "sectors": None, "diagnostics": {"converged": True, "iterations": 3}}


class FakeNegotiation:
    """Frontier u_jpn = 1 − u_us²; the Nash point moves with the US power α to u_us = α."""

    @staticmethod
    def levers_frame() -> pd.DataFrame:
        return pd.DataFrame(
            {"lever": ["us_auto_rate", "rice_purchase_increase"], "side": ["USA", "JPN"],
             "unit": ["fraction", "share"], "low": [0.0, 0.0], "high": [0.5, 1.2], "status_quo": [0.0, 0.0],
             "deal": [0.15, 0.75], "description": ["S232 autos", "rice within minimum access"]}
        )  # fmt: skip

    @staticmethod
    def weights_frame() -> pd.DataFrame:
        return pd.DataFrame(
            {"key": ["USA:real_income", "JPN:sector_output:partner_motor_vehicles"], "side": ["USA", "JPN"],
             "label": ["real_income", "output of partner_motor_vehicles"], "default": [1.0, 0.1]}
        )  # fmt: skip

    @staticmethod
    def money(pair: str, package: str, reference: str) -> pd.DataFrame:
        return pd.DataFrame(
            {"measure": ["equivalent variation, USD bn a year"] * 2, "side": ["USA", "JPN"],
             "package": [1.0, -2.0], "reference": [0.5, -3.0], "difference": [0.5, 1.0]}
        )  # fmt: skip

    @staticmethod
    def analyse(request: services.NegotiationRequest) -> services.NegotiationOutcome:
        us = [0.0, 0.5, 1.0]
        frontier = pd.DataFrame({"us": us, "jpn": [1.0 - u * u for u in us]})
        a = request.us_power
        points = pd.DataFrame(
            {
                "point": ["disagreement", "Nash", "actual deal"],
                "us": [0.0, a, 0.6],
                "jpn": [0.0, 1 - a * a, 0.5],
            }
        )
        return services.NegotiationOutcome(frontier=frontier, points=points, diagnostics={"power": a})


@pytest.fixture
def fake_backends(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Replace every back end behind :mod:`tarifflab.app.services` with the fakes above.

    The Streamlit cache is cleared before and after, so no fake result outlives the test.
    """
    st.cache_data.clear()
    monkeypatch.setattr(services, "tariff_engine", lambda: FakeEngine())
    monkeypatch.setattr(services, "_etr_module", _fake_etr_module)
    monkeypatch.setattr(services, "_negotiation_record", _fake_record)
    monkeypatch.setattr(services, "measures", _fake_measures)
    monkeypatch.setattr(services, "_ge_backend", lambda model: FakeGE())
    monkeypatch.setattr(services, "_negotiation_backend", lambda: FakeNegotiation())
    monkeypatch.setattr(
        services, "negotiation_packages", lambda pair: ["july_2025_deal", "no_deal_july_letter"]
    )
    monkeypatch.setattr(services, "negotiation_money", FakeNegotiation.money)
    monkeypatch.setattr(services, "negotiation_money_tariff_date", lambda: "2026-10-09")
    monkeypatch.setattr(
        services, "negotiation_pair_levers", lambda pair: ["us_reciprocal_rate", "us_auto_rate"]
    )
    monkeypatch.setattr(
        services,
        "negotiation_what_it_takes",
        lambda pair, lever, value: pd.DataFrame(
            {
                "side": ["USA", "JPN"],
                "reservation_usd_bn": [1.0, -2.0],
                "payoff_usd_bn": [1.5, -1.0],
                "package": [f"{lever}={value:g}"] * 2,
            }
        ),
    )
    yield
    st.cache_data.clear()


# ------------------------------------------------------------------------------------------ browser
@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium; skip without it (fail when TARIFFLAB_REQUIRE_BROWSER=1)."""
    if not CHROMIUM.exists():
        if REQUIRE_BROWSER:
            pytest.fail(f"TARIFFLAB_REQUIRE_BROWSER=1 but {CHROMIUM} is absent (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as missing:
        if REQUIRE_BROWSER:
            pytest.fail(f"TARIFFLAB_REQUIRE_BROWSER=1 but playwright is not installed: {missing}")
        pytest.skip("playwright not installed")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    """A headless Chromium (Playwright, never a downloaded browser build)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chrome = play.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True)
        yield chrome
        chrome.close()


@pytest.fixture(scope="session")
def dashboard_url() -> Iterator[str]:
    """URL of a real ``tarifflab serve`` on a free loopback port (stopped after the session)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_server(port)
    try:
        wait_healthy(url, process)
        yield url
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
