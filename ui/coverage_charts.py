"""Charts and tables of the Clause coverage page: rate bars per clause or objective, the requirement and
history tables, the quarter-over-quarter changes and the Statement of Applicability download.

Readable on a projector (16 px and up, a label on every bar) and never colour alone: statuses and changes
carry a symbol and a word. User text (justifications, owners, evidence, file names) goes only into
dataframes; `plain` escapes it wherever it has to sit in a caption.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from .fmt import STATUS_LABELS, pct

__all__ = [
    "CHANGE_COLUMNS",
    "CHANGE_LABELS",
    "CLAUSE_ROWS_ORDER",
    "DRILL_ORDER",
    "GAP_LABELS",
    "GROUP_COLUMNS",
    "HISTORY_COLUMNS",
    "REQUIREMENT_COLUMNS",
    "SOA_ORDER",
    "change_table",
    "group_bars",
    "history_table",
    "plain",
    "requirement_table",
    "soa_csv",
]

RATE_COLOURS = {"implementation_rate": "#0072B2", "weighted_score": "#56B4E9"}  # Okabe-Ito blues
RATE_NAMES = {"implementation_rate": "Implementation rate", "weighted_score": "Weighted score"}

GAP_LABELS = {
    "not_implemented": "✖ Not implemented",
    "stale_evidence": "⚠ Stale evidence",
    "no_owner": "∅ No owner",
    "no_justification": "✎ No justification",
}
CHANGE_LABELS = {
    "regressed": "▼ Regressed",
    "new": "★ New",
    "improved": "▲ Improved",
    "scope_change": "⇄ Scope change",
    "unchanged": "= Unchanged",
    "no_comparison": "— No comparison",
}
# Rows worth a second look get a background as well as their symbol.
_CHANGE_BACKGROUND = {"regressed": "#F9D9C5", "new": "#CDE8F8"}

GROUP_COLUMNS: dict[str, Any] = {
    "id": "Id",
    "title": st.column_config.TextColumn("Title", width="medium"),
    "requirements": st.column_config.NumberColumn("Requirements"),
    "applicable": st.column_config.NumberColumn("Applicable"),
    "implemented": st.column_config.NumberColumn("✔ Implemented"),
    "partially_implemented": st.column_config.NumberColumn("◐ Partially"),
    "planned": st.column_config.NumberColumn("◷ Planned"),
    "not_implemented": st.column_config.NumberColumn("✖ Not implemented"),
    "not_assessed": st.column_config.NumberColumn("? Not assessed"),
    "not_applicable": st.column_config.NumberColumn("— Not applicable"),
    "implementation_rate": st.column_config.ProgressColumn(
        "Implementation rate", format="percent", min_value=0, max_value=1
    ),
    "weighted_score": st.column_config.ProgressColumn(
        "Weighted score", format="percent", min_value=0, max_value=1
    ),
    "stale_evidence": st.column_config.NumberColumn("⚠ Stale evidence"),
}
_SOURCE_COLUMNS: dict[str, Any] = {
    "file_name": "File",
    "sheet": "Sheet",
    "row_no": st.column_config.NumberColumn("Row", format="%d"),
}
REQUIREMENT_COLUMNS: dict[str, Any] = {
    "id": "Id",
    "title": st.column_config.TextColumn("Title", width="medium"),
    "applicable": st.column_config.CheckboxColumn("Applicable"),
    "justification": st.column_config.TextColumn("Justification", width="medium"),
    "status": "Status",
    "owner": "Owner",
    "evidence": st.column_config.TextColumn("Evidence", width="medium"),
    "evidence_date": st.column_config.DateColumn("Evidence date"),
    "last_reviewed": st.column_config.DateColumn("Last reviewed"),
    "evidence_stale": st.column_config.CheckboxColumn("Stale evidence"),
    "gaps": st.column_config.ListColumn("Gaps"),
    "source_id": "Row of",
    **_SOURCE_COLUMNS,
}
DRILL_ORDER = ["id", "title", "status", "owner", "evidence", "evidence_date", "evidence_stale", "gaps",
               "source_id", "file_name", "sheet", "row_no"]  # fmt: skip
SOA_ORDER = ["id", "title", "applicable", "justification", "status", "owner", "evidence", "evidence_date",
             "last_reviewed", "evidence_stale", "gaps", "file_name", "sheet", "row_no"]  # fmt: skip
CLAUSE_ROWS_ORDER = [
    "id",
    "title",
    "status",
    "owner",
    "evidence_date",
    "source_id",
    "file_name",
    "sheet",
    "row_no",
]
HISTORY_COLUMNS: dict[str, Any] = {
    "as_of": st.column_config.DateColumn("As of"),
    "status": "Status",
    "evidence": st.column_config.TextColumn("Evidence", width="medium"),
    "evidence_date": st.column_config.DateColumn("Evidence date"),
    **_SOURCE_COLUMNS,
    "source_id": "Row of",
    "scope": "Scope",
    "valid_to": st.column_config.DateColumn("In force until"),
    "justification": st.column_config.TextColumn("Justification", width="medium"),
}
CHANGE_COLUMNS: dict[str, Any] = {
    "id": "Id",
    "title": st.column_config.TextColumn("Title", width="medium"),
    "previous_status": "Previous quarter",
    "status": "This quarter",
    "previous_rate": st.column_config.NumberColumn("Previous rate", format="percent"),
    "rate": st.column_config.NumberColumn("Rate", format="percent"),
    "change": "Change",
}


def plain(text: object) -> str:
    """Escape markdown so user text shows as typed in a caption."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$:" else ch for ch in str(text))


