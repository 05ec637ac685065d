"""Self-contained HTML: plotly.js and the world map are inlined, so the file opens offline."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from tarifflab._version import __version__
from tarifflab.app.figures import world_topojson_script

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.5}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
nav ol{columns:2} table{border-collapse:collapse;font-size:.9rem;margin:.8rem 0;width:100%}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3} td.num{text-align:right}
.unavailable{background:#fff4e5;border-left:4px solid #f0a020;padding:.6rem 1rem}
.meta{color:#666;font-size:.85rem} .chart{margin:1rem 0}
"""

PLOTLY_CONFIG: dict[str, object] = {"displaylogo": False, "responsive": True}


@dataclass
class Section:
    """One section of a report: prose, tables and charts, or the reason it is not available."""

    key: str
    title: str
    parts: list[str] = field(default_factory=list)
    charts: int = 0
    unavailable: str | None = None

    def text(self, paragraph: str) -> None:
        self.parts.append(f"<p>{paragraph}</p>")

    def table(self, frame: pd.DataFrame, caption: str = "", digits: int = 2) -> None:
        table = frame.to_html(
            index=False,
            border=0,
            escape=True,
            render_links=True,
            na_rep="—",
            float_format=lambda v: f"{v:,.{digits}f}",
        )
        cap = f"<p class='meta'>{html.escape(caption)}</p>" if caption else ""
        self.parts.append(cap + table)

    def chart(self, fig: go.Figure, counter: list[int]) -> None:
        counter[0] += 1
        self.charts += 1
        body = fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{counter[0]}",
            config=PLOTLY_CONFIG,
        )
        self.parts.append(f"<div class='chart'>{body}</div>")


def render_document(title: str, subtitle: str, sections: Sequence[Section], lead: str = "") -> str:
    """The whole report as one HTML string (about 5 MB, most of it plotly.js).

    ``lead``: the first paragraph (which law the numbers use: its date, and any scenario applied).
    """
    toc = "".join(
        f"<li><a href='#{s.key}'>{html.escape(s.title)}</a>{' (not available)' if s.unavailable else ''}</li>"
        for s in sections
    )
    body = []
    for section in sections:
        body.append(f"<section id='{section.key}'><h2>{html.escape(section.title)}</h2>")
        if section.unavailable:
            body.append(f"<p class='unavailable'>Not available: {html.escape(section.unavailable)}</p>")
        body.extend(section.parts)
        body.append("</section>")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lead_html = f"<p class='lead'>{html.escape(lead)}</p>" if lead else ""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style><script>{get_plotlyjs()}</script>{world_topojson_script()}</head><body>"
        f"<h1>{html.escape(title)}</h1><p class='meta'>{html.escape(subtitle)} — generated {stamp} by "
        f"tarifflab {__version__}</p>{lead_html}<nav><ol>{toc}</ol></nav>{''.join(body)}</body></html>"
    )
