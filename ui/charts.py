"""Chart builders: readable on a projector, colour-blind-safe, never colour alone (labels on every bar)."""

from __future__ import annotations

import plotly.graph_objects as go

from .fmt import STATUS_LABELS

__all__ = ["STATUS_COLOURS", "status_bar"]

# Okabe-Ito palette, ordered from good to bad; each status also carries its symbol in the label.
STATUS_COLOURS = {
    "implemented": "#009E73",
    "partially_implemented": "#56B4E9",
    "planned": "#F0E442",
    "not_implemented": "#D55E00",
    "not_assessed": "#999999",
    "not_applicable": "#DDDDDD",
}


def status_bar(counts: dict[str, int], *, title: str = "") -> go.Figure:
    """One horizontal bar per status with its count written on it."""
    keys = [k for k in STATUS_COLOURS if k in counts]
    fig = go.Figure(
        go.Bar(
            x=[counts[k] for k in keys],
            y=[STATUS_LABELS[k] for k in keys],
            orientation="h",
            marker_color=[STATUS_COLOURS[k] for k in keys],
            text=[str(counts[k]) for k in keys],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or None,
        height=60 + 44 * len(keys),
        margin={"l": 10, "r": 40, "t": 40 if title else 10, "b": 10},
        yaxis={"autorange": "reversed"},
        xaxis={"visible": False},
        font={"size": 16},
        yaxis_tickfont={"size": 15},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig
