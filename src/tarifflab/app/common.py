"""Shared page helpers: error guard, headers, input fields that validate inline."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import plotly.graph_objects as go
import streamlit as st

from tarifflab.app import figures, services
from tarifflab.errors import BackendUnavailableError, TariffLabError

log = logging.getLogger("tarifflab.app")


@contextmanager
def guard(what: str = "") -> Iterator[None]:
    """Show a named error inline instead of a traceback.

    :class:`BackendUnavailableError` becomes a "not available" warning; any other
    :class:`TariffLabError` an ``st.error`` with its one-line message; anything unexpected an
    ``st.error`` naming the exception type (the traceback goes to the server log only).
    """
    prefix = f"{what}: " if what else ""
    try:
        yield
    except BackendUnavailableError as missing:
        st.warning(f"Not available: {missing}", icon=":material/construction:")
    except TariffLabError as error:
        st.error(f"{prefix}{error}", icon=":material/error:")
    except Exception as error:  # the app never shows a traceback
        log.exception("unexpected error in the dashboard")
        st.error(
            f"{prefix}internal error ({type(error).__name__}: {error}); see the server log",
            icon=":material/report:",
        )


def date_field(label: str, default: dt.date, key: str) -> dt.date | None:
    """A text field holding an ISO date; shows ``st.error`` inline and returns None if it is invalid."""
    text = st.text_input(label, value=default.isoformat(), key=key, help="YYYY-MM-DD")
    try:
        return services.parse_date(text, field_name=label)
    except TariffLabError as error:
        st.error(str(error))
        return None


def header(title: str, intro: str) -> None:
    st.title(title)
    st.caption(intro)


def chart(fig: go.Figure, key: str | None = None) -> None:
    """Show a plotly figure full width; maps read their outlines from this server (works offline)."""
    st.plotly_chart(fig, width="stretch", config=figures.DASHBOARD_CONFIG, key=key)


def scenario_upload() -> services.ScenarioTexts:
    """The scenario-file uploader in the sidebar; returns the files, applied in order.

    Every page with dates and duties shows it under the same key, so an upload stays active across
    pages. A file that does not validate is shown as one error line and not applied.
    """
    uploaded = st.sidebar.file_uploader(
        "Scenario files (YAML, applied in order)",
        type=["yaml", "yml"],
        accept_multiple_files=True,
        key="scenario_upload",
        help="Measures in the library's schema, or end / replace / rescale records naming a measure id "
        "(see docs/examples/).",
    )
    if not uploaded:
        return ()
    texts = tuple((f.name, f.getvalue().decode("utf-8", errors="replace")) for f in uploaded)
    try:
        library = services.library_for(texts)
    except TariffLabError as error:
        st.sidebar.error(str(error))
        return ()
    st.sidebar.caption(f"Scenario {library.scenario_hash}: {', '.join(name for name, _ in texts)}")
    return texts


def stale_banner(on: dt.date, scenarios: services.ScenarioTexts = ()) -> None:
    """A warning banner when ``on`` is after the library's date (the law as last known is shown)."""
    with guard("law status"):
        text = services.stale_banner(on, scenarios)
        if text:
            st.warning(text, icon=":material/history:")
