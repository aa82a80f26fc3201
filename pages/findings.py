"""Findings and actions: nonconformities and corrective actions (10.2), overdue actions, how long closing
takes, the nonconformity trend and the audit programme (9.2)."""

from __future__ import annotations

import streamlit as st

from metrics.findings import (
    audit_programme,
    audit_summary,
    findings_rows,
    findings_summary,
    nonconformity_trend,
    overdue_actions,
)
from metrics.periods import Quarter
from metrics.review import data_coverage
from ui import findings_charts as fc
from ui import incident_charts as ic
from ui.data import metric
from ui.figures import show_figures
from ui.filters import current

CHART = {"displayModeBar": False}
INFO, GOOD = ":material/info:", ":material/check_circle:"

f = current()
st.title(f"Findings and actions — {f.quarter or 'no data'}")
if f.as_of is None:
    st.info(
        "No findings, actions or audits are loaded: load an audit findings file on the Data page.", icon=INFO
    )
    st.stop()
st.caption(f"As of {f.as_of:%d %B %Y} · filters: {ic.plain(f.label)}")
if f.system or f.unit:
    st.caption(
        "Findings concern the management system as a whole: the AI-system and unit filters leave them as is."
    )
previous_end = Quarter(f.quarter).previous().end
coverage, coverage_before = metric(data_coverage, as_of=f.as_of), metric(data_coverage, as_of=previous_end)

st.subheader("Nonconformities and corrective actions")
if not coverage["findings"]:
    st.info("No findings or actions are loaded: load an audit findings file on the Data page.", icon=INFO)
else:
    now = metric(findings_summary, as_of=f.as_of)
    before = metric(findings_summary, as_of=previous_end)
    show_figures(
        fc.headline(now, before, comparable=coverage_before["findings"]),
        columns=3,
        helps={
            "open": "Raised on or before the quarter end and not closed by then.",
            "open_nonconformities": "Open major and minor nonconformities.",
            "overdue": "Not closed at the quarter end and due before it.",
            "closed_late": "Closed on or before the quarter end, after their due date.",
            "effectiveness_pending": "Closed nonconformities whose effectiveness is not recorded as verified (10.2).",
            "mean_days_to_close": "Closed date − raised date, over the findings closed on or before the quarter end.",
        },
    )
    st.caption(
        f"{now.raised} findings raised to date · {now.repeat_nonconformities} repeat nonconformity(ies) "
        "(same clause or control within 12 months)."
    )
    rows = metric(findings_rows, as_of=f.as_of)
    ic.rows_behind(fc.figure_rows(rows), key="findings_behind", columns=fc.FINDING_COLUMNS)

    st.subheader("Overdue actions")
    overdue = metric(overdue_actions, as_of=f.as_of)
    if overdue.empty:
        st.info("No action is overdue at the quarter end.", icon=GOOD)
    else:
        ic.table(overdue, fc.FINDING_COLUMNS | ic.SOURCE_COLUMNS, key="overdue")
        ic.download_csv(
            overdue, label="Overdue actions (CSV)", file_name=f"overdue_{f.quarter}.csv", key="dl_overdue"
        )

    left, right = st.columns(2)
    with left:
        st.subheader("Nonconformities by quarter")
        trend = metric(nonconformity_trend, as_of=f.as_of)
        st.plotly_chart(fc.nonconformity_chart(trend), key="nc_trend", config=CHART)
    with right:
        st.subheader("Days to close")
        if fc.figure_rows(rows)[fc.LABELS["mean_days_to_close"]].empty:
            st.info("No finding was closed on or before the quarter end.", icon=INFO)
        else:
            st.plotly_chart(fc.days_to_close(rows), key="days_to_close", config=CHART)

    st.subheader("All findings and actions to date")
    ic.table(fc.findings_table(rows), fc.FINDING_COLUMNS | ic.SOURCE_COLUMNS, key="findings_rows")
    ic.download_csv(rows, label="Findings (CSV)", file_name=f"findings_{f.quarter}.csv", key="dl_findings")

st.subheader("Audit programme (9.2)")
if not coverage["audits"]:
    st.info("No audit programme is loaded: load one on the Data page.", icon=INFO)
else:
    show_figures(
        fc.audit_headline(
            metric(audit_summary, as_of=f.as_of),
            metric(audit_summary, as_of=previous_end),
            comparable=coverage_before["audits"],
        ),
        columns=3,
        helps={
            "planned": "Audits planned on or before the quarter end.",
            "done": "Audits done on or before the quarter end, on time or late.",
            "overdue": "Audits planned before the quarter end and not done by then.",
        },
    )
    audits = metric(audit_programme, as_of=f.as_of)
    st.plotly_chart(fc.audit_timeline(audits, as_of=f.as_of), key="audit_timeline", config=CHART)
    st.caption("◇ planned date · ● done date · dashed line: the quarter end.")
    ic.table(fc.audit_table(audits), fc.AUDIT_COLUMNS, key="audits")
    ic.download_csv(
        audits, label="Audit programme (CSV)", file_name=f"audits_{f.quarter}.csv", key="dl_audits"
    )
