"""Data & sources: provenance of every embedded dataset and every measure in the library."""

from __future__ import annotations

import streamlit as st

from tarifflab.app import cache, common


def render() -> None:
    common.header(
        "Data & sources",
        "Every number in this dashboard traces back to a file below (with its SHA-256 and how it was "
        "derived) or to a legal act in the measure library.",
    )
    st.subheader("Embedded datasets")
    with common.guard("provenance"):
        table = cache.provenance()
        query = st.text_input("Filter files", key="src_filter", placeholder="e.g. trade, tariffs")
        if query:
            table = table[table.apply(lambda row: query.lower() in " ".join(map(str, row)).lower(), axis=1)]
        st.caption(f"{len(table)} files")
        st.dataframe(table, hide_index=True, width="stretch")
    st.subheader("Measures")
    with common.guard("measure library"):
        lib = cache.measures()
        st.caption(f"{len(lib)} measures")
        st.dataframe(
            lib,
            hide_index=True,
            width="stretch",
            column_config={"source_url": st.column_config.LinkColumn("source")},
        )
