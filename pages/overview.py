"""Overview: the quarter on one screen for top management: headline figures with deltas against the
previous quarter and status against targets, and what changed."""

from __future__ import annotations

import streamlit as st

from metrics.coverage import annex_a_summary
from metrics.filters import filter_options
from metrics.inventory import data_as_of, loaded_datasets
from metrics.review import review_summary
from metrics.whats_new import what_changed
from ui import charts, tables
from ui.data import metric
from ui.figures import show_figures
from ui.filters import current

f = current()
options = metric(filter_options)

if not options.has_data or f.as_of is None:
    st.title("AIMS Performance Dashboard")
    st.info(
        "No data is loaded yet. To start:\n\n"
        "1. **Load the demo organisation**: run `aims demo` (or `make run`, which does it for an empty database).\n"
        "2. **Load your own files** on the **Data** page (upload, check, load), or with "
        "`aims load soa.xlsx --as-of 2026-09-30`. Blank templates for every dataset are on the Data page.\n"
        "3. Open this page again.",
        icon=":material/rocket_launch:",
    )
    st.page_link("pages/data.py", label="Go to the Data page", icon=":material/database:")
    st.stop()

st.title(f"Overview — {f.quarter}")
stamp = metric(data_as_of, as_of=f.as_of)
st.caption(
    f"As of {f.as_of:%d %B %Y} · {f.label} · compared with {f.previous}"
    + (f" · data as of {stamp:%d %B %Y}" if stamp else " · no data on or before this date")
)

review = metric(review_summary, quarter=f.quarter, scope=f.scope, system=f.system, unit=f.unit)
d2 = {fig.key: fig for fig in review.section("d2").figures}
d1 = {fig.key: fig for fig in review.section("d1").figures}
RULES = {
    "annex_a.implementation_rate": "Implemented ÷ applicable Annex A controls. Not-applicable controls leave the "
    "denominator; not assessed, planned and not implemented count as not implemented.",
    "annex_a.weighted_score": "(Implemented + 0.5 × partially implemented) ÷ applicable controls.",
    "clauses.implementation_rate": "Implemented ÷ the 32 leaf subclauses of clauses 4-10 (mandatory).",
    "incidents.open": "Detected on or before the quarter end and not resolved or closed by then.",
    "findings.overdue": "Not closed at the quarter end and due before it.",
    "monitoring.series_breaching_at_latest": "Monitoring series whose latest point breaches a threshold.",
    "incidents.serious_missed": "Serious incidents detected in the quarter reported after their EU AI Act deadline.",
    "findings.open_nonconformities": "Major and minor nonconformities not closed at the quarter end.",
}
st.subheader("Headline figures")
show_figures(
    [
        d2["annex_a.implementation_rate"],
        d2["annex_a.weighted_score"],
        d2["clauses.implementation_rate"],
        d2["objectives.on_track"],
        d1["findings.open_nonconformities"],
        d1["findings.overdue"],
        d2["incidents.open"],
        d2["incidents.serious_missed"],
        d2["monitoring.series_breaching_at_latest"],
        d2["monitoring.breach_episodes"],
    ],
    columns=4,
    helps=RULES,
)

st.subheader("What changed since last quarter")
changes = metric(what_changed, quarter=f.quarter, scope=f.scope, system=f.system, unit=f.unit)
if changes.empty:
    st.success(
        "Nothing regressed, no new high risks, serious incidents or breaches, no overdue actions.",
        icon=":material/check_circle:",
    )
else:
    st.dataframe(changes, hide_index=True, column_config=tables.CHANGE_COLUMNS, key="what_changed")

annex = metric(annex_a_summary, as_of=f.as_of, scope=f.scope)
left, right = st.columns([3, 2])
with left:
    st.subheader("Annex A controls")
    st.caption(
        f"{annex.counts['implemented']} implemented of {annex.applicable} applicable controls "
        f"({annex.counts['not_applicable']} not applicable, {annex.controls} in Annex A) · "
        f"{annex.without_justification} without justification · {annex.stale_evidence} with stale evidence"
    )
    st.plotly_chart(charts.status_bar(annex.counts), key="annex_status", config={"displayModeBar": False})
with right:
    st.subheader("What is loaded")
    loaded = metric(loaded_datasets, as_of=f.as_of)
    st.dataframe(loaded, hide_index=True, column_config=tables.LOADED_COLUMNS, key="loaded")
    if annex.sources:
        st.caption("Statement of Applicability: " + ", ".join(annex.sources))