def _wrap(text: str, width: int = 26) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def group_bars(groups: pd.DataFrame, *, target: float | None = None, title: str = "") -> go.Figure:
    """Two bars per clause or objective (implementation rate, weighted score), each labelled with its value;
    a dashed line behind the bars marks the target. A group without an applicable requirement shows "—"."""
    labels = [_wrap(f"{i} {t}") for i, t in zip(groups["id"], groups["title"], strict=True)]
    fig = go.Figure()
    for column in ("implementation_rate", "weighted_score"):
        values = [None if pd.isna(v) else float(v) for v in groups[column]]
        fig.add_trace(
            go.Bar(
                name=RATE_NAMES[column],
                y=labels,
                x=[v or 0 for v in values],
                orientation="h",
                marker_color=RATE_COLOURS[column],
                text=[pct(v, 0) for v in values],
                textposition="outside",
                textfont={"size": 17, "color": "#1B2631"},
                cliponaxis=False,
                hovertemplate="%{y}<br>" + RATE_NAMES[column] + ": %{text}<extra></extra>",
            )
        )
    if target is not None:
        fig.add_vline(
            x=target,
            line_dash="dash",
            line_color="#000000",
            layer="below",
            annotation_text=f"target {pct(target, 0)}",
            annotation_position="top",
            annotation_font_size=15,
        )
    fig.update_layout(
        title=title or None,
        barmode="group",
        height=110 + 70 * len(groups),
        margin={"l": 10, "r": 50, "t": 70 if title else 40, "b": 10},
        yaxis={"autorange": "reversed", "tickfont": {"size": 15}},
        xaxis={"range": [0, 1.2], "visible": False},
        legend={"orientation": "h", "y": 0, "yanchor": "top", "font": {"size": 16}},
        font={"size": 16},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def requirement_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Requirement rows with statuses and gaps written as words and symbols."""
    shown = rows.copy()
    shown["status"] = shown["status"].map(lambda s: STATUS_LABELS.get(s, s))
    if "gaps" in shown:
        shown["gaps"] = shown["gaps"].map(lambda gaps: [GAP_LABELS[g] for g in gaps])
    return shown


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """A requirement's assessments, oldest first, statuses as words and symbols."""
    shown = history.copy()
    shown["status"] = shown["status"].map(lambda s: STATUS_LABELS.get(s, s))
    return shown


def change_table(changes: pd.DataFrame) -> Styler:
    """The quarter-over-quarter changes with symbols; regressed and new rows also highlighted."""
    shown = changes.copy()
    for column in ("previous_status", "status"):
        shown[column] = shown[column].map(lambda s: STATUS_LABELS.get(s, s) if isinstance(s, str) else None)
    backgrounds = [_CHANGE_BACKGROUND.get(c, "") for c in shown["change"]]
    shown["change"] = shown["change"].map(lambda c: CHANGE_LABELS.get(c, c))
    shown = shown[[c for c in CHANGE_COLUMNS if c in shown]]
    return shown.style.apply(
        lambda row: (
            [f"background-color: {backgrounds[row.name]}" if backgrounds[row.name] else ""] * len(row)
        ),
        axis=1,
    )


_SOA_EXPORT = {
    "id": "control",
    "title": "title",
    "applicable": "applicable",
    "justification": "justification",
    "status": "status",
    "owner": "owner",
    "evidence": "evidence",
    "evidence_date": "evidence date",
    "last_reviewed": "last reviewed",
    "evidence_stale": "stale evidence",
    "file_name": "source file",
    "sheet": "source sheet",
    "row_no": "source row",
}


def _as_text(value: object) -> object:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def soa_csv(rows: pd.DataFrame) -> bytes:
    """The Statement of Applicability rows as a UTF-8 CSV (with a BOM, so spreadsheet programs read it).

    User text that a spreadsheet would take for a formula is defused (a leading apostrophe)."""
    frame = rows[[c for c in _SOA_EXPORT if c in rows]].rename(columns=_SOA_EXPORT)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(_as_text)
    for column in ("evidence date", "last reviewed"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame.to_csv(index=False).encode("utf-8-sig")
