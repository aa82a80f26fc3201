"""Model monitoring page: the health matrix, a series with its threshold bands, and the tables' columns.

Every state carries a symbol and a word (✔ ok, ✖ breach, – no threshold) besides its Okabe-Ito colour,
so the matrix reads the same in black and white and for colour-blind viewers.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics.monitoring import MonitoringSummary
from metrics.review import Figure

from .incident_charts import SOURCE_COLUMNS, chart_text, compared, layout

__all__ = [
    "LABELS",
    "breaching_now",
    "disagreeing",
    "headline",
    "EPISODE_COLUMNS",
    "EVIDENCE_COLUMNS",
    "HEALTH_COLUMNS",
    "OBJECTIVE_COLUMNS",
    "STATE_LABELS",
    "default_series",
    "episodes_table",
    "evidence_table",
    "health_heatmap",
    "health_table",
    "objectives_table",
    "pick",
    "series_chart",
    "series_options",
]

# The headline figures' labels (`monitoring_summary` fields).
LABELS = {
    "breach_points": "Breach points",
    "breach_episodes": "Breach episodes",
    "series_breaching_at_latest": "Series breaching now",
    "disagreements": "Tool disagrees",
}
STATE_LABELS = {"breach": "✖ breach", "ok": "✔ ok", "no threshold": "– no threshold", "no data": "? no data"}
# Matrix codes, worst first (a cell holding several series shows the worst).
_CODES = {"breach": 0, "ok": 1, "no threshold": 2}
_COLOURS = ["#D55E00", "#009E73", "#BBBBBB"]
_LINE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#000000"]
NO_FEATURE = "(whole model)"

HEALTH_COLUMNS = {
    "ai_system": "AI system",
    "metric": "Metric",
    "feature": "Feature",
    "model_version": "Model version",
    "state": "State (ours)",
    "value": st.column_config.NumberColumn("Latest value", format="%.4g"),
    "lower_threshold": st.column_config.NumberColumn("Lower threshold", format="%.4g"),
    "upper_threshold": st.column_config.NumberColumn("Upper threshold", format="%.4g"),
    "verdict": "Tool's verdict",
    "disagreement": "Disagree",
    "observed_at": st.column_config.DatetimeColumn("Latest point"),
    "points": st.column_config.NumberColumn("Points"),
    **SOURCE_COLUMNS,  # of the latest point
}
EPISODE_COLUMNS = {
    "ai_system": "AI system",
    "metric": "Metric",
    "feature": "Feature",
    "model_version": "Model version",
    "start": st.column_config.DatetimeColumn("Start"),
    "end": st.column_config.DatetimeColumn("End"),
    "points": st.column_config.NumberColumn("Points"),
    "days": st.column_config.NumberColumn("Duration (days)", format="%.1f"),
    "min_value": st.column_config.NumberColumn("Lowest", format="%.4g"),
    "max_value": st.column_config.NumberColumn("Highest", format="%.4g"),
    "ongoing": "Ongoing",
    **SOURCE_COLUMNS,  # of the first point
}
OBJECTIVE_COLUMNS = {
    "objective_id": "Objective",
    "objective": "Description",
    "ai_system": "AI system",
    "measure": "Measure",
    "value": st.column_config.NumberColumn("Value", format="%.4g"),
    "target": st.column_config.NumberColumn("Target", format="%.4g"),
    "direction": "Direction",
    "unit": "Unit",
    "on_track": "On track",
    "overdue": "Overdue",
    "due_date": st.column_config.DateColumn("Due"),
    "value_source": "Value from",
    "value_as_of": st.column_config.DateColumn("Value as of"),
    "owner": "Owner",
    **SOURCE_COLUMNS,
}
EVIDENCE_COLUMNS = {
    "control_id": "Control",
    "control_title": "Title",
    "link": "Metric link",
    "ai_system": "AI system",
    "metric": "Metric",
    "feature": "Feature",
    "state": "State at quarter end",
    "value": st.column_config.NumberColumn("Latest value", format="%.4g"),
    "observed_at": st.column_config.DatetimeColumn("Latest point"),
}


def headline(now: MonitoringSummary, before: MonitoringSummary, *, comparable: bool) -> list[Figure]:
    """The monitoring page's headline figures (`monitoring_summary` of the quarter and the one before)."""
    return [
        compared(key, label, getattr(now, key), getattr(before, key), comparable=comparable)
        for key, label in LABELS.items()
    ]


