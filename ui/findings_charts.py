"""Findings and actions page: headline figures, the nonconformity trend, days to close, the audit timeline
and the tables' columns. Status is always written in words with a symbol, never by colour alone."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics.findings import AuditSummary, FindingsSummary
from metrics.review import Figure

from .incident_charts import SOURCE_COLUMNS, chart_text, compared, layout

__all__ = [
    "AUDIT_COLUMNS",
    "AUDIT_LABELS",
    "AUDIT_STATUS",
    "FINDING_COLUMNS",
    "LABELS",
    "audit_headline",
    "audit_table",
    "audit_timeline",
    "days_to_close",
    "figure_rows",
    "findings_table",
    "headline",
    "nonconformity_chart",
]

# The headline figures' labels (`findings_summary` fields).
LABELS = {
    "open": "Open findings",
    "open_nonconformities": "Open nonconformities",
    "overdue": "Overdue actions",
    "closed_late": "Closed late",
    "effectiveness_pending": "Effectiveness checks pending",
    "mean_days_to_close": "Mean days to close",
}
# The audit programme's labels (`audit_summary` fields).
AUDIT_LABELS = {"planned": "Audits planned to date", "done": "Audits done", "overdue": "Audits overdue"}
AUDIT_STATUS = {"done": "✔ done", "done_late": "◐ done late", "overdue": "✖ overdue", "planned": "◷ planned"}
_AUDIT_COLOURS = {"done": "#009E73", "done_late": "#56B4E9", "overdue": "#D55E00", "planned": "#999999"}

FINDING_COLUMNS = {
    "finding_id": "Finding",
    "finding_type": "Type",
    "requirement_id": "Clause or control",
    "title": "Title",
    "owner": "Owner",
    "status": "Status in the file",
    "raised_date": st.column_config.DateColumn("Raised"),
    "due_date": st.column_config.DateColumn("Due"),
    "closed_date": st.column_config.DateColumn("Closed"),
    "days_overdue": st.column_config.NumberColumn("Days overdue"),
    "state": "At quarter end",
    "effectiveness_verified": "Effectiveness verified",
    "source": "Source",
    "audit_id": "Audit",
}
AUDIT_COLUMNS = {
    "audit_id": "Audit",
    "audit_scope": "Scope",
    "audit_type": "Type",
    "auditor": "Auditor",
    "planned_date": st.column_config.DateColumn("Planned"),
    "done_date": st.column_config.DateColumn("Done"),
    "status": "Status at quarter end",
    **SOURCE_COLUMNS,
}


def headline(now: FindingsSummary, before: FindingsSummary, *, comparable: bool) -> list[Figure]:
    """The findings page's headline figures (`findings_summary` at the quarter end and the one before)."""
    return [
        compared(
            key,
            label,
            getattr(now, key),
            getattr(before, key),
            comparable=comparable,
            unit="days" if key == "mean_days_to_close" else "count",
        )
        for key, label in LABELS.items()
    ]


def audit_headline(now: AuditSummary, before: AuditSummary, *, comparable: bool) -> list[Figure]:
    """The audit programme's figures (`audit_summary`); more audits done is better, more overdue worse."""
    return [
        compared(key, label, getattr(now, key), getattr(before, key), comparable=comparable, better=better)
        for (key, label), better in zip(AUDIT_LABELS.items(), ("higher", "higher", "lower"), strict=True)
    ]


def _state(rows: pd.DataFrame) -> pd.Series:
    """Each finding's state at the as-of date in words: overdue, open or closed (late)."""
    state = pd.Series("✔ closed", index=rows.index)
    state[rows["closed_late"]] = "◐ closed late"
    state[rows["open"]] = "◷ open"
    state[rows["overdue"]] = "✖ overdue"
    return state


def findings_table(rows: pd.DataFrame) -> pd.DataFrame:
    """`findings_rows` (or `overdue_actions`) with the state at the as-of date written out."""
    if {"open", "overdue", "closed_late"} <= set(rows.columns):
        return rows.assign(state=_state(rows))
    return rows


