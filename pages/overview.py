"""Overview: the quarter's headline figures for top management."""

from __future__ import annotations

import streamlit as st

from metrics.coverage import annex_a_summary
from metrics.filters import filter_options
from metrics.inventory import data_as_of, loaded_datasets
from ui import charts, fmt
from ui.data import metric
from ui.filters import current

f = current()
options = metric(filter_options)

if not options.has_data or f.as_of is None:
    st.title("AIMS Performance Dashboard")
    st.info(
        "No data is loaded yet. To start:\n\n"
        "1. **Load the demo organisation**: run `aims demo` (or `make run`, which does it for an empty database).\n"
        "2. **Load your own files**: `aims load soa.xlsx --as-of 2026-09-30` for a Statement of Applicability "
        "workbook or a control-status CSV.\n"
        "3. Open this page again.",
        icon=":material/rocket_launch:",
    )
    st.stop()

st.title(f"Overview — {f.quarter}")
stamp = metric(data_as_of, as_of=f.as_of)
st.caption(
    f"As of {f.as_of:%d %B %Y} · scope: {f.scope} · data as of {stamp:%d %B %Y}"
    if stamp
    else f"As of {f.as_of:%d %B %Y} · scope: {f.scope} · no data on or before this date"
)

annex = metric(annex_a_summary, as_of=f.as_of, scope=f.scope)

st.subheader("Annex A controls")
if annex.assessed == 0:
    st.info("No Statement of Applicability is in force on this date for this scope.", icon=":material/info:")
c1, c2, c3 = st.columns(3)
c1.metric(
    "Annex A implementation rate",
    fmt.pct(annex.implementation_rate),
    help="Implemented ÷ applicable controls. Not-applicable controls leave the denominator; "
    "not assessed, planned and not implemented count as not implemented.",
)
c2.metric(
    "Weighted score",
    fmt.pct(annex.weighted_score),
    help="(Implemented + 0.5 × partially implemented) ÷ applicable controls.",
)
c3.metric(
    "Controls without justification",
    fmt.count(annex.without_justification),
    help="Annex A controls whose Statement of Applicability entry has no justification (6.1.3 asks for one, "
    "included or excluded); controls missing from the SoA count too.",
)
st.caption(
    f"{annex.counts['implemented']} implemented of {annex.applicable} applicable controls "
    f"({annex.counts['not_applicable']} not applicable, {annex.controls} in Annex A)."
)
st.plotly_chart(charts.status_bar(annex.counts), key="annex_status", config={"displayModeBar": False})
if annex.sources:
    st.caption("Source: " + ", ".join(annex.sources))

st.subheader("What is loaded")
loaded = metric(loaded_datasets, as_of=f.as_of)
st.dataframe(
    loaded,
    hide_index=True,
    column_config={
        "dataset": "Dataset",
        "imports": st.column_config.NumberColumn("Imports"),
        "rows": st.column_config.NumberColumn("Rows"),
        "latest_as_of": st.column_config.DateColumn("Latest as of"),
        "last_loaded_at": st.column_config.DatetimeColumn("Last loaded"),
        "files": "Files",
    },
)