def breaching_now(health: pd.DataFrame) -> pd.DataFrame:
    """The rows of `health_matrix` counted by "series breaching now": current versions breaching."""
    return health[health["breaching"].eq(True) & health["current_version"]]


def disagreeing(health: pd.DataFrame) -> pd.DataFrame:
    """The rows of `health_matrix` whose latest point the tool judges otherwise than we do."""
    return health[health["disagreement"].eq(True)]


def _yes_no(series: pd.Series, yes: str, no: str, missing: str = "–") -> pd.Series:
    return series.map({True: yes, False: no}).fillna(missing)


def health_table(health: pd.DataFrame) -> pd.DataFrame:
    """`health_matrix` with its states and the disagreement written as labels."""
    return health.assign(
        state=health["state"].map(STATE_LABELS).fillna(health["state"]),
        disagreement=_yes_no(health["disagreement"], "⚠ yes", "no"),
        verdict=health["verdict"].fillna("–"),
    )


def _number(value: float) -> str:
    """A measured value as a person would write it: 1,447 / 278 / 0.0943."""
    return "–" if pd.isna(value) else f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _column(metric: str, feature: object) -> str:
    return metric if pd.isna(feature) else f"{metric} · {feature}"


def health_heatmap(health: pd.DataFrame) -> go.Figure:
    """AI system x metric (and feature): the state of the current series' latest point, the worst where
    several current model versions share a cell; each cell says its state and value in words."""
    current = health[health["current_version"]]
    cells = (
        current.assign(
            column=[_column(m, f) for m, f in zip(current["metric"], current["feature"], strict=True)],
            code=current["state"].map(_CODES),
        )
        .sort_values("code", kind="stable")
        .drop_duplicates(["ai_system", "column"])
    )
    systems = sorted(cells["ai_system"].unique())
    columns = sorted(cells["column"].unique())
    grid = cells.set_index(["ai_system", "column"])
    z, text = [], []
    for system in systems:
        z.append([grid["code"].get((system, c)) for c in columns])
        text.append(
            [
                f"{STATE_LABELS[grid['state'][(system, c)]]}<br>{_number(grid['value'][(system, c)])}"
                if (system, c) in grid.index
                else ""
                for c in columns
            ]
        )
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[chart_text(c) for c in columns],
            y=[chart_text(s) for s in systems],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 16},
            zmin=0,
            zmax=2,
            colorscale=[[0, _COLOURS[0]], [0.33, _COLOURS[0]], [0.34, _COLOURS[1]], [0.66, _COLOURS[1]]]
            + [[0.67, _COLOURS[2]], [1, _COLOURS[2]]],
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(xaxis={"side": "top", "type": "category"}, yaxis={"autorange": "reversed"})
    return layout(fig, height=80 + 70 * max(len(systems), 1))


def series_options(
    health: pd.DataFrame, *, system: str | None = None, metric: str | None = None
) -> list[str]:
    """The choices of the series selectboxes: systems; a system's metrics; a system and metric's features."""
    if system is None:
        return sorted(health["ai_system"].dropna().unique())
    part = health[health["ai_system"] == system]
    if metric is None:
        return sorted(part["metric"].unique())
    features = part[part["metric"] == metric]["feature"]
    return [NO_FEATURE] * bool(features.isna().any()) + sorted(features.dropna().unique())


def default_series(health: pd.DataFrame) -> tuple[str | None, str | None, str | None]:
    """The series to show first: the first current series breaching now, else the first series."""
    if health.empty:
        return None, None, None
    ranked = health.assign(rank=~(health["breaching"].eq(True) & health["current_version"]))
    first = ranked.sort_values("rank", kind="stable").iloc[0]
    return first["ai_system"], first["metric"], NO_FEATURE if pd.isna(first["feature"]) else first["feature"]


def pick(label: str, options: list[str], *, key: str, default: str | None) -> str | None:
    """A selectbox whose remembered choice is dropped when it is no longer offered (another system)."""
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    index = options.index(default) if default in options else 0
    return st.selectbox(label, options, index=index, key=key) if options else None


