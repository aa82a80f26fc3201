"""Charts and tables of the Risks page: the clickable 5 x 5 heatmap and the risk tables.

The heatmap puts impact on x and likelihood on y (1-5 each, likelihood rising upwards). Each cell is
coloured by its band (settings, colour-blind-safe Okabe-Ito colours), carries its count in large type and
its band as a word, so colour is never the only cue. Plotly reports no point for a click on a heatmap, so an
invisible square marker sits on every cell centre carrying the cell as `customdata` ("<likelihood>x<impact>",
e.g. "4x5"); `selected_cell` reads it back from the chart's selection state.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

__all__ = [
    "BAND_COLOURS",
    "BAND_CHANGE_LABELS",
    "GAP_ORDER",
    "MOVEMENT_COLUMNS",
    "MOVEMENT_LABELS",
    "MOVEMENT_ORDER",
    "QUARTER_MOVEMENT_ORDER",
    "RATING_LABELS",
    "TOP_ORDER",
    "REGISTER_COLUMNS",
    "REGISTER_ORDER",
    "band_legend",
    "heatmap_figure",
    "movement_table",
    "quarter_movement_table",
    "register_order",
    "selected_cell",
]

# Okabe-Ito colours from low to critical; a band named otherwise takes the next colour by its rank.
BAND_COLOURS = {"low": "#009E73", "medium": "#F0E442", "high": "#E69F00", "critical": "#D55E00"}
_SPARE_COLOURS = ("#009E73", "#F0E442", "#E69F00", "#D55E00", "#CC79A7", "#0072B2", "#56B4E9")
RATING_LABELS = {"inherent": "Inherent (before treatment)", "residual": "Residual (after treatment)"}
MOVEMENT_LABELS = {
    "new": "★ New",
    "removed": "✖ Removed",
    "up": "▲ Rated higher",
    "down": "▼ Rated lower",
    "moved": "↔ Moved",
    "unchanged": "= Unchanged",
    "no_comparison": "— No comparison",
}
BAND_CHANGE_LABELS = {"lower": "▼ Lower band", "same": "= Same band", "higher": "▲ Higher band"}
_CELL = re.compile(r"^[1-5]x[1-5]$")

REGISTER_ORDER = [
    "risk_id", "title", "system_name", "category", "likelihood", "impact", "score", "band",
    "residual_likelihood", "residual_impact", "residual_score", "residual_band", "above_appetite",
    "treatment", "status", "owner", "linked_controls", "next_review", "file_name", "sheet", "row_no",
]  # fmt: skip
REGISTER_COLUMNS: dict[str, Any] = {
    "risk_id": "Risk",
    "title": st.column_config.TextColumn("Title", width="medium"),
    "system_name": "AI system",
    "category": "Category",
    "likelihood": st.column_config.NumberColumn("Likelihood"),
    "impact": st.column_config.NumberColumn("Impact"),
    "score": st.column_config.NumberColumn("Score"),
    "band": "Band",
    "residual_likelihood": st.column_config.NumberColumn("Residual likelihood"),
    "residual_impact": st.column_config.NumberColumn("Residual impact"),
    "residual_score": st.column_config.NumberColumn("Residual score"),
    "residual_band": "Residual band",
    "rated_score": st.column_config.NumberColumn("Rated score", help="Residual score, else inherent"),
    "above_appetite": st.column_config.CheckboxColumn("Above appetite"),
    "treatment": "Treatment",
    "status": "Status",
    "owner": "Owner",
    "linked_controls": st.column_config.ListColumn("Linked controls"),
    "next_review": st.column_config.DateColumn("Next review"),
    "file_name": "File",
    "sheet": "Sheet",
    "row_no": st.column_config.NumberColumn("Row", format="%d"),
}
MOVEMENT_ORDER = ["risk_id", "title", "inherent_cell", "residual_cell", "score", "residual_score", "score_drop",
                  "band_change"]  # fmt: skip
QUARTER_MOVEMENT_ORDER = ["risk_id", "title", "movement", "previous_cell", "cell", "previous_residual_cell",
                          "residual_cell", "previous_rated_score", "rated_score"]  # fmt: skip
TOP_ORDER = ["risk_id", "title", "rated_score", "residual_band", "band", "system_name", "treatment", "status",
             "owner", "next_review", "file_name", "sheet", "row_no"]  # fmt: skip
GAP_ORDER = ["risk_id", "title", "rated_score", "owner", "file_name", "sheet", "row_no"]
MOVEMENT_COLUMNS: dict[str, Any] = {
    "risk_id": "Risk",
    "title": st.column_config.TextColumn("Title", width="medium"),
    "inherent_cell": "Inherent cell",
    "residual_cell": "Residual cell",
    "score": st.column_config.NumberColumn("Score"),
    "residual_score": st.column_config.NumberColumn("Residual score"),
    "score_drop": st.column_config.NumberColumn("Score drop"),
    "band_change": "Band",
    "previous_cell": "Cell before",
    "cell": "Cell now",
    "previous_residual_cell": "Residual cell before",
    "previous_rated_score": st.column_config.NumberColumn("Rated score before"),
    "rated_score": st.column_config.NumberColumn("Rated score now"),
    "movement": "Movement",
}


_RATING_COLUMNS = {
    "inherent": ["likelihood", "impact", "score", "band"],
    "residual": ["residual_likelihood", "residual_impact", "residual_score", "residual_band"],
}


def register_order(rating: str = "inherent") -> list[str]:
    """The register's columns with the chosen rating's likelihood, impact, score and band first."""
    first = _RATING_COLUMNS.get(rating, _RATING_COLUMNS["inherent"])
    rest = [c for c in REGISTER_ORDER if c not in first and c not in ("risk_id", "title")]
    return ["risk_id", "title", *first, *rest]


def _band_order(cells: pd.DataFrame) -> list[str]:
    return cells.groupby("band")["score"].min().sort_values().index.tolist()


def _colours(bands: list[str]) -> dict[str, str]:
    return {b: BAND_COLOURS.get(b, _SPARE_COLOURS[i % len(_SPARE_COLOURS)]) for i, b in enumerate(bands)}


def band_legend(risk_bands: dict[str, list[int]]) -> str:
    """'low 1-4 · medium 5-9 · …': the bands' score ranges, lowest first (each cell names its band too)."""
    ordered = sorted(risk_bands.items(), key=lambda item: item[1][0])
    return " · ".join(f"{name} {lo}-{hi}" for name, (lo, hi) in ordered)


