"""The dashboard's navigation: one page per view module."""

from __future__ import annotations

import streamlit as st

from tarifflab.app.views import duty, etr, negotiation, scenario, sources, timeline

PAGES: tuple[tuple[object, str, str, str], ...] = (
    (timeline.render, "Timeline", "timeline", ":material/timeline:"),
    (duty.render, "Duty lookup", "duty", ":material/search:"),
    (etr.render, "ETR explorer", "etr", ":material/public:"),
    (scenario.render, "Scenario lab", "scenario", ":material/science:"),
    (negotiation.render, "Negotiation", "negotiation", ":material/handshake:"),
    (sources.render, "Data & sources", "sources", ":material/source:"),
)


def main() -> None:
    """Entry point run by ``streamlit run`` (see ``tarifflab serve``)."""
    st.set_page_config(
        page_title="tarifflab — US–Japan tariffs", page_icon=":material/balance:", layout="wide"
    )
    pages = [
        st.Page(render, title=title, url_path=path, icon=icon, default=(index == 0))  # type: ignore[arg-type]
        for index, (render, title, path, icon) in enumerate(PAGES)
    ]
    st.navigation(pages).run()
