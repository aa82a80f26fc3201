"""The frame: page config, navigation, the shared filters. Pages render; they never compute."""

from __future__ import annotations

import streamlit as st

from metrics.inventory import data_as_of
from store.db import DatabaseBusy
from ui import data, filters

st.set_page_config(page_title="AIMS Performance Dashboard", page_icon=":material/verified:", layout="wide")

PAGES = {
    "Review": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/review.py", title="Management review", icon=":material/groups:", url_path="review"),
    ],
    "Evaluate": [
        st.Page(
            "pages/coverage.py", title="Clause coverage", icon=":material/checklist:", url_path="coverage"
        ),
        st.Page("pages/risks.py", title="Risks", icon=":material/grid_view:", url_path="risks"),
        st.Page("pages/incidents.py", title="Incidents", icon=":material/report:", url_path="incidents"),
        st.Page(
            "pages/monitoring.py",
            title="Model monitoring",
            icon=":material/monitoring:",
            url_path="monitoring",
        ),
        st.Page(
            "pages/findings.py",
            title="Findings and actions",
            icon=":material/assignment:",
            url_path="findings",
        ),
    ],
    "Manage": [
        st.Page("pages/data.py", title="Data", icon=":material/database:", url_path="data"),
    ],
}
navigation = st.navigation(PAGES)

try:
    data.data_version()
    filters.sidebar()
except DatabaseBusy as exc:
    data.busy_notice(exc)
    st.stop()

with st.sidebar:
    chosen = filters.current()
    stamp = data.metric(data_as_of, as_of=chosen.as_of) if chosen.as_of else None
    st.caption(f"Data as of {stamp:%d %B %Y}" if stamp else "No data loaded yet")
    st.caption("ISO/IEC 42001 · clause 9 performance evaluation")

navigation.run()
