"""The main job end to end: ``tarifflab report us-japan`` on a fresh machine (no reference data), then
the file opened offline in headless Chromium: no console errors, every chart drawn."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tarifflab.data.reference import ENV_VAR

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="module")
def built_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """Build the report through the CLI with TARIFFLAB_REFERENCE_DATA pointing at an empty folder."""
    root = tmp_path_factory.mktemp("fresh")
    empty = root / "no-reference-data"
    empty.mkdir()
    out = root / "report.html"
    env = {
        **os.environ,
        ENV_VAR: str(empty),
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tarifflab", "report", "us-japan", "--out", str(out), "--no-progress"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,  # no ../shared above this folder either
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    yield out, done.stdout + done.stderr


def test_report_builds_without_reference_data(built_report: tuple[Path, str]) -> None:
    out, log = built_report
    assert out.stat().st_size > 1_000_000  # plotly.js alone is ~4.5 MB
    match = re.search(r"\((\d+) charts, (\d+)/(\d+) sections\)", log)
    assert match, log
    charts, ok, total = map(int, match.groups())
    html = out.read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') == charts
    assert "section not available" not in log, log
    assert ok == total == 5
    # timeline + (welfare by stage, map) per GE model that can run here + the negotiation frontier
    ge_models = 2 - html.count("model</b>: not available")
    assert ge_models >= 1
    assert charts == 2 + 2 * ge_models
    assert not re.search(r"<script[^>]+src=", html)


@pytest.mark.browser
def test_report_opens_offline_with_every_chart(built_report: tuple[Path, str], browser: Any) -> None:
    out, _ = built_report
    charts = html_charts(out)
    context = browser.new_context(offline=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
    page.goto(out.as_uri())
    page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}")
    drawn = page.locator(".js-plotly-plot").count()
    context.close()
    assert drawn == charts
    assert problems == []


def html_charts(path: Path) -> int:
    return path.read_text(encoding="utf-8").count('class="plotly-graph-div"')