def figure_rows(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows of `findings_rows` behind each headline figure."""
    closed = rows[~rows["open"]]
    return {
        LABELS["open"]: rows[rows["open"]],
        LABELS["open_nonconformities"]: rows[rows["open"] & rows["nonconformity"]],
        LABELS["overdue"]: rows[rows["overdue"]],
        LABELS["closed_late"]: rows[rows["closed_late"]],
        LABELS["effectiveness_pending"]: closed[
            closed["nonconformity"] & ~closed["effectiveness_verified"].fillna(False).astype(bool)
        ],
        LABELS["mean_days_to_close"]: closed[closed["closed_date"].notna() & closed["raised_date"].notna()],
    }


def nonconformity_chart(trend: pd.DataFrame) -> go.Figure:
    """Nonconformities raised and closed per quarter (bars) and open at each quarter's end (line)."""
    fig = go.Figure()
    for column, name, colour in (("raised", "raised", "#D55E00"), ("closed", "closed", "#009E73")):
        fig.add_bar(
            x=trend["quarter"],
            y=trend[column],
            name=name,
            marker_color=colour,
            text=[str(n) if n else "" for n in trend[column]],
            textposition="inside",
            insidetextanchor="end",
        )
    fig.add_scatter(
        x=trend["quarter"],
        y=trend["open"],
        name="open at quarter end",
        mode="lines+markers+text",
        text=trend["open"],
        textposition="top center",
        line={"color": "#0072B2", "width": 3},
        marker={"symbol": "diamond", "size": 12},
    )
    fig.update_layout(barmode="group", xaxis={"type": "category"}, yaxis={"title": "nonconformities"})
    return layout(fig, height=380, legend=True)


def days_to_close(rows: pd.DataFrame) -> go.Figure:
    """How long closed findings took (closed date − raised date, the rows behind `mean_days_to_close`)."""
    closed = figure_rows(rows)[LABELS["mean_days_to_close"]]
    days = (closed["closed_date"] - closed["raised_date"]).dt.days
    fig = go.Figure(
        go.Histogram(
            x=days,
            xbins={"size": 30, "start": 0},
            marker_color="#0072B2",
            texttemplate="%{y}",
            textposition="outside",
            hovertemplate="%{x} days: %{y} finding(s)<extra></extra>",
        )
    )
    fig.update_layout(xaxis={"title": "days from raised to closed (30-day bins)"}, yaxis={"visible": False})
    return layout(fig, height=320)


def audit_table(audits: pd.DataFrame) -> pd.DataFrame:
    return audits.assign(status=audits["status"].map(AUDIT_STATUS).fillna(audits["status"]))


def audit_timeline(audits: pd.DataFrame, *, as_of: dt.date) -> go.Figure:
    """One row per audit: the planned date (◇) and the done date (●), joined, with the status in words."""
    fig = go.Figure()
    for status, label in AUDIT_STATUS.items():
        part = audits[audits["status"] == status]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["planned_date"],
            y=[chart_text(a) for a in part["audit_id"]],
            mode="markers",
            name=f"{label} · planned",
            marker={
                "symbol": "diamond-open",
                "size": 14,
                "color": _AUDIT_COLOURS[status],
                "line": {"width": 3},
            },
            hovertemplate="%{y}: planned %{x|%d %b %Y}<extra></extra>",
        )
        done = part[part["done_date"].notna()]
        fig.add_scatter(
            x=done["done_date"],
            y=[chart_text(a) for a in done["audit_id"]],
            mode="markers+text",
            name=f"{label} · done",
            text=[label] * len(done),
            textposition="middle right",
            marker={"symbol": "circle", "size": 12, "color": _AUDIT_COLOURS[status]},
            hovertemplate="%{y}: done %{x|%d %b %Y}<extra></extra>",
        )
        pending = part[part["done_date"].isna()]
        fig.add_scatter(
            x=pending["planned_date"],
            y=[chart_text(a) for a in pending["audit_id"]],
            mode="text",
            text=[label] * len(pending),
            textposition="middle right",
            showlegend=False,
            hoverinfo="skip",
        )
    fig.add_vline(x=pd.Timestamp(as_of), line_dash="dash", line_color="#000000")
    fig.add_annotation(x=pd.Timestamp(as_of), y=1.02, yref="paper", text="quarter end", showarrow=False)
    dates = pd.concat(
        [audits["planned_date"], audits["done_date"], pd.Series([pd.Timestamp(as_of)])]
    ).dropna()
    span = [dates.min() - pd.Timedelta(days=30), dates.max() + pd.Timedelta(days=120)]
    fig.update_layout(
        yaxis={
            "autorange": "reversed",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": [chart_text(a) for a in audits["audit_id"]],
        },
        xaxis={"range": span},
    )
    return layout(fig, height=120 + 40 * len(audits), legend=False)
