"""Incidents: what the quarter brought, what is still open and for how long, serious-incident deadlines,
the kinds that keep coming back, and public incidents like ours."""

from __future__ import annotations

import streamlit as st

from metrics.external import external_context
from metrics.incidents import (
    incident_rows,
    incident_summary,
    incidents_by_period,
    open_incident_ageing,
    recurring_categories,
    serious_incidents,
)
from metrics.review import data_coverage
from ui import incident_charts as ic
from ui.data import metric
from ui.figures import show_figures
from ui.filters import current

CHART = {"displayModeBar": False}
INFO = ":material/info:"

f = current()
st.title(f"Incidents — {f.quarter or 'no data'}")
if f.as_of is None or not metric(data_coverage, as_of=f.as_of)["incidents"]:
    st.info("No incident log is loaded: load one on the Data page.", icon=INFO)
    st.stop()
st.caption(f"As of {f.as_of:%d %B %Y} · filters: {ic.plain(f.label)}")

scope = {"system": f.system, "unit": f.unit}
now = metric(incident_summary, quarter=f.quarter, **scope)
before = metric(incident_summary, quarter=f.previous, **scope)
comparable = metric(data_coverage, as_of=before.end)["incidents"]
show_figures(
    ic.headline(now, before, comparable=comparable),
    helps={
        "total": "Incidents detected in the quarter.",
        "open": "Detected on or before the quarter's last day and neither resolved nor closed by then.",
        "resolve": "Resolved date − detected date, over the incidents resolved in the quarter.",
        "late": "Serious incidents detected in the quarter whose report to the authority missed its deadline.",
    },
)
median = "—" if now.median_days_to_resolve is None else f"{now.median_days_to_resolve:.1f} days"
st.caption(
    f"Median days to resolve: {median} · serious incidents detected: {now.serious} · "
    f"reports pending: {now.serious_pending}"
)
rows = metric(incident_rows, as_of=f.as_of, **scope)
serious = metric(serious_incidents, as_of=f.as_of, **scope)
ic.rows_behind(
    ic.figure_rows(rows, serious, start=now.start, end=now.end),
    key="incident_behind",
    columns=ic.ROW_COLUMNS | ic.SERIOUS_COLUMNS,
)

st.subheader("Trend by month")
trend = metric(incidents_by_period, as_of=f.as_of, grain="month", by="severity", **scope)
if trend.empty:
    st.info("No incident matches these filters.", icon=INFO)
else:
    st.plotly_chart(ic.incident_trend(trend), key="incident_trend", config=CHART)

left, right = st.columns(2)
with left:
    st.subheader("Severity mix this quarter")
    st.plotly_chart(ic.severity_mix(now.by_severity), key="severity_mix", config=CHART)
with right:
    st.subheader("Open incidents by age")
    ageing = metric(open_incident_ageing, as_of=f.as_of, **scope)
    st.plotly_chart(ic.ageing_bars(ageing), key="incident_ageing", config=CHART)
    st.caption(f"{len(ageing)} incident(s) open on {f.as_of:%d %B %Y}; age = days since detection.")

st.subheader("By AI system this quarter")
systems = metric(incidents_by_period, as_of=f.as_of, grain="quarter", by="ai_system", **scope)
if systems.empty:
    st.info("No incident matches these filters.", icon=INFO)
else:
    st.plotly_chart(ic.by_system_bars(systems, f.quarter), key="incident_systems", config=CHART)

st.subheader("Serious incidents: reporting deadlines")
if serious.empty:
    st.info("No serious incident was detected on or before this date.", icon=INFO)
else:
    ic.table(ic.serious_table(serious), ic.SERIOUS_COLUMNS, key="serious")
    st.caption(
        "Deadline = awareness date + 15 days (general), 10 (death) or 2 (widespread), judged at quarter end."
    )
    ic.download_csv(
        serious, label="Serious incidents (CSV)", file_name=f"serious_{f.quarter}.csv", key="dl_serious"
    )

st.subheader("Recurring categories")
recurring = metric(recurring_categories, as_of=f.as_of, **scope)
if recurring.empty:
    st.info("No category has 3 or more incidents in the 12 months to this date.", icon=INFO)
else:
    ic.table(recurring, ic.RECURRING_COLUMNS, key="recurring")

st.subheader("External incidents like ours")
categories = tuple(recurring["category"])
external = metric(external_context, as_of=f.as_of, categories=categories) if categories else None
if external is None:
    st.info("No recurring category to compare with public incidents.", icon=INFO)
elif external.empty:
    st.info(
        "No public incident like our recurring categories is loaded: load an export of the AI Incident "
        "Database, OECD AIM or AIAAIC on the Data page.",
        icon=INFO,
    )
else:
    st.caption("Context from public catalogues, matched on our recurring categories; never counted as ours.")
    ic.table(external, ic.EXTERNAL_COLUMNS, key="external")

st.subheader("All incidents to date")
ic.table(rows, ic.ROW_COLUMNS, key="incident_rows")
ic.download_csv(rows, label="Incidents (CSV)", file_name=f"incidents_{f.quarter}.csv", key="dl_incidents")
