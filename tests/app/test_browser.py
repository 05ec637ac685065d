"""Real browser: ``tarifflab serve`` on a loopback port, each page in headless Chromium, one interaction each.

Runs against the real back ends and the embedded data. Screenshots go to artifacts/ (gitignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

# A wait bound, not a speed check: a fresh server compiles the law and its first date segment (tens of
# seconds on a loaded 2-core machine with a cold cache).
TIMEOUT_MS = 90_000


@pytest.fixture
def page(browser: Any, dashboard_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    yield tab
    context.close()


def open_page(page: Any, url: str, title: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=title).first.wait_for()
    wait_idle(page)


def wait_idle(page: Any) -> None:
    """Wait until Streamlit has finished running the script (no 'running' status widget)."""
    page.wait_for_timeout(700)
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') !== 'running'; }",
        timeout=TIMEOUT_MS,
    )


def no_exception(page: Any) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in page.content()


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"dashboard-{name}.png"), full_page=False)


def type_into(page: Any, label: str, value: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Enter")
    wait_idle(page)


def test_timeline(page: Any, dashboard_url: str, artifacts: Path) -> None:
    open_page(page, f"{dashboard_url}/", "US–Japan tariffs, 2025–2026")  # the default page lives at /
    page.locator(".js-plotly-plot").first.wait_for()
    all_events = page.get_by_role("heading", name="events").first.inner_text()
    type_into(page, "From", "2026-01-01")
    page.wait_for_function(
        "(before) => { const h = Array.from(document.querySelectorAll('h3')).find(e => e.innerText.endsWith(' events'));"
        " return h && h.innerText !== before; }",
        arg=all_events,
        timeout=TIMEOUT_MS,
    )
    fewer = page.get_by_role("heading", name="events").first.inner_text()
    assert int(fewer.split()[0]) < int(all_events.split()[0])
    no_exception(page)
    shot(page, artifacts, "timeline")


def test_duty_lookup(page: Any, dashboard_url: str, artifacts: Path) -> None:
    open_page(page, f"{dashboard_url}/duty", "Duty lookup")
    page.get_by_label("HTS code", exact=True).fill("8703.23.01.90")
    page.get_by_label("Origin (ISO3 or name)", exact=True).fill("Japan")
    page.get_by_label("Date of entry", exact=True).fill("2025-09-16")
    page.get_by_role("button", name="Look up").click()
    page.get_by_text("Total rate").first.wait_for()
    wait_idle(page)
    assert "15.00%" in page.locator("[data-testid='stMetricValue']").first.inner_text()
    type_into(page, "HTS code", "12345")
    page.get_by_role("button", name="Look up").click()
    page.locator("[data-testid='stAlertContentError']").first.wait_for()
    no_exception(page)
    shot(page, artifacts, "duty")


def test_etr_explorer(page: Any, dashboard_url: str, artifacts: Path) -> None:
    open_page(page, f"{dashboard_url}/etr", "Effective tariff rates")
    page.locator(".js-plotly-plot").first.wait_for()
    type_into(page, "Date", "2025-04-09")
    japan = page.locator("[data-testid='stMetric']", has_text="Japan")
    assert japan.count() == 1
    page.locator(".js-plotly-plot .choroplethlayer path").first.wait_for()  # the map drew (offline outlines)
    no_exception(page)
    shot(page, artifacts, "etr")


def test_scenario_lab(page: Any, dashboard_url: str, artifacts: Path) -> None:
    open_page(page, f"{dashboard_url}/scenario", "Scenario lab")
    page.get_by_role("button", name="Run scenario").click()
    page.get_by_text("Welfare change").first.wait_for()
    wait_idle(page)
    # charts render after the text; wait for the second one rather than racing it
    page.locator(".js-plotly-plot").nth(1).wait_for()
    assert page.locator(".js-plotly-plot").count() >= 2
    no_exception(page)
    shot(page, artifacts, "scenario")


def test_negotiation(page: Any, dashboard_url: str, artifacts: Path) -> None:
    open_page(page, f"{dashboard_url}/negotiation", "Negotiation")
    page.locator(".js-plotly-plot").first.wait_for()
    slider = page.locator("[data-testid='stSlider'] input[type='range']").first
    assert slider.get_attribute("aria-valuetext") == "0.50"
    slider.focus()
    slider.press("ArrowRight")
    slider.press("ArrowRight")
    wait_idle(page)
    assert slider.get_attribute("aria-valuetext") == "0.60"
    page.locator(".js-plotly-plot").first.wait_for()
    no_exception(page)
    shot(page, artifacts, "negotiation")


def test_sources(page: Any, dashboard_url: str, artifacts: Path) -> None:
    open_page(page, f"{dashboard_url}/sources", "Data & sources")
    type_into(page, "Filter files", "parquet")
    assert page.get_by_text("files").first.is_visible()
    no_exception(page)
    shot(page, artifacts, "sources")
