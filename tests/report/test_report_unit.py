"""The HTML report's building blocks: self-contained document, sections, atomic writing, named errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from tarifflab import report as report_pkg
from tarifflab.errors import BackendUnavailableError, ConvergenceError, InvalidInputError
from tarifflab.report import build_report
from tarifflab.report.html import Section, render_document


def test_document_is_self_contained() -> None:
    section = Section(key="a", title="A & B")
    counter = [0]
    section.chart(go.Figure(go.Bar(x=["JPN"], y=[15.0])), counter)
    section.table(pd.DataFrame({"country": ["JPN"], "source": ["https://example.org/x"]}))
    missing = Section(key="b", title="Missing", unavailable="the GE model is not available: test")
    html = render_document("T", "S", [section, missing])
    assert html.startswith("<!DOCTYPE html>")
    assert "A &amp; B" in html
    assert html.count('class="plotly-graph-div"') == 1
    assert "Plotly" in html and "PlotlyGeoAssets" in html  # plotly.js and the map outlines inlined
    assert not re.search(r"<script[^>]+src=", html)  # nothing fetched at load time
    assert "cdn.plot.ly" not in html.split("PlotlyGeoAssets")[-1]
    assert "Not available: the GE model is not available: test" in html
    assert '<a href="https://example.org/x"' in html


def _tiny_case(monkeypatch: pytest.MonkeyPatch, builder: object) -> None:
    module = type(sys)("tiny")
    module.TITLE, module.SUBTITLE = "Tiny", "test"  # type: ignore[attr-defined]
    module.SECTIONS = (("one", "One", builder),)  # type: ignore[attr-defined]
    monkeypatch.setitem(report_pkg.CASES, "tiny", module)


def test_unavailable_back_end_becomes_a_section_note(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def missing(section: Section, counter: list[int]) -> None:
        raise BackendUnavailableError("the negotiation analysis is not available: not installed")

    _tiny_case(monkeypatch, missing)
    summary = build_report("tiny", tmp_path / "r.html", show_progress=False)
    assert (summary.sections, summary.sections_ok, summary.charts) == (1, 0, 0)
    assert summary.unavailable == (("One", "the negotiation analysis is not available: not installed"),)
    assert "Not available" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_failed_build_leaves_the_old_file_untouched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fails(section: Section, counter: list[int]) -> None:
        raise ConvergenceError("did not converge", {"iterations": 50})

    _tiny_case(monkeypatch, fails)
    out = tmp_path / "r.html"
    out.write_text("previous report", encoding="utf-8")
    with pytest.raises(ConvergenceError):
        build_report("tiny", out, show_progress=False)
    assert out.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left behind


def test_unknown_report_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="unknown report 'us-china'"):
        build_report("us-china", tmp_path / "x.html", show_progress=False)
    done = subprocess.run(
        [sys.executable, "-m", "tarifflab", "report", "us-china", "--out", str(tmp_path / "x.html")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error: unknown report")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.html").exists()
