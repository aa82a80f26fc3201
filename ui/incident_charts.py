"""Incidents page: chart builders, table columns and the small blocks the record pages share.

Charts are readable on a projector (16 px text, counts written on every bar) and colour-blind-safe
(Okabe-Ito); a state is never told by colour alone, it always carries a label or a symbol. The shared
blocks are used by the monitoring and findings pages too: `compared` (a headline figure with its
previous-quarter delta), `table`, `download_csv`, `rows_behind` (the source rows behind a figure),
`layout` (the charts' house style), and `plain` / `chart_text`, which keep names from the user's files
from being read as markdown or as Plotly's HTML-like tags.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics.incidents import AGE_BUCKETS, SEVERITIES, IncidentSummary
from metrics.review import Figure

__all__ = [
    "EXTERNAL_COLUMNS",
    "LABELS",
    "OUTCOME_LABELS",
    "RECURRING_COLUMNS",
    "ROW_COLUMNS",
    "SERIOUS_COLUMNS",
    "SEVERITY_COLOURS",
    "SOURCE_COLUMNS",
    "ageing_bars",
    "by_system_bars",
    "chart_text",
    "compared",
    "headline",
    "download_csv",
    "figure_rows",
    "incident_trend",
    "layout",
    "plain",
    "rows_behind",
    "serious_table",
    "severity_mix",
    "table",
]

# Okabe-Ito, from the most to the least severe.
SEVERITY_COLOURS = {"critical": "#D55E00", "high": "#E69F00", "medium": "#56B4E9", "low": "#0072B2"}
# The headline figures' labels (`incident_summary` fields: total, open, mean_days_to_resolve, serious_missed).
LABELS = {
    "total": "Incidents detected",
    "open": "Open at quarter end",
    "resolve": "Mean days to resolve",
    "late": "Serious reported late",
}
OUTCOME_LABELS = {"met": "✔ met", "missed": "✖ missed", "pending": "◷ pending", "unknown": "? unknown"}
SOURCE_COLUMNS = {
    "file_name": "File",
    "sheet": "Sheet",
    "row_no": st.column_config.NumberColumn("Row", format="%d"),
}
ROW_COLUMNS = {
    "incident_id": "Incident",
    "title": "Title",
    "system_name": "AI system",
    "severity": "Severity",
    "status_at_as_of": "Status at quarter end",
    "category": "Category",
    "detected_date": st.column_config.DateColumn("Detected"),
    "resolved_date": st.column_config.DateColumn("Resolved"),
    "days_to_resolve": st.column_config.NumberColumn("Days to resolve"),
    "age_days": st.column_config.NumberColumn("Age (days)"),
    "age_bucket": "Age",
    **SOURCE_COLUMNS,
}
SERIOUS_COLUMNS = {
    "incident_id": "Incident",
    "title": "Title",
    "system_name": "AI system",
    "detected_date": st.column_config.DateColumn("Detected"),
    "awareness_date": st.column_config.DateColumn("Aware"),
    "deadline_class": "Deadline class",
    "deadline_date": st.column_config.DateColumn("Deadline"),
    "reported_date": st.column_config.DateColumn("Reported"),
    "outcome": "Outcome",
    **SOURCE_COLUMNS,
}
RECURRING_COLUMNS = {
    "category": "Category",
    "count": st.column_config.NumberColumn("Incidents in 12 months"),
    "first_detected": st.column_config.DateColumn("First"),
    "last_detected": st.column_config.DateColumn("Last"),
    "ai_systems": st.column_config.ListColumn("AI systems"),
    "incident_ids": st.column_config.ListColumn("Incidents"),
}
EXTERNAL_COLUMNS = {
    "dated": st.column_config.DateColumn("Date"),
    "source": "Catalogue",
    "external_id": "Id",
    "title": "Title",
    "our_category": "Like our",
    "category": "Catalogue's classification",
    "deployer": "Deployer",
    "sector": "Sector",
    "country": "Country",
    "url": st.column_config.TextColumn("Link"),
}


# ---- shared blocks -------------------------------------------------------------------------------


def compared(
    key: str,
    label: str,
    value: float | None,
    previous: float | None,
    *,
    comparable: bool,
    unit: Literal["count", "rate", "days"] = "count",
    better: Literal["higher", "lower"] = "lower",
) -> Figure:
    """A headline figure with its delta vs the previous quarter; no comparison (never a 0 delta) when the
    previous quarter has no data for the dataset or either value is missing."""
    both = comparable and value is not None and previous is not None
    return Figure(
        key=key,
        label=label,
        value=value,
        unit=unit,
        previous=previous if comparable else None,
        comparison=both,
        delta=round(value - previous, 10) if both else None,
        better=better,
    )


def headline(now: IncidentSummary, before: IncidentSummary, *, comparable: bool) -> list[Figure]:
    """The incidents page's headline figures (`incident_summary` of the quarter and the one before)."""
    return [
        compared("total", LABELS["total"], now.total, before.total, comparable=comparable),
        compared("open", LABELS["open"], now.open, before.open, comparable=comparable),
        compared(
            "resolve",
            LABELS["resolve"],
            now.mean_days_to_resolve,
            before.mean_days_to_resolve,
            comparable=comparable,
            unit="days",
        ),
        compared("late", LABELS["late"], now.serious_missed, before.serious_missed, comparable=comparable),
    ]