def series_chart(points: pd.DataFrame, *, title: str) -> go.Figure:
    """One line per feature and model version (`series_points`), thresholds as dashed lines with the
    breach side shaded, breaching points marked ✖, and the min-max band where points were bucketed."""
    fig = go.Figure()
    lines = points.groupby(["feature", "model_version"], dropna=False, sort=False)
    for i, ((feature, version), line) in enumerate(lines):
        colour = _LINE_COLOURS[i % len(_LINE_COLOURS)]
        name = chart_text(" · ".join(str(p) for p in (feature, f"v{version}") if not pd.isna(p)))
        if (line["points"] > 1).any():
            fig.add_scatter(
                x=line["observed_at"],
                y=line["value_max"],
                mode="lines",
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            )
            fig.add_scatter(
                x=line["observed_at"],
                y=line["value_min"],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor="rgba(0,114,178,0.15)",
                name=f"{name} min-max",
                hoverinfo="skip",
            )
        fig.add_scatter(
            x=line["observed_at"],
            y=line["value"],
            mode="lines",
            name=name,
            line={"color": colour, "width": 3},
        )
        breaches = line[line["breaching"].eq(True)]
        fig.add_scatter(
            x=breaches["observed_at"],
            y=breaches["value"],
            mode="markers",
            name=f"✖ breach ({name})",
            marker={"symbol": "x", "size": 10, "color": "#D55E00"},
        )
        for side, dash in (("lower_threshold", "dash"), ("upper_threshold", "dot")):
            if line[side].notna().any():
                fig.add_scatter(
                    x=line["observed_at"],
                    y=line[side],
                    mode="lines",
                    line={"color": "#000000", "dash": dash, "width": 2, "shape": "hv"},
                    name=f"{side.split('_')[0]} threshold",
                )
    _shade_breach_side(fig, points)
    fig.update_layout(hovermode="x unified")
    return layout(fig, height=480, legend=True, title=chart_text(title))


def _shade_breach_side(fig: go.Figure, points: pd.DataFrame) -> None:
    """Shade the breach side of the latest thresholds (below the lower one, above the upper one) a little
    beyond the data, and write each threshold at the right end of its line."""
    if points.empty:
        return
    latest = points.sort_values("observed_at").iloc[-1]
    lower, upper = latest["lower_threshold"], latest["upper_threshold"]
    values = pd.concat([points["value_min"], points["value_max"], pd.Series([lower, upper])]).dropna()
    pad = 0.1 * ((values.max() - values.min()) or abs(values.max()) or 1)
    for side, threshold, y0, y1, anchor in (
        ("lower", lower, values.min() - pad, lower, "top"),
        ("upper", upper, upper, values.max() + pad, "bottom"),
    ):
        if pd.isna(threshold):
            continue
        fig.add_hrect(y0=y0, y1=y1, fillcolor="#D55E00", opacity=0.08, line_width=0)
        fig.add_annotation(
            x=latest["observed_at"],
            y=threshold,
            text=f"{side} threshold {_number(threshold)}",
            showarrow=False,
            xanchor="right",
            yanchor=anchor,
            font={"size": 15},
        )


def episodes_table(episodes: pd.DataFrame) -> pd.DataFrame:
    """`breach_episodes` with the duration in days and `ongoing` in words."""
    return episodes.assign(
        days=episodes["duration"].dt.total_seconds() / 86400,
        ongoing=_yes_no(episodes["ongoing"], "✖ ongoing", "ended"),
    )


def objectives_table(objectives: pd.DataFrame) -> pd.DataFrame:
    """`objectives_status` with on track and overdue as labels with symbols."""
    return objectives.assign(
        on_track=_yes_no(objectives["on_track"], "✔ on track", "✖ off track", "– no value"),
        overdue=_yes_no(objectives["overdue"], "✖ overdue", "no"),
    )


def evidence_table(evidence: pd.DataFrame) -> pd.DataFrame:
    """`control_evidence` with its states as labels."""
    return evidence.assign(state=evidence["state"].map(STATE_LABELS).fillna(evidence["state"]))