def heatmap_figure(cells: pd.DataFrame, *, title: str = "") -> go.Figure:
    """The 5 x 5 grid of one `heatmap` frame (25 rows: likelihood, impact, score, band, count, risk_ids).

    The figure never depends on the selection: Streamlit would take a changed figure for a new chart and
    drop the selection. The browser shades the selected cell itself (the marker's `selected` style)."""
    bands = _band_order(cells)
    colours = _colours(bands)
    rank = {b: i for i, b in enumerate(bands)}
    grid = cells.set_index(["likelihood", "impact"])
    levels = [1, 2, 3, 4, 5]
    n = len(bands)
    scale = [[edge / n, colours[b]] for i, b in enumerate(bands) for edge in (i, i + 1)]
    fig = go.Figure(
        go.Heatmap(
            x=levels,
            y=levels,
            z=[[rank[grid.loc[(lk, im), "band"]] for im in levels] for lk in levels],
            text=[[str(int(grid.loc[(lk, im), "count"])) for im in levels] for lk in levels],
            texttemplate="<b>%{text}</b>",
            textfont={"size": 28, "color": "#000000"},
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            hoverinfo="skip",
            xgap=3,
            ygap=3,
        )
    )
    rows = cells.to_dict("records")
    ids = [f"{r['likelihood']}x{r['impact']}" for r in rows]
    hover = [_hover(r) for r in rows]
    # The band as a word under the count, and the invisible click target on the cell centre.
    fig.add_trace(
        go.Scatter(
            x=[r["impact"] for r in rows],
            y=[r["likelihood"] - 0.3 for r in rows],
            mode="text",
            text=[html.escape(str(r["band"])) for r in rows],
            textfont={"size": 15, "color": "#000000"},
            selected={"textfont": {"color": "#000000"}},
            unselected={"textfont": {"color": "#000000"}},
            customdata=ids,
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r["impact"] for r in rows],
            y=[r["likelihood"] for r in rows],
            mode="markers",
            marker={"symbol": "square", "size": 56, "color": "#000000", "opacity": 0},
            selected={"marker": {"opacity": 0.3}},
            unselected={"marker": {"opacity": 0}},
            customdata=ids,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    axis = {"tickvals": levels, "range": [0.5, 5.5], "fixedrange": True, "tickfont": {"size": 18}}
    fig.update_layout(
        title=title or None,
        height=520,
        margin={"l": 10, "r": 10, "t": 60 if title else 10, "b": 10},
        xaxis={**axis, "title": {"text": "Impact →", "font": {"size": 18}}},
        yaxis={**axis, "title": {"text": "Likelihood →", "font": {"size": 18}}},
        font={"size": 16},
        hoverlabel={"font": {"size": 16}},
        clickmode="event+select",
        dragmode=False,
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def _hover(cell: dict[str, Any]) -> str:
    """One cell's hover text; risk ids and band names are user text, so they are escaped for plotly."""
    ids = [html.escape(str(i)) for i in cell["risk_ids"]]
    listed = ", ".join(ids[:8]) + (" …" if len(ids) > 8 else "") if ids else "none"
    return (
        f"Likelihood {cell['likelihood']} × impact {cell['impact']} = {cell['score']} "
        f"({html.escape(str(cell['band']))})<br>{cell['count']} risk(s): {listed}"
    )


def selected_cell(event: Any) -> str | None:
    """The cell ("4x5") of the first selected point of a heatmap chart's selection state, if any.

    Works on Streamlit's state object and on a plain dict (as a test seeds it)."""
    try:
        points = event["selection"]["points"] if event else []
    except (KeyError, TypeError):
        return None
    for point in points or []:
        cell = point.get("customdata") if hasattr(point, "get") else None
        if isinstance(cell, list | tuple):
            cell = cell[0] if cell else None
        if isinstance(cell, str) and _CELL.match(cell):
            return cell
    return None


def movement_table(movement: pd.DataFrame) -> pd.DataFrame:
    """Inherent-to-residual movement with the band change written as a word and a symbol."""
    shown = movement.copy()
    shown["band_change"] = shown["band_change"].map(lambda c: BAND_CHANGE_LABELS.get(c, "—"))
    return shown


def quarter_movement_table(movement: pd.DataFrame) -> pd.DataFrame:
    """Quarter-to-quarter movement with the kind of movement written as a word and a symbol."""
    shown = movement.copy()
    shown["movement"] = shown["movement"].map(lambda m: MOVEMENT_LABELS.get(m, m))
    return shown