def chart_text(text: object) -> str:
    """Names from the user's files as Plotly text: its tags (<b>, <a href>) are shown, not applied."""
    return html.escape(str(text), quote=False)


def plain(text: object) -> str:
    """Escape markdown so names from the user's files show as written."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$" else ch for ch in str(text))


def table(frame: pd.DataFrame, columns: dict, *, key: str) -> None:
    """A dataframe showing the configured columns, in their order (user text is never markdown here)."""
    shown = [c for c in columns if c in frame.columns]
    st.dataframe(frame, hide_index=True, column_config=columns, column_order=shown, key=key)


def download_csv(frame: pd.DataFrame, *, label: str, file_name: str, key: str) -> None:
    st.download_button(
        label,
        data=lambda: frame.to_csv(index=False).encode("utf-8"),  # built on click, not on every run
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        disabled=frame.empty,
    )


def rows_behind(choices: dict[str, pd.DataFrame], *, key: str, columns: dict) -> None:
    """An expander: pick a figure, see the rows it counts with their source file, sheet and row."""
    with st.expander("Rows behind a figure (source file, sheet and row)"):
        chosen = st.selectbox("Figure", list(choices), key=key)
        frame = choices[chosen]
        if frame.empty:
            st.caption("No rows: the figure is zero.")
        else:
            table(frame, SOURCE_COLUMNS | columns, key=f"{key}_rows")


def layout(fig: go.Figure, *, height: int, legend: bool = False, title: str | None = None) -> go.Figure:
    """The house style: large text (axes and legend included), no background, the legend above the plot
    and under the title."""
    top = (40 if legend else 10) + (40 if title else 0)
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 30, "t": top, "b": 10},
        font={"size": 16},
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 8},
            "font": {"size": 18},
        }
        if title
        else None,
        plot_bgcolor="rgba(0,0,0,0)",
        showlegend=legend,
        legend={
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 0,
            "title": None,
            "font": {"size": 15},
        },
        hoverlabel={"font_size": 15},
    )
    fig.update_xaxes(tickfont={"size": 15}, title_font={"size": 15})
    fig.update_yaxes(tickfont={"size": 15}, title_font={"size": 15})
    return fig


# ---- incident charts and tables ------------------------------------------------------------------


def incident_trend(frame: pd.DataFrame) -> go.Figure:
    """Incidents detected per period (`incidents_by_period` by severity), stacked by severity."""
    fig = go.Figure()
    for severity in SEVERITIES:
        part = frame[frame["group"] == severity]
        fig.add_bar(
            x=part["period"],
            y=part["count"],
            name=severity,
            marker_color=SEVERITY_COLOURS[severity],
            text=[str(n) if n else "" for n in part["count"]],
            textposition="inside",
            hovertemplate=f"%{{x}} · {severity}: %{{y}}<extra></extra>",
        )
    fig.update_layout(barmode="stack", xaxis={"type": "category"}, yaxis={"title": "incidents"})
    return layout(fig, height=380, legend=True)


def _hbar(labels: list[str], values: list[int], colours: list[str] | str) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=colours,
            text=[str(v) for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_layout(yaxis={"autorange": "reversed", "type": "category"}, xaxis={"visible": False})
    return layout(fig, height=60 + 44 * max(len(labels), 1))


def severity_mix(by_severity: dict[str, int]) -> go.Figure:
    """Incidents detected in the quarter per severity (`incident_summary.by_severity`), zeros shown."""
    keys = [s for s in SEVERITIES if s in by_severity]
    return _hbar(keys, [by_severity[s] for s in keys], [SEVERITY_COLOURS[s] for s in keys])


def ageing_bars(ageing: pd.DataFrame) -> go.Figure:
    """Open incidents per age bucket (rows of `open_incident_ageing`), every bucket shown."""
    counts = ageing["age_bucket"].value_counts().reindex(AGE_BUCKETS, fill_value=0)
    return _hbar([f"{b} days" for b in AGE_BUCKETS], [int(n) for n in counts], "#CC79A7")


def by_system_bars(by_period: pd.DataFrame, quarter: str) -> go.Figure:
    """Incidents detected in `quarter` per AI system (`incidents_by_period`, grain quarter, by ai_system)."""
    part = by_period[by_period["period"] == quarter].sort_values(["count", "group"], ascending=[False, True])
    return _hbar([chart_text(g) for g in part["group"]], [int(n) for n in part["count"]], "#0072B2")


def serious_table(serious: pd.DataFrame) -> pd.DataFrame:
    """`serious_incidents` with its outcome written as a label with a symbol."""
    return serious.assign(outcome=serious["outcome"].map(OUTCOME_LABELS).fillna(serious["outcome"]))


def figure_rows(
    rows: pd.DataFrame, serious: pd.DataFrame, *, start: dt.date, end: dt.date
) -> dict[str, pd.DataFrame]:
    """The rows behind each headline figure; `rows` is `incident_rows` and `serious` is
    `serious_incidents`, both at the quarter end."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    late = serious[(serious["outcome"] == "missed") & serious["detected_date"].between(lo, hi)]
    return {
        LABELS["total"]: rows[rows["detected_date"].between(lo, hi)],
        LABELS["open"]: rows[rows["open"]],
        LABELS["resolve"]: rows[rows["resolved_date"].between(lo, hi)],
        LABELS["late"]: serious_table(late),
    }
