"""Rendering review figures as big numbers with their delta, target and rule.

A figure without a previous-quarter value says "no comparison" (never a 0 delta); a target is shown as
"target 80% ✔ met" / "✖ not met" so status never rests on colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from metrics.review import Figure

from .fmt import count, pct

__all__ = ["delta_text", "figure_value", "show_figures"]


def figure_value(figure: Figure) -> str:
    if figure.value is None:
        return "—"
    if figure.unit == "rate":
        return pct(float(figure.value))
    if figure.unit == "days":
        return f"{float(figure.value):.1f} days"
    return count(int(figure.value))


def delta_text(figure: Figure) -> str | None:
    if not figure.comparison or figure.delta is None:
        return None
    if figure.unit == "rate":
        return f"{figure.delta * 100:+.1f} pts"
    if figure.unit == "days":
        return f"{figure.delta:+.1f} days"
    return f"{int(figure.delta):+d}"


def _target_text(figure: Figure) -> str:
    if figure.target is None or figure.on_target is None:
        return ""
    target = pct(figure.target, 0) if figure.unit == "rate" else count(int(figure.target))
    return f"{'✔' if figure.on_target else '✖'} target {target}"


def show_figures(figures: Iterable[Figure], *, columns: int = 4, helps: dict[str, str] | None = None) -> None:
    """A row (or rows) of st.metric, one per figure, with delta vs the previous quarter and the target."""
    figures = list(figures)
    helps = helps or {}
    for start in range(0, len(figures), columns):
        cols = st.columns(columns)
        for col, figure in zip(cols, figures[start : start + columns], strict=False):
            delta = delta_text(figure) if figure.trend else None
            target = _target_text(figure)
            no_comparison = figure.trend and delta is None
            unchanged = delta is not None and not figure.delta
            if unchanged:
                delta = "no change"
            col.metric(
                figure.label,
                figure_value(figure),
                delta=delta if delta is not None else ("no comparison" if no_comparison else None),
                delta_color=("inverse" if figure.better == "lower" else "normal")
                if delta and not unchanged
                else "off",
                delta_arrow="auto" if delta and not unchanged else "off",
                delta_description=target or None,
                help=helps.get(figure.key),
                border=True,
            )
